import { customerFields } from '../fields.js';
import { pageOptions } from '../message-options.js';
import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'customers list',
  summary: 'list customers, a page at a time (or --all)',
  arguments: [],
  options: pageOptions,
  examples: [
    'interflow customers list',
    'interflow customers list --page 2 --per-page 50',
    'interflow customers list --all > customers.jsonl',
  ],
  json: customerFields,
  load: () => import('./run.js').then((m) => m.runCustomersList),
});
