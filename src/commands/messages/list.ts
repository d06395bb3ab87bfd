import type { TrackedMessage } from '../../tracking/query.js';
import type { LatestStatus } from '../../tracking/index.js';
import { keysOf } from '../fields.js';
import { int, oneOf, since } from '../parsers.js';
import { defineCommand, option, text } from '../spec.js';

/** The latest statuses (src/tracking/index.ts, LATEST_STATUSES); 'unknown' is read as 'none'. */
const LATEST_STATUSES = ['read', 'delivered', 'sent', 'failed', 'none'] as const satisfies readonly LatestStatus[];

export default defineCommand({
  name: 'messages list',
  summary: 'each message sent from here with its latest status, any provider, newest first (from the local tracking store)',
  arguments: [],
  options: {
    campaign: text('--campaign <name>', 'only this campaign'),
    status: option(
      '--status <status>',
      'only messages whose latest status is read | delivered | sent | failed | none',
      oneOf('--status', [...LATEST_STATUSES, 'unknown'], `one of ${LATEST_STATUSES.join(', ')}`),
    ),
    to: text('--to <number>', 'only messages to this number (digits compared: +55 11 9… = 55119…)'),
    since: option('--since <age>', 'only messages sent within this long: 30m, 24h, 7d (or from an ISO date)', since('--since')),
    limit: option('--limit <n>', 'at most N messages', int('--limit', { min: 1, what: 'a whole number from 1' }), { default: '50' }),
  },
  examples: [
    'interflow messages list',
    'interflow messages list --campaign black-friday --status failed --json',
    'interflow messages list --to +5511999999999 --since 24h',
  ],
  notes: '\nA table on a terminal, JSON lines otherwise. Statuses come from `interflow webhooks listen --secret ENV` and `messages get`.\n',
  json: keysOf<TrackedMessage>()([
    'id',
    'at',
    'provider',
    'profile',
    'to',
    'type',
    'template',
    'language',
    'campaign',
    'status',
    'statusAt',
    'errorCode',
    'errorTitle',
    'row',
    'input',
  ]),
  load: () => import('./list.run.js').then((m) => m.runMessagesList),
});
