import type { ProfileRow } from '../../config/resolve.js';
import { keysOf } from '../fields.js';
import { defineCommand } from '../spec.js';

export default defineCommand({
  name: 'profiles list',
  summary: 'list the profiles of the config file; the one a command would use is marked (default)',
  aliases: ['ls'],
  arguments: [],
  options: {},
  examples: [
    'interflow profiles list',
    "interflow profiles list --json | jq -r '.[] | select(.default) | .name'",
    'interflow profiles list --config ./ci/.interflowrc.json',
  ],
  json: keysOf<ProfileRow>()(['name', 'provider', 'baseUrl', 'default', 'key']),
  load: () => import('./list.run.js').then((m) => m.runProfilesList),
});
