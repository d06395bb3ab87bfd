import { DEFAULT_LISTEN_PORT } from '../../sandbox/paths.js';
import type { WebhookEvent } from '../../webhooks/events.js';
import { keysOf } from '../fields.js';
import { defineCommand, text } from '../spec.js';

export default defineCommand({
  name: 'webhooks listen',
  summary: 'run a local webhook receiver and print each event as it arrives (a table row on a terminal, one JSON line otherwise)',
  arguments: [],
  options: {
    port: text('--port <port>', 'port to listen on (0: any free port; 8788 leaves 8787 to `interflow sandbox`)', {
      default: String(DEFAULT_LISTEN_PORT),
    }),
    host: text('--host <host>', 'address to listen on', { default: '127.0.0.1' }),
    path: text('--path <path>', 'path webhooks are posted to', { default: '/' }),
    secret: text(
      '--secret <ENV>',
      'name of the environment variable holding the secret: POSTs must carry a valid X-Hub-Signature-256 (Meta, SocialMiner, Interflow) or X-Turn-Hook-Signature (Turn)',
    ),
    verifyToken: text('--verify-token <token>', "token answering Meta's hub.mode=subscribe handshake"),
    forward: text(
      '--forward <url>',
      'relay each verified event (raw body, same signature) to this URL; the sender gets 200 only once it accepts (502 otherwise)',
    ),
    forwardTimeout: text('--forward-timeout <ms>', 'how long the --forward target has to accept an event', { default: '10000' }),
    maxBody: text('--max-body <bytes>', 'largest body accepted (larger: 413)', { default: '1048576' }),
    requestTimeout: text('--request-timeout <ms>', 'how long a client has to send a whole request (slower: disconnected)', {
      default: '10000',
    }),
    maxConnections: text('--max-connections <n>', 'open connections at most; beyond, the oldest unfinished one is closed', {
      default: '512',
    }),
  },
  examples: [
    'interflow webhooks listen',
    'META_APP_SECRET=… interflow webhooks listen --secret META_APP_SECRET --verify-token minha-senha',
    'interflow webhooks listen --port 9000 --path /webhooks/turn --forward http://localhost:3000/hooks --json',
    'interflow webhooks listen --json | jq -c \'select(.status == "failed")\'',
  ],
  json: keysOf<WebhookEvent>()([
    'id',
    'provider',
    'kind',
    'messageId',
    'status',
    'type',
    'from',
    'name',
    'to',
    'text',
    'filename',
    'errorCode',
    'errorTitle',
    'errorDetails',
    'pricing',
    'hint',
    'timestamp',
  ]),
  load: () => import('./listen.run.js').then((m) => m.runWebhooksListen),
});
