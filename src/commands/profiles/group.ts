import { defineGroup } from '../spec.js';
import list from './list.js';
import show from './show.js';

export default defineGroup({
  name: 'profiles',
  summary: 'list and inspect the configured profiles (keys are never shown)',
  examples: ['interflow profiles list', 'interflow profiles show turn'],
  commands: [list, show],
});
