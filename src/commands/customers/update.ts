import { customerFields } from '../fields.js';
import { arg, defineCommand, text } from '../spec.js';
import { customerOptions } from './fields.js';

export default defineCommand({
  name: 'customers update',
  summary:
    'change a customer: only the fields given change; --tag replaces the tags; --field key=value sets one custom field (key= removes it)',
  arguments: [arg('<id>', 'customer id')],
  options: { name: text('--name <name>', 'full name'), ...customerOptions },
  examples: [
    'interflow customers update cust_xyz789 --email novo@email.com',
    'interflow customers update cust_xyz789 --tag vip --field cargo=Diretor --field antigo=',
  ],
  json: customerFields,
  load: () => import('./run.js').then((m) => m.runCustomersUpdate),
});
