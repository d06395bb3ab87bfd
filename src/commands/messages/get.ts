import { messageFields } from '../fields.js';
import { int, MAX_TIMEOUT_MS, oneOf } from '../parsers.js';
import { arg, defineCommand, option } from '../spec.js';

export default defineCommand({
  name: 'messages get',
  summary: 'show a message and its status (sent, delivered, read, failed); --wait polls until it reaches a status',
  arguments: [arg('<id>', 'the message id a send printed, e.g. msg_abc123')],
  options: {
    wait: option(
      '--wait <status>',
      'poll (250 ms doubling to 4 s) until the message is delivered | read; exit 1 if it fails or time runs out',
      oneOf('--wait', ['delivered', 'read'], 'delivered or read'),
    ),
    waitTimeout: option(
      '--wait-timeout <ms>',
      'how long --wait waits, in milliseconds',
      int('--wait-timeout', { min: 1, max: MAX_TIMEOUT_MS, what: `a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}` }),
      { default: '60000' },
    ),
  },
  examples: [
    'interflow messages get msg_abc123',
    'interflow messages get msg_abc123 --wait delivered',
    'id=$(interflow send text 11999999999 "Olá" --json | jq -r .id) && interflow messages get "$id" --wait read --wait-timeout 120000',
  ],
  json: messageFields,
  load: () => import('./run.js').then((m) => m.runMessagesGet),
});
