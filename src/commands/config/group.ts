import { defineGroup } from '../spec.js';

export default defineGroup({
  name: 'config',
  summary: 'trust or untrust a config file found in a project (one that could send a key elsewhere)',
  examples: ['interflow config trust', 'interflow config trust ./.interflowrc.json', 'interflow config untrust'],
  notes: `
A config file found in the working directory or its parents (up to the home directory or the
repository root) that sends requests to a host other than its provider's (or loopback), or that
reads environment variables anywhere but apiKey, is used only once trusted, with that very
content: a changed file needs trusting again. --config FILE and ~/.config/interflow are trusted.
`,
});
