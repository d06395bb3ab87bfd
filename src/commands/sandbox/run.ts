/**
 * `interflow sandbox`: starts the local server (src/sandbox/server.ts), prints on stderr where each
 * provider lives and a profile snippet to paste, then one line per request it receives, until
 * SIGINT/SIGTERM. stdout stays empty, or carries one JSON line per request with --json.
 * Keys are never printed: headers are masked and the keys given are registered for redaction.
 */
import type { CommandContext } from '../context.js';
import { CliError, UsageError } from '../../errors.js';
import { registerSecret } from '../../output/redact.js';
import {
  DEFAULT_CHANNELS,
  DEFAULT_INSTANCES,
  PLAN_LIMITS,
  PROVIDER_PREFIXES,
  maskRequest,
  startSandbox,
  type Plan,
  type ReceivedRequest,
  type Sandbox,
} from '../../sandbox/server.js';

export interface SandboxCommandOptions {
  port: number;
  host: string;
  apiKeys?: string[];
  plan: Plan;
}

/** Validates the command's flags (commander gives strings). */
export function parseSandboxOptions(options: Record<string, unknown>): SandboxCommandOptions {
  const rawPort = options.port ?? '8787';
  const portText = String(rawPort).trim();
  const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got '${String(rawPort)}'`, {
      hint: 'use --port 0 to pick a free port',
    });
  }
  const host = String(options.host ?? '127.0.0.1').trim();
  if (host === '') throw new UsageError('--host must not be empty');
  const plan = String(options.plan ?? 'professional');
  if (!Object.hasOwn(PLAN_LIMITS, plan)) {
    throw new UsageError(`--plan must be one of ${Object.keys(PLAN_LIMITS).join(', ')}, got '${plan}'`);
  }
  let apiKeys: string[] | undefined;
  if (options.apiKey !== undefined) {
    apiKeys = (Array.isArray(options.apiKey) ? options.apiKey : [options.apiKey]).map(String);
    if (apiKeys.some((k) => k.trim() === '')) throw new UsageError('--api-key must not be empty');
  }
  return { port, host, plan: plan as Plan, ...(apiKeys ? { apiKeys } : {}) };
}

/** One line for the log: `POST /turn/v1/messages 200 text → 5511999999999`. */
export function describeRequest(r: ReceivedRequest): string {
  let line = `${r.method} ${r.path} ${r.status}`;
  if (r.messageType) line += ` ${r.messageType}`;
  if (r.to) line += ` → ${r.to}`;
  if (r.messageId) line += ` (${r.messageId})`;
  if (r.status >= 400 && r.error) line += ` — ${r.error}`;
  return line;
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
  return [
    `interflow sandbox listening on ${sandbox.url}`,
    '',
    'Base URLs (a profile\'s "baseUrl"):',
    `  interflow    ${base('interflow')}   channel ${connected} (connected), ${disconnected} (disconnected)`,
    `  interacto    ${base('interacto')}   Instance-Id ${instance}`,
    `  turn         ${base('turn')}`,
    `  socialminer  ${base('socialminer')}`,
    '',
    `Keys accepted: ${keys}. Interflow plan: ${opts.plan} (${PLAN_LIMITS[opts.plan]} requests/min per key).`,
    `What it received: GET ${sandbox.url}/_sandbox/requests (DELETE to clear)`,
    '',
    '.interflowrc.json:',
    JSON.stringify(snippet, null, 2),
    '',
    'Ctrl-C stops it.',
    '',
  ].join('\n');
}

/** Runs the sandbox until `stop` settles (SIGINT/SIGTERM in the command). */
export async function serveSandbox(ctx: CommandContext, opts: SandboxCommandOptions, stop: Promise<string>): Promise<void> {
  for (const key of opts.apiKeys ?? []) registerSecret(key);
  const { io } = ctx;
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      port: opts.port,
      host: opts.host,
      plan: opts.plan,
      ...(opts.apiKeys ? { apiKeys: opts.apiKeys } : {}),
      onRequest: (r) => {
        // Headers are masked below; a credential a client sent is also kept out of any echo of it
        // (short ones are left alone so that they do not mangle ordinary words in the log).
        const credential = (r.headers.authorization ?? r.headers.apikey)?.replace(/^Bearer\s+/i, '');
        if (credential && credential.length >= 8) registerSecret(credential);
        if (ctx.globals.json) io.out(JSON.stringify(maskRequest(r)) + '\n');
        if (!io.quiet) io.err(describeRequest(r) + '\n');
      },
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
  if (!io.quiet) io.err(`\n${signal}: stopping the sandbox (${sandbox.received.length} request(s) received)\n`);
  await sandbox.close();
}

export async function runSandbox(ctx: CommandContext, _args: unknown[], options: Record<string, unknown>): Promise<void> {
  const opts = parseSandboxOptions(options);
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  const stop = new Promise<string>((resolve) => {
    onSignal = (signal) => resolve(signal);
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  try {
    await serveSandbox(ctx, opts, stop);
  } finally {
    process.off('SIGINT', onSignal!);
    process.off('SIGTERM', onSignal!);
  }
}
