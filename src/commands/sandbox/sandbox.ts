import type { ReceivedRequest } from '../../sandbox/server.js';
import { DEFAULT_SANDBOX_PORT } from '../../sandbox/paths.js';
import { keysOf } from '../fields.js';
import { defineCommand, flag, list, text } from '../spec.js';

export default defineCommand({
  name: 'sandbox',
  summary:
    'run a local server that speaks the send APIs of all four providers (Interflow, Interacto, Turn, SocialMiner), ' +
    'validates requests as strictly as their documents and answers as they do; no account needed',
  arguments: [],
  options: {
    port: text('--port <port>', 'port to listen on (0 picks a free one)', { default: String(DEFAULT_SANDBOX_PORT) }),
    host: text('--host <host>', 'address to listen on', { default: '127.0.0.1' }),
    apiKey: list('--api-key <key>', 'accept only this key (repeatable); by default any non-empty key is accepted'),
    plan: text('--plan <plan>', 'Interflow plan for the X-RateLimit-* answers: starter | professional | enterprise', {
      default: 'professional',
    }),
    failFirst: text('--fail-first <n>', 'fault: the first N send requests are answered --fail-status (not accepted)'),
    failStatus: text('--fail-status <status>', 'the status of --fail-first: 429 | 500 | 502 | 503 | 504 (default: 503)'),
    retryAfter: text('--retry-after <seconds>', 'fault: Retry-After on --fail-first answers and on --rate 429s'),
    resetFirst: text('--reset-first <n>', 'fault: the next N send requests are accepted, then the connection is reset with no answer'),
    hangFirst: text('--hang-first <n>', 'fault: the next N send requests are accepted and never answered'),
    dripFirst: text('--drip-first <n>', 'fault: the next N send requests are accepted, then answered one byte every --drip-ms'),
    dripMs: text('--drip-ms <ms>', 'the pace of --drip-first answers (default: 250)'),
    oversizeFirst: text('--oversize-first <n>', 'fault: the next N send requests are accepted, then answered with a 64 MiB body'),
    latency: text('--latency <ms>', 'fault: every answer to a send request waits MS milliseconds'),
    rate: text(
      '--rate <rate>',
      'fault: at most N/min (or N/s) send requests per key, all providers together; then 429 (replaces the Interflow plan limit)',
    ),
    statusDelays: text('--status-delays <ms,ms>', 'Interflow: ms from sent to delivered and from delivered to read (default: 1500,1500)'),
    webhookSecret: text(
      '--webhook-secret <env>',
      'sign webhook deliveries (X-Hub-Signature-256) with the secret held in environment variable ENV (its name, never the secret itself)',
    ),
    statusWebhook: list(
      '--status-webhook <url>',
      "Turn and SocialMiner: POST each accepted message's statuses (Meta-shaped, signed with --webhook-secret) to URL; repeatable. The recipient picks the fate: …1047 failed 131047, …0000 none, …0001 sent, …0002 delivered, else read",
    ),
    refuse: list(
      '--refuse <to=code[:n]>',
      "refuse valid messages to TO (digits, or * for any) as Meta's error CODE says, the first N times or always; repeatable. Turn and SocialMiner answer CODE itself; Interflow and Interacto their own answer for it (see below)",
    ),
    quietRequests: flag('--quiet-requests', 'do not log each request (the banner is still printed); for benchmarks'),
    record: flag('--no-record', 'keep no request log, only counters (GET /_sandbox/stats): memory stays flat in long benchmarks'),
  },
  examples: [
    'interflow sandbox',
    'interflow sandbox --port 9000 --api-key "$SANDBOX_KEY"',
    'interflow sandbox --fail-first 2 --fail-status 429 --retry-after 1 --reset-first 1 --rate 600/min   # test retries and pacing',
    'interflow sandbox --port 0 --quiet-requests --no-record --rate 100000/s   # benchmarks; counters at GET /_sandbox/stats',
    'interflow sandbox --json > received.jsonl     # one JSON line per request received',
    'SANDBOX_WEBHOOK_SECRET=s3cret interflow sandbox --webhook-secret SANDBOX_WEBHOOK_SECRET --status-delays 500,1000',
    'SANDBOX_WEBHOOK_SECRET=s3cret interflow sandbox --webhook-secret SANDBOX_WEBHOOK_SECRET --status-webhook http://127.0.0.1:8788/   # Turn/SocialMiner statuses to webhooks listen',
    'interflow sandbox --refuse 5511999990001=131056:2 --refuse 5511999990002=131026   # Meta error codes for chosen recipients',
    'curl -s http://127.0.0.1:8787/_sandbox/requests   # what the sandbox received (keys masked)',
  ],
  notes:
    '\nSend requests meet, in order: auth, --rate, --fail-first, --reset-first, --hang-first, --drip-first, --oversize-first, then normal handling.\n' +
    'The recipient 5511900000422 is always refused by every provider ("not on WhatsApp", 400).\n' +
    "--refuse CODE is one of Meta's codes: Turn and SocialMiner answer it as Meta does, Interflow and Interacto\n" +
    'answer its situation in their own shape (a 429 with Retry-After: 1):\n' +
    '  code                                            situation    Interflow answers                    Interacto answers\n' +
    '  190, 0                                          key refused  401 UNAUTHORIZED                     401 Unauthorized\n' +
    '  4, 80007, 130429, 131056                        rate limit   429 RATE_LIMIT_EXCEEDED              429 ThrottlerException\n' +
    '  131057                                          unavailable  503 SERVICE_UNAVAILABLE              503 Service Unavailable\n' +
    '  368, 131031, 131042, 131048                     blocked      422 CHANNEL_DISCONNECTED             422 instance disconnected\n' +
    '  131026, 131021, 130472, 131047, 131049, 131050  recipient    400 VALIDATION_ERROR (to)            400 Bad Request (to)\n' +
    '  132000-132016                                   template     400 VALIDATION_ERROR (content.name)  400 Bad Request (contact)\n' +
    '  100, 131008, 131009, 131051-131053              message      400 VALIDATION_ERROR (content)       400 Bad Request (contact)\n' +
    'Interflow messages move sent → delivered → read (--status-delays) and each change is POSTed to the webhooks\n' +
    'registered with POST /interflow/v1/webhooks: {"id":"evt_…","event":"message.status_updated","data":{message_id,status,timestamp}},\n' +
    'header X-Interflow-Event-Id; with --webhook-secret ENV also X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>.\n' +
    'The secret is read from that environment variable so that it never shows in argv (ps) or shell history.\n',
  // One line per request received (--json).
  json: keysOf<ReceivedRequest>()([
    'provider',
    'method',
    'path',
    'headers',
    'rawBody',
    'body',
    'status',
    'accepted',
    'fault',
    'messageId',
    'messageType',
    'to',
    'error',
    'at',
  ]),
  load: () => import('./run.js').then((m) => m.runSandbox),
});
