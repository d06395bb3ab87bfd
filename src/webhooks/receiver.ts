/**
 * A local webhook receiver on node:http. GET answers Meta's subscription handshake; POST bodies
 * are collected as raw bytes (bounded), their signature checked over exactly those bytes with a
 * constant-time compare when a secret is set (each provider's own header: ./signatures.ts), then
 * normalized into events (./events.ts); replays are dropped by an id taken from signed content
 * only. With --forward, a POST is answered 2xx only once the target accepted it (502 otherwise,
 * and the provider's retry is delivered, not dropped as a replay).
 *
 * Slow or idle clients cannot hold it: a request must arrive whole within `requestTimeoutMs`,
 * an idle keep-alive connection is closed after a few seconds, and beyond `maxConnections` the
 * oldest connection that has not delivered a whole request is closed to make room for the new one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { normalizePayload, type WebhookEvent } from './events.js';
import { checkSignatures } from './signatures.js';

export type { WebhookEvent } from './events.js';
export { verifySignature } from './signatures.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_REPLAY_WINDOW = 10_000;
/** How long --forward's target has to accept an event. Meta waits about 20 s for our answer. */
export const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
/** How long a client has to send one whole request, headers and body. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How long an idle keep-alive connection stays open. */
const KEEP_ALIVE_MS = 5_000;
/** Open connections at most; well under the usual 1024-descriptor limit. */
export const DEFAULT_MAX_CONNECTIONS = 512;
const MAX_HEADER_BYTES = 16 * 1024;

export interface ReceiverOptions {
  host: string;
  port: number;
  /** The path webhooks are posted to, e.g. '/'. Other paths answer 404. */
  path: string;
  /** The secret: POSTs without a valid signature (./signatures.ts) answer 403. */
  secret?: string;
  /** Token for Meta's GET handshake; without it every handshake answers 403. */
  verifyToken?: string;
  /** Bodies above this answer 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** How many recent event ids are remembered to drop replays (default 10 000). */
  replayWindow?: number;
  /** An http(s) URL each verified, non-replayed POST is relayed to (raw bytes, same headers). */
  forward?: string;
  /** How long the forward target has to answer 2xx (default 10 s); later counts as refused. */
  forwardTimeoutMs?: number;
  /** How long a client has to send a whole request (default 10 s); a slower one is disconnected. */
  requestTimeoutMs?: number;
  /** Open connections at most (default 512); a new one beyond closes the oldest unfinished one. */
  maxConnections?: number;
  onEvent(e: WebhookEvent): void;
  /** A refused request, e.g. '403 bad signature from 127.0.0.1'. */
  onRejected?(reason: string): void;
  /** Anything else worth a line: handshakes, dropped replays, forward failures. */
  onNotice?(message: string): void;
}

export interface Receiver {
  url: string;
  port: number;
  /** Stops accepting, closes connections, waits for relays in flight. */
  close(): Promise<void>;
}

/** A bounded set of recent ids, oldest evicted first. */
export class RecentIds {
  private readonly ids = new Map<string, true>();
  constructor(private readonly max: number) {}
  has(id: string): boolean {
    return this.ids.has(id);
  }
  /** True when the id was new (and is now remembered). */
  add(id: string): boolean {
    if (this.ids.has(id)) {
      this.ids.delete(id);
      this.ids.set(id, true);
      return false;
    }
    this.ids.set(id, true);
    if (this.ids.size > this.max) this.ids.delete(this.ids.keys().next().value!);
    return true;
  }
  get size(): number {
    return this.ids.size;
  }
}

/** Constant-time equality of two strings of any length. */
function sameText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

const peer = (req: IncomingMessage): string => (req.socket.remoteAddress ?? '?').replace(/^::ffff:/, '');
const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

function answer(res: ServerResponse, status: number, body: string, type = 'application/json'): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const jsonError = (message: string) => JSON.stringify({ ok: false, error: message });

/** What a connection is doing: waiting for a request (or between two), reading a body, or handling one. */
type ConnectionState = 'waiting' | 'reading' | 'handling';

/** Headers relayed with a forwarded body: its type and every signature. */
const FORWARDED_HEADERS = ['x-hub-signature-256', 'x-hub-signature', 'x-turn-hook-signature', 'x-interflow-event-id', 'x-interflow-event'];

/**
 * Open connections, oldest first, with what each is doing since when. Beyond the cap, the oldest
 * one that has not delivered a whole request (waiting for one, or still reading its body) makes
 * room: a slow client can delay a webhook, never lock it out. A sweep closes those that took
 * longer than requestTimeout: a second guard beside Node's own headersTimeout/requestTimeout.
 */
function guardConnections(requestTimeout: number, maxConnections: number, onNotice?: (line: string) => void) {
  const connections = new Map<Socket, { state: ConnectionState; since: number }>();
  const setState = (socket: Socket, state: ConnectionState) => {
    const c = connections.get(socket);
    if (c) {
      c.state = state;
      c.since = Date.now();
    }
  };
  const timeOut = (socket: Socket) => {
    connections.delete(socket);
    if (!socket.writable) return void socket.destroy();
    socket.end('HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', () => socket.destroy());
  };
  const sweep = setInterval(() => {
    const expired = Date.now() - requestTimeout;
    for (const [socket, c] of connections) if (c.state !== 'handling' && c.since <= expired) timeOut(socket);
  }, checkInterval(requestTimeout));
  sweep.unref();
  let evicted = 0;
  const watch = (server: Server) => {
    server.on('connection', (socket: Socket) => {
      connections.set(socket, { state: 'waiting', since: Date.now() });
      socket.once('close', () => connections.delete(socket));
      if (connections.size <= maxConnections) return;
      let victim: Socket | undefined;
      for (const state of ['waiting', 'reading'] as const) {
        for (const [s, c] of connections) {
          if (c.state === state) {
            victim = s;
            break;
          }
        }
        if (victim) break;
      }
      if (!victim) return;
      connections.delete(victim);
      victim.destroy();
      if (evicted++ % 1000 === 0) onNotice?.(`more than ${maxConnections} open connections: closing the oldest unfinished ones`);
    });
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return timeOut(socket);
      connections.delete(socket);
      if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n', () => socket.destroy());
    });
  };
  return { setState, watch, stop: () => clearInterval(sweep) };
}

/** How often the request timeouts are enforced (Node's default is 30 s). */
const checkInterval = (requestTimeout: number): number => Math.max(50, Math.min(1000, Math.floor(requestTimeout / 4)));

/**
 * Relays a raw body to `target` with its type and signatures; resolves undefined when the
 * target accepted it (2xx), else why not. Each relay in flight is in `inFlight` until it ends.
 */
function relayer(target: string, timeoutMs: number, inFlight: Set<Promise<unknown>>) {
  return (req: IncomingMessage, raw: Buffer): Promise<string | undefined> => {
    const headers: Record<string, string> = { 'content-type': header(req, 'content-type') ?? 'application/json' };
    for (const name of FORWARDED_HEADERS) {
      const v = header(req, name);
      if (v !== undefined) headers[name] = v;
    }
    const p = fetch(target, { method: 'POST', headers, body: new Uint8Array(raw), signal: AbortSignal.timeout(timeoutMs) })
      .then(async (r) => {
        await r.arrayBuffer().catch(() => undefined);
        return r.ok ? undefined : `answered ${r.status}`;
      })
      .catch((err: Error) => {
        if (err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
        const cause = err.cause as NodeJS.ErrnoException | undefined;
        return `failed: ${cause?.code ?? cause?.message ?? err.message}`;
      });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };
}

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const requestTimeout = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const relays = new Set<Promise<unknown>>();
  const relay = relayer(opts.forward ?? '', opts.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS, relays);
  const guard = guardConnections(requestTimeout, opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS, opts.onNotice);
  const ctx = handlerContext(opts, relay, guard.setState);
  const server = createServer(serverOptions(requestTimeout), (req, res) => route(ctx, req, res));
  guard.watch(server);
  await listen(server, opts.port, opts.host);
  return receiverHandle(server, opts, relays, guard.stop);
}

/** What the request handlers share: the options, the replay memory, the relay and the connection guard. */
interface Context {
  opts: ReceiverOptions;
  maxBody: number;
  recent: RecentIds;
  relay: (req: IncomingMessage, raw: Buffer) => Promise<string | undefined>;
  setState: (socket: Socket, state: ConnectionState) => void;
  /** Answers `status` with `why` and reports it through onRejected. */
  reject(res: ServerResponse, req: IncomingMessage, status: number, why: string): void;
  /** Runs a callback of the caller's (onEvent); a throw becomes a notice, not a crash. */
  safely(fn: () => void): void;
}

function handlerContext(opts: ReceiverOptions, relay: Context['relay'], setState: Context['setState']): Context {
  return {
    opts,
    maxBody: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    recent: new RecentIds(opts.replayWindow ?? DEFAULT_REPLAY_WINDOW),
    relay,
    setState,
    reject: (res, req, status, why) => {
      answer(res, status, jsonError(why));
      opts.onRejected?.(`${status} ${why} from ${peer(req)}`);
    },
    safely: (fn) => {
      try {
        fn();
      } catch (err) {
        opts.onNotice?.(`webhook handler failed: ${(err as Error).message}`);
      }
    },
  };
}

/** Node's own limits on slow requests, idle keep-alive connections and header size. */
function serverOptions(requestTimeout: number) {
  return {
    requestTimeout: requestTimeout,
    headersTimeout: requestTimeout,
    keepAliveTimeout: Math.min(KEEP_ALIVE_MS, requestTimeout),
    connectionsCheckingInterval: checkInterval(requestTimeout),
    maxHeaderSize: MAX_HEADER_BYTES,
  };
}

/** Every request: tracked as 'reading' until answered, then sent by path and method. */
function route(ctx: Context, req: IncomingMessage, res: ServerResponse): void {
  const { opts, reject } = ctx;
  ctx.setState(req.socket, 'reading');
  res.on('finish', () => ctx.setState(req.socket, 'waiting'));
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://receiver');
  } catch {
    req.resume();
    return reject(res, req, 400, 'bad request target');
  }
  if (url.pathname !== opts.path) {
    req.resume();
    return reject(res, req, 404, `no webhook at ${url.pathname}`);
  }
  if (req.method === 'POST') return onPost(ctx, req, res);
  if (req.method === 'GET' || req.method === 'HEAD') return onGet(ctx, req, res, url);
  req.resume();
  res.setHeader('allow', 'GET, POST');
  reject(res, req, 405, `method ${req.method ?? '?'} not allowed`);
}

/** A POST: refused early when its declared length is over the limit, else read (bounded) and handled. */
function onPost(ctx: Context, req: IncomingMessage, res: ServerResponse): void {
  const { maxBody, reject } = ctx;
  const declared = Number(header(req, 'content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBody) {
    res.setHeader('connection', 'close');
    req.resume();
    return reject(res, req, 413, `body of ${declared} bytes over the ${maxBody}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size > maxBody) {
      tooLarge = true;
      chunks.length = 0;
      res.setHeader('connection', 'close');
      reject(res, req, 413, `body over the ${maxBody}-byte limit`);
      return;
    }
    chunks.push(chunk);
  });
  req.on('error', () => undefined);
  req.on('end', () => {
    if (tooLarge) return;
    ctx.setState(req.socket, 'handling');
    onBody(ctx, req, res, Buffer.concat(chunks, size));
  });
}

/** A whole POST body: its signature checked (when a secret is set), parsed as JSON, then delivered. */
function onBody(ctx: Context, req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
  const { opts, reject } = ctx;
  if (opts.secret !== undefined) {
    const check = checkSignatures(opts.secret, raw, req.headers);
    if (!check.ok) return reject(res, req, 403, check.reason);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(raw.toString('utf8'));
  } catch {
    return reject(res, req, 400, 'body is not JSON');
  }
  deliver(ctx, req, res, payload, raw).catch((err: Error) => {
    opts.onNotice?.(`webhook handler failed: ${err.message}`);
    answer(res, 500, jsonError('internal error'));
  });
}

/** A verified, parsed POST: replays dropped, the rest relayed (when --forward) and printed. */
async function deliver(ctx: Context, req: IncomingMessage, res: ServerResponse, payload: unknown, raw: Buffer) {
  const { opts, recent } = ctx;
  const events = normalizePayload(payload, { raw });
  if (events.length === 0) {
    opts.onNotice?.(`ignored a payload of unknown shape from ${peer(req)}`);
    return answer(res, 200, '{"ok":true}');
  }
  const fresh = events.filter((e) => {
    if (!recent.has(e.id)) return true;
    opts.onNotice?.(`dropped replayed event ${e.id}`);
    return false;
  });
  if (fresh.length > 0 && opts.forward) {
    const refused = await ctx.relay(req, raw);
    if (refused !== undefined) {
      // Not acknowledged and not remembered: the provider retries, and the retry is delivered.
      return ctx.reject(res, req, 502, `forward to ${opts.forward} ${refused}; the sender may retry`);
    }
  }
  // Remembered only now, once accepted (a concurrent copy may have got here first).
  for (const e of fresh) if (recent.add(e.id)) ctx.safely(() => opts.onEvent(e));
  answer(res, 200, '{"ok":true}');
}

/** A GET: a plain one says it is listening; Meta's subscription handshake needs the verify token. */
function onGet(ctx: Context, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const { opts } = ctx;
  const mode = url.searchParams.get('hub.mode');
  if (mode === null) return answer(res, 200, '{"ok":true,"listening":true}');
  const token = url.searchParams.get('hub.verify_token') ?? '';
  const challenge = url.searchParams.get('hub.challenge') ?? '';
  if (mode === 'subscribe' && opts.verifyToken !== undefined && sameText(token, opts.verifyToken)) {
    answer(res, 200, challenge, 'text/plain');
    opts.onNotice?.(`answered the subscription handshake from ${peer(req)}`);
    return;
  }
  ctx.reject(
    res,
    req,
    403,
    opts.verifyToken === undefined ? 'handshake refused (no --verify-token set)' : 'handshake with a wrong verify token',
  );
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/** The listening receiver: its URL, and a close that lets relays in flight finish first. */
function receiverHandle(server: Server, opts: ReceiverOptions, relays: Set<Promise<unknown>>, stop: () => void): Receiver {
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostInUrl}:${port}${opts.path}`,
    port,
    close: async () => {
      stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...relays]);
      server.closeAllConnections();
      await closed;
    },
  };
}
