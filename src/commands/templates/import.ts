import { keysOf } from '../fields.js';
import { arg, defineCommand } from '../spec.js';
import type { ImportResult } from './run.js';

export default defineCommand({
  name: 'templates import',
  summary: 'add the templates of a Graph API export (GET /message_templates) to the catalog, replacing same name+language',
  arguments: [arg('<file>', 'a Graph API export ({"data": […]}), JSON or YAML; \'-\' reads stdin')],
  options: {},
  examples: [
    'interflow templates import export.json',
    'curl -s "https://graph.facebook.com/v23.0/$WABA_ID/message_templates?limit=250" -H "Authorization: Bearer $TOKEN" | interflow templates import - --templates templates.json',
  ],
  json: keysOf<ImportResult>()(['file', 'added', 'replaced', 'total']),
  load: () => import('./run.js').then((m) => m.runTemplatesImport),
});
