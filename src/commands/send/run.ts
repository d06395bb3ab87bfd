/**
 * The one-off send: flags → validated message → the provider's exact request → dry-run print or
 * one HTTP request → one result (table on a TTY, JSON with --json). Validation happens before
 * anything is sent; provider refusals become ProviderError (exit 1, or 4 for 401/403).
 */
import { ProviderError, UsageError, withFailureContext } from '../../errors.js';
import { commandHttpOptions, sendOnce } from '../../http/client.js';
import { buildMessage, readFlagFile, templateCandidate, type BuildEnv, type Flags, type SendKind } from '../../message/build.js';
import type { Catalog } from '../../templates/catalog.js';
import { resultTypeOf, type Message, type TemplateMessage } from '../../message/model.js';
import type { Profile } from '../../config/profile.js';
import { printJson, printOne } from '../../output/format.js';
import { redactHeaders } from '../../output/redact.js';
import { getAdapter } from '../../providers/index.js';
import { errorHint } from '../../providers/meta.js';
import { refusalExitCode } from '../../providers/error-classes.js';
import type { HttpRequest, ProviderAdapter } from '../../providers/types.js';
import type { CommandContext } from '../context.js';
import type { Options, Run } from '../spec.js';
import type { textArgs, textOptions } from './text.js';
import { startSpinner } from '../../output/spinner.js';
import { readAllText } from '../../output/io.js';
import { recordSend } from '../../tracking/record.js';

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

/** A send's options: the recipient and the message flags (text until built: src/message/build.ts). */
export type SendOptions = { to?: string } & Flags;

/** The run of `send media|location|contact|template|interactive`. */
export function sendCommand(kind: Exclude<SendKind, 'text'>): Run<SendOptions> {
  return async (options, ctx) => {
    const { to, ...flags } = options;
    if (to === undefined) {
      throw new UsageError(`missing the recipient: interflow send ${kind} <to> … (or --interactive to be asked for everything)`);
    }
    await sendOne(ctx, kind, to, flags);
  };
}

export const runSendText: Run<Options<typeof textArgs, typeof textOptions>> = async ({ to, text, ...flags }, ctx) =>
  sendOne(ctx, 'text', to, { ...flags, text: await textFrom(ctx, text) });

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
  const env = { profile, readFile: readFlagFile };
  // With a templates catalog, a template is checked against it first: its refusals name the
  // template and the component; then the message rules; then the catalog again, on the message.
  const catalog = kind === 'template' && !flags.hsm ? await templatesCatalog(ctx) : undefined;
  if (catalog) await precheckTemplate(catalog, flags, env);
  let msg = buildMessage(kind, to, flags, env);
  let rendered: string | undefined;
  if (msg.type === 'template' && catalog) ({ message: msg, rendered } = await checkTemplate(ctx, catalog, msg));
  const adapter = getAdapter(profile.provider);
  const req = adapter.buildSend(msg, profile);
  if (ctx.globals.dryRun) {
    printJson(ctx.io, { ...dryRunView(req, adapter), ...(rendered !== undefined ? { rendered } : {}) });
    return;
  }
  // On a terminal, the text the recipient will read (stderr: stdout stays the result).
  if (rendered !== undefined && ctx.io.isStderrTTY && !ctx.io.quiet) ctx.io.err(`${rendered}\n`);
  const result = await deliver(ctx, adapter, profile, msg, req);
  recordSend(ctx.io, profile, msg, result.id, flags.campaign);
  if (ctx.globals.json) printJson(ctx.io, result, ctx.globals.fields);
  else if (!ctx.globals.quiet || ctx.io.isStdoutTTY) printResult(ctx, result);
}

/**
 * A template message against the catalog (src/templates/): refused (exit 2, nothing sent) when it
 * does not fit its entry; its PENDING-like warnings on stderr. Without a catalog: as it is.
 */
export async function checkTemplate(
  ctx: CommandContext,
  catalog: Catalog,
  msg: TemplateMessage,
): Promise<{ message: Message; rendered: string }> {
  const { checkOne } = await import('../../templates/use.js');
  const checked = checkOne(catalog, msg);
  for (const w of checked.warnings) ctx.io.err(`warning: ${w}\n`);
  return { message: checked.message, rendered: checked.rendered };
}

/** The configured templates catalog (loaded only for template sends), or undefined. */
export async function templatesCatalog(ctx: CommandContext): Promise<Catalog | undefined> {
  if (ctx.globals.templates === false) return undefined;
  const { catalogFor } = await import('../../templates/use.js');
  return catalogFor(ctx.globals, ctx.io);
}

/** The template the flags describe, not yet validated, against the catalog (throws its problems). */
async function precheckTemplate(catalog: Catalog, flags: Flags, env: BuildEnv): Promise<void> {
  const { candidate } = templateCandidate(flags, env);
  if (candidate.type !== 'template' || typeof candidate.name !== 'string' || typeof candidate.language !== 'string') return;
  const { checkOne } = await import('../../templates/use.js');
  checkOne(catalog, {
    ...candidate,
    body: Array.isArray(candidate.body) ? candidate.body : [],
    buttons: Array.isArray(candidate.buttons) ? candidate.buttons : [],
  } as unknown as TemplateMessage);
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
  const spinner =
    ctx.io.spinnerEnabled && !ctx.io.verbose
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
    throw new ProviderError(adapter.id, info, {
      hint: errorHint(adapter.id, info),
      response: body,
      exitCode: refusalExitCode(adapter.id, info),
    });
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
