import { messageFields } from '../fields.js';
import { pageOptions } from '../message-options.js';
import { arg, defineCommand } from '../spec.js';

export default defineCommand({
  name: 'chats messages',
  summary: "list a chat's messages, oldest first",
  arguments: [arg('<id>', 'chat id')],
  options: pageOptions,
  examples: ['interflow chats messages chat_joao', 'interflow chats messages chat_joao --all --json | jq -r .status'],
  json: messageFields,
  load: () => import('./run.js').then((m) => m.runChatsMessages),
});
