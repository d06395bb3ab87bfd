import { defineGroup } from '../spec.js';
import create from './create.js';
import get from './get.js';
import list from './list.js';
import messages from './messages.js';

export default defineGroup({
  name: 'chats',
  summary: "browse Interflow's chats and their messages, start a chat (interflow profiles)",
  examples: [
    'interflow chats list',
    'interflow chats messages chat_joao --all --json',
    'interflow chats create --phone "+55 11 99999-9999"',
  ],
  commands: [list, get, messages, create],
});
