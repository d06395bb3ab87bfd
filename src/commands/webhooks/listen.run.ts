/**
 * `interflow webhooks listen`: a local webhook receiver (src/webhooks/receiver.ts) that prints
 * each event as it arrives: a table row on a terminal, one JSON line otherwise (or with --json).
 * The banner, refused requests and notices go to stderr. The secret is read from the environment
 * variable --secret names (never the command line) and registered for redaction. Runs until
 * SIGINT/SIGTERM, then closes the server and ends with exit 0.
 */
import { DEFAULT_LISTEN_PORT } from '../../sandbox/paths.js';
import type { CommandContext } from '../context.js';
import { serveUntilSignal } from '../until-signal.js';
import { wholeNumber } from '../parsers.js';
import { CliError, UsageError } from '../../errors.js';
import { MIN_SECRET_LENGTH, registerSecret } from '../../output/redact.js';
import { jsonLine } from '../../output/format.js';
import { plainText } from '../../output/sanitize.js';
import type { Io } from '../../output/io.js';
import {
  DEFAULT_FORWARD_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  startReceiver,
  type Receiver,
  type WebhookEvent,
} from '../../webhooks/receiver.js';
import { SIGNATURE_SCHEMES } from '../../webhooks/signatures.js';
import { style } from '../../output/style.js';
import { eventRecorder } from '../../tracking/record.js';

export interface ListenOptions {
  host: string;
  port: number;
  path: string;
  /** The name of the environment variable the secret came from (for the banner). */
  secretEnv?: string;
  secret?: string;
  verifyToken?: string;
  forward?: string;
  maxBodyBytes: number;
  /** How long --forward's target has to accept an event. */
  forwardTimeoutMs?: number;
  /** How long a client has to send a whole request. */
  requestTimeoutMs?: number;
  maxConnections?: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_BODY_LIMIT = 1024 * 1024 * 1024;

/** The flags of `webhooks listen`, as typed (src/commands/webhooks/listen.ts). */
export interface ListenFlags {
  port?: string;
  host?: string;
  path?: string;
  secret?: string;
  verifyToken?: string;
  forward?: string;
  forwardTimeout?: string;
  maxBody?: string;
  requestTimeout?: string;
  maxConnections?: string;
}

/** Flags → options; every refusal names its flag. `env` is where --secret is looked up. */
export function parseListenOptions(options: ListenFlags, env: NodeJS.ProcessEnv): ListenOptions {
  const port = wholeNumber(options.port ?? String(DEFAULT_LISTEN_PORT), '--port', {
    min: 0,
    max: 65535,
    what: 'a port number from 0 to 65535',
  });
  const host = (options.host ?? '127.0.0.1').trim();
  if (host === '' || /[\s/]/.test(host)) throw new UsageError(`--host must be a host name or address, got '${options.host}'`);
  const path = options.path ?? '/';
  if (!path.startsWith('/') || /[\s?#]/.test(path)) {
    throw new UsageError(`--path must start with / and hold no spaces, ? or #, got '${path}'`, { hint: 'e.g. --path /webhooks' });
  }
  const maxBodyBytes = wholeNumber(options.maxBody ?? '1048576', '--max-body', {
    min: 1,
    max: MAX_BODY_LIMIT,
    what: 'a whole number of bytes from 1 to 1073741824',
  });
  const opts: ListenOptions = { host, port, path, maxBodyBytes };
  const HOUR = 3_600_000;
  if (options.forwardTimeout !== undefined) {
    opts.forwardTimeoutMs = wholeNumber(options.forwardTimeout, '--forward-timeout', {
      min: 1,
      max: HOUR,
      what: 'a whole number of milliseconds from 1 to 3600000',
    });
  }
  if (options.requestTimeout !== undefined) {
    opts.requestTimeoutMs = wholeNumber(options.requestTimeout, '--request-timeout', {
      min: 1,
      max: HOUR,
      what: 'a whole number of milliseconds from 1 to 3600000',
    });
  }
  if (options.maxConnections !== undefined) {
    opts.maxConnections = wholeNumber(options.maxConnections, '--max-connections', {
      min: 1,
      max: 1_000_000,
      what: 'a whole number from 1 to 1000000',
    });
  }

  if (options.secret !== undefined) {
    const name = options.secret.trim();
    if (!ENV_NAME.test(name)) {
      throw new UsageError(`--secret takes the name of an environment variable holding the secret, got an invalid name`, {
        hint: 'e.g. export META_APP_SECRET=… then --secret META_APP_SECRET (the secret itself never goes on the command line)',
      });
    }
    const value = env[name];
    if (value === undefined || value === '') {
      throw new UsageError(`--secret ${name}: the environment variable ${name} is not set`, {
        hint: `export ${name}=<your app secret>, then run again`,
      });
    }
    if (value.length < MIN_SECRET_LENGTH) {
      throw new UsageError(
        `--secret ${name}: the secret in ${name} is ${value.length} characters long; secrets shorter than ${MIN_SECRET_LENGTH} are refused`,
        {
          hint: 'use the app secret your provider issued (they are far longer); a short one is guessable and could not be hidden in output',
        },
      );
    }
    registerSecret(value);
    opts.secretEnv = name;
    opts.secret = value;
  }
  if (options.verifyToken !== undefined) {
    const token = options.verifyToken;
    if (token === '') throw new UsageError('--verify-token must not be empty');
    registerSecret(token);
    opts.verifyToken = token;
  }
  if (options.forward !== undefined) {
    const text = options.forward.trim();
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new UsageError(`--forward must be an http(s) URL, got '${text}'`, { hint: 'e.g. --forward http://localhost:3000/webhooks' });
    }
    opts.forward = url.toString();
  }
  return opts;
}

const COLUMNS = [
  { header: 'TIME', width: 8 },
  { header: 'STATUS/KIND', width: 11 },
  { header: 'MESSAGE-ID', width: 28 },
  { header: 'FROM/TO', width: 29 },
  { header: 'DETAIL', width: 0 },
] as const;

const pad = (s: string, w: number): string => {
  const len = [...s].length;
  return len >= w ? s : s + ' '.repeat(w - len);
};

function timeOf(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso.slice(0, 8);
  return d.toTimeString().slice(0, 8);
}

export function detailOf(e: WebhookEvent): string {
  const parts: string[] = [];
  if (e.errorCode !== undefined || e.errorTitle !== undefined || e.errorDetails !== undefined) {
    parts.push([e.errorCode, [e.errorTitle, e.errorDetails].filter(Boolean).join(': ')].filter(Boolean).join(' '));
    if (e.hint) parts.push(`(${e.hint})`);
  }
  if (e.text !== undefined) parts.push(JSON.stringify(e.text));
  if (e.filename !== undefined) parts.push(`[${e.filename}]`);
  return parts.join(' ').replace(/\s*\n\s*/g, ' ');
}

/** Who sent it and to whom: `5511999999999 (João) → 15550783881`. */
function peersOf(e: WebhookEvent): string {
  if (e.from === undefined && e.to === undefined) return '';
  const from = `${e.from ?? '?'}${e.name !== undefined ? ` (${e.name})` : ''}`;
  return `${from} → ${e.to ?? '?'}`;
}

/** The table header line (bold with color). */
export function tableHeader(color: boolean): string {
  const line = COLUMNS.map((c) => pad(c.header, c.width))
    .join('  ')
    .trimEnd();
  return style(color).bold(line) + '\n';
}

/** One event as a table row under tableHeader(). */
export function tableRow(e: WebhookEvent, color: boolean): string {
  // Every cell came from outside: printed as plain text, no escape sequence or control character.
  let kind = plainText(e.kind === 'status' ? (e.status ?? 'status') : e.kind === 'error' ? 'error' : `msg:${e.type ?? 'message'}`);
  const cells = [timeOf(e.timestamp), kind, e.messageId, peersOf(e), detailOf(e)].map((c) => plainText(c));
  const line = cells
    .map((c, i) => pad(c, COLUMNS[i]!.width))
    .join('  ')
    .trimEnd();
  if (!color) return line + '\n';
  kind = pad(kind, COLUMNS[1].width);
  const s = style(color);
  const paint = e.status === 'failed' || e.errorCode ? s.red : e.kind === 'message' ? s.cyan : e.status === 'read' ? s.green : undefined;
  return paint ? line.replace(kind, paint(kind)) + '\n' : line + '\n';
}

function printer(io: Io, json: boolean, fields?: readonly string[]): (e: WebhookEvent) => void {
  if (json || !io.isStdoutTTY) return (e) => io.out(jsonLine(e, fields));
  let headed = false;
  return (e) => {
    if (!headed) {
      io.out(tableHeader(io.color));
      headed = true;
    }
    io.out(tableRow(e, io.color));
  };
}

/** Runs the receiver until `stop` settles. */
export async function serveWebhooks(ctx: CommandContext, opts: ListenOptions, stop: Promise<unknown>): Promise<void> {
  const { io } = ctx;
  const print = printer(io, ctx.globals.json === true, ctx.globals.fields);
  // Only verified events go into the tracking store (README.md, "Tracking").
  const track = opts.secret !== undefined ? eventRecorder(io) : undefined;
  let receiver: Receiver;
  try {
    receiver = await startReceiver({
      host: opts.host,
      port: opts.port,
      path: opts.path,
      maxBodyBytes: opts.maxBodyBytes,
      ...(opts.secret !== undefined ? { secret: opts.secret } : {}),
      ...(opts.verifyToken !== undefined ? { verifyToken: opts.verifyToken } : {}),
      ...(opts.forward !== undefined ? { forward: opts.forward } : {}),
      forwardTimeoutMs: opts.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS,
      requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      maxConnections: opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      onEvent: (e) => (print(e), track?.event(e)),
      // Reasons and notices quote what clients sent (paths, ids): plain text only.
      onRejected: (reason) => io.err(`${plainText(reason)}\n`),
      onNotice: (message) => {
        if (!io.quiet) io.err(`${plainText(message)}\n`);
      },
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      throw new CliError(`port ${opts.port} on ${opts.host} is already in use`, {
        code: 'PORT_IN_USE',
        hint: 'choose another with --port (0 picks a free one)',
      });
    }
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EACCES') {
      throw new CliError(`cannot listen on ${opts.host}:${opts.port} (${e.code})`, { code: e.code, hint: 'check --host and --port' });
    }
    throw err;
  }
  if (!io.quiet) {
    io.err(`listening for webhooks on ${receiver.url}\n`);
    io.err(
      opts.secretEnv
        ? `signatures: verified (${SIGNATURE_SCHEMES.map((s) => s.label).join(' or ')}, secret from $${opts.secretEnv}); unsigned or badly signed posts get 403\n`
        : `signatures: NOT verified (add --secret ENV_NAME to check ${SIGNATURE_SCHEMES.map((s) => s.label).join(' or ')})\n`,
    );
    io.err(
      track
        ? 'tracking: recording verified statuses and incoming messages (interflow report, messages list)\n'
        : 'tracking: not recording (only verified events are recorded: add --secret ENV_NAME)\n',
    );
    io.err(
      opts.verifyToken
        ? 'handshake: answering hub.mode=subscribe with the given --verify-token\n'
        : 'handshake: refused (no --verify-token)\n',
    );
    if (opts.forward) io.err(`forwarding each verified event to ${opts.forward}: answered 200 only once it accepts, 502 otherwise\n`);
    io.err('press Ctrl-C to stop\n');
  }
  try {
    await stop;
  } finally {
    await receiver.close();
    track?.close();
    if (!io.quiet) io.err('stopped\n');
  }
}

export async function runWebhooksListen(options: ListenFlags, ctx: CommandContext): Promise<void> {
  const opts = parseListenOptions(options, ctx.io.env);
  await serveUntilSignal((stop) => serveWebhooks(ctx, opts, stop));
}
