/**
 * Interflow in the sandbox (specs/interflow-send-message.txt, specs/interflow-api-reference.txt),
 * served under /interflow/v1:
 *
 *   POST /messages/send   Authorization: Bearer KEY, Content-Type: application/json
 *   GET  /messages/:id
 *
 * Answers `{success:true, data}` or `{success:false, error:{code, message, details?}}`, and every
 * answer carries X-RateLimit-Limit / -Remaining / -Reset (per API key, sliding minute window).
 */
import * as z from 'zod';
import {
  PHONE_RE,
  PHONE_RULE,
  bearerToken,
  bilingual,
  fieldProblems,
  isJsonContentType,
  isPlainObject,
  isoSeconds,
  randomAlnum,
  summaryOf,
  type FieldProblem,
  type HandlerRequest,
  type HandlerResponse,
  type KeyCheck,
  type ProviderHandler,
} from './common.js';
import { httpUrl, templateComponents, text } from './meta.js';

// ---------------------------------------------------------------------------------------------
// Schemas

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const base = {
  channel_id: z.string().refine((s) => UUID_RE.test(s), bilingual('must be a UUID', 'deve ser um UUID')),
  to: z.string().refine((s) => PHONE_RE.test(s), PHONE_RULE),
};

const coordinate = (limit: number) =>
  z
    .number()
    .refine(
      (n) => Math.abs(n) <= limit,
      bilingual(`must be between -${limit} and ${limit}`, `deve estar entre -${limit} e ${limit}`),
    );

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
    language: z.string().refine(
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

export const PLAN_LIMITS = { starter: 60, professional: 300, enterprise: 1000 } as const;
export type Plan = keyof typeof PLAN_LIMITS;

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the oldest request of the window leaves it. */
  reset: number;
  /** Seconds to wait, when refused. */
  retryAfter?: number;
}

/** A sliding window: at most `limit` requests in any `windowMs`, per key. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
  ) {}

  private window(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.hits.set(key, list);
    return list;
  }

  /** Counts one request for `key` when there is room. */
  hit(key: string, now = Date.now()): RateDecision {
    const list = this.window(key, now);
    if (list.length >= this.limit) {
      const freeAt = list[0]! + this.windowMs;
      return {
        allowed: false,
        limit: this.limit,
        remaining: 0,
        reset: Math.ceil(freeAt / 1000),
        retryAfter: Math.max(1, Math.ceil((freeAt - now) / 1000)),
      };
    }
    list.push(now);
    return { allowed: true, limit: this.limit, remaining: this.limit - list.length, reset: Math.ceil((list[0]! + this.windowMs) / 1000) };
  }

  /** The state for `key` without counting a request. */
  peek(key: string, now = Date.now()): RateDecision {
    const list = this.window(key, now);
    return {
      allowed: list.length < this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - list.length),
      reset: Math.ceil(((list[0] ?? now) + this.windowMs) / 1000),
    };
  }

  clear(): void {
    this.hits.clear();
  }
}

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
  store?: InterflowMessageStore;
}

function failure(code: string, message: string, details?: { field: string; message: string }[]) {
  return { success: false, error: { code, message, ...(details ? { details } : {}) } };
}

/** The VALIDATION_ERROR answer, worded as the document's example ("Campo 'to' é obrigatório"). */
function validationError(problems: FieldProblem[]): HandlerResponse {
  const first = problems[0]!;
  const name = first.field || 'body';
  const message =
    first.kind === 'missing'
      ? `Campo '${name}' é obrigatório`
      : first.kind === 'unknown'
        ? `Campo '${name}' não é permitido`
        : `Campo '${name}' inválido: ${first.message}`;
  const details = problems.map((p) => ({
    field: p.field || 'body',
    message: p.kind === 'missing' ? 'Campo obrigatório' : p.kind === 'unknown' ? 'Campo não permitido' : capitalize(p.message),
  }));
  return {
    status: 400,
    body: failure('VALIDATION_ERROR', message, details),
    error: problems.map((p) => `${p.field || 'body'}: ${p.message}`).join('; '),
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function createInterflowHandler(opts: InterflowOptions): ProviderHandler & {
  store: InterflowMessageStore;
  limiter: SlidingWindowLimiter;
} {
  const store = opts.store ?? new InterflowMessageStore();
  const limiter = new SlidingWindowLimiter(opts.rateLimit, opts.rateWindowMs);

  const rateHeaders = (d: RateDecision): Record<string, string> => ({
    'X-RateLimit-Limit': String(d.limit),
    'X-RateLimit-Remaining': String(d.remaining),
    'X-RateLimit-Reset': String(d.reset),
  });

  function send(req: HandlerRequest): HandlerResponse {
    const summary = summaryOf(req.json.kind === 'json' ? req.json.value : undefined);
    const refuse = (r: HandlerResponse): HandlerResponse => ({ ...summary, ...r });
    if (!isJsonContentType(req.headers['content-type'])) {
      return refuse(
        validationError([{ field: 'Content-Type', kind: 'invalid', message: 'o header Content-Type deve ser application/json' }]),
      );
    }
    if (req.json.kind !== 'json') {
      const why = req.json.kind === 'empty' ? 'o corpo da requisição está vazio' : `o corpo não é um JSON válido (${req.json.reason})`;
      return refuse(validationError([{ field: 'body', kind: 'invalid', message: why }]));
    }
    const body = req.json.value;
    if (!isPlainObject(body)) {
      return refuse(validationError([{ field: 'body', kind: 'invalid', message: 'o corpo deve ser um objeto JSON' }]));
    }
    const parsed = interflowSendSchema.safeParse(body);
    if (!parsed.success) return refuse(validationError(fieldProblems(parsed.error, body, 'pt')));

    const msg = body as { channel_id: string; to: string; type: string; content: unknown };
    const channel = opts.channels.find((c) => c.id.toLowerCase() === msg.channel_id.toLowerCase());
    if (!channel) {
      return refuse({ status: 404, body: failure('CHANNEL_NOT_FOUND', 'Canal não encontrado'), error: 'CHANNEL_NOT_FOUND' });
    }
    if (channel.status !== 'connected') {
      return refuse({
        status: 422,
        body: failure('CHANNEL_DISCONNECTED', 'O canal está desconectado'),
        error: 'CHANNEL_DISCONNECTED',
      });
    }
    const now = isoSeconds();
    const record = store.add({
      id: `msg_${randomAlnum(16, 'abcdefghijklmnopqrstuvwxyz0123456789')}`,
      channel_id: msg.channel_id,
      to: msg.to,
      type: msg.type,
      status: 'sent',
      content: msg.content,
      created_at: now,
      updated_at: now,
    });
    return { ...summary, status: 201, body: { success: true, data: publicMessage(record) }, messageId: record.id };
  }

  function getMessage(id: string): HandlerResponse {
    const record = store.get(id);
    if (!record) {
      return { status: 404, body: failure('MESSAGE_NOT_FOUND', 'Mensagem não encontrada'), error: 'MESSAGE_NOT_FOUND' };
    }
    return { status: 200, body: { success: true, data: publicMessage(record) }, messageId: record.id };
  }

  return {
    provider: 'interflow',
    store,
    limiter,
    error(status, message) {
      const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 405 ? 'METHOD_NOT_ALLOWED' : status === 400 ? 'VALIDATION_ERROR' : 'ERROR';
      return { status, body: failure(code, message), headers: rateHeaders(limiter.peek('')), error: message };
    },
    reset() {
      store.clear();
      limiter.clear();
    },
    handle(req) {
      const isSend = req.path === '/messages/send';
      const getMatch = /^\/messages\/([^/]+)$/.exec(req.path);
      if (!isSend && !getMatch) return undefined;
      const allowed = isSend ? 'POST' : 'GET';
      if (req.method !== allowed) {
        return { status: 405, body: { error: 'method not allowed' }, headers: { Allow: allowed }, error: 'method not allowed' };
      }

      const key = bearerToken(req.headers.authorization);
      if (key === undefined || !opts.checkKey(key)) {
        return {
          status: 401,
          body: failure('UNAUTHORIZED', 'API key inválida ou ausente'),
          headers: rateHeaders(limiter.peek(key ?? '')),
          error: 'UNAUTHORIZED',
        };
      }
      const decision = limiter.hit(key);
      if (!decision.allowed) {
        return {
          status: 429,
          body: failure(
            'RATE_LIMIT_EXCEEDED',
            `Limite de ${decision.limit} requisições por minuto excedido. Tente novamente em ${decision.retryAfter} segundo(s).`,
          ),
          headers: { ...rateHeaders(decision), 'Retry-After': String(decision.retryAfter) },
          error: 'RATE_LIMIT_EXCEEDED',
        };
      }
      const response = isSend ? send(req) : getMessage(safeDecode(getMatch![1]!));
      return { ...response, headers: { ...rateHeaders(decision), ...response.headers } };
    },
  };
}
