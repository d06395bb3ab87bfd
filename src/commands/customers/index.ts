/**
 * `interflow customers list|get|create|update|delete`: flags and help only; the work is in
 * ./run.ts, imported when a command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';
import { collect, pageOptions } from '../message-options.js';

/** What top-level help lists for `customers` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: "manage Interflow's customers (interflow profiles)",
  args: [],
  options: false,
};

function fieldOptions(command: Command): Command {
  return command
    .option('--email <email>', 'e-mail address')
    .option('--phone <phone>', "phone number as typed (+55 (11) 99999-9999); the profile's defaultCountry when it has no country code")
    .option('--tag <tag>', 'a tag (repeat for several)', collect)
    .option('--field <key=value>', 'a custom field (repeat for several)', collect);
}

export function register(program: Command): void {
  const customers = program
    .command('customers')
    .description(listing.description)
    .addHelpText(
      'after',
      examples(
        'interflow customers list',
        'interflow customers create --name "João Silva" --phone 11999999999 --tag vip --field empresa="Empresa XYZ"',
        'interflow customers list --all --json | jq -r .email',
      ),
    );

  pageOptions(customers.command('list').description('list customers, a page at a time (or --all)'))
    .addHelpText(
      'after',
      examples('interflow customers list', 'interflow customers list --page 2 --per-page 50', 'interflow customers list --all > customers.jsonl'),
    )
    .action(lazy('customers list'));

  customers
    .command('get')
    .description('show one customer')
    .argument('<id>', 'customer id, e.g. cust_xyz789')
    .addHelpText('after', examples('interflow customers get cust_xyz789', 'interflow customers get cust_xyz789 --json'))
    .action(lazy('customers get'));

  fieldOptions(
    customers
      .command('create')
      .description('create a customer')
      .requiredOption('--name <name>', 'full name'),
  )
    .addHelpText(
      'after',
      examples(
        'interflow customers create --name "João Silva" --email joao@email.com --phone "+55 11 99999-9999"',
        'interflow customers create --name "Maria" --tag vip --tag newsletter --field empresa="Empresa XYZ" --field cargo=Gerente',
      ),
    )
    .action(lazy('customers create'));

  fieldOptions(
    customers
      .command('update')
      .description('change a customer: only the fields given change; --tag replaces the tags; --field key=value sets one custom field (key= removes it)')
      .argument('<id>', 'customer id')
      .option('--name <name>', 'full name'),
  )
    .addHelpText(
      'after',
      examples(
        'interflow customers update cust_xyz789 --email novo@email.com',
        'interflow customers update cust_xyz789 --tag vip --field cargo=Diretor --field antigo=',
      ),
    )
    .action(lazy('customers update'));

  customers
    .command('delete')
    .description('delete a customer (asks first on a terminal; --yes otherwise)')
    .argument('<id>', 'customer id')
    .option('-y, --yes', 'delete without asking')
    .addHelpText('after', examples('interflow customers delete cust_xyz789', 'interflow customers delete cust_xyz789 --yes --json'))
    .action(lazy('customers delete'));
}
