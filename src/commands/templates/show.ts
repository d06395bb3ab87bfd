import { arg, defineCommand, text } from '../spec.js';

export default defineCommand({
  name: 'templates show',
  summary: 'show a template as the catalog has it, and the flags a send of it needs',
  arguments: [arg('<name>', 'the template name')],
  options: { language: text('--language <code>', 'only this language (default: every language of the name)') },
  examples: ['interflow templates show order_update', 'interflow templates show order_update --language pt_BR --json'],
  // Meta's template object, as the catalog holds it.
  json: ['name', 'language', 'category', 'status', 'parameter_format', 'components', 'id'],
  load: () => import('./run.js').then((m) => m.runTemplatesShow),
});
