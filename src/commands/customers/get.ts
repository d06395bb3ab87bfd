/** `interflow customers get ID`: one customer, as Interflow has it (GET /customers/{id}). */
import { seg } from '../../interflow/api.js';
import { printResource, withApi } from '../../interflow/cli.js';
import { customerFields } from '../fields.js';
import { arg, defineCommand, type RunOf } from '../spec.js';

const command = defineCommand({
  name: 'customers get',
  summary: 'show one customer',
  arguments: [arg('<id>', 'customer id, e.g. cust_xyz789')],
  options: {},
  examples: ['interflow customers get cust_xyz789', 'interflow customers get cust_xyz789 --json'],
  json: customerFields,
});
export default command;

/** The work: only in dist/app/customers.cjs; the shell's build drops it, and what only it imports. */
export const run: RunOf<typeof command> = ({ id }, ctx) =>
  withApi(ctx, 'customers', async ({ api }) => printResource(ctx, await api.get(`/customers/${seg(id)}`)));
