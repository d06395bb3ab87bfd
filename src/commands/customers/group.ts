import { defineGroup } from '../spec.js';

export default defineGroup({
  name: 'customers',
  summary: "manage Interflow's customers (interflow profiles)",
  examples: [
    'interflow customers list',
    'interflow customers create --name "João Silva" --phone 11999999999 --tag vip --field empresa="Empresa XYZ"',
    'interflow customers list --all --json | jq -r .email',
  ],
  order: ['list', 'get', 'create', 'update', 'delete'],
});
