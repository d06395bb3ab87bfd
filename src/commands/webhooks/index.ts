/**
 * `interflow webhooks listen`: flags and help only; the work is in ./listen.ts, imported when the
 * command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy } from '../lazy.js';

export function register(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('receive and inspect webhook events (message statuses, incoming messages)')
    .addHelpText(
      'after',
      examples(
        'interflow webhooks listen',
        'interflow webhooks listen --port 8787 --secret META_APP_SECRET --verify-token minha-senha',
      ),
    );

  webhooks
    .command('listen')
    .description(
      'run a local webhook receiver and print each event as it arrives (a table row on a terminal, one JSON line otherwise)',
    )
    .option('--port <port>', 'port to listen on (0: any free port)', '8787')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--path <path>', 'path webhooks are posted to', '/')
    .option('--secret <ENV>', 'name of the environment variable holding the app secret: POSTs must carry a valid X-Hub-Signature-256')
    .option('--verify-token <token>', "token answering Meta's hub.mode=subscribe handshake")
    .option('--forward <url>', 'relay each verified event (raw body, same signature) to this URL')
    .option('--max-body <bytes>', 'largest body accepted (larger: 413)', '1048576')
    .addHelpText(
      'after',
      examples(
        'interflow webhooks listen',
        'META_APP_SECRET=… interflow webhooks listen --secret META_APP_SECRET --verify-token minha-senha',
        'interflow webhooks listen --port 9000 --path /webhooks/turn --forward http://localhost:3000/hooks --json',
        'interflow webhooks listen --json | jq -c \'select(.status == "failed")\'',
      ),
    )
    .action(lazy('webhooks listen'));
}
