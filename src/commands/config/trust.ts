import { keysOf } from '../fields.js';
import { arg, defineCommand } from '../spec.js';
import type { TrustResult } from './run.js';

export default defineCommand({
  name: 'config trust',
  summary: 'trust a config file as it is now (default: the one found from the working directory)',
  arguments: [arg('[file]', 'the config file (default: the one found from the working directory)')],
  options: {},
  examples: ['interflow config trust', 'interflow config trust ~/work/shop/.interflowrc.json', 'interflow config trust --json'],
  json: keysOf<TrustResult>()(['file', 'trusted', 'digest', 'risks', 'store']),
  load: () => import('./run.js').then((m) => m.runConfigTrust),
});
