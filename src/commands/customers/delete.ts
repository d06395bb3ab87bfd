import { deletedFields } from '../fields.js';
import { arg, defineCommand } from '../spec.js';
import { yesOption } from '../yes.js';

export default defineCommand({
  name: 'customers delete',
  summary: 'delete a customer (asks first on a terminal; --yes otherwise)',
  arguments: [arg('<id>', 'customer id')],
  options: yesOption,
  examples: ['interflow customers delete cust_xyz789', 'interflow customers delete cust_xyz789 --yes --json'],
  json: deletedFields,
  load: () => import('./run.js').then((m) => m.runCustomersDelete),
});
