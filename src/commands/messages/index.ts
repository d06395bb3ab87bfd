/**
 * `interflow messages get`: flags and help only; the work is in ./run.ts, imported when the
 * command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';

/** What top-level help lists for `messages` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'list what was sent and its latest status (any provider), or look up an Interflow message',
  args: [],
  options: false,
};

export function register(program: Command): void {
  const messages = program
    .command('messages')
    .description(listing.description)
    .addHelpText(
      'after',
      examples('interflow messages list --campaign black-friday --status failed', 'interflow messages get msg_abc123 --wait read --json'),
    );

  messages
    .command('list')
    .description('each message sent from here with its latest status, any provider, newest first (from the local tracking store)')
    .option('--campaign <name>', 'only this campaign')
    .option('--status <status>', 'only messages whose latest status is read | delivered | sent | failed | none')
    .option('--to <number>', 'only messages to this number (digits compared: +55 11 9… = 55119…)')
    .option('--since <age>', 'only messages sent within this long: 30m, 24h, 7d (or from an ISO date)')
    .option('--limit <n>', 'at most N messages', '50')
    .addHelpText(
      'after',
      examples(
        'interflow messages list',
        'interflow messages list --campaign black-friday --status failed --json',
        'interflow messages list --to +5511999999999 --since 24h',
      ) + '\nA table on a terminal, JSON lines otherwise. Statuses come from `interflow webhooks listen --secret ENV` and `messages get`.\n',
    )
    .action(lazy('messages list'));

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
