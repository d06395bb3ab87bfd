import { defineGroup } from '../spec.js';

export default defineGroup({
  name: 'messages',
  summary: 'list what was sent and its latest status (any provider), or look up an Interflow message',
  examples: ['interflow messages list --campaign black-friday --status failed', 'interflow messages get msg_abc123 --wait read --json'],
  order: ['list', 'get'],
});
