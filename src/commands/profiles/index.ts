/**
 * `interflow profiles list | show [name]`: the configured profiles, keys always redacted.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';

/** What top-level help lists for `profiles` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'list and inspect the configured profiles (keys are never shown)',
  args: [],
  options: false,
};

export function register(program: Command): void {
  const profiles = program
    .command('profiles')
    .description(listing.description)
    .addHelpText('after', examples('interflow profiles list', 'interflow profiles show turn'));

  profiles
    .command('list')
    .alias('ls')
    .description('list the profiles of the config file; the one a command would use is marked (default)')
    .addHelpText(
      'after',
      examples(
        'interflow profiles list',
        'interflow profiles list --json | jq -r \'.[] | select(.default) | .name\'',
        'interflow profiles list --config ./ci/.interflowrc.json',
      ),
    )
    .action(lazy('profiles list'));

  profiles
    .command('show [name]')
    .description('show every field of a resolved profile (default: the one a command would use), the key as ***')
    .addHelpText(
      'after',
      examples(
        'interflow profiles show',
        'interflow profiles show turn',
        'INTERFLOW_PROFILE=local interflow profiles show --json',
      ),
    )
    .action(lazy('profiles show'));
}
