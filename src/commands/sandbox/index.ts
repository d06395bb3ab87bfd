/**
 * `interflow sandbox`: flags and help only; the server is imported from ./run.ts when it runs.
 */
import type { Command } from 'commander';
import { examples, lazy } from '../lazy.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  program
    .command('sandbox')
    .description(
      'run a local server that speaks the send APIs of all four providers (Interflow, Interacto, Turn, SocialMiner), ' +
        'validates requests as strictly as their documents and answers as they do; no account needed',
    )
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8787')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--api-key <key>', 'accept only this key (repeatable); by default any non-empty key is accepted', collect)
    .option('--plan <plan>', "Interflow plan for the X-RateLimit-* answers: starter | professional | enterprise", 'professional')
    .addHelpText(
      'after',
      examples(
        'interflow sandbox',
        'interflow sandbox --port 9000 --api-key "$SANDBOX_KEY"',
        'interflow sandbox --json > received.jsonl     # one JSON line per request received',
        'curl -s http://127.0.0.1:8787/_sandbox/requests   # what the sandbox received (keys masked)',
      ),
    )
    .action(lazy('sandbox'));
}
