import { defineGroup } from '../spec.js';

export default defineGroup({
  name: 'templates',
  summary: 'the templates catalog that template sends are checked against (list, show, lint, import)',
  examples: [
    'interflow templates import export.json --templates templates.json',
    'interflow templates list',
    'interflow templates show order_update --language pt_BR',
    'interflow templates lint',
  ],
  notes:
    '\nThe catalog is --templates FILE, else templatesFile in the rc (relative to it). With one,\n' +
    '`send template`, `bulk --template` and `compose` check every message against it before sending.\n',
  order: ['list', 'show', 'lint', 'import'],
});
