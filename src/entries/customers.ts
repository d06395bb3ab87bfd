/** The app bundle for `interflow customers`. */
import type { Invocation } from '../commands/lazy.js';
import { runWith } from '../app.js';
import {
  runCustomersCreate,
  runCustomersDelete,
  runCustomersGet,
  runCustomersList,
  runCustomersUpdate,
} from '../commands/customers/run.js';

export const run = (invocation: Invocation): Promise<void> =>
  runWith(
    {
      'customers list': async () => runCustomersList,
      'customers get': async () => runCustomersGet,
      'customers create': async () => runCustomersCreate,
      'customers update': async () => runCustomersUpdate,
      'customers delete': async () => runCustomersDelete,
    },
    invocation,
  );
