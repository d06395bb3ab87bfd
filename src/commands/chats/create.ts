import { chatFields } from '../fields.js';
import { defineCommand, text } from '../spec.js';

export default defineCommand({
  name: 'chats create',
  summary: 'start a chat with a customer or a phone number',
  arguments: [],
  options: {
    customer: text('--customer <id>', 'customer id, e.g. cust_xyz789 (`interflow customers list` shows them)'),
    phone: text('--phone <phone>', "phone number as typed (+55 (11) 99999-9999); the profile's defaultCountry when it has no country code"),
  },
  examples: [
    'interflow chats create --phone "+55 (11) 99999-9999"',
    'interflow chats create --customer cust_xyz789 --json',
    'interflow chats create --phone 11999999999 --dry-run',
  ],
  notes:
    "\nPOST /chats is listed in Interflow's API reference without its body: the tool sends\n{channel_id, customer_id} or {channel_id, phone} until Interflow documents it.\n",
  json: chatFields,
  load: () => import('./run.js').then((m) => m.runChatsCreate),
});
