import { defineGroup } from '../spec.js';
import get from './get.js';
import list from './list.js';

export default defineGroup({
  name: 'messages',
  summary: 'list what was sent and its latest status (any provider), or look up an Interflow message',
  examples: ['interflow messages list --campaign black-friday --status failed', 'interflow messages get msg_abc123 --wait read --json'],
  commands: [list, get],
});
