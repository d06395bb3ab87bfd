import { customerFields } from '../fields.js';
import { arg, defineCommand } from '../spec.js';

export default defineCommand({
  name: 'customers get',
  summary: 'show one customer',
  arguments: [arg('<id>', 'customer id, e.g. cust_xyz789')],
  options: {},
  examples: ['interflow customers get cust_xyz789', 'interflow customers get cust_xyz789 --json'],
  json: customerFields,
  load: () => import('./run.js').then((m) => m.runCustomersGet),
});
