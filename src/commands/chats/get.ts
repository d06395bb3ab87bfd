import { chatFields } from '../fields.js';
import { arg, defineCommand } from '../spec.js';

export default defineCommand({
  name: 'chats get',
  summary: 'show one chat',
  arguments: [arg('<id>', 'chat id, e.g. chat_joao')],
  options: {},
  examples: ['interflow chats get chat_joao', 'interflow chats get chat_joao --json'],
  json: chatFields,
  load: () => import('./run.js').then((m) => m.runChatsGet),
});
