import { defineGroup } from '../spec.js';
import create from './create.js';
import del from './delete.js';
import get from './get.js';
import list from './list.js';
import update from './update.js';

export default defineGroup({
  name: 'customers',
  summary: "manage Interflow's customers (interflow profiles)",
  examples: [
    'interflow customers list',
    'interflow customers create --name "João Silva" --phone 11999999999 --tag vip --field empresa="Empresa XYZ"',
    'interflow customers list --all --json | jq -r .email',
  ],
  commands: [list, get, create, update, del],
});
