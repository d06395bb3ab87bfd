/**
 * The one-off send: flags → validated message → the provider's exact request → dry-run print or
 * one HTTP request → one result (table on a TTY, JSON with --json). Validation happens before
 * anything is sent; provider refusals become ProviderError (exit 1, or 4 for 401/403).
 */
import { ProviderError, UsageError, withFailureContext } from '../../errors.js';
import { commandHttpOptions, sendOnce } from '../../http/client.js';
import { buildMessage, readFlagFile, type Flags, type SendKind } from '../../message/build.js';
import { resultTypeOf, type Message } from '../../message/model.js';
import type { Profile } from '../../config/profile.js';
import { printJson, printOne } from '../../output/format.js';
import { redactHeaders } from '../../output/redact.js';
import { getAdapter } from '../../providers/index.js';
import { errorHint } from '../../providers/meta.js';
import type { HttpRequest, ProviderAdapter } from '../../providers/types.js';
import type { CommandContext, RunFn } from '../context.js';
import { startSpinner } from '../../output/spinner.js';
import { readAllText } from '../../output/io.js';

export interface SendResult {
  ok: boolean;
  provider: string;
  profile: string;
  to: string;
  type: string;
  id?: string;
  status?: string;
  response?: unknown;
  error?: Record<string, unknown>;
}

export function sendCommand(kind: string): RunFn {
  return async (ctx, args, options) => {
    const [to, text] = args as [string | undefined, string | undefined];
    if (to === undefined) {
      throw new UsageError(`missing the recipient: interflow send ${kind} <to> … (or --interactive to be asked for everything)`);
    }
    const flags: Flags = { ...options };
    if (kind === 'text') flags.text = await textFrom(ctx, text);
    await sendOne(ctx, kind as SendKind, to, flags);
  };
}

/** The text argument, or stdin when it is '-' or absent and stdin is piped. */
async function textFrom(ctx: CommandContext, text: string | undefined): Promise<string> {
  if (text !== undefined && text !== '-') return text;
  const stdin = ctx.io.stdin;
  if (stdin.isTTY) {
    throw new UsageError('no text given: pass it as an argument (interflow send text 11999999999 "Olá") or pipe it on stdin');
  }
  const piped = (await readAllText(stdin)).replace(/^\uFEFF/, '').replace(/\r?\n$/, '');
  if (!piped.trim()) throw new UsageError('the text from stdin is empty');
  return piped;
}

export async function sendOne(ctx: CommandContext, kind: SendKind, to: string, flags: Flags): Promise<void> {
  const profile = await ctx.loadProfile();
  const msg = buildMessage(kind, to, flags, { profile, readFile: readFlagFile });
  const adapter = getAdapter(profile.provider);
  const req = adapter.buildSend(msg, profile);
  if (ctx.globals.dryRun) {
    printJson(ctx.io, dryRunView(req, adapter));
    return;
  }
  const result = await deliver(ctx, adapter, profile, msg, req);
  if (ctx.globals.json) printJson(ctx.io, result, ctx.globals.fields);
  else if (!ctx.globals.quiet || ctx.io.isStdoutTTY) printResult(ctx, result);
}

/** The request as `--dry-run` shows it: exact, but with every credential as ***. */
export function dryRunView(req: HttpRequest, adapter: ProviderAdapter): HttpRequest {
  return { method: req.method, url: req.url, headers: redactHeaders(req.headers, adapter.secretHeaders), body: req.body };
}

async function deliver(
  ctx: CommandContext,
  adapter: ProviderAdapter,
  profile: Profile,
  msg: Message,
  req: HttpRequest,
): Promise<SendResult> {
  const base = { provider: adapter.id, profile: profile.name, to: msg.to, type: resultTypeOf(msg) };
  const spinner = ctx.io.spinnerEnabled && !ctx.io.verbose
    ? await startSpinner(ctx.io, `sending ${base.type} to ${msg.to} via ${profile.name}`)
    : undefined;
  try {
    const res = await sendOnce(req, {
      ...commandHttpOptions(ctx, profile),
      secretHeaders: adapter.secretHeaders,
    });
    const body = res.json ?? (res.text || undefined);
    if (res.status >= 200 && res.status < 300) {
      const accepted = adapter.parseSendResponse(res.status, body);
      // On a terminal the result table says it; the ✔ line is for a result going to a pipe.
      if (ctx.io.isStdoutTTY) spinner?.stop();
      else spinner?.succeed(`sent ${base.type} to ${msg.to} (${accepted.id})`);
      return { ok: true, ...base, id: accepted.id, status: accepted.status, response: body };
    }
    const info = adapter.parseError(res.status, body);
    throw new ProviderError(adapter.id, info, { hint: errorHint(adapter.id, info), response: body });
  } catch (err) {
    // Under --json the app prints it as {"ok":false, provider, profile, to, type, error}.
    throw withFailureContext(err, base);
  } finally {
    spinner?.stop();
  }
}

function printResult(ctx: CommandContext, result: SendResult): void {
  printOne(ctx.io, result, [
    { header: 'provider', value: (r) => r.provider, optional: true },
    { header: 'profile', value: (r) => r.profile },
    { header: 'to', value: (r) => r.to },
    { header: 'type', value: (r) => r.type, optional: true },
    { header: 'id', value: (r) => r.id },
    { header: 'status', value: (r) => r.status },
  ]);
}
