/**
 * `interflow config trust | untrust [file]`: flags and help only; the work is in ./run.ts,
 * imported when the command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';

/** What top-level help lists for `config` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'trust or untrust a config file found in a project (one that could send a key elsewhere)',
  args: [],
  options: false,
};

export function register(program: Command): void {
  const config = program
    .command('config')
    .description(listing.description)
    .addHelpText(
      'after',
      `
A config file found in the working directory or its parents (up to the home directory or the
repository root) that sends requests to a host other than its provider's (or loopback), or that
reads environment variables anywhere but apiKey, is used only once trusted, with that very
content: a changed file needs trusting again. --config FILE and ~/.config/interflow are trusted.
${examples('interflow config trust', 'interflow config trust ./.interflowrc.json', 'interflow config untrust')}`,
    );

  config
    .command('trust [file]')
    .description('trust a config file as it is now (default: the one found from the working directory)')
    .addHelpText(
      'after',
      examples('interflow config trust', 'interflow config trust ~/work/shop/.interflowrc.json', 'interflow config trust --json'),
    )
    .action(lazy('config trust'));

  config
    .command('untrust [file]')
    .description('stop trusting a config file (default: the one found from the working directory)')
    .addHelpText('after', examples('interflow config untrust', 'interflow config untrust ~/work/shop/.interflowrc.json'))
    .action(lazy('config untrust'));
}
