/**
 * The sandbox: a local HTTP server (node:http) that speaks the send APIs of the four providers,
 * validates what it receives as strictly as their documents describe, answers as they do, and
 * keeps what it received.
 *
 *   /interflow/v1/…   ./interflow.ts      /turn/…          ./turn.ts
 *   /interacto/…      ./interacto.ts      /socialminer/…   ./socialminer.ts
 *   GET|DELETE /_sandbox/requests         what was received (credentials masked) / forget it
 *
 * This file routes, reads bodies (1 MiB at most), checks nothing about messages itself, and keeps
 * the received log. The validation is written from specs/ and reference/, never from
 * src/providers or src/message: the sandbox is how the CLI's adapters are checked.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HandlerRequest, HandlerResponse, KeyCheck, ProviderHandler, ProviderName } from './common.js';
import { createInteractoHandler } from './interacto.js';
import {
  PLAN_LIMITS,
  createInterflowHandler,
  type InterflowChannel,
  type InterflowMessageStore,
  type Plan,
} from './interflow.js';
import { createSocialMinerHandler } from './socialminer.js';
import { createTurnHandler } from './turn.js';

export type { InterflowChannel, InterflowMessageRecord, InterflowMessageStatus, Plan } from './interflow.js';
export { InterflowMessageStore, PLAN_LIMITS } from './interflow.js';

export interface SandboxOptions {
  /** 0 (the default here) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** When given, only these keys are accepted (by every provider); otherwise any non-empty key. */
  apiKeys?: string[];
  /** Interflow channels. Default: DEFAULT_CHANNELS (one connected, one disconnected). */
  channels?: InterflowChannel[];
  /** Interacto instance ids accepted. Default: DEFAULT_INSTANCES. */
  instances?: string[];
  /** Interflow plan for X-RateLimit-*: starter 60, professional 300 (default), enterprise 1000 a minute. */
  plan?: Plan;
  /** Requests a minute per Interflow API key; overrides `plan` (handy in tests). */
  rateLimit?: number;
  /** The rate-limit window in ms (default 60000). */
  rateWindowMs?: number;
  /** Called with each request once it is answered and recorded. */
  onRequest?: (request: ReceivedRequest) => void;
}

export interface ReceivedRequest {
  provider: ProviderName | 'unknown';
  method: string;
  /** As received, query string included. */
  path: string;
  /** Lowercase names; credentials as sent (GET /_sandbox/requests masks them). */
  headers: Record<string, string>;
  /** The exact bytes, decoded as UTF-8. */
  rawBody: string;
  /** The parsed JSON, or undefined (no body, not JSON). */
  body: unknown;
  /** What the sandbox answered. */
  status: number;
  /** The provider's id for the accepted message. */
  messageId?: string;
  /** The message type the body named ('text', 'template', 'contact'…), when it named one. */
  messageType?: string;
  /** The recipient the body named, when it named one. */
  to?: string;
  /** Why it was refused, in one line. */
  error?: string;
  /** ISO 8601 time it arrived. */
  at: string;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  port: number;
  host: string;
  /** Every request to a provider route, in order, refused ones included. */
  received: ReceivedRequest[];
  /** The messages Interflow accepted (GET /messages/:id reads this). */
  messages: InterflowMessageStore;
  close(): Promise<void>;
  /** Forgets received requests, Interflow messages and rate-limit windows. */
  reset(): void;
}

export const DEFAULT_CHANNELS: readonly InterflowChannel[] = [
  { id: '550e8400-e29b-41d4-a716-446655440000', status: 'connected' },
  { id: '550e8400-e29b-41d4-a716-446655440001', status: 'disconnected' },
];
export const DEFAULT_INSTANCES: readonly string[] = ['66a09db606fd14660c8fc1d0'];
export const DEFAULT_PLAN: Plan = 'professional';
export const MAX_BODY_BYTES = 1024 * 1024;

/** Where each provider lives on the sandbox. */
export const PROVIDER_PREFIXES: Readonly<Record<ProviderName, string>> = {
  interflow: '/interflow/v1',
  interacto: '/interacto',
  turn: '/turn',
  socialminer: '/socialminer',
};

const CREDENTIAL_HEADERS = new Set(['authorization', 'apikey', 'proxy-authorization', 'cookie']);

/** A copy of headers with credentials replaced by "***". */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = CREDENTIAL_HEADERS.has(name.toLowerCase()) ? '***' : value;
  return out;
}

/** A received request safe to show: credentials masked. */
export function maskRequest(r: ReceivedRequest): ReceivedRequest {
  return { ...r, headers: maskHeaders(r.headers) };
}

function readBody(req: IncomingMessage): Promise<{ bytes: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve({ bytes: Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function parseJson(bytes: Buffer, text: string): HandlerRequest['json'] {
  if (bytes.length === 0) return { kind: 'empty' };
  try {
    strictUtf8.decode(bytes);
  } catch {
    return { kind: 'invalid', reason: 'the body is not valid UTF-8' };
  }
  if (text.charCodeAt(0) === 0xfeff) return { kind: 'invalid', reason: 'the body starts with a byte order mark (BOM)' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch (err) {
    return { kind: 'invalid', reason: err instanceof Error ? err.message : String(err) };
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(payload ? { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
  });
  res.end(payload);
}

function route(pathname: string, handlers: ProviderHandler[]): { handler: ProviderHandler; rest: string } | undefined {
  for (const handler of handlers) {
    const prefix = PROVIDER_PREFIXES[handler.provider];
    if (pathname === prefix || pathname.startsWith(prefix + '/')) return { handler, rest: pathname.slice(prefix.length) || '/' };
  }
  return undefined;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`sandbox port must be 0-65535, got ${port}`);
  const host = opts.host ?? '127.0.0.1';
  const plan = opts.plan ?? DEFAULT_PLAN;
  if (!Object.hasOwn(PLAN_LIMITS, plan)) throw new RangeError(`sandbox plan must be one of ${Object.keys(PLAN_LIMITS).join(', ')}`);
  const rateLimit = opts.rateLimit ?? PLAN_LIMITS[plan];
  if (!Number.isInteger(rateLimit) || rateLimit < 1) throw new RangeError(`sandbox rateLimit must be a positive integer`);

  const allowed = opts.apiKeys ? new Set(opts.apiKeys) : undefined;
  const checkKey: KeyCheck = (key) => (allowed ? allowed.has(key) : key.trim().length > 0);

  const interflow = createInterflowHandler({
    checkKey,
    channels: (opts.channels ?? DEFAULT_CHANNELS).map((c) => ({ ...c })),
    rateLimit,
    rateWindowMs: opts.rateWindowMs,
  });
  const handlers: ProviderHandler[] = [
    interflow,
    createInteractoHandler({ checkKey, instances: [...(opts.instances ?? DEFAULT_INSTANCES)] }),
    createTurnHandler({ checkKey }),
    createSocialMinerHandler({ checkKey }),
  ];
  const received: ReceivedRequest[] = [];

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = new Date().toISOString();
    const method = req.method ?? 'GET';
    const rawPath = req.url ?? '/';
    const url = new URL(rawPath, 'http://sandbox.invalid');
    const { bytes, tooLarge } = await readBody(req);

    if (url.pathname === '/_sandbox/requests') {
      if (method === 'GET') return writeJson(res, 200, received.map(maskRequest));
      if (method === 'DELETE') {
        const cleared = received.length;
        received.length = 0;
        return writeJson(res, 200, { cleared });
      }
      return writeJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, DELETE' });
    }

    const headers = flatHeaders(req);
    const rawBody = tooLarge ? '' : bytes.toString('utf8');
    const json: HandlerRequest['json'] = tooLarge ? { kind: 'empty' } : parseJson(bytes, rawBody);
    const matched = route(url.pathname, handlers);

    let answer: HandlerResponse | undefined;
    if (matched && tooLarge) {
      answer = matched.handler.error(413, `Request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`);
    } else if (matched) {
      try {
        answer = await matched.handler.handle({ method, path: matched.rest, query: url.searchParams, headers, rawBody, json });
      } catch (err) {
        answer = { status: 500, body: { error: 'internal sandbox error' }, error: err instanceof Error ? err.message : String(err) };
      }
    }
    answer ??= tooLarge
      ? { status: 413, body: { error: 'payload too large' }, error: 'payload too large' }
      : { status: 404, body: { error: 'not found' }, error: 'not found' };

    writeJson(res, answer.status, answer.body, answer.headers);
    const record: ReceivedRequest = {
      provider: matched?.handler.provider ?? 'unknown',
      method,
      path: rawPath,
      headers,
      rawBody,
      body: json.kind === 'json' ? json.value : undefined,
      status: answer.status,
      ...(answer.messageId === undefined ? {} : { messageId: answer.messageId }),
      ...(answer.messageType === undefined ? {} : { messageType: answer.messageType }),
      ...(answer.to === undefined ? {} : { to: answer.to }),
      ...(answer.error === undefined ? {} : { error: answer.error }),
      at,
    };
    received.push(record);
    opts.onRequest?.(record);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (!res.headersSent) writeJson(res, 500, { error: 'internal sandbox error', message: String(err) });
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    host,
    received,
    messages: interflow.store,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
    reset() {
      received.length = 0;
      for (const h of handlers) h.reset?.();
    },
  };
}
