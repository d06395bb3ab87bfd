import type { Report } from '../../tracking/query.js';
import { keysOf } from '../fields.js';
import { arg, defineCommand, text } from '../spec.js';

export default defineCommand({
  name: 'report',
  summary: 'what became of what was sent: statuses, times, failures and templates, from the local tracking store',
  arguments: [arg('[campaign]', "only the messages of this campaign (--campaign of the send, or the bulk journal's name)")],
  options: {
    failedCsv: text('--failed-csv <file>', 'write the failed rows with their original CSV columns to FILE, ready for `interflow bulk`'),
  },
  examples: [
    'interflow report',
    'interflow report black-friday --json',
    'interflow report black-friday --failed-csv retry.csv && interflow bulk retry.csv --template promo --profile turn',
  ],
  notes:
    '\nStatuses come from `interflow webhooks listen --secret ENV` (Turn, SocialMiner, Interflow) and `interflow messages get`;\n' +
    'the latest is the furthest along: read > failed > delivered > sent. The store: README.md, "Tracking".\n',
  json: keysOf<Report>()(['campaign', 'messages', 'statuses', 'medianToDeliveredMs', 'medianToReadMs', 'failures', 'templates']),
  load: () => import('./run.js').then((m) => m.runReport),
});
