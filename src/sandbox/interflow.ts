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
import { channelId, channelRefusal, failure, objectBody, validationError, type InterflowResources } from './interflow-resources.js';
import { httpUrl, templateComponents, text } from './meta.js';
import { REQUEST_KINDS, metaWords, refusalKind } from './meta-errors.js';

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
  /** The --refuse code for a valid message to `to`, if any (the sandbox's refusals: ./faults.ts), answered as Interflow would. */
  refuse?: (to: string) => number | undefined;
  /**
   * How a batch answers a refusal of the whole request (the key, the rate, the service, the
   * channel) for one of its items: 'request' (the default) refuses the request; 'item' refuses
   * that item alone, with the status a single send would get. Interflow does not document which:
   * a client must handle both.
   */
  batchRefusals?: 'request' | 'item';
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

/** A message /messages/send takes: its body and its recipient's --refuse code, if it has one. */
interface Checked {
  msg: { channel_id: string; to: string; type: string; content: unknown };
  refusal: number | undefined;
}

/** One message checked as /messages/send checks it: refused (with why), or valid (not yet recorded). */
function check(ctx: InterflowContext, body: Record<string, unknown>, prefix = ''): Checked | { refused: HandlerResponse } {
  const parsed = interflowSendSchema.safeParse(body);
  if (!parsed.success) {
    const problems = fieldProblems(parsed.error, body, 'pt');
    return {
      refused: validationError(prefix ? problems.map((p) => ({ ...p, field: p.field ? `${prefix}.${p.field}` : prefix })) : problems),
    };
  }
  const msg = body as Checked['msg'];
  const channelRefused = channelRefusal(ctx.opts.channels, msg.channel_id);
  if (channelRefused) return { refused: channelRefused };
  if (msg.to === REFUSED_RECIPIENT) {
    return {
      refused: {
        status: 400,
        body: failure('VALIDATION_ERROR', "Campo 'to' inválido: número não está no WhatsApp", [
          { field: `${prefix ? `${prefix}.` : ''}to`, message: `O número ${msg.to} não está no WhatsApp` },
        ]),
        error: 'to: número não está no WhatsApp',
      },
    };
  }
  return { msg, refusal: ctx.opts.refuse?.(msg.to) };
}

/** A valid message accepted: given an id and kept (unless keepMessages is false). */
function record(ctx: InterflowContext, msg: Checked['msg']): HandlerResponse {
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
  const kept = ctx.keepMessages ? ctx.store.add(fresh) : fresh;
  return { status: 201, body: { success: true, data: publicMessage(kept) }, messageId: kept.id };
}

/** A checked message: its --refuse answer, or accepted. */
function accept(checked: Checked | { refused: HandlerResponse }, ctx: InterflowContext, prefix = ''): HandlerResponse {
  if ('refused' in checked) return checked.refused;
  if (checked.refusal !== undefined) return interflowRefusal(checked.refusal, checked.msg, prefix);
  return record(ctx, checked.msg);
}

/**
 * Interflow's own answer to a --refuse code (Meta's, ./meta-errors.ts), for the same situation:
 * 401 UNAUTHORIZED, 429 RATE_LIMIT_EXCEEDED with Retry-After: 1, 503 SERVICE_UNAVAILABLE,
 * 422 CHANNEL_DISCONNECTED (the document's), or 400 VALIDATION_ERROR naming `to`,
 * `content.name` (a template) or `content` with Meta's words.
 */
export function interflowRefusal(code: number, msg: { to: string }, prefix = ''): HandlerResponse {
  const { title, details } = metaWords(code);
  const as = (status: number, own: string, message: string, more: Partial<HandlerResponse> = {}): HandlerResponse => ({
    status,
    body: failure(own, message),
    error: `${own} (--refuse ${code})`,
    ...more,
  });
  const field = (name: string, what: string): HandlerResponse => ({
    status: 400,
    body: failure('VALIDATION_ERROR', `${what}: ${title} (WhatsApp ${code})`, [
      { field: `${prefix ? `${prefix}.` : ''}${name}`, message: details },
    ]),
    error: `VALIDATION_ERROR ${name} (--refuse ${code})`,
  });
  switch (refusalKind(code)) {
    case 'auth':
      return as(401, 'UNAUTHORIZED', 'API key inválida ou expirada');
    case 'rate':
      return as(429, 'RATE_LIMIT_EXCEEDED', 'Limite de requisições excedido. Tente novamente em 1 segundo(s).', {
        headers: { 'Retry-After': '1' },
      });
    case 'unavailable':
      return as(503, 'SERVICE_UNAVAILABLE', 'Serviço temporariamente indisponível');
    case 'blocked':
      return as(422, 'CHANNEL_DISCONNECTED', 'O canal está desconectado');
    case 'recipient':
      return field('to', `Campo 'to' inválido: o número ${msg.to} foi recusado`);
    case 'template':
      return field('content.name', 'Template recusado');
    case 'message':
      return field('content', 'Mensagem recusada');
  }
}

function send(ctx: InterflowContext, req: HandlerRequest): HandlerResponse {
  const summary = summaryOf(req.json.kind === 'json' ? req.json.value : undefined);
  const checked = objectBody(req);
  if ('refused' in checked) return { ...summary, ...checked.refused };
  return { ...summary, ...accept(check(ctx, checked.body), ctx) };
}

/**
 * POST /messages/bulk (the assumed shape, PRODUCT.md): {channel_id, messages:[{to, type,
 * content}…]} with 1 to 100 items; each item is checked and accepted as /messages/send would
 * do it, and answered in data.results by its index. The channel is the envelope's: a channel
 * refused refuses the request.
 */
function sendBatch(ctx: InterflowContext, req: HandlerRequest): HandlerResponse {
  const checked = objectBody(req);
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
  const checks = messages.map((item, index) => checkItem(ctx, channel as string, item, index));
  // A refusal of the whole request (the key, the rate, the channel) refuses every item.
  const whole =
    ctx.opts.batchRefusals !== 'item' &&
    checks.find((c) => 'msg' in c && c.refusal !== undefined && REQUEST_KINDS.has(refusalKind(c.refusal)));
  if (whole) return interflowRefusal((whole as Checked).refusal!, (whole as Checked).msg);
  const accepted: { id: string; to: string; body: unknown }[] = [];
  const results = checks.map((checked, index) => {
    const answer = accept(checked, ctx, `messages[${index}]`);
    if (answer.messageId !== undefined) {
      accepted.push({ id: answer.messageId, to: (checked as Checked).msg.to, body: messages[index] });
      return { index, success: true, data: { id: answer.messageId, status: 'queued' } };
    }
    // Refused: with the status a /messages/send of it would have got (docs/providers/interflow.md).
    return { index, success: false, status: answer.status, error: (answer.body as { error: unknown }).error };
  });
  return {
    status: 200,
    body: { success: true, data: { results } },
    ...(accepted.length > 0 ? { batch: accepted } : {}),
    ...(accepted.length < messages.length ? { error: `${messages.length - accepted.length} of ${messages.length} refused` } : {}),
  };
}

/** One item of a batch checked as /messages/send checks a message, with the envelope's channel. */
function checkItem(ctx: InterflowContext, channel: string, item: unknown, index: number): Checked | { refused: HandlerResponse } {
  if (!isPlainObject(item)) {
    return { refused: validationError([{ field: `messages[${index}]`, kind: 'invalid', message: 'deve ser um objeto JSON' }]) };
  }
  if ('channel_id' in item) {
    return {
      refused: validationError([
        { field: `messages[${index}].channel_id`, kind: 'invalid', message: 'o canal vai no envelope, não na mensagem' },
      ]),
    };
  }
  return check(ctx, { channel_id: channel, ...item }, `messages[${index}]`);
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
