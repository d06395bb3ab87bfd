import { keysOf } from '../fields.js';
import { defineCommand } from '../spec.js';
import type { TemplateRow } from './run.js';

export default defineCommand({
  name: 'templates list',
  summary: 'list the templates of the catalog: name, language, category, status, parameters',
  aliases: ['ls'],
  arguments: [],
  options: {},
  examples: [
    'interflow templates list',
    'interflow templates list --json name,language,status',
    'interflow templates list --templates ./templates.yaml',
  ],
  json: keysOf<TemplateRow>()(['name', 'language', 'category', 'status', 'parameter_format', 'header', 'parameters', 'buttons']),
  load: () => import('./run.js').then((m) => m.runTemplatesList),
});
