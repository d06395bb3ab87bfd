import { keysOf } from '../fields.js';
import { arg, defineCommand } from '../spec.js';
import type { UntrustResult } from './run.js';

export default defineCommand({
  name: 'config untrust',
  summary: 'stop trusting a config file (default: the one found from the working directory)',
  arguments: [arg('[file]', 'the config file (default: the one found from the working directory)')],
  options: {},
  examples: ['interflow config untrust', 'interflow config untrust ~/work/shop/.interflowrc.json'],
  json: keysOf<UntrustResult>()(['file', 'trusted', 'wasTrusted']),
  load: () => import('./run.js').then((m) => m.runConfigUntrust),
});
