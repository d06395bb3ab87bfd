/**
 * `interflow report [campaign]`: flags and help only; the work is in ./run.ts, imported when the
 * command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';

/** What top-level help lists for `report` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'what became of what was sent: statuses, times, failures and templates, from the local tracking store',
  args: ['[campaign]'],
  options: true,
};

export function register(program: Command): void {
  program
    .command('report')
    .description(listing.description)
    .argument('[campaign]', 'only the messages of this campaign (--campaign of the send, or the bulk journal\'s name)')
    .option('--failed-csv <file>', "write the failed rows with their original CSV columns to FILE, ready for `interflow bulk`")
    .addHelpText(
      'after',
      examples(
        'interflow report',
        'interflow report black-friday --json',
        'interflow report black-friday --failed-csv retry.csv && interflow bulk retry.csv --template promo --profile turn',
      ) +
        '\nStatuses come from `interflow webhooks listen --secret ENV` (Turn, SocialMiner, Interflow) and `interflow messages get`;\n' +
        'the latest is the furthest along: read > failed > delivered > sent. The store: README.md, "Tracking".\n',
    )
    .action(lazy('report'));
}
