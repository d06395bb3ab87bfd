import { defineGroup } from '../spec.js';

export default defineGroup({
  name: 'chats',
  summary: "browse Interflow's chats and their messages, start a chat (interflow profiles)",
  examples: [
    'interflow chats list',
    'interflow chats messages chat_joao --all --json',
    'interflow chats create --phone "+55 11 99999-9999"',
  ],
  order: ['list', 'get', 'messages', 'create'],
});
