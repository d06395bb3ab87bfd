/**
 * `interflow messages get <id> [--wait delivered|read]`: GET /messages/:id, and with --wait the
 * same again with exponential backoff (250 ms → 4 s) until the status is reached, the message
 * fails (exit 1) or --wait-timeout runs out (exit 1).
 */
import { CliError, ExitCode } from '../../errors.js';
import { seg } from '../../interflow/api.js';
import { printResource, withApi } from '../../interflow/cli.js';
import { recordSeen } from '../../tracking/record.js';
import type { CommandContext } from '../context.js';
import { messageFields } from '../fields.js';
import { int, MAX_TIMEOUT_MS, oneOf } from '../parsers.js';
import { arg, defineCommand, option, type RunOf } from '../spec.js';

const command = defineCommand({
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
});
export default command;

const RANK: Record<string, number> = { sent: 1, delivered: 2, read: 3 };
const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4_000;

type Message = Record<string, unknown> & { status?: unknown };

const statusOf = (m: Message): string => (typeof m.status === 'string' ? m.status.toLowerCase() : '');

/** The work: only in dist/app/messages.cjs (the shell's build drops it, and what only it imports). */
export const run: RunOf<typeof command> = async ({ id, wait, waitTimeout = 60_000 }, ctx) => {
  await withApi(
    ctx,
    'messages',
    async ({ api }) => {
      const path = `/messages/${seg(id)}`;
      let message = await api.get<Message>(path);
      if (wait !== undefined) message = await waitFor(ctx, id, wait, waitTimeout, message, () => api.get<Message>(path));
      recordSeen(ctx.io, message);
      printResource(ctx, message);
      if (statusOf(message) === 'failed') {
        throw new CliError(`message ${id} failed`, {
          code: 'MESSAGE_FAILED',
          exitCode: ExitCode.failure,
          hint: 'the message shows why, when Interflow says',
        });
      }
    },
    'messages API',
  );
};

async function waitFor(
  ctx: CommandContext,
  id: string,
  wanted: string,
  timeoutMs: number,
  first: Message,
  fetch: () => Promise<Message>,
): Promise<Message> {
  const started = Date.now();
  const progress = ctx.io.isStderrTTY && !ctx.io.quiet;
  let message = first;
  let delay = FIRST_DELAY_MS;
  let shown = '';
  for (;;) {
    const status = statusOf(message);
    const done = status === 'failed' || (RANK[status] ?? 0) >= RANK[wanted]!;
    if (progress && status !== shown) {
      const at = ((Date.now() - started) / 1000).toFixed(1);
      ctx.io.err(`${id}: ${status || '(no status)'} after ${at} s${done ? '' : `, waiting for ${wanted}`}\n`);
      shown = status;
    }
    if (done) return message;
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) {
      throw new CliError(
        `message ${id} is still ${status || 'without a status'} after ${timeoutMs} ms: it did not become ${wanted} in time`,
        {
          code: 'WAIT_TIMEOUT',
          exitCode: ExitCode.failure,
          hint: '--wait-timeout MS waits longer; `interflow messages get ID` shows where it is now',
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
    delay = Math.min(delay * 2, MAX_DELAY_MS);
    message = await fetch();
  }
}
