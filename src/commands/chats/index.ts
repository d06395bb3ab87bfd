/**
 * `interflow chats list|get|messages`: flags and help only; the work is in ./run.ts, imported
 * when a command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';
import { pageOptions } from '../message-options.js';

/** What top-level help lists for `chats` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: "browse Interflow's chats and their messages (interflow profiles)",
  args: [],
  options: false,
};

export function register(program: Command): void {
  const chats = program
    .command('chats')
    .description(listing.description)
    .addHelpText('after', examples('interflow chats list', 'interflow chats messages chat_joao --all --json'));

  pageOptions(chats.command('list').description('list chats, a page at a time (or --all)'))
    .addHelpText('after', examples('interflow chats list', 'interflow chats list --all --json | jq -r .contact.phone'))
    .action(lazy('chats list'));

  chats
    .command('get')
    .description('show one chat')
    .argument('<id>', 'chat id, e.g. chat_joao')
    .addHelpText('after', examples('interflow chats get chat_joao', 'interflow chats get chat_joao --json'))
    .action(lazy('chats get'));

  pageOptions(
    chats
      .command('messages')
      .description("list a chat's messages, oldest first")
      .argument('<id>', 'chat id'),
  )
    .addHelpText('after', examples('interflow chats messages chat_joao', 'interflow chats messages chat_joao --all --json | jq -r .status'))
    .action(lazy('chats messages'));
}
