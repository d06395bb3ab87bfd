/**
 * `interflow messages get`: flags and help only; the work is in ./run.ts, imported when the
 * command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';

/** What top-level help lists for `messages` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'look up messages sent through Interflow (interflow profiles)',
  args: [],
  options: false,
};

export function register(program: Command): void {
  const messages = program
    .command('messages')
    .description(listing.description)
    .addHelpText(
      'after',
      examples('interflow messages get msg_abc123', 'interflow messages get msg_abc123 --wait read --json'),
    );

  messages
    .command('get')
    .description("show a message and its status (sent, delivered, read, failed); --wait polls until it reaches a status")
    .argument('<id>', "the message id a send printed, e.g. msg_abc123")
    .option('--wait <status>', 'poll (250 ms doubling to 4 s) until the message is delivered | read; exit 1 if it fails or time runs out')
    .option('--wait-timeout <ms>', 'how long --wait waits, in milliseconds', '60000')
    .addHelpText(
      'after',
      examples(
        'interflow messages get msg_abc123',
        'interflow messages get msg_abc123 --wait delivered',
        'id=$(interflow send text 11999999999 "Olá" --json | jq -r .id) && interflow messages get "$id" --wait read --wait-timeout 120000',
      ),
    )
    .action(lazy('messages get'));
}
