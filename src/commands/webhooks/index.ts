/**
 * `interflow webhooks listen|list|create|delete`: flags and help only; the work is in ./listen.ts
 * and src/interflow/webhooks.ts, imported when a command actually runs.
 */
import type { Command } from 'commander';
import { examples, lazy, type Listing } from '../lazy.js';
import { collect, pageOptions } from '../message-options.js';
import { DEFAULT_LISTEN_PORT } from '../../sandbox/paths.js';

/** What top-level help lists for `webhooks` (test/unit/help.test.ts checks it against this declaration). */
export const listing: Listing = {
  description: 'receive and inspect webhook events (message statuses, incoming messages)',
  args: [],
  options: false,
};

export function register(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description(listing.description)
    .addHelpText(
      'after',
      examples(
        'interflow webhooks listen',
        'interflow webhooks listen --port 8788 --secret META_APP_SECRET --verify-token minha-senha',
        'interflow webhooks create --url https://exemplo.com/hooks/interflow',
      ),
    );

  webhooks
    .command('listen')
    .description(
      'run a local webhook receiver and print each event as it arrives (a table row on a terminal, one JSON line otherwise)',
    )
    .option('--port <port>', 'port to listen on (0: any free port; 8788 leaves 8787 to `interflow sandbox`)', String(DEFAULT_LISTEN_PORT))
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--path <path>', 'path webhooks are posted to', '/')
    .option(
      '--secret <ENV>',
      'name of the environment variable holding the secret: POSTs must carry a valid X-Hub-Signature-256 (Meta, SocialMiner, Interflow) or X-Turn-Hook-Signature (Turn)',
    )
    .option('--verify-token <token>', "token answering Meta's hub.mode=subscribe handshake")
    .option('--forward <url>', 'relay each verified event (raw body, same signature) to this URL; the sender gets 200 only once it accepts (502 otherwise)')
    .option('--forward-timeout <ms>', 'how long the --forward target has to accept an event', '10000')
    .option('--max-body <bytes>', 'largest body accepted (larger: 413)', '1048576')
    .option('--request-timeout <ms>', 'how long a client has to send a whole request (slower: disconnected)', '10000')
    .option('--max-connections <n>', 'open connections at most; beyond, the oldest unfinished one is closed', '512')
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

  pageOptions(webhooks.command('list').description('list the webhooks registered with Interflow (interflow profiles)'))
    .addHelpText('after', examples('interflow webhooks list', 'interflow webhooks list --all --json | jq -r .url'))
    .action(lazy('webhooks list'));

  webhooks
    .command('create')
    .description('register a URL with Interflow to receive message events (interflow profiles)')
    .requiredOption('--url <url>', 'http(s) URL the events are POSTed to')
    .option('--event <event>', 'an event to receive, e.g. message.status_updated (repeat for several; default: Interflow\'s)', collect)
    .addHelpText(
      'after',
      examples(
        'interflow webhooks create --url https://exemplo.com/hooks/interflow',
        'interflow webhooks create --url https://exemplo.com/hooks --event message.status_updated --json',
      ),
    )
    .action(lazy('webhooks create'));

  webhooks
    .command('delete')
    .description('remove a webhook from Interflow (asks first on a terminal; --yes otherwise) (interflow profiles)')
    .argument('<id>', 'webhook id, e.g. wh_abc123')
    .option('-y, --yes', 'delete without asking')
    .addHelpText(
      'after',
      examples('interflow webhooks delete wh_abc123', 'interflow webhooks list --all --json | jq -r .id | xargs -n1 interflow webhooks delete --yes'),
    )
    .action(lazy('webhooks delete'));
}
