import { webhookFields } from '../fields.js';
import { pageOptions } from '../message-options.js';
import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'webhooks list',
  summary: 'list the webhooks registered with Interflow (interflow profiles)',
  arguments: [],
  options: pageOptions,
  examples: ['interflow webhooks list', 'interflow webhooks list --all --json | jq -r .url'],
  json: webhookFields,
  load: () => import('./run.js').then((m) => m.runWebhooksList),
});
