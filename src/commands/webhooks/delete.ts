import { deletedFields } from '../fields.js';
import { arg, defineCommand } from '../spec.js';
import { yesOption } from '../yes.js';

export default defineCommand({
  name: 'webhooks delete',
  summary: 'remove a webhook from Interflow (asks first on a terminal; --yes otherwise) (interflow profiles)',
  arguments: [arg('<id>', 'webhook id, e.g. wh_abc123')],
  options: yesOption,
  examples: [
    'interflow webhooks delete wh_abc123',
    'interflow webhooks list --all --json | jq -r .id | xargs -n1 interflow webhooks delete --yes',
  ],
  json: deletedFields,
  load: () => import('./run.js').then((m) => m.runWebhooksDelete),
});
