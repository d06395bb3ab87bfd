/**
 * The sandbox: a local HTTP server (node:http) that speaks the send APIs of the four providers,
 * validates what it receives as strictly as their documents describe, answers as they do, and
 * keeps what it received.
 *
 *   /interflow/v1/…   ./interflow.ts      /turn/…          ./turn.ts
 *   /interacto/…      ./interacto.ts      /socialminer/…   ./socialminer.ts
 *   GET|DELETE /_sandbox/requests         what was received (credentials masked) / forget it
 *   GET /_sandbox/stats                   stats(): requests, accepted, byStatus, distinctBodies
 *   GET /_sandbox/webhooks                webhookStats(): Interflow webhooks registered, deliveries queued/delivered/failed
 *   GET /_sandbox/accepted                accepted(): the messages accepted, in order
 *   POST /_sandbox/reset                  reset(): forget everything, fault counters included
 *
 * This file routes, reads bodies (1 MiB at most), injects the faults of ./faults.ts, checks
 * nothing about messages itself, and keeps the received log and the counters. The validation is
 * written from docs/providers/, never from src/providers or src/message: the sandbox is how
 * the CLI's adapters are checked.
 *
 * The recipient REFUSED_RECIPIENT (5511900000422) is refused by every provider with its own
 * "not on WhatsApp" answer (see ./common.ts), for per-row refusals in tests without flags;
 * `refusals` (--refuse) refuses chosen recipients as one of Meta's codes says, each provider in its own words.
 *
 * The hot path stays cheap, for benchmarks at tens of thousands of requests a second: nothing is
 * logged unless onRequest asks, every counter is O(1) per request, schemas are built once at
 * module load, and with `record: 'none'` nothing grows per request but a set of 27-character digests
 * (distinctBodies) and a rate window when `rate` is set.
 */
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SlidingWindowLimiter,
  rateLimitHeaders,
  summaryOf,
  type HandlerRequest,
  type HandlerResponse,
  type KeyCheck,
  type ProviderHandler,
  type ProviderName,
  type RateDecision,
} from './common.js';
import { PROVIDER_PREFIXES } from './paths.js';
import {
  DEFAULT_DRIP_MS,
  DEFAULT_OVERSIZE_BYTES,
  FaultCounters,
  RefusalCounters,
  checkFaultOptions,
  type FaultKind,
  type FaultOptions,
  type FaultStatus,
  type Refusal,
} from './faults.js';
import { createInteractoHandler, interactoRefusal } from './interacto.js';
import {
  PLAN_LIMITS,
  createInterflowHandler,
  interflowRefusal,
  InterflowMessageStore,
  type InterflowChannel,
  type Plan,
} from './interflow.js';
import { InterflowResources, checkStatusDelays, type StatusScheduler } from './interflow-resources.js';
import { createSocialMinerHandler } from './socialminer.js';
import { createTurnHandler } from './turn.js';
import { WebhookDispatcher, type WebhookDelivery, type WebhookStats } from './webhooks.js';
import { MetaStatusPoster, type Fate } from './meta-statuses.js';

export type { InterflowChannel, InterflowMessageRecord, InterflowMessageStatus, Plan } from './interflow.js';
export { InterflowMessageStore, PLAN_LIMITS } from './interflow.js';
export { DEFAULT_STATUS_DELAYS_MS, type Chat, type Customer, type StatusScheduler } from './interflow-resources.js';
export { WEBHOOK_EVENTS, type Webhook, type WebhookDelivery, type WebhookStats } from './webhooks.js';
export {
  FAULT_STATUSES,
  REFUSAL_CODES,
  REFUSED_RECIPIENT,
  describeFaults,
  type FaultKind,
  type FaultOptions,
  type FaultStatus,
  type Refusal,
} from './faults.js';

/** How Interflow and Interacto answer a --refuse code, in words: "Interflow 422 CHANNEL_DISCONNECTED, Interacto 422". */
export function ownRefusals(code: number): string {
  const interflow = interflowRefusal(code, { to: '' });
  const own = (interflow.body as { error: { code: string } }).error.code;
  return `Interflow ${interflow.status} ${own}, Interacto ${interactoRefusal(code, DEFAULT_INSTANCES[0]!).status}`;
}

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
  /** Requests a minute per Interflow API key; overrides `plan` (handy in tests). `faults.rate` overrides both. */
  rateLimit?: number;
  /** The rate-limit window in ms (default 60000), for `rateLimit`/`plan` and `faults.rate`. */
  rateWindowMs?: number;
  /**
   * The clock of the rate limits and of each request's arrival time (ms since the epoch; Date.now
   * unless given): a test moves it past the window instead of waiting the window out.
   */
  clock?: () => number;
  /** Faults to inject into send requests (see ./faults.ts): 429/5xx, resets, hangs, latency, a rate limit. */
  faults?: FaultOptions;
  /**
   * 'all' (default): every request is kept in `received` and every accepted message, body
   * included, in accepted(). 'none', for long benchmarks: memory stays flat — `received` stays
   * empty, accepted() returns [], Interflow's message store keeps nothing (GET /messages/:id is
   * 404), and only stats() counts (distinctBodies with one 27-character digest per distinct message).
   */
  record?: 'all' | 'none';
  /**
   * Called with each request once it is handled and recorded: before a `latencyMs` delay, and
   * with status 0 for a reset or hung one. Also called with record: 'none'.
   */
  onRequest?: (request: ReceivedRequest) => void;
  /**
   * Interflow: ms from `sent` to `delivered` and from `delivered` to `read` for an accepted
   * message (normal path, record 'all' only). Default [1500, 1500].
   */
  statusDelaysMs?: [number, number];
  /** Interflow: when those moves happen (default: unref'd timers). Tests pass one they drive. */
  statusScheduler?: StatusScheduler;
  /**
   * Signs webhook deliveries: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`.
   * Unsigned when absent.
   */
  webhookSecret?: string;
  /**
   * Turn and SocialMiner: URLs their accepted messages' statuses are POSTed to, Meta-shaped and
   * signed with webhookSecret (./meta-statuses.ts); each recipient's fate by `fates`, else its number.
   */
  statusWebhooks?: string[];
  /** Recipient (digits) → what becomes of messages to it: read | delivered | sent | failed | none. */
  fates?: Record<string, Fate>;
  /**
   * Recipient (digits, or '*' for any other) → Meta's error code its valid messages are refused
   * with, the first `times` of them or all (./faults.ts, ./meta-errors.ts): Turn and SocialMiner
   * answer the code in Meta's envelope, Interflow and Interacto their own answer for the same
   * situation (interflowRefusal, interactoRefusal). Sandbox.refuse() replaces them while it runs.
   */
  refusals?: Record<string, Refusal>;
  /**
   * An Interflow batch with an item refused for the key, the rate, the service or the channel:
   * 'request' (default) refuses the whole request, 'item' that item alone, with its status.
   */
  batchRefusals?: 'request' | 'item';
  /** ms one webhook delivery may take (default 5000). */
  webhookTimeoutMs?: number;
  /** Called after each webhook delivery attempt (for the command's log). */
  onWebhookDelivery?: (delivery: WebhookDelivery) => void;
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
  /** What the sandbox answered; 0 when it answered nothing (a reset or hung request). */
  status: number;
  /** Whether the server accepted the message (a send that got an id: answered 2xx, reset or hung). */
  accepted: boolean;
  /** The injected fault or limit that decided the answer, if one did. */
  fault?: FaultKind;
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

/** A message the server accepted (it has an id), whether or not its answer reached the client. */
export interface AcceptedMessage {
  provider: ProviderName;
  messageId: string;
  /** The recipient the body named. */
  to: string;
  /** The parsed JSON body. */
  body: unknown;
}

export interface SandboxStats {
  /** Requests to provider routes (unknown paths included; /_sandbox/* not). */
  requests: number;
  /** Messages accepted (reset and hung ones included). */
  accepted: number;
  /** Requests by the status answered; 0 counts resets and hangs. */
  byStatus: Record<number, number>;
  /**
   * Distinct (to, exact body bytes) pairs among the accepted messages: equal to `accepted` when
   * no message was accepted twice, which is what "the server saw each message once" checks.
   */
  distinctBodies: number;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  port: number;
  host: string;
  /** Every request to a provider route, in order, refused ones included (empty with record: 'none'). */
  received: ReceivedRequest[];
  /** The messages Interflow accepted (GET /messages/:id reads this; empty with record: 'none'). */
  messages: InterflowMessageStore;
  /** The messages accepted, in order, by every provider, reset/hung ones included ([] with record: 'none'). */
  accepted(): AcceptedMessage[];
  /** Counters kept as requests arrive (also with record: 'none'). */
  stats(): SandboxStats;
  /** Interflow webhook deliveries: queued, delivered (2xx), failed. Also GET /_sandbox/webhooks. */
  webhookStats(): WebhookStats;
  /** How many webhooks are registered (POST /interflow/v1/webhooks). */
  webhookCount(): number;
  close(): Promise<void>;
  /** Replaces the refusals (SandboxOptions.refusals); their counts start again. */
  refuse(refusals: Record<string, Refusal>): void;
  /**
   * Forgets received requests, accepted messages, stats, Interflow messages, customers, chats
   * (back to the seeded ones), webhooks and pending status changes, rate-limit windows and fault counters.
   */
  reset(): void;
}

export const DEFAULT_CHANNELS: readonly InterflowChannel[] = [
  { id: '550e8400-e29b-41d4-a716-446655440000', status: 'connected' },
  { id: '550e8400-e29b-41d4-a716-446655440001', status: 'disconnected' },
];
export const DEFAULT_INSTANCES: readonly string[] = ['66a09db606fd14660c8fc1d0'];
export const DEFAULT_PLAN: Plan = 'professional';
export const MAX_BODY_BYTES = 1024 * 1024;

export { DEFAULT_SANDBOX_PORT, PROVIDER_PREFIXES } from './paths.js';

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
    let first: Buffer | undefined;
    let chunks: Buffer[] | undefined;
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (tooLarge) return;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        first = chunks = undefined;
      } else if (first === undefined) {
        first = chunk;
      } else {
        (chunks ??= [first]).push(chunk);
      }
    });
    req.on('end', () => resolve({ bytes: chunks ? Buffer.concat(chunks) : (first ?? EMPTY), tooLarge }));
    req.on('error', reject);
  });
}

const EMPTY = Buffer.alloc(0);

function parseBody(bytes: Buffer): { text: string; json: HandlerRequest['json'] } {
  if (bytes.length === 0) return { text: '', json: { kind: 'empty' } };
  const text = bytes.toString('utf8');
  if (!isUtf8(bytes)) return { text, json: { kind: 'invalid', reason: 'the body is not valid UTF-8' } };
  if (text.charCodeAt(0) === 0xfeff) return { text, json: { kind: 'invalid', reason: 'the body starts with a byte order mark (BOM)' } };
  try {
    return { text, json: { kind: 'json', value: JSON.parse(text) as unknown } };
  } catch (err) {
    return { text, json: { kind: 'invalid', reason: err instanceof Error ? err.message : String(err) } };
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const h = req.headers;
  for (const name in h) {
    const value = h[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** pathname and query of a request target; the common "/a/b?c" without a URL object. */
function splitTarget(raw: string): { pathname: string; query: URLSearchParams } {
  // Anything unusual (dot segments, "//", backslashes, absolute form) goes through the URL parser.
  if (raw.charCodeAt(0) === 47 && raw.charCodeAt(1) !== 47 && !raw.includes('/.') && !raw.includes('\\') && !raw.includes('#')) {
    const q = raw.indexOf('?');
    return q === -1
      ? { pathname: raw, query: new URLSearchParams() }
      : { pathname: raw.slice(0, q), query: new URLSearchParams(raw.slice(q + 1)) };
  }
  const url = new URL(raw, 'http://sandbox.invalid');
  return { pathname: url.pathname, query: url.searchParams };
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  // writeHead's flat [name, value, …] form: no header object to build.
  const out: string[] = [];
  if (headers) for (const name in headers) out.push(name, headers[name]!);
  if (payload) out.push('Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(payload)));
  res.writeHead(status, out);
  res.end(payload);
}

function route(pathname: string, handlers: ProviderHandler[]): { handler: ProviderHandler; rest: string } | undefined {
  for (const handler of handlers) {
    const prefix = PROVIDER_PREFIXES[handler.provider];
    if (pathname === prefix || pathname.startsWith(prefix + '/')) return { handler, rest: pathname.slice(prefix.length) || '/' };
  }
  return undefined;
}

/** The key distinctBodies counts: a SHA-1 of (to, body bytes), 27 characters whatever the body's size. */
function bodyDigest(to: string, rawBody: string): string {
  return hash('sha1', `${to}\n${rawBody}`, 'base64');
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const config = checkOptions(opts);
  const parts = buildParts(opts, config);
  const ledger = new Ledger(config.recordAll);
  const ctx: ServeContext = { opts, config, parts, ledger, timers: new Set() };
  const server = createServer((req, res) => {
    serve(ctx, req, res).catch((err: unknown) => {
      if (!res.headersSent) writeJson(res, 500, { error: 'internal sandbox error', message: String(err) });
      else res.destroy();
    });
  });
  await listen(server, config.port, config.host);
  return sandboxApi(ctx, server);
}

/** The options checked (a RangeError naming the one out of range) and their defaults filled in. */
interface SandboxConfig {
  port: number;
  host: string;
  rateLimit: number;
  faults: FaultOptions;
  recordAll: boolean;
  failStatus: FaultStatus;
  latencyMs: number;
  /** faults.retryAfter as the header's value. */
  retryAfter: string | undefined;
}

function checkOptions(opts: SandboxOptions): SandboxConfig {
  const port = opts.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`sandbox port must be 0-65535, got ${port}`);
  const plan = opts.plan ?? DEFAULT_PLAN;
  if (!Object.hasOwn(PLAN_LIMITS, plan)) throw new RangeError(`sandbox plan must be one of ${Object.keys(PLAN_LIMITS).join(', ')}`);
  const rateLimit = opts.rateLimit ?? PLAN_LIMITS[plan];
  if (!Number.isInteger(rateLimit) || rateLimit < 1) throw new RangeError(`sandbox rateLimit must be a positive integer`);
  const faults: FaultOptions = { ...opts.faults };
  checkFaultOptions(faults);
  if (opts.record !== undefined && opts.record !== 'all' && opts.record !== 'none') {
    throw new RangeError(`sandbox record must be 'all' or 'none', got ${String(opts.record)}`);
  }
  if (opts.statusDelaysMs !== undefined) checkStatusDelays(opts.statusDelaysMs);
  return {
    port,
    host: opts.host ?? '127.0.0.1',
    rateLimit,
    faults,
    recordAll: (opts.record ?? 'all') === 'all',
    failStatus: faults.failStatus ?? 503,
    latencyMs: faults.latencyMs ?? 0,
    retryAfter: faults.retryAfter === undefined ? undefined : String(faults.retryAfter),
  };
}

/** The providers and what they share: webhooks, Interflow's store and resources, the limits and fault counters. */
interface SandboxParts {
  interflow: ReturnType<typeof createInterflowHandler>;
  handlers: ProviderHandler[];
  webhooks: WebhookDispatcher;
  metaStatuses: MetaStatusPoster;
  /** faults.rate: one window per key for every provider; Interflow's plan limit gives way to it. */
  sharedLimiter: SlidingWindowLimiter | undefined;
  counters: FaultCounters;
  refusals: RefusalCounters;
}

function buildParts(opts: SandboxOptions, config: SandboxConfig): SandboxParts {
  const allowed = opts.apiKeys ? new Set(opts.apiKeys) : undefined;
  const checkKey: KeyCheck = (key) => (allowed ? allowed.has(key) : key.trim().length > 0);
  const sharedLimiter =
    config.faults.rate === undefined ? undefined : new SlidingWindowLimiter(config.faults.rate, opts.rateWindowMs, opts.clock);
  const webhooks = new WebhookDispatcher({
    ...(opts.webhookSecret !== undefined ? { secret: opts.webhookSecret } : {}),
    ...(opts.webhookTimeoutMs !== undefined ? { timeoutMs: opts.webhookTimeoutMs } : {}),
    ...(opts.onWebhookDelivery ? { onDelivery: opts.onWebhookDelivery } : {}),
  });
  const metaStatuses = new MetaStatusPoster({
    urls: opts.statusWebhooks ?? [],
    ...(opts.webhookSecret !== undefined ? { secret: opts.webhookSecret } : {}),
    ...(opts.fates ? { fates: opts.fates } : {}),
    ...(opts.webhookTimeoutMs !== undefined ? { timeoutMs: opts.webhookTimeoutMs } : {}),
  });
  const refusals = new RefusalCounters(opts.refusals);
  const refuse = (to: string): number | undefined => refusals.next(to);
  const interflow = buildInterflow(opts, config, { checkKey, refuse }, webhooks, sharedLimiter);
  const handlers: ProviderHandler[] = [
    interflow,
    createInteractoHandler({ checkKey, refuse, instances: [...(opts.instances ?? DEFAULT_INSTANCES)] }),
    createTurnHandler({ checkKey, refuse }),
    createSocialMinerHandler({ checkKey, refuse }),
  ];
  return { interflow, handlers, webhooks, metaStatuses, sharedLimiter, counters: new FaultCounters(config.faults), refusals };
}

/** Interflow's handler over its channels, message store and resources (customers, chats, webhooks, statuses). */
function buildInterflow(
  opts: SandboxOptions,
  config: SandboxConfig,
  { checkKey, refuse }: { checkKey: KeyCheck; refuse: (to: string) => number | undefined },
  webhooks: WebhookDispatcher,
  sharedLimiter: SlidingWindowLimiter | undefined,
): ReturnType<typeof createInterflowHandler> {
  const channels = (opts.channels ?? DEFAULT_CHANNELS).map((c) => ({ ...c }));
  const store = new InterflowMessageStore();
  const resources = new InterflowResources({
    store,
    webhooks,
    channels,
    channelId: (channels.find((c) => c.status === 'connected') ?? channels[0])?.id ?? DEFAULT_CHANNELS[0]!.id,
    ...(opts.statusDelaysMs ? { statusDelaysMs: opts.statusDelaysMs } : {}),
    ...(opts.statusScheduler ? { statusScheduler: opts.statusScheduler } : {}),
  });
  return createInterflowHandler({
    checkKey,
    refuse,
    channels,
    rateLimit: config.rateLimit,
    rateWindowMs: opts.rateWindowMs,
    ...(opts.clock ? { clock: opts.clock } : {}),
    keepMessages: config.recordAll,
    store,
    resources,
    ...(sharedLimiter ? { limiter: sharedLimiter } : {}),
    ...(opts.batchRefusals ? { batchRefusals: opts.batchRefusals } : {}),
  });
}

/** What the sandbox keeps of the requests: the received log, the accepted messages and the counters. */
class Ledger {
  readonly received: ReceivedRequest[] = [];
  readonly acceptedList: AcceptedMessage[] = [];
  private readonly digests = new Set<string>();
  private requestCount = 0;
  private acceptedCount = 0;
  private byStatus: Record<number, number> = {};

  constructor(private readonly recordAll: boolean) {}

  /** A request answered `status` (0: reset or hung). */
  answered(status: number): void {
    this.requestCount++;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
  }

  /** A message accepted: counted, its (to, body) digested, and kept with record 'all'. */
  accepted(message: AcceptedMessage, rawBody: string): void {
    this.acceptedCount++;
    this.digests.add(bodyDigest(message.to, rawBody));
    if (this.recordAll) this.acceptedList.push(message);
  }

  stats(): SandboxStats {
    return { requests: this.requestCount, accepted: this.acceptedCount, byStatus: { ...this.byStatus }, distinctBodies: this.digests.size };
  }

  clear(): void {
    this.received.length = 0;
    this.acceptedList.length = 0;
    this.digests.clear();
    this.requestCount = this.acceptedCount = 0;
    this.byStatus = {};
  }
}

interface ServeContext {
  opts: SandboxOptions;
  config: SandboxConfig;
  parts: SandboxParts;
  ledger: Ledger;
  /** Latency and drip timers, cleared by close(). */
  timers: Set<NodeJS.Timeout>;
}

/** Forgets everything (SandboxOptions' reset()): the ledger, fault and refusal counters, limits, providers' state. */
function resetSandbox(ctx: ServeContext): void {
  ctx.ledger.clear();
  ctx.parts.counters.clear();
  ctx.parts.refusals.clear();
  ctx.parts.sharedLimiter?.clear();
  for (const h of ctx.parts.handlers) h.reset?.();
}

/** Answers a /_sandbox/* request; false when the path is not one. */
function control(ctx: ServeContext, pathname: string, method: string, res: ServerResponse): boolean {
  const { ledger, parts } = ctx;
  const only = (allow: string, answer: () => unknown): void => {
    if (method === allow) writeJson(res, 200, answer());
    else writeJson(res, 405, { error: 'method not allowed' }, { Allow: allow });
  };
  switch (pathname) {
    case '/_sandbox/requests':
      if (method === 'GET') writeJson(res, 200, ledger.received.map(maskRequest));
      else if (method === 'DELETE') {
        const cleared = ledger.received.length;
        ledger.received.length = 0;
        writeJson(res, 200, { cleared });
      } else writeJson(res, 405, { error: 'method not allowed' }, { Allow: 'GET, DELETE' });
      return true;
    case '/_sandbox/stats':
      only('GET', () => ledger.stats());
      return true;
    case '/_sandbox/accepted':
      only('GET', () => ledger.acceptedList);
      return true;
    case '/_sandbox/webhooks':
      only('GET', () => ({ registered: parts.webhooks.size, ...parts.webhooks.stats() }));
      return true;
    case '/_sandbox/reset':
      only('POST', () => {
        resetSandbox(ctx);
        return { reset: true };
      });
      return true;
    default:
      return false;
  }
}

/** A provider request as read: its handler (if a route matched), the handler's view of it, and whether it is a send. */
interface Incoming {
  method: string;
  rawPath: string;
  arrived: number;
  headers: Record<string, string>;
  rawBody: string;
  json: HandlerRequest['json'];
  tooLarge: boolean;
  handler: ProviderHandler | undefined;
  hreq: HandlerRequest;
  isSend: boolean;
}

/** What was answered, and which fault stage or limit decided it. */
interface Decision {
  answer: HandlerResponse;
  fault: FaultKind | undefined;
  rate: RateDecision | undefined;
}

async function serve(ctx: ServeContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const arrived = (ctx.opts.clock ?? Date.now)();
  const method = req.method ?? 'GET';
  const rawPath = req.url ?? '/';
  const { pathname, query } = splitTarget(rawPath);
  const { bytes, tooLarge } = await readBody(req);

  if (pathname.startsWith('/_sandbox/') && control(ctx, pathname, method, res)) return;

  const headers = flatHeaders(req);
  const { text: rawBody, json } = tooLarge ? { text: '', json: { kind: 'empty' } as const } : parseBody(bytes);
  const matched = route(pathname, ctx.parts.handlers);
  const handler = matched?.handler;
  const hreq: HandlerRequest = { method, path: matched?.rest ?? pathname, query, headers, rawBody, json, rate: undefined };
  const isSend =
    handler !== undefined &&
    !tooLarge &&
    method === 'POST' &&
    (hreq.path === handler.sendPath || (handler.batchPath !== undefined && hreq.path === handler.batchPath));
  const incoming: Incoming = { method, rawPath, arrived, headers, rawBody, json, tooLarge, handler, hreq, isSend };

  const decision = await decide(ctx, incoming);
  const outcome = tally(ctx, incoming, decision);
  if (ctx.config.recordAll || ctx.opts.onRequest) keepRecord(ctx, incoming, decision, outcome);
  respond(ctx, req, res, incoming, decision);
}

/** The answer: a fault stage's or the rate limit's for a send, else the handler's, else 404/413. */
async function decide(ctx: ServeContext, incoming: Incoming): Promise<Decision> {
  const { handler, hreq, tooLarge, json } = incoming;
  const gated = incoming.isSend ? gate(ctx, handler!, hreq, incoming.arrived) : { answer: undefined, fault: undefined, rate: undefined };
  let answer = gated.answer;
  if (!answer && handler && tooLarge) {
    answer = handler.error(413, `Request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`);
  } else if (!answer && handler) {
    try {
      const handled = handler.handle(hreq);
      answer = handled instanceof Promise ? await handled : handled;
    } catch (err) {
      answer = { status: 500, body: { error: 'internal sandbox error' }, error: err instanceof Error ? err.message : String(err) };
    }
  }
  answer ??= tooLarge
    ? { status: 413, body: { error: 'payload too large' }, error: 'payload too large' }
    : { status: 404, body: { error: 'not found' }, error: 'not found' };
  const { fault, rate } = gated;
  // Send answers carry the figures of the window that counted them (every provider's with
  // faults.rate, Interflow's always), fault answers included.
  if (rate) answer.headers = answer.headers ? Object.assign(answer.headers, rateLimitHeaders(rate)) : rateLimitHeaders(rate);
  // For the log: whom a fault answer was for.
  if (fault === 'rate' || fault === 'fail') Object.assign(answer, summaryOf(json.kind === 'json' ? json.value : undefined));
  return { answer, fault, rate };
}

/**
 * The stages a send goes through before its provider sees it (./faults.ts): the rate limit
 * (the shared one, else Interflow's), then the fault counters. Requests without a valid key
 * count for nothing here.
 */
function gate(
  ctx: ServeContext,
  handler: ProviderHandler,
  hreq: HandlerRequest,
  arrived: number,
): { answer: HandlerResponse | undefined; fault: FaultKind | undefined; rate: RateDecision | undefined } {
  const { parts, config } = ctx;
  const key = handler.credential(hreq);
  if (key === undefined) return { answer: undefined, fault: undefined, rate: undefined };
  const limiter = parts.sharedLimiter ?? (handler === parts.interflow ? parts.interflow.limiter : undefined);
  const rate = limiter?.hit(key, arrived);
  if (rate) {
    hreq.rate = rate;
    if (!rate.allowed) {
      const answer = handler.fault(429, rate);
      answer.headers = { ...answer.headers, 'Retry-After': config.retryAfter ?? String(rate.retryAfter ?? 1) };
      return { answer, fault: 'rate', rate };
    }
  }
  const fault = parts.counters.next();
  if (fault !== 'fail') return { answer: undefined, fault, rate };
  const answer = handler.fault(config.failStatus);
  if (config.retryAfter !== undefined) answer.headers = { ...answer.headers, 'Retry-After': config.retryAfter };
  return { answer, fault, rate };
}

/** Counts the request and the messages it got accepted; the status it is recorded with, and whether it was accepted. */
function tally(ctx: ServeContext, incoming: Incoming, { answer, fault }: Decision): { status: number; accepted: boolean } {
  const { handler, isSend } = incoming;
  const silent = fault === 'reset' || fault === 'hang';
  const status = silent ? 0 : answer.status;
  const answered2xx = silent || (answer.status >= 200 && answer.status < 300);
  const accepted = isSend && answer.messageId !== undefined && answered2xx;
  ctx.ledger.answered(status);
  if (accepted) acceptedOne(ctx, handler!, incoming, answer, fault);
  // A batch (Interflow's /messages/bulk): each message it accepted, as a single send's.
  const batchAccepted = isSend && answer.batch !== undefined && answered2xx ? answer.batch : [];
  for (const item of batchAccepted) {
    if (handler === ctx.parts.interflow && fault === undefined && ctx.config.recordAll) ctx.parts.interflow.accepted(item.id);
    ctx.ledger.accepted({ provider: handler!.provider, messageId: item.id, to: item.to, body: item.body }, JSON.stringify(item.body));
  }
  return { status, accepted: accepted || batchAccepted.length > 0 };
}

/** A single send accepted: its life begins (Interflow's statuses, Turn's and SocialMiner's status webhooks), and the ledger keeps it. */
function acceptedOne(
  ctx: ServeContext,
  handler: ProviderHandler,
  incoming: Incoming,
  answer: HandlerResponse,
  fault: FaultKind | undefined,
): void {
  const { parts } = ctx;
  const messageId = answer.messageId!;
  // The life of an Interflow message (sent → delivered → read, webhooks): normal answers only.
  if (handler === parts.interflow && fault === undefined && ctx.config.recordAll) parts.interflow.accepted(messageId);
  // Turn and SocialMiner: statuses to the status webhooks (normal answers only).
  if ((handler.provider === 'turn' || handler.provider === 'socialminer') && fault === undefined) {
    parts.metaStatuses.accepted(handler.provider, messageId, answer.to ?? '');
  }
  const body = incoming.json.kind === 'json' ? incoming.json.value : undefined;
  ctx.ledger.accepted({ provider: handler.provider, messageId, to: answer.to ?? '', body }, incoming.rawBody);
}

/** The request as `received` and onRequest have it. */
function keepRecord(
  ctx: ServeContext,
  incoming: Incoming,
  { answer, fault }: Decision,
  outcome: { status: number; accepted: boolean },
): void {
  const { json } = incoming;
  const record: ReceivedRequest = {
    provider: incoming.handler?.provider ?? 'unknown',
    method: incoming.method,
    path: incoming.rawPath,
    headers: incoming.headers,
    rawBody: incoming.rawBody,
    body: json.kind === 'json' ? json.value : undefined,
    status: outcome.status,
    accepted: outcome.accepted,
    ...(fault === undefined ? {} : { fault }),
    ...(answer.messageId === undefined ? {} : { messageId: answer.messageId }),
    ...(answer.messageType === undefined ? {} : { messageType: answer.messageType }),
    ...(answer.to === undefined ? {} : { to: answer.to }),
    ...(answer.error === undefined ? {} : { error: answer.error }),
    at: new Date(incoming.arrived).toISOString(),
  };
  if (ctx.config.recordAll) ctx.ledger.received.push(record);
  ctx.opts.onRequest?.(record);
}

/** Writes the answer, or the fault instead of it: a reset, no answer, a drip, an oversize body, or the answer late. */
function respond(ctx: ServeContext, req: IncomingMessage, res: ServerResponse, incoming: Incoming, { answer, fault }: Decision): void {
  if (fault === 'reset') {
    // Read completely, accepted, and then the connection goes away with a TCP RST, no answer.
    try {
      req.socket.resetAndDestroy();
    } catch {
      req.socket.destroy();
    }
    return;
  }
  if (fault === 'hang') return; // never answered; the socket stays open until the client gives up or close()
  if (fault === 'drip') return drip(ctx, res, answer);
  if (fault === 'oversize') return oversize(ctx.config.faults, res);

  const latencyMs = ctx.config.latencyMs;
  if (incoming.isSend && latencyMs > 0) {
    const timer = setTimeout(() => {
      ctx.timers.delete(timer);
      if (!res.destroyed && !res.writableEnded) writeJson(res, answer.status, answer.body, answer.headers);
    }, latencyMs);
    ctx.timers.add(timer);
    return;
  }
  writeJson(res, answer.status, answer.body, answer.headers);
}

/** The answer with its headers at once and its body one byte every dripMs. */
function drip(ctx: ServeContext, res: ServerResponse, answer: HandlerResponse): void {
  const payload = Buffer.from(JSON.stringify(answer.body ?? {}));
  const head: string[] = [];
  if (answer.headers) for (const name in answer.headers) head.push(name, answer.headers[name]!);
  head.push('Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(payload.length));
  res.writeHead(answer.status, head);
  res.flushHeaders();
  let at = 0;
  const timer = setInterval(() => {
    if (res.destroyed || at >= payload.length) {
      clearInterval(timer);
      ctx.timers.delete(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(payload.subarray(at, ++at));
  }, ctx.config.faults.dripMs ?? DEFAULT_DRIP_MS);
  ctx.timers.add(timer);
  res.once('close', () => {
    clearInterval(timer);
    ctx.timers.delete(timer);
  });
}

/** 200 with a JSON body of oversizeBytes, written as fast as the client reads it. */
function oversize(faults: FaultOptions, res: ServerResponse): void {
  const total = faults.oversizeBytes ?? DEFAULT_OVERSIZE_BYTES;
  res.writeHead(200, ['Content-Type', 'application/json; charset=utf-8']);
  const chunk = Buffer.alloc(64 * 1024, 0x20); // JSON whitespace
  let left = total;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      left -= part.length;
      if (!res.write(part)) return void res.once('drain', pump);
    }
    if (!res.destroyed) res.end('{}');
  };
  res.on('error', () => undefined);
  pump();
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The Sandbox a caller holds, over the listening server. */
function sandboxApi(ctx: ServeContext, server: Server): Sandbox {
  const { parts, ledger, config } = ctx;
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    host: config.host,
    received: ledger.received,
    messages: parts.interflow.store,
    accepted: () => [...ledger.acceptedList],
    stats: () => ledger.stats(),
    webhookStats: () => parts.webhooks.stats(),
    webhookCount: () => parts.webhooks.size,
    refuse: (r) => parts.refusals.set(r),
    close() {
      parts.metaStatuses.close();
      closing ??= new Promise<void>((resolve, reject) => {
        for (const t of ctx.timers) clearTimeout(t);
        ctx.timers.clear();
        parts.interflow.close();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
    reset: () => resetSandbox(ctx),
  };
}
