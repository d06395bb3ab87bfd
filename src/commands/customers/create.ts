import { customerFields } from '../fields.js';
import { defineCommand, text } from '../spec.js';
import { customerOptions } from './fields.js';

export default defineCommand({
  name: 'customers create',
  summary: 'create a customer',
  arguments: [],
  options: { name: text('--name <name>', 'full name', { required: true }), ...customerOptions },
  examples: [
    'interflow customers create --name "João Silva" --email joao@email.com --phone "+55 11 99999-9999"',
    'interflow customers create --name "Maria" --tag vip --tag newsletter --field empresa="Empresa XYZ" --field cargo=Gerente',
  ],
  json: customerFields,
  load: () => import('./run.js').then((m) => m.runCustomersCreate),
});
