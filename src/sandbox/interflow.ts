/**
 * Interflow in the sandbox (docs/providers/interflow.md),
 * served under /interflow/v1:
 *
 *   POST /messages/send   Authorization: Bearer KEY, Content-Type: application/json
 *   POST /messages/bulk   {channel_id, messages:[{to, type, content}…]} (the assumed shape, PRODUCT.md): per-item results
 *   GET  /messages/:id    the current status (sent → delivered → read), updated_at once it moved on
 *
 * and, through ./interflow-resources.ts, /customers, /chats and /webhooks.
 *
 * Answers `{success:true, data}` or `{success:false, error:{code, message, details?}}`, and every
 * answer carries X-RateLimit-Limit / -Remaining / -Reset (per API key, sliding minute window).
 */
import * as z from 'zod';
import {
  PHONE_RE,
  PHONE_RULE,
  REFUSED_RECIPIENT,
  SlidingWindowLimiter,
  bearerToken,
  bilingual,
  fieldProblems,
  isJsonContentType,
  isPlainObject,
  isoSeconds,
  randomAlnum,
  rateLimitHeaders as rateHeaders,
  summaryOf,
  type FaultStatus,
  type HandlerRequest,
  type HandlerResponse,
  type KeyCheck,
  type ProviderHandler,
  type RateDecision,
} from './common.js';
import { channelId, channelRefusal, failure, validationError, type InterflowResources } from './interflow-resources.js';
import { httpUrl, templateComponents, text } from './meta.js';
import { INTERFLOW_REFUSALS, type InterflowRefusalCode } from './faults.js';

// ---------------------------------------------------------------------------------------------
// Schemas

const base = {
  channel_id: channelId,
  to: z.string().refine((s) => PHONE_RE.test(s), PHONE_RULE),
};

const coordinate = (limit: number) =>
  z
    .number()
    .refine((n) => Math.abs(n) <= limit, bilingual(`must be between -${limit} and ${limit}`, `deve estar entre -${limit} e ${limit}`));

/** content per type, exactly as the examples of the document show it. */
export const interflowContent = {
  text: z.strictObject({ text: text(4096) }),
  image: z.strictObject({ url: httpUrl, caption: z.optional(text(1024)) }),
  video: z.strictObject({ url: httpUrl, caption: z.optional(text(1024)) }),
  audio: z.strictObject({ url: httpUrl }),
  document: z.strictObject({ url: httpUrl, filename: z.optional(text(240)), caption: z.optional(text(1024)) }),
  location: z.strictObject({
    latitude: coordinate(90),
    longitude: coordinate(180),
    name: z.optional(text(1000)),
    address: z.optional(text(1000)),
  }),
  template: z.strictObject({
    name: text(512),
    language: z
      .string()
      .refine(
        (s) => /^[a-z]{2,3}(_[A-Za-z]{2,4})?$/.test(s),
        bilingual('must be a language code like pt_BR', 'deve ser um código de idioma como pt_BR'),
      ),
    components: z.optional(templateComponents),
  }),
} as const;

export type InterflowType = keyof typeof interflowContent;
export const INTERFLOW_TYPES = Object.keys(interflowContent) as InterflowType[];

const sendOption = <T extends InterflowType>(type: T) =>
  z.strictObject({ ...base, type: z.literal(type), content: interflowContent[type] });

/** The send body: {channel_id, to, type, content}, content checked against `type`. */
export const interflowSendSchema = z.discriminatedUnion('type', [
  sendOption('text'),
  sendOption('image'),
  sendOption('video'),
  sendOption('audio'),
  sendOption('document'),
  sendOption('location'),
  sendOption('template'),
]);

// ---------------------------------------------------------------------------------------------
// Message store

export type InterflowMessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

export interface InterflowMessageRecord {
  id: string;
  channel_id: string;
  to: string;
  type: string;
  status: InterflowMessageStatus;
  content: unknown;
  created_at: string;
  updated_at: string;
}

/** The messages Interflow accepted, by id. Status progression and webhooks build on this. */
export class InterflowMessageStore {
  private readonly records = new Map<string, InterflowMessageRecord>();

  add(record: InterflowMessageRecord): InterflowMessageRecord {
    this.records.set(record.id, record);
    return record;
  }

  get(id: string): InterflowMessageRecord | undefined {
    return this.records.get(id);
  }

  /** Changes a message's status; undefined when there is no such message. */
  setStatus(id: string, status: InterflowMessageStatus, at = new Date()): InterflowMessageRecord | undefined {
    const record = this.records.get(id);
    if (!record) return undefined;
    record.status = status;
    record.updated_at = isoSeconds(at);
    return record;
  }

  list(): InterflowMessageRecord[] {
    return [...this.records.values()];
  }

  get size(): number {
    return this.records.size;
  }

  clear(): void {
    this.records.clear();
  }
}

/** A message as the API shows it (send answer and GET /messages/:id). */
export function publicMessage(r: InterflowMessageRecord): Record<string, unknown> {
  return { id: r.id, channel_id: r.channel_id, to: r.to, type: r.type, status: r.status, content: r.content, created_at: r.created_at };
}

// ---------------------------------------------------------------------------------------------
// Rate limit

/** Items a POST /messages/bulk takes at most. */
export const BATCH_MAX = 100;

export const PLAN_LIMITS = { starter: 60, professional: 300, enterprise: 1000 } as const;
export type Plan = keyof typeof PLAN_LIMITS;

export { SlidingWindowLimiter, type RateDecision } from './common.js';

// ---------------------------------------------------------------------------------------------
// Handler

export interface InterflowChannel {
  id: string;
  status: 'connected' | 'disconnected';
}

export interface InterflowOptions {
  checkKey: KeyCheck;
  channels: InterflowChannel[];
  /** Requests a minute per API key. */
  rateLimit: number;
  rateWindowMs?: number;
  /** The rate limiter's clock (ms since the epoch); Date.now unless given. */
  clock?: () => number;
  /** A limiter to use instead of one built from rateLimit (the server's, shared by all providers). */
  limiter?: SlidingWindowLimiter;
  store?: InterflowMessageStore;
  /**
   * false: accepted messages are not kept in the store (GET /messages/:id answers 404 for them),
   * so that memory stays flat in benchmarks. Default true.
   */
  keepMessages?: boolean;
  /** Customers, chats, webhooks and the status progression of accepted messages. */
  resources?: InterflowResources;
  /** Interflow's code to refuse a valid message to `to` with, if any (the sandbox's refusals: ./faults.ts). */
  refuse?: (to: string) => InterflowRefusalCode | undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** What the handler's parts share: its options, its message store and its rate limiter. */
interface InterflowContext {
  opts: InterflowOptions;
  store: InterflowMessageStore;
  limiter: SlidingWindowLimiter;
  keepMessages: boolean;
}

export function createInterflowHandler(opts: InterflowOptions): ProviderHandler & {
  store: InterflowMessageStore;
  limiter: SlidingWindowLimiter;
  /** The server calls this for a message accepted and answered normally (not reset or hung). */
  accepted(messageId: string): void;
  close(): void;
} {
  const ctx: InterflowContext = {
    opts,
    store: opts.store ?? new InterflowMessageStore(),
    limiter: opts.limiter ?? new SlidingWindowLimiter(opts.rateLimit, opts.rateWindowMs, opts.clock),
    keepMessages: opts.keepMessages ?? true,
  };
  return {
    provider: 'interflow',
    sendPath: '/messages/send',
    batchPath: '/messages/bulk',
    store: ctx.store,
    limiter: ctx.limiter,
    credential: (req) => credential(ctx, req),
    fault: (status, rate) => fault(ctx, status, rate),
    error: (status, message) => errorAnswer(ctx, status, message),
    reset() {
      ctx.store.clear();
      ctx.limiter.clear();
      opts.resources?.reset();
    },
    accepted(messageId) {
      const record = ctx.store.get(messageId);
      if (record && opts.resources) opts.resources.accepted(record);
    },
    close() {
      opts.resources?.close();
    },
    handle: (req) => handle(ctx, req),
  };
}

/** Every request under /interflow/v1: its route and method, the key, the rate limit, then the route's answer. */
function handle(ctx: InterflowContext, req: HandlerRequest): HandlerResponse | undefined {
  const isBatch = req.path === '/messages/bulk';
  const isSend = isBatch || req.path === '/messages/send';
  const getMatch = isSend ? null : /^\/messages\/([^/]+)$/.exec(req.path);
  const resource = isSend || getMatch ? undefined : ctx.opts.resources?.route(req.path);
  if (!isSend && !getMatch && !resource) return undefined;
  const allowed = resource ? resource.allow : [isSend ? 'POST' : 'GET'];
  if (!allowed.includes(req.method)) {
    return { status: 405, body: { error: 'method not allowed' }, headers: { Allow: allowed.join(', ') }, error: 'method not allowed' };
  }

  const key = credential(ctx, req);
  if (key === undefined) return unauthorized(ctx, req);
  // The server counts send requests itself (its fault stages come after the rate limit).
  const decision = req.rate ?? ctx.limiter.hit(key);
  if (!decision.allowed) {
    const refused = fault(ctx, 429, decision);
    return { ...refused, headers: { ...refused.headers, 'Retry-After': String(decision.retryAfter) } };
  }
  const response = isBatch
    ? sendBatch(ctx, req)
    : isSend
      ? send(ctx, req)
      : getMatch
        ? getMessage(ctx, safeDecode(getMatch[1]!))
        : resource!.run(req);
  // A send the server counted gets these headers from the server (as every provider's does).
  if (!req.rate) response.headers = { ...rateHeaders(decision), ...response.headers };
  return response;
}

/** The request's API key when it is one the sandbox accepts. */
function credential(ctx: InterflowContext, req: HandlerRequest): string | undefined {
  const key = bearerToken(req.headers.authorization);
  return key !== undefined && ctx.opts.checkKey(key) ? key : undefined;
}

function unauthorized(ctx: InterflowContext, req: HandlerRequest): HandlerResponse {
  const sent = bearerToken(req.headers.authorization);
  return {
    status: 401,
    body: failure('UNAUTHORIZED', 'API key inválida ou ausente'),
    headers: rateHeaders(ctx.limiter.peek(sent ?? '')),
    error: 'UNAUTHORIZED',
  };
}

/** The checks every JSON request body gets: Content-Type, JSON, an object. */
function envelope(req: HandlerRequest): { body: Record<string, unknown> } | { refused: HandlerResponse } {
  if (!isJsonContentType(req.headers['content-type'])) {
    return {
      refused: validationError([{ field: 'Content-Type', kind: 'invalid', message: 'o header Content-Type deve ser application/json' }]),
    };
  }
  if (req.json.kind !== 'json') {
    const why = req.json.kind === 'empty' ? 'o corpo da requisição está vazio' : `o corpo não é um JSON válido (${req.json.reason})`;
    return { refused: validationError([{ field: 'body', kind: 'invalid', message: why }]) };
  }
  const body = req.json.value;
  if (!isPlainObject(body))
    return { refused: validationError([{ field: 'body', kind: 'invalid', message: 'o corpo deve ser um objeto JSON' }]) };
  return { body };
}

/** One message as /messages/send takes it: refused (with why), or accepted and recorded. */
function accept(ctx: InterflowContext, body: Record<string, unknown>, prefix = ''): HandlerResponse {
  const parsed = interflowSendSchema.safeParse(body);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error, body, 'pt');
    return validationError(prefix ? problems.map((p) => ({ ...p, field: p.field ? `${prefix}.${p.field}` : prefix })) : problems);
  }
  const msg = body as { channel_id: string; to: string; type: string; content: unknown };
  const channelRefused = channelRefusal(ctx.opts.channels, msg.channel_id);
  if (channelRefused) return channelRefused;
  if (msg.to === REFUSED_RECIPIENT) {
    return {
      status: 400,
      body: failure('VALIDATION_ERROR', "Campo 'to' inválido: número não está no WhatsApp", [
        { field: `${prefix ? `${prefix}.` : ''}to`, message: `O número ${msg.to} não está no WhatsApp` },
      ]),
      error: 'to: número não está no WhatsApp',
    };
  }
  const injected = ctx.opts.refuse?.(msg.to);
  if (injected !== undefined) {
    const [status, message] = INTERFLOW_REFUSALS[injected];
    return { status, body: failure(injected, message), error: injected };
  }
  const now = isoSeconds();
  const fresh: InterflowMessageRecord = {
    id: `msg_${randomAlnum(16, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
    channel_id: msg.channel_id,
    to: msg.to,
    type: msg.type,
    status: 'sent',
    content: msg.content,
    created_at: now,
    updated_at: now,
  };
  const record = ctx.keepMessages ? ctx.store.add(fresh) : fresh;
  return { status: 201, body: { success: true, data: publicMessage(record) }, messageId: record.id };
}

function send(ctx: InterflowContext, req: HandlerRequest): HandlerResponse {
  const summary = summaryOf(req.json.kind === 'json' ? req.json.value : undefined);
  const checked = envelope(req);
  if ('refused' in checked) return { ...summary, ...checked.refused };
  return { ...summary, ...accept(ctx, checked.body) };
}

/**
 * POST /messages/bulk (the assumed shape, PRODUCT.md): {channel_id, messages:[{to, type,
 * content}…]} with 1 to 100 items; each item is checked and accepted as /messages/send would
 * do it, and answered in data.results by its index. The channel is the envelope's: a channel
 * refused refuses the request.
 */
function sendBatch(ctx: InterflowContext, req: HandlerRequest): HandlerResponse {
  const checked = envelope(req);
  if ('refused' in checked) return checked.refused;
  const { channel_id: channel, messages, ...rest } = checked.body;
  const extra = Object.keys(rest);
  if (extra.length > 0) return validationError([{ field: extra[0]!, kind: 'invalid', message: 'campo não reconhecido' }]);
  const channelParsed = channelId.safeParse(channel);
  if (!channelParsed.success) return validationError([{ field: 'channel_id', kind: 'invalid', message: 'deve ser o UUID de um canal' }]);
  const channelRefused = channelRefusal(ctx.opts.channels, channel as string);
  if (channelRefused) return channelRefused;
  if (!Array.isArray(messages) || messages.length < 1 || messages.length > BATCH_MAX) {
    return validationError([{ field: 'messages', kind: 'invalid', message: `deve ser uma lista de 1 a ${BATCH_MAX} mensagens` }]);
  }
  const accepted: { id: string; to: string; body: unknown }[] = [];
  const results = messages.map((item, index) => batchItem(ctx, channel as string, item, index, accepted));
  return {
    status: 200,
    body: { success: true, data: { results } },
    ...(accepted.length > 0 ? { batch: accepted } : {}),
    ...(accepted.length < messages.length ? { error: `${messages.length - accepted.length} of ${messages.length} refused` } : {}),
  };
}

/** One item of a batch, answered by its index; an accepted one is added to `accepted`. */
function batchItem(
  ctx: InterflowContext,
  channel: string,
  item: unknown,
  index: number,
  accepted: { id: string; to: string; body: unknown }[],
): Record<string, unknown> {
  const answer = isPlainObject(item)
    ? 'channel_id' in item
      ? validationError([{ field: `messages[${index}].channel_id`, kind: 'invalid', message: 'o canal vai no envelope, não na mensagem' }])
      : accept(ctx, { channel_id: channel, ...item }, `messages[${index}]`)
    : validationError([{ field: `messages[${index}]`, kind: 'invalid', message: 'deve ser um objeto JSON' }]);
  if (answer.messageId !== undefined) {
    accepted.push({ id: answer.messageId, to: (item as { to: string }).to, body: item });
    const data = (answer.body as { data: Record<string, unknown> }).data;
    return { index, success: true, data: { id: data.id, status: 'queued' } };
  }
  // Refused: with the status a /messages/send of it would have got (docs/providers/interflow.md).
  return { index, success: false, status: answer.status, error: (answer.body as { error: unknown }).error };
}

function getMessage(ctx: InterflowContext, id: string): HandlerResponse {
  const record = ctx.store.get(id);
  if (!record) {
    return { status: 404, body: failure('MESSAGE_NOT_FOUND', 'Mensagem não encontrada'), error: 'MESSAGE_NOT_FOUND' };
  }
  // updated_at once the status moved on: until then the message reads as the send answer did
  // (the document's shape, which test/unit/sandbox.test.ts holds it to).
  const data = record.status === 'sent' ? publicMessage(record) : { ...publicMessage(record), updated_at: record.updated_at };
  return { status: 200, body: { success: true, data }, messageId: record.id };
}

const FAULT_CODES: Record<FaultStatus, [string, string]> = {
  429: ['RATE_LIMITED', 'Muitas requisições: tente novamente em instantes'],
  500: ['INTERNAL_ERROR', 'Erro interno do servidor'],
  502: ['SERVICE_UNAVAILABLE', 'Serviço temporariamente indisponível (bad gateway)'],
  503: ['SERVICE_UNAVAILABLE', 'Serviço temporariamente indisponível'],
  504: ['SERVICE_UNAVAILABLE', 'Serviço temporariamente indisponível (tempo esgotado)'],
};

/** An injected fault, or the rate limit's 429 when `rate` is given. */
function fault(ctx: InterflowContext, status: FaultStatus, rate?: RateDecision): HandlerResponse {
  if (status === 429 && rate) {
    return {
      status: 429,
      body: failure(
        'RATE_LIMIT_EXCEEDED',
        `Limite de ${rate.limit} requisições por minuto excedido. Tente novamente em ${rate.retryAfter ?? 1} segundo(s).`,
      ),
      headers: rateHeaders(rate),
      error: 'RATE_LIMIT_EXCEEDED',
    };
  }
  const [code, message] = FAULT_CODES[status];
  return { status, body: failure(code, message), headers: rateHeaders(ctx.limiter.peek('')), error: code };
}

function errorAnswer(ctx: InterflowContext, status: number, message: string): HandlerResponse {
  const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 405 ? 'METHOD_NOT_ALLOWED' : status === 400 ? 'VALIDATION_ERROR' : 'ERROR';
  return { status, body: failure(code, message), headers: rateHeaders(ctx.limiter.peek('')), error: message };
}
