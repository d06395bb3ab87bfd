import { webhookFields } from '../fields.js';
import { defineCommand, list, text } from '../spec.js';

export default defineCommand({
  name: 'webhooks create',
  summary: 'register a URL with Interflow to receive message events (interflow profiles)',
  arguments: [],
  options: {
    url: text('--url <url>', 'http(s) URL the events are POSTed to', { required: true }),
    event: list('--event <event>', "an event to receive, e.g. message.status_updated (repeat for several; default: Interflow's)"),
  },
  examples: [
    'interflow webhooks create --url https://exemplo.com/hooks/interflow',
    'interflow webhooks create --url https://exemplo.com/hooks --event message.status_updated --json',
  ],
  json: webhookFields,
  load: () => import('./run.js').then((m) => m.runWebhooksCreate),
});
