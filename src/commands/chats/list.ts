import { chatFields } from '../fields.js';
import { pageOptions } from '../message-options.js';
import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'chats list',
  summary: 'list chats, a page at a time (or --all)',
  arguments: [],
  options: pageOptions,
  examples: ['interflow chats list', 'interflow chats list --all --json | jq -r .contact.phone'],
  json: chatFields,
  load: () => import('./run.js').then((m) => m.runChatsList),
});
