/**
 * `interflow sandbox`: starts the local server (src/sandbox/server.ts), prints on stderr where each
 * provider lives, the faults it injects (src/sandbox/faults.ts) and a profile snippet to paste,
 * then one line per request it receives (not with --quiet or --quiet-requests), until
 * SIGINT/SIGTERM. stdout stays empty, or carries one JSON line per request with --json.
 * Keys are never printed: headers are masked and the keys given are registered for redaction.
 * The webhook secret is read from the environment variable --webhook-secret names (never given on
 * the command line, where `ps` and shell history would show it) and registered for redaction too.
 */
import type { CommandContext } from '../context.js';
import { serveUntilSignal } from '../until-signal.js';
import { parseRate as sharedRate, wholeNumber as whole } from '../parsers.js';
import { CliError, UsageError } from '../../errors.js';
import { registerSecret } from '../../output/redact.js';
import { jsonLine } from '../../output/format.js';
import {
  DEFAULT_CHANNELS,
  DEFAULT_INSTANCES,
  DEFAULT_SANDBOX_PORT,
  DEFAULT_STATUS_DELAYS_MS,
  PLAN_LIMITS,
  REFUSAL_CODES,
  PROVIDER_PREFIXES,
  REFUSED_RECIPIENT,
  describeFaults,
  maskRequest,
  ownRefusals,
  startSandbox,
  type FaultOptions,
  type FaultStatus,
  type Plan,
  type ReceivedRequest,
  type Refusal,
  type Sandbox,
  type WebhookDelivery,
} from '../../sandbox/server.js';

export interface SandboxCommandOptions {
  port: number;
  host: string;
  apiKeys?: string[];
  plan: Plan;
  /** Only when a fault flag was given. */
  faults?: FaultOptions;
  /** --no-record. */
  record?: 'none';
  /** --quiet-requests: no line per request on stderr. */
  quietRequests?: true;
  /** --status-delays MS,MS: sent → delivered, delivered → read. */
  statusDelaysMs?: [number, number];
  /** --webhook-secret ENV: the variable's name and the secret it holds. */
  webhookSecret?: { env: string; value: string };
  /** --status-webhook URL (repeatable): Turn and SocialMiner statuses go there. */
  statusWebhooks?: string[];
  /** --refuse TO=CODE[:N] (repeatable): every provider refuses valid messages to TO as Meta's CODE says (Interflow and Interacto in their own words). */
  refusals?: Record<string, Refusal>;
}

const MAX_COUNT = 1_000_000_000;

/** --rate: "N/min", "N/s" (×60) or a bare N (a minute) → requests a minute. */
export function parseRate(value: unknown): number {
  const n = /^\s*\d+\s*(\/|$)/.test(String(value)) ? (sharedRate(String(value)) ?? NaN) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_COUNT) {
    throw new UsageError(`--rate must be a positive number of requests per minute, as N/min, N/s or N, got '${String(value)}'`, {
      hint: 'e.g. --rate 600/min, --rate 10/s',
    });
  }
  return n;
}

/** A whole-number flag ("--fail-first 3"), or undefined when absent. */
const wholeNumber = (flag: string, value: string | undefined, min: number, max: number, what: string): number | undefined =>
  value === undefined ? undefined : whole(value, flag, { min, max, what });

/** The flags of `interflow sandbox`, as its spec gives them (src/commands/sandbox/sandbox.ts): --plan and --fail-status already checked. */
export interface SandboxFlags {
  port?: string;
  host?: string;
  apiKey?: string[];
  plan?: Plan;
  failFirst?: string;
  failStatus?: FaultStatus;
  retryAfter?: string;
  resetFirst?: string;
  hangFirst?: string;
  dripFirst?: string;
  dripMs?: string;
  oversizeFirst?: string;
  latency?: string;
  rate?: string;
  statusDelays?: string;
  webhookSecret?: string;
  statusWebhook?: string[];
  refuse?: string[];
  quietRequests?: boolean;
  record?: boolean;
}

function parseFaults(options: SandboxFlags): FaultOptions | undefined {
  const faults: FaultOptions = {};
  const count = (flag: string, value: string | undefined) => wholeNumber(flag, value, 0, MAX_COUNT, 'a whole number (0 or more)');
  const failFirst = count('--fail-first', options.failFirst);
  if (failFirst !== undefined) faults.failFirst = failFirst;
  if (options.failStatus !== undefined) {
    if (failFirst === undefined) throw new UsageError('--fail-status only applies with --fail-first N', { hint: 'add --fail-first N' });
    faults.failStatus = options.failStatus;
  }
  const retryAfter = wholeNumber('--retry-after', options.retryAfter, 0, 86_400, 'a whole number of seconds from 0 to 86400');
  const resetFirst = count('--reset-first', options.resetFirst);
  if (resetFirst !== undefined) faults.resetFirst = resetFirst;
  const hangFirst = count('--hang-first', options.hangFirst);
  if (hangFirst !== undefined) faults.hangFirst = hangFirst;
  const dripFirst = count('--drip-first', options.dripFirst);
  if (dripFirst !== undefined) faults.dripFirst = dripFirst;
  const dripMs = wholeNumber('--drip-ms', options.dripMs, 1, 60_000, 'a whole number of milliseconds from 1 to 60000');
  if (dripMs !== undefined) {
    if (dripFirst === undefined) throw new UsageError('--drip-ms only applies with --drip-first N', { hint: 'add --drip-first N' });
    faults.dripMs = dripMs;
  }
  const oversizeFirst = count('--oversize-first', options.oversizeFirst);
  if (oversizeFirst !== undefined) faults.oversizeFirst = oversizeFirst;
  const latency = wholeNumber('--latency', options.latency, 0, 600_000, 'a whole number of milliseconds from 0 to 600000');
  if (latency !== undefined) faults.latencyMs = latency;
  if (options.rate !== undefined) faults.rate = parseRate(options.rate);
  if (retryAfter !== undefined) {
    if (failFirst === undefined && faults.rate === undefined) {
      throw new UsageError('--retry-after only applies with --fail-first N or --rate N/min', {
        hint: 'add --fail-first N or --rate N/min',
      });
    }
    faults.retryAfter = retryAfter;
  }
  return Object.keys(faults).length > 0 ? faults : undefined;
}

/** --refuse "5511999990001=131056:2" (repeatable; TO is digits or *) → refusals by recipient. */
export function parseRefusals(value: unknown): Record<string, Refusal> | undefined {
  if (value === undefined) return undefined;
  const refusals: Record<string, Refusal> = {};
  for (const item of (Array.isArray(value) ? value : [value]).map(String)) {
    const m = /^\s*(\*|\d{8,15})\s*=\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(item);
    const code = m ? Number(m[2]) : NaN;
    const times = m?.[3] === undefined ? undefined : Number(m[3]);
    if (!m || !REFUSAL_CODES.includes(code) || (times !== undefined && (!Number.isSafeInteger(times) || times < 1))) {
      throw new UsageError(
        `--refuse takes TO=CODE or TO=CODE:N (TO the recipient's digits or *, CODE one of Meta's ${REFUSAL_CODES.join(', ')}, N the times), got '${item}'`,
        {
          hint: 'e.g. --refuse 5511999990001=131056:2 --refuse "*=132001"',
        },
      );
    }
    refusals[m[1]!] = { code, ...(times === undefined ? {} : { times }) };
  }
  return refusals;
}

/** --status-delays "1500,1500" → [1500, 1500] (ms; 0 to 3600000 each). */
export function parseStatusDelays(value: unknown): [number, number] {
  const parts = String(value)
    .split(',')
    .map((p) => p.trim());
  const ms = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (ms.length !== 2 || ms.some((n) => !Number.isSafeInteger(n) || n > 3_600_000)) {
    throw new UsageError(`--status-delays must be two whole numbers of milliseconds, as MS,MS, got '${String(value)}'`, {
      hint: 'e.g. --status-delays 1500,1500 (sent → delivered, then delivered → read)',
    });
  }
  return [ms[0]!, ms[1]!];
}

/** --webhook-secret ENV: the secret is read from that environment variable, never taken from argv. */
export function readWebhookSecret(value: unknown, env: NodeJS.ProcessEnv = process.env): { env: string; value: string } {
  const name = String(value).trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new UsageError(`--webhook-secret takes the NAME of an environment variable holding the secret, got '${String(value)}'`, {
      hint: 'e.g. export SANDBOX_WEBHOOK_SECRET=…; interflow sandbox --webhook-secret SANDBOX_WEBHOOK_SECRET',
    });
  }
  const secret = env[name];
  if (secret === undefined || secret === '') {
    throw new UsageError(`--webhook-secret ${name}: the environment variable ${name} is not set or empty`, {
      hint: `set it first: export ${name}=…`,
    });
  }
  return { env: name, value: secret };
}

/** Validates the command's flags (commander gives strings). */
export function parseSandboxOptions(options: SandboxFlags, env: NodeJS.ProcessEnv = process.env): SandboxCommandOptions {
  const rawPort = options.port ?? DEFAULT_SANDBOX_PORT;
  const portText = String(rawPort).trim();
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got '${String(rawPort)}'`, {
      hint: 'use --port 0 to pick a free port',
    });
  }
  const host = (options.host ?? '127.0.0.1').trim();
  if (host === '') throw new UsageError('--host must not be empty');
  const plan = options.plan ?? 'professional';
  let apiKeys: string[] | undefined;
  if (options.apiKey !== undefined) {
    apiKeys = (Array.isArray(options.apiKey) ? options.apiKey : [options.apiKey]).map(String);
    if (apiKeys.some((k) => k.trim() === '')) throw new UsageError('--api-key must not be empty');
  }
  const faults = parseFaults(options);
  const refusals = parseRefusals(options.refuse);
  const statusDelaysMs = options.statusDelays === undefined ? undefined : parseStatusDelays(options.statusDelays);
  const webhookSecret = options.webhookSecret === undefined ? undefined : readWebhookSecret(options.webhookSecret, env);
  const statusWebhooks = (
    Array.isArray(options.statusWebhook) ? options.statusWebhook : options.statusWebhook === undefined ? [] : [options.statusWebhook]
  ).map(String);
  for (const url of statusWebhooks) {
    if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url))
      throw new UsageError(`--status-webhook must be an http(s) URL, got '${url}'`, {
        hint: 'e.g. --status-webhook http://127.0.0.1:8788/',
      });
  }
  return {
    ...(statusWebhooks.length ? { statusWebhooks } : {}),
    port,
    host,
    plan,
    ...(apiKeys ? { apiKeys } : {}),
    ...(faults ? { faults } : {}),
    ...(refusals ? { refusals } : {}),
    ...(options.record === false ? { record: 'none' as const } : {}),
    ...(options.quietRequests === true ? { quietRequests: true as const } : {}),
    ...(statusDelaysMs ? { statusDelaysMs } : {}),
    ...(webhookSecret ? { webhookSecret } : {}),
  };
}

/** One line for the log: `POST /turn/v1/messages 200 text → 5511999999999`. */
export function describeRequest(r: ReceivedRequest): string {
  // A reset or hung request has no status: the fault stands in its place.
  let line = `${r.method} ${r.path} ${r.status === 0 ? `${r.fault ?? 'no answer'}` : r.status}`;
  if (r.messageType) line += ` ${r.messageType}`;
  if (r.to) line += ` → ${r.to}`;
  if (r.messageId) line += ` (${r.messageId})`;
  if (r.status === 0) line += r.accepted ? ' — accepted, no answer sent' : ' — no answer sent';
  else if (r.fault) line += ` [${r.fault}]`;
  if (r.status >= 400 && r.error) line += ` — ${r.error}`;
  return line;
}

/** One line for the log: `webhook message.status_updated delivered msg_… → http://… 200`. */
export function describeDelivery(d: WebhookDelivery): string {
  return `webhook ${d.event} ${d.messageStatus} ${d.messageId} → ${d.url} ${d.ok ? d.status : `failed (${d.error ?? d.status})`}`;
}

/** The banner: where each provider lives and a profile snippet (keys never shown). */
export function banner(sandbox: Sandbox, opts: SandboxCommandOptions): string {
  const base = (p: keyof typeof PROVIDER_PREFIXES) => `${sandbox.url}${PROVIDER_PREFIXES[p]}`;
  const connected = DEFAULT_CHANNELS.find((c) => c.status === 'connected')!.id;
  const disconnected = DEFAULT_CHANNELS.find((c) => c.status === 'disconnected')!.id;
  const instance = DEFAULT_INSTANCES[0]!;
  const apiKey = opts.apiKeys ? '${SANDBOX_API_KEY}' : 'sandbox_key';
  const snippet = {
    defaultProfile: 'sandbox-interflow',
    profiles: {
      'sandbox-interflow': { provider: 'interflow', baseUrl: base('interflow'), apiKey, channelId: connected, plan: opts.plan },
      'sandbox-interacto': { provider: 'interacto', baseUrl: base('interacto'), apiKey, instanceId: instance },
      'sandbox-turn': { provider: 'turn', baseUrl: base('turn'), apiKey, namespace: 'template-namespace' },
      'sandbox-socialminer': { provider: 'socialminer', baseUrl: base('socialminer'), apiKey },
    },
  };
  const keys = opts.apiKeys
    ? `only the ${opts.apiKeys.length} key(s) given with --api-key (the snippet reads it from $SANDBOX_API_KEY)`
    : 'any non-empty key';
  const faults = [...(opts.faults ? describeFaults(opts.faults) : []), ...describeRefusals(opts.refusals)];
  const limit =
    opts.faults?.rate === undefined
      ? `Interflow plan: ${opts.plan} (${PLAN_LIMITS[opts.plan]} requests/min per key).`
      : `Interflow plan: ${opts.plan}, replaced by --rate (${opts.faults.rate} requests/min per key).`;
  return [
    `interflow sandbox listening on ${sandbox.url}`,
    '',
    'Base URLs (a profile\'s "baseUrl"):',
    `  interflow    ${base('interflow')}   channel ${connected} (connected), ${disconnected} (disconnected)`,
    `  interacto    ${base('interacto')}   Instance-Id ${instance}`,
    `  turn         ${base('turn')}`,
    `  socialminer  ${base('socialminer')}`,
    '',
    `Keys accepted: ${keys}. ${limit}`,
    `Refused recipient: ${REFUSED_RECIPIENT} gets each provider's "not on WhatsApp" refusal (400); every other number is accepted.`,
    ...(faults.length > 0
      ? ['Faults (send requests, in this order after auth):', ...faults.map((f) => `  ${f}`)]
      : ['Faults: none (see --fail-first, --reset-first, --hang-first, --drip-first, --oversize-first, --latency, --rate, --refuse).']),
    webhookLine(sandbox, opts),
    opts.record === 'none'
      ? `What it received: not recorded (--no-record); counters at GET ${sandbox.url}/_sandbox/stats`
      : `What it received: GET ${sandbox.url}/_sandbox/requests (DELETE to clear), counters at GET ${sandbox.url}/_sandbox/stats`,
    '',
    '.interflowrc.json:',
    JSON.stringify(snippet, null, 2),
    '',
    'Ctrl-C stops it.',
    '',
  ].join('\n');
}

function describeRefusals(refusals: Record<string, Refusal> | undefined): string[] {
  return Object.entries(refusals ?? {}).map(
    ([to, r]) =>
      `refuse: messages to ${to === '*' ? 'any other recipient' : to} answer Meta's ${r.code} (Turn, SocialMiner), ${ownRefusals(r.code)}${r.times === undefined ? '' : `, the first ${r.times} time(s)${to === '*' ? ' for each' : ''}`}`,
  );
}

function webhookLine(sandbox: Sandbox, opts: SandboxCommandOptions): string {
  const [toDelivered, toRead] = opts.statusDelaysMs ?? DEFAULT_STATUS_DELAYS_MS;
  const hooks = `${sandbox.url}${PROVIDER_PREFIXES.interflow}/webhooks`;
  const signing = opts.webhookSecret ? `signed (X-Hub-Signature-256) with $${opts.webhookSecret.env}` : 'unsigned (see --webhook-secret)';
  if (opts.record === 'none') return `Webhooks: ${sandbox.webhookCount()} registered; no status changes with --no-record.`;
  return (
    `Webhooks: ${sandbox.webhookCount()} registered (POST ${hooks}); Interflow messages go sent → delivered (${toDelivered} ms) → read (${toRead} ms more), ` +
    `each change POSTed to them, ${signing}.` +
    (opts.statusWebhooks
      ? `\nTurn and SocialMiner statuses go to ${opts.statusWebhooks.join(', ')} (fate by recipient: …1047 failed 131047, …0000 none, …0001 sent, …0002 delivered, else read).`
      : '')
  );
}

/** Runs the sandbox until `stop` settles (SIGINT/SIGTERM in the command). */
export async function serveSandbox(ctx: CommandContext, opts: SandboxCommandOptions, stop: Promise<string>): Promise<void> {
  for (const key of opts.apiKeys ?? []) registerSecret(key);
  if (opts.webhookSecret) registerSecret(opts.webhookSecret.value);
  const { io } = ctx;
  let sandbox: Sandbox;
  try {
    // Nothing per request unless something is printed for it: the hot path stays bare for benchmarks.
    const logLines = !io.quiet && !opts.quietRequests;
    const jsonLines = ctx.globals.json === true;
    sandbox = await startSandbox({
      port: opts.port,
      host: opts.host,
      plan: opts.plan,
      ...(opts.apiKeys ? { apiKeys: opts.apiKeys } : {}),
      ...(opts.faults ? { faults: opts.faults } : {}),
      ...(opts.refusals ? { refusals: opts.refusals } : {}),
      ...(opts.record ? { record: opts.record } : {}),
      ...(opts.statusDelaysMs ? { statusDelaysMs: opts.statusDelaysMs } : {}),
      ...(opts.webhookSecret ? { webhookSecret: opts.webhookSecret.value } : {}),
      ...(opts.statusWebhooks ? { statusWebhooks: opts.statusWebhooks } : {}),
      ...(logLines ? { onWebhookDelivery: (d: WebhookDelivery) => io.err(describeDelivery(d) + '\n') } : {}),
      ...(logLines || jsonLines
        ? {
            onRequest: (r: ReceivedRequest) => {
              // Headers are masked below; a credential a client sent is also kept out of any echo of it
              // (short ones are left alone so that they do not mangle ordinary words in the log).
              const credential = (r.headers.authorization ?? r.headers.apikey)?.replace(/^Bearer\s+/i, '');
              if (credential && credential.length >= 8) registerSecret(credential);
              if (jsonLines) io.out(jsonLine(maskRequest(r), ctx.globals.fields));
              if (logLines) io.err(describeRequest(r) + '\n');
            },
          }
        : {}),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      throw new CliError(`cannot listen on ${opts.host}:${opts.port} (${e.code})`, {
        code: 'SANDBOX_LISTEN',
        hint: e.code === 'EADDRINUSE' ? 'another process uses that port: try --port 0 or another port' : 'try another --host or --port',
        cause: err,
      });
    }
    throw err;
  }
  if (io.quiet) io.err(`interflow sandbox listening on ${sandbox.url}\n`);
  else io.err(banner(sandbox, opts));
  const signal = await stop;
  if (!io.quiet) {
    const { requests, accepted } = sandbox.stats();
    const { delivered, failed } = sandbox.webhookStats();
    const hooks = delivered + failed > 0 ? `, webhooks: ${delivered} delivered, ${failed} failed` : '';
    io.err(`\n${signal}: stopping the sandbox (${requests} request(s) received, ${accepted} message(s) accepted${hooks})\n`);
  }
  await sandbox.close();
}

export async function runSandbox(options: SandboxFlags, ctx: CommandContext): Promise<void> {
  const opts = parseSandboxOptions(options);
  await serveUntilSignal((stop) => serveSandbox(ctx, opts, stop));
}
