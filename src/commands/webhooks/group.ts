import { defineGroup } from '../spec.js';

export default defineGroup({
  name: 'webhooks',
  summary: 'receive and inspect webhook events (message statuses, incoming messages)',
  examples: [
    'interflow webhooks listen',
    'interflow webhooks listen --port 8788 --secret META_APP_SECRET --verify-token minha-senha',
    'interflow webhooks create --url https://exemplo.com/hooks/interflow',
  ],
  order: ['listen', 'list', 'create', 'delete'],
});
