import { keysOf } from '../fields.js';
import { defineCommand } from '../spec.js';
import type { LintProblem } from './run.js';

export default defineCommand({
  name: 'templates lint',
  summary: 'check the catalog for what WhatsApp would refuse or a send could not fill; exit 2 on problems',
  arguments: [],
  options: {},
  examples: ['interflow templates lint', 'interflow templates lint --templates ./templates.json --json'],
  json: keysOf<LintProblem>()(['problem']),
  load: () => import('./run.js').then((m) => m.runTemplatesLint),
});
