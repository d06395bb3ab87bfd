/**
 * `interflow chats list|get|messages|create`: flags and help only; the work is in ./run.ts, imported
 * when a command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';
import { pageOptions } from '../message-options.js';

/** What top-level help lists for `chats` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: "browse Interflow's chats and their messages, start a chat (interflow profiles)",
  args: [],
  options: false,
};

export function register(program: Command): void {
  const chats = program
    .command('chats')
    .description(listing.description)
    .addHelpText('after', examples('interflow chats list', 'interflow chats messages chat_joao --all --json', 'interflow chats create --phone "+55 11 99999-9999"'));

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

  chats
    .command('create')
    .description('start a chat with a customer or a phone number')
    .option('--customer <id>', 'customer id, e.g. cust_xyz789 (`interflow customers list` shows them)')
    .option('--phone <phone>', "phone number as typed (+55 (11) 99999-9999); the profile's defaultCountry when it has no country code")
    .addHelpText(
      'after',
      examples(
        'interflow chats create --phone "+55 (11) 99999-9999"',
        'interflow chats create --customer cust_xyz789 --json',
        'interflow chats create --phone 11999999999 --dry-run',
      ) + "\nPOST /chats is listed in Interflow's API reference without its body: the tool sends\n{channel_id, customer_id} or {channel_id, phone} until Interflow documents it.\n",
    )
    .action(lazy('chats create'));
}
