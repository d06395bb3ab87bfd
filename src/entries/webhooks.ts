/** The app bundle for `interflow webhooks`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import { runWebhooksListen } from '../commands/webhooks/listen.js';
import { runWebhooksCreate, runWebhooksDelete, runWebhooksList } from '../interflow/webhooks.js';

export const run = (invocation: Invocation): Promise<void> =>
  runWith(
    {
      'webhooks listen': async () => runWebhooksListen,
      'webhooks list': async () => runWebhooksList,
      'webhooks create': async () => runWebhooksCreate,
      'webhooks delete': async () => runWebhooksDelete,
    },
    invocation,
  );
