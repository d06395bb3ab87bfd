import { defineGroup } from '../spec.js';

export default defineGroup({
  name: 'profiles',
  summary: 'list and inspect the configured profiles (keys are never shown)',
  examples: ['interflow profiles list', 'interflow profiles show turn'],
});
