/**
 * A local webhook receiver on node:http. GET answers Meta's subscription handshake; POST bodies
 * are collected as raw bytes (bounded), their `X-Hub-Signature-256` checked over exactly those
 * bytes with a constant-time compare when a secret is set, answered 200 at once, then normalized
 * into events (./events.ts), replays dropped by event id, and optionally relayed to --forward.
 */
import { createHmac, createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizePayload, type WebhookEvent } from './events.js';

export type { WebhookEvent } from './events.js';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_REPLAY_WINDOW = 10_000;
const FORWARD_TIMEOUT_MS = 10_000;

export interface ReceiverOptions {
  host: string;
  port: number;
  /** The path webhooks are posted to, e.g. '/'. Other paths answer 404. */
  path: string;
  /** App secret: POSTs without a valid X-Hub-Signature-256 answer 403. */
  secret?: string;
  /** Token for Meta's GET handshake; without it every handshake answers 403. */
  verifyToken?: string;
  /** Bodies above this answer 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** How many recent event ids are remembered to drop replays (default 10 000). */
  replayWindow?: number;
  /** An http(s) URL each verified, non-replayed POST is relayed to (raw bytes, same headers). */
  forward?: string;
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

/** Constant-time check of `sha256=<hex>` against HMAC-SHA256(secret, raw). Never throws. */
export function verifySignature(secret: string, raw: Buffer, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  const m = /^sha256=([0-9a-fA-F]+)$/.exec(header.trim());
  if (!m) return false;
  const given = Buffer.from(m[1]!, 'hex');
  const expected = createHmac('sha256', secret).update(raw).digest();
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
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

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const recent = new RecentIds(opts.replayWindow ?? DEFAULT_REPLAY_WINDOW);
  const relays = new Set<Promise<void>>();
  const reject = (res: ServerResponse, req: IncomingMessage, status: number, why: string) => {
    answer(res, status, jsonError(why));
    opts.onRejected?.(`${status} ${why} from ${peer(req)}`);
  };
  const safely = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      opts.onNotice?.(`webhook handler failed: ${(err as Error).message}`);
    }
  };

  const relay = (req: IncomingMessage, raw: Buffer) => {
    const headers: Record<string, string> = { 'content-type': header(req, 'content-type') ?? 'application/json' };
    for (const name of ['x-hub-signature-256', 'x-hub-signature', 'x-interflow-event-id']) {
      const v = header(req, name);
      if (v !== undefined) headers[name] = v;
    }
    const p = fetch(opts.forward!, { method: 'POST', headers, body: new Uint8Array(raw), signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS) })
      .then(async (r) => {
        await r.arrayBuffer().catch(() => undefined);
        if (!r.ok) opts.onNotice?.(`forward to ${opts.forward} answered ${r.status}`);
      })
      .catch((err: Error) => {
        const cause = (err.cause as Error | undefined)?.message;
        opts.onNotice?.(`forward to ${opts.forward} failed: ${cause ?? err.message}`);
      })
      .finally(() => relays.delete(p));
    relays.add(p);
  };

  const onPost = (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(header(req, 'content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBody) {
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
        reject(res, req, 413, `body over the ${maxBody}-byte limit`);
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (tooLarge) return;
      const raw = Buffer.concat(chunks, size);
      if (opts.secret !== undefined) {
        const sig = header(req, 'x-hub-signature-256');
        if (sig === undefined) return reject(res, req, 403, 'missing signature');
        if (!verifySignature(opts.secret, raw, sig)) return reject(res, req, 403, 'bad signature');
      }
      let payload: unknown;
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        return reject(res, req, 400, 'body is not JSON');
      }
      // Verified: answer at once; everything else happens after.
      answer(res, 200, '{"ok":true}');
      const events = normalizePayload(payload, { raw, headers: req.headers });
      if (events.length === 0) {
        opts.onNotice?.(`ignored a payload of unknown shape from ${peer(req)}`);
        return;
      }
      let fresh = 0;
      for (const e of events) {
        if (!recent.add(e.id)) {
          opts.onNotice?.(`dropped replayed event ${e.id}`);
          continue;
        }
        fresh++;
        safely(() => opts.onEvent(e));
      }
      if (fresh > 0 && opts.forward) relay(req, raw);
    });
  };

  const onGet = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const mode = url.searchParams.get('hub.mode');
    if (mode === null) return answer(res, 200, '{"ok":true,"listening":true}');
    const token = url.searchParams.get('hub.verify_token') ?? '';
    const challenge = url.searchParams.get('hub.challenge') ?? '';
    if (mode === 'subscribe' && opts.verifyToken !== undefined && sameText(token, opts.verifyToken)) {
      answer(res, 200, challenge, 'text/plain');
      opts.onNotice?.(`answered the subscription handshake from ${peer(req)}`);
      return;
    }
    reject(res, req, 403, opts.verifyToken === undefined ? 'handshake refused (no --verify-token set)' : 'handshake with a wrong verify token');
  };

  const server = createServer((req, res) => {
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
    if (req.method === 'POST') return onPost(req, res);
    if (req.method === 'GET' || req.method === 'HEAD') return onGet(req, res, url);
    req.resume();
    res.setHeader('allow', 'GET, POST');
    reject(res, req, 405, `method ${req.method ?? '?'} not allowed`);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostInUrl}:${port}${opts.path}`,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...relays]);
      server.closeAllConnections();
      await closed;
    },
  };
}
