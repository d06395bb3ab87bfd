/**
 * `interflow sandbox`: flags and help only; the server is imported from ./run.ts when it runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';
import { DEFAULT_SANDBOX_PORT } from '../../sandbox/paths.js';

/** What top-level help lists for `sandbox` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description:
    'run a local server that speaks the send APIs of all four providers (Interflow, Interacto, Turn, SocialMiner), ' +
    'validates requests as strictly as their documents and answers as they do; no account needed',
  args: [],
  options: true,
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('sandbox')
    .description(listing.description)
    .option('--port <port>', 'port to listen on (0 picks a free one)', String(DEFAULT_SANDBOX_PORT))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--api-key <key>', 'accept only this key (repeatable); by default any non-empty key is accepted', collect)
    .option('--plan <plan>', "Interflow plan for the X-RateLimit-* answers: starter | professional | enterprise", 'professional')
    .option('--fail-first <n>', 'fault: the first N send requests are answered --fail-status (not accepted)')
    .option('--fail-status <status>', 'the status of --fail-first: 429 | 500 | 502 | 503 | 504 (default: 503)')
    .option('--retry-after <seconds>', 'fault: Retry-After on --fail-first answers and on --rate 429s')
    .option('--reset-first <n>', 'fault: the next N send requests are accepted, then the connection is reset with no answer')
    .option('--hang-first <n>', 'fault: the next N send requests are accepted and never answered')
    .option('--drip-first <n>', 'fault: the next N send requests are accepted, then answered one byte every --drip-ms')
    .option('--drip-ms <ms>', 'the pace of --drip-first answers (default: 250)')
    .option('--oversize-first <n>', 'fault: the next N send requests are accepted, then answered with a 64 MiB body')
    .option('--latency <ms>', 'fault: every answer to a send request waits MS milliseconds')
    .option('--refuse <to=code[:n]>', "Turn and SocialMiner: refuse valid messages to TO (digits, or * for any) with Meta's error CODE, the first N times or always; repeatable", collect)
    .option('--rate <rate>', 'fault: at most N/min (or N/s) send requests per key, all providers together; then 429 (replaces the Interflow plan limit)')
    .option('--status-delays <ms,ms>', 'Interflow: ms from sent to delivered and from delivered to read (default: 1500,1500)')
    .option(
      '--webhook-secret <env>',
      'sign webhook deliveries (X-Hub-Signature-256) with the secret held in environment variable ENV (its name, never the secret itself)',
    )
    .option(
      '--status-webhook <url>',
      'Turn and SocialMiner: POST each accepted message\'s statuses (Meta-shaped, signed with --webhook-secret) to URL; repeatable. The recipient picks the fate: …1047 failed 131047, …0000 none, …0001 sent, …0002 delivered, else read',
      collect,
    )
    .option('--quiet-requests', 'do not log each request (the banner is still printed); for benchmarks')
    .option('--no-record', 'keep no request log, only counters (GET /_sandbox/stats): memory stays flat in long benchmarks')
    .addHelpText(
      'after',
      '\nSend requests meet, in order: auth, --rate, --fail-first, --reset-first, --hang-first, --drip-first, --oversize-first, then normal handling.\n' +
        'The recipient 5511900000422 is always refused by every provider ("not on WhatsApp", 400).\n' +
        'Interflow messages move sent → delivered → read (--status-delays) and each change is POSTed to the webhooks\n' +
        'registered with POST /interflow/v1/webhooks: {"id":"evt_…","event":"message.status_updated","data":{message_id,status,timestamp}},\n' +
        'header X-Interflow-Event-Id; with --webhook-secret ENV also X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>.\n' +
        'The secret is read from that environment variable so that it never shows in argv (ps) or shell history.\n' +
        examples(
          'interflow sandbox',
          'interflow sandbox --port 9000 --api-key "$SANDBOX_KEY"',
          'interflow sandbox --fail-first 2 --fail-status 429 --retry-after 1 --reset-first 1 --rate 600/min   # test retries and pacing',
          'interflow sandbox --refuse 5511999990001=131056:2 --refuse 5511999990002=131026   # Meta error codes for chosen recipients',
          'interflow sandbox --port 0 --quiet-requests --no-record --rate 100000/s   # benchmarks; counters at GET /_sandbox/stats',
          'interflow sandbox --json > received.jsonl     # one JSON line per request received',
          'SANDBOX_WEBHOOK_SECRET=s3cret interflow sandbox --webhook-secret SANDBOX_WEBHOOK_SECRET --status-delays 500,1000',
          'SANDBOX_WEBHOOK_SECRET=s3cret interflow sandbox --webhook-secret SANDBOX_WEBHOOK_SECRET --status-webhook http://127.0.0.1:8788/   # Turn/SocialMiner statuses to webhooks listen',
          'curl -s http://127.0.0.1:8787/_sandbox/requests   # what the sandbox received (keys masked)',
        ),
    )
    .action(lazy('sandbox'));
}
