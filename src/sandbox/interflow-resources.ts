/**
 * Interflow's resources besides sending (docs/providers/interflow.md, "Other resources"), served under
 * /interflow/v1 with the same auth, envelopes and X-RateLimit-* headers as /messages:
 *
 *   GET    /customers            ?page=&per_page= (default 1 and 20, at most 100); meta {page, per_page, total}
 *   POST   /customers            {name, email?, phone?, tags?, custom_fields?} → 201 (unknown fields: 400)
 *   GET    /customers/:id        404 CUSTOMER_NOT_FOUND
 *   PUT    /customers/:id        the same fields, all optional (email/phone null clears them)
 *   DELETE /customers/:id        → {id, deleted: true}
 *   GET    /chats                paginated; three seeded chats, then one per recipient messaged
 *   POST   /chats                {channel_id, customer_id} or {channel_id, phone} → 201 the chat as
 *                                GET /chats/:id shows it (200 with the existing chat when that
 *                                number has one); 404 CUSTOMER_NOT_FOUND / CHANNEL_NOT_FOUND,
 *                                422 CHANNEL_DISCONNECTED, 422 CUSTOMER_HAS_NO_PHONE
 *   GET    /chats/:id            404 CHAT_NOT_FOUND
 *   GET    /chats/:id/messages   paginated, oldest first (newest last)
 *   GET    /webhooks             paginated
 *   POST   /webhooks             {url, events?} → 201 {id: "wh_…", url, events, created_at}
 *   DELETE /webhooks/:id         → {id, deleted: true}; 404 WEBHOOK_NOT_FOUND
 *
 * The reference lists POST /chats without its body: the shape here is the one docs/providers/interflow.md assumes
 * (exactly one of customer_id and phone; unknown fields refused, as everywhere). A chat also
 * starts when a message is sent to a number.
 *
 * Also the life of an accepted message: `sent` at once, `delivered` after statusDelaysMs[0],
 * `read` statusDelaysMs[1] later, each change POSTed to the webhooks (./webhooks.ts). Timers are
 * unref'd (they never keep a process alive) and cleared by reset() and close(). A test can pass
 * its own StatusScheduler to make each move happen when it says so, not when a clock does.
 */
import * as z from 'zod';
import {
  PHONE_RE,
  PHONE_RULE,
  bilingual,
  fieldProblems,
  isHttpUrl,
  isJsonContentType,
  isPlainObject,
  isoSeconds,
  randomAlnum,
  type FieldProblem,
  type HandlerRequest,
  type HandlerResponse,
} from './common.js';
import { text } from './meta.js';
import { WEBHOOK_EVENTS, type WebhookDispatcher } from './webhooks.js';
import type { InterflowChannel, InterflowMessageRecord, InterflowMessageStatus, InterflowMessageStore } from './interflow.js';

export const DEFAULT_STATUS_DELAYS_MS: readonly [number, number] = [1500, 1500];
export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 100;

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

// ---------------------------------------------------------------------------------------------
// Schemas

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const email = z.string().refine((s) => EMAIL_RE.test(s), bilingual('must be an email address', 'deve ser um endereço de e-mail'));
const phone = z.string().refine((s) => PHONE_RE.test(s), PHONE_RULE);
const tags = z.array(text(100)).max(50);
const customFields = z.record(z.string().min(1).max(100), z.string().max(1000));

export const customerCreateSchema = z.strictObject({
  name: text(200),
  email: z.optional(email),
  phone: z.optional(phone),
  tags: z.optional(tags),
  custom_fields: z.optional(customFields),
});

export const customerUpdateSchema = z.strictObject({
  name: z.optional(text(200)),
  email: z.optional(z.nullable(email)),
  phone: z.optional(z.nullable(phone)),
  tags: z.optional(tags),
  custom_fields: z.optional(customFields),
});

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** `channel_id` of every Interflow body. */
export const channelId = z.string().refine((s) => UUID_RE.test(s), bilingual('must be a UUID', 'deve ser um UUID'));

export const chatCreateSchema = z.union([
  z.strictObject({ channel_id: channelId, customer_id: z.string().min(1).max(100) }),
  z.strictObject({ channel_id: channelId, phone }),
]);

export const webhookCreateSchema = z.strictObject({
  url: z.string().refine(isHttpUrl, bilingual('must be an http(s) URL', 'deve ser uma URL http(s)')),
  events: z.optional(z.array(z.enum(WEBHOOK_EVENTS)).min(1)),
});

// ---------------------------------------------------------------------------------------------
// Envelopes

export function failure(code: string, message: string, details?: { field: string; message: string }[]) {
  return { success: false, error: { code, message, ...(details ? { details } : {}) } };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The VALIDATION_ERROR answer, worded as the document's example ("Campo 'to' é obrigatório"). */
export function validationError(problems: FieldProblem[]): HandlerResponse {
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

const ok = (data: unknown, status = 200, meta?: Pagination & { total: number }): HandlerResponse => ({
  status,
  body: meta ? { success: true, data, meta: { page: meta.page, per_page: meta.perPage, total: meta.total } } : { success: true, data },
});

const notFound = (code: string, message: string): HandlerResponse => ({ status: 404, body: failure(code, message), error: code });

/** The JSON object body of a POST/PUT (and of a send), or the VALIDATION_ERROR answer: Content-Type, JSON, an object. */
export function objectBody(req: HandlerRequest): { body: Record<string, unknown> } | { refused: HandlerResponse } {
  if (!isJsonContentType(req.headers['content-type'])) {
    return {
      refused: validationError([{ field: 'Content-Type', kind: 'invalid', message: 'o header Content-Type deve ser application/json' }]),
    };
  }
  if (req.json.kind !== 'json') {
    const why = req.json.kind === 'empty' ? 'o corpo da requisição está vazio' : `o corpo não é um JSON válido (${req.json.reason})`;
    return { refused: validationError([{ field: 'body', kind: 'invalid', message: why }]) };
  }
  if (!isPlainObject(req.json.value)) {
    return { refused: validationError([{ field: 'body', kind: 'invalid', message: 'o corpo deve ser um objeto JSON' }]) };
  }
  return { body: req.json.value };
}

// ---------------------------------------------------------------------------------------------
// Pagination

interface Pagination {
  page: number;
  perPage: number;
}

/** ?page= and ?per_page= (whole numbers; per_page at most 100), or the VALIDATION_ERROR answer. */
export function pagination(query: URLSearchParams): Pagination | HandlerResponse {
  const problems: FieldProblem[] = [];
  const read = (name: string, fallback: number, max: number): number => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > max) {
      problems.push({
        field: name,
        kind: 'invalid',
        message:
          max === Number.MAX_SAFE_INTEGER ? 'deve ser um número inteiro maior ou igual a 1' : `deve ser um número inteiro de 1 a ${max}`,
      });
    }
    return n;
  };
  const page = read('page', 1, Number.MAX_SAFE_INTEGER);
  const perPage = read('per_page', DEFAULT_PER_PAGE, MAX_PER_PAGE);
  return problems.length > 0 ? validationError(problems) : { page, perPage };
}

function paged<T>(items: readonly T[], query: URLSearchParams, show: (item: T) => unknown): HandlerResponse {
  const p = pagination(query);
  if ('status' in p) return p;
  const start = (p.page - 1) * p.perPage;
  return ok(items.slice(start, start + p.perPage).map(show), 200, { ...p, total: items.length });
}

// ---------------------------------------------------------------------------------------------
// Records

export interface Customer {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  tags: string[];
  custom_fields: Record<string, string>;
  created_at: string;
  updated_at: string;
}

export interface Chat {
  id: string;
  channel_id: string;
  contact: { name: string; phone: string };
  status: 'open';
  created_at: string;
  updated_at: string;
  last_message_at: string;
  /** Seeded (inbound) messages, then the ids of the messages sent to this contact. */
  messages: ({ kind: 'seed'; message: Record<string, unknown> } | { kind: 'sent'; id: string })[];
}

export function publicChat(c: Chat): Record<string, unknown> {
  return {
    id: c.id,
    channel_id: c.channel_id,
    contact: { ...c.contact },
    status: c.status,
    message_count: c.messages.length,
    last_message_at: c.last_message_at,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

const SEED_CHATS: readonly { id: string; name: string; phone: string; text: string }[] = [
  { id: 'chat_joao', name: 'João Silva', phone: '5511988880001', text: 'Olá! Meu pedido já saiu para entrega?' },
  { id: 'chat_maria', name: 'Maria Conceição', phone: '5521988880002', text: 'Bom dia, vocês abrem no sábado? ☀️' },
  { id: 'chat_ana', name: 'Ana Luíza Gonçalves', phone: '5531988880003', text: 'Obrigada pelo atendimento! 🙏' },
];

// ---------------------------------------------------------------------------------------------
// The resources

export interface InterflowResourcesOptions {
  store: InterflowMessageStore;
  /** The account's channels (POST /chats checks its channel_id against them). */
  channels?: readonly InterflowChannel[];
  webhooks: WebhookDispatcher;
  /** The channel seeded chats belong to. */
  channelId: string;
  /** [sent → delivered, delivered → read] in ms. */
  statusDelaysMs?: readonly [number, number];
  /** When the status moves happen: timerScheduler unless given. */
  statusScheduler?: StatusScheduler;
}

/** A route: the methods it allows and what answers them (auth and rate limit already passed). */
export interface ResourceRoute {
  allow: string[];
  run(req: HandlerRequest): HandlerResponse;
}

export function checkStatusDelays(delays: readonly number[]): void {
  if (delays.length !== 2 || delays.some((d) => !Number.isInteger(d) || d < 0 || d > 3_600_000)) {
    throw new RangeError(`sandbox statusDelaysMs must be two whole numbers of ms from 0 to 3600000, got ${JSON.stringify(delays)}`);
  }
}

/** Runs a status move later; returns what cancels it. The default is an unref'd setTimeout. */
export interface StatusScheduler {
  schedule(ms: number, move: () => void): () => void;
}

export const timerScheduler: StatusScheduler = {
  schedule(ms, move) {
    const timer = setTimeout(move, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

export class InterflowResources {
  private readonly customers = new Map<string, Customer>();
  private readonly chats = new Map<string, Chat>();
  private readonly chatByPhone = new Map<string, Chat>();
  private readonly pending = new Set<() => void>();
  private readonly delays: readonly [number, number];
  private closed = false;

  constructor(private readonly opts: InterflowResourcesOptions) {
    this.delays = opts.statusDelaysMs ?? DEFAULT_STATUS_DELAYS_MS;
    checkStatusDelays(this.delays);
    this.seed();
  }

  private seed(): void {
    const at = isoSeconds();
    for (const s of SEED_CHATS) {
      const chat: Chat = {
        id: s.id,
        channel_id: this.opts.channelId,
        contact: { name: s.name, phone: s.phone },
        status: 'open',
        created_at: at,
        updated_at: at,
        last_message_at: at,
        messages: [
          {
            kind: 'seed',
            message: {
              id: `msg_in_${s.id.slice(5)}`,
              chat_id: s.id,
              direction: 'inbound',
              from: s.phone,
              type: 'text',
              status: 'read',
              content: { text: s.text },
              created_at: at,
              updated_at: at,
            },
          },
        ],
      };
      this.chats.set(chat.id, chat);
      this.chatByPhone.set(s.phone, chat);
    }
  }

  // -- messages ---------------------------------------------------------------------------------

  /**
   * A message the server accepted and answered normally: into its recipient's chat (made when
   * new), `sent` to the webhooks, then delivered and read on timers.
   */
  accepted(record: InterflowMessageRecord): void {
    if (this.closed) return;
    const chat = this.chatByPhone.get(record.to) ?? this.newChat(record.channel_id, record.to, record.created_at);
    chat.messages.push({ kind: 'sent', id: record.id });
    chat.last_message_at = chat.updated_at = record.created_at;

    this.opts.webhooks.statusUpdated(record.id, 'sent');
    const [toDelivered, toRead] = this.delays;
    this.after(toDelivered, () => {
      if (!this.advance(record.id, 'delivered')) return;
      this.after(toRead, () => void this.advance(record.id, 'read'));
    });
  }

  /** A new chat with a number (named after the customer with that number, if any). */
  private newChat(channel: string, phone: string, at: string, name?: string): Chat {
    const customer = name === undefined ? [...this.customers.values()].find((c) => c.phone === phone) : undefined;
    const chat: Chat = {
      id: `chat_${randomAlnum(16, ID_ALPHABET)}`,
      channel_id: channel,
      contact: { name: name ?? customer?.name ?? phone, phone },
      status: 'open',
      created_at: at,
      updated_at: at,
      last_message_at: at,
      messages: [],
    };
    this.chats.set(chat.id, chat);
    this.chatByPhone.set(phone, chat);
    return chat;
  }

  private after(ms: number, fn: () => void): void {
    const cancel = (this.opts.statusScheduler ?? timerScheduler).schedule(ms, () => {
      if (!this.pending.delete(cancel)) return;
      fn();
    });
    this.pending.add(cancel);
  }

  /** Moves a stored message on and tells the webhooks; false when it is gone (reset). */
  private advance(id: string, status: InterflowMessageStatus): boolean {
    const at = new Date();
    const record = this.opts.store.setStatus(id, status, at);
    if (!record) return false;
    this.opts.webhooks.statusUpdated(id, status, at);
    return true;
  }

  // -- routes -----------------------------------------------------------------------------------

  /** The route for a path (after /interflow/v1), or undefined when it is not one of these. */
  route(path: string): ResourceRoute | undefined {
    if (path === '/customers') {
      return { allow: ['GET', 'POST'], run: (req) => (req.method === 'GET' ? this.listCustomers(req) : this.createCustomer(req)) };
    }
    if (path === '/chats') {
      return {
        allow: ['GET', 'POST'],
        run: (req) => (req.method === 'GET' ? paged(this.chatList(), req.query, publicChat) : this.createChat(req)),
      };
    }
    if (path === '/webhooks') {
      return {
        allow: ['GET', 'POST'],
        run: (req) => (req.method === 'GET' ? paged(this.opts.webhooks.list(), req.query, (w) => ({ ...w })) : this.createWebhook(req)),
      };
    }
    const m = /^\/(customers|chats|webhooks)\/([^/]+)(\/messages)?$/.exec(path);
    if (!m) return undefined;
    const [, kind, rawId, sub] = m;
    const id = safeDecode(rawId!);
    if (kind === 'customers' && !sub) {
      return {
        allow: ['GET', 'PUT', 'DELETE'],
        run: (req) =>
          req.method === 'GET' ? this.getCustomer(id) : req.method === 'PUT' ? this.updateCustomer(id, req) : this.deleteCustomer(id),
      };
    }
    if (kind === 'chats') {
      return { allow: ['GET'], run: (req) => (sub ? this.chatMessages(id, req) : this.getChat(id)) };
    }
    if (kind === 'webhooks' && !sub) return { allow: ['DELETE'], run: () => this.deleteWebhook(id) };
    return undefined;
  }

  private listCustomers(req: HandlerRequest): HandlerResponse {
    return paged([...this.customers.values()], req.query, (c) => ({ ...c, tags: [...c.tags], custom_fields: { ...c.custom_fields } }));
  }

  private createCustomer(req: HandlerRequest): HandlerResponse {
    const got = objectBody(req);
    if ('refused' in got) return got.refused;
    const parsed = customerCreateSchema.safeParse(got.body);
    if (!parsed.success) return validationError(fieldProblems(parsed.error, got.body, 'pt'));
    const now = isoSeconds();
    const v = parsed.data;
    const customer: Customer = {
      id: `cust_${randomAlnum(12, ID_ALPHABET)}`,
      name: v.name,
      email: v.email ?? null,
      phone: v.phone ?? null,
      tags: v.tags ?? [],
      custom_fields: v.custom_fields ?? {},
      created_at: now,
      updated_at: now,
    };
    this.customers.set(customer.id, customer);
    return ok({ ...customer }, 201);
  }

  private getCustomer(id: string): HandlerResponse {
    const c = this.customers.get(id);
    return c ? ok({ ...c }) : notFound('CUSTOMER_NOT_FOUND', 'Cliente não encontrado');
  }

  private updateCustomer(id: string, req: HandlerRequest): HandlerResponse {
    const c = this.customers.get(id);
    if (!c) return notFound('CUSTOMER_NOT_FOUND', 'Cliente não encontrado');
    const got = objectBody(req);
    if ('refused' in got) return got.refused;
    const parsed = customerUpdateSchema.safeParse(got.body);
    if (!parsed.success) return validationError(fieldProblems(parsed.error, got.body, 'pt'));
    const v = parsed.data;
    if (v.name !== undefined) c.name = v.name;
    if (v.email !== undefined) c.email = v.email;
    if (v.phone !== undefined) c.phone = v.phone;
    if (v.tags !== undefined) c.tags = v.tags;
    if (v.custom_fields !== undefined) c.custom_fields = v.custom_fields;
    c.updated_at = isoSeconds();
    return ok({ ...c });
  }

  private deleteCustomer(id: string): HandlerResponse {
    if (!this.customers.delete(id)) return notFound('CUSTOMER_NOT_FOUND', 'Cliente não encontrado');
    return ok({ id, deleted: true });
  }

  private chatList(): Chat[] {
    return [...this.chats.values()];
  }

  private createChat(req: HandlerRequest): HandlerResponse {
    const got = objectBody(req);
    if ('refused' in got) return got.refused;
    const b = got.body;
    if ('customer_id' in b && 'phone' in b) {
      return validationError([{ field: 'phone', kind: 'invalid', message: 'informe customer_id ou phone, não os dois' }]);
    }
    if (!('customer_id' in b) && !('phone' in b)) {
      return validationError([{ field: 'customer_id', kind: 'missing', message: 'informe customer_id ou phone' }]);
    }
    // One branch of the union, so that its problems are named precisely.
    const parsed = ('customer_id' in b ? chatCreateSchema.options[0] : chatCreateSchema.options[1]).safeParse(b);
    if (!parsed.success) return validationError(fieldProblems(parsed.error, b, 'pt'));
    const v = parsed.data as { channel_id: string; customer_id?: string; phone?: string };
    const refused = channelRefusal(this.opts.channels, v.channel_id);
    if (refused) return refused;
    let phone = v.phone;
    let name: string | undefined;
    if (v.customer_id !== undefined) {
      const customer = this.customers.get(v.customer_id);
      if (!customer) return notFound('CUSTOMER_NOT_FOUND', 'Cliente não encontrado');
      if (!customer.phone) {
        return { status: 422, body: failure('CUSTOMER_HAS_NO_PHONE', 'O cliente não tem telefone'), error: 'CUSTOMER_HAS_NO_PHONE' };
      }
      phone = customer.phone;
      name = customer.name;
    }
    const existing = this.chatByPhone.get(phone!);
    if (existing) return ok(publicChat(existing));
    return ok(publicChat(this.newChat(v.channel_id, phone!, isoSeconds(), name)), 201);
  }

  private getChat(id: string): HandlerResponse {
    const c = this.chats.get(id);
    return c ? ok(publicChat(c)) : notFound('CHAT_NOT_FOUND', 'Chat não encontrado');
  }

  private chatMessages(id: string, req: HandlerRequest): HandlerResponse {
    const c = this.chats.get(id);
    if (!c) return notFound('CHAT_NOT_FOUND', 'Chat não encontrado');
    const messages: Record<string, unknown>[] = [];
    for (const m of c.messages) {
      if (m.kind === 'seed') {
        messages.push({ ...m.message });
        continue;
      }
      const r = this.opts.store.get(m.id);
      if (r) {
        messages.push({
          id: r.id,
          chat_id: c.id,
          direction: 'outbound',
          channel_id: r.channel_id,
          to: r.to,
          type: r.type,
          status: r.status,
          content: r.content,
          created_at: r.created_at,
          updated_at: r.updated_at,
        });
      }
    }
    return paged(messages, req.query, (m) => m);
  }

  private createWebhook(req: HandlerRequest): HandlerResponse {
    const got = objectBody(req);
    if ('refused' in got) return got.refused;
    const parsed = webhookCreateSchema.safeParse(got.body);
    if (!parsed.success) return validationError(fieldProblems(parsed.error, got.body, 'pt'));
    const hook = this.opts.webhooks.add(parsed.data.url, parsed.data.events);
    return ok({ ...hook }, 201);
  }

  private deleteWebhook(id: string): HandlerResponse {
    if (!this.opts.webhooks.remove(id)) return notFound('WEBHOOK_NOT_FOUND', 'Webhook não encontrado');
    return ok({ id, deleted: true });
  }

  // -- life -------------------------------------------------------------------------------------

  private clearTimers(): void {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }

  /** Back to the start: no customers, the seeded chats only, no webhooks, no pending status change. */
  reset(): void {
    this.clearTimers();
    this.customers.clear();
    this.chats.clear();
    this.chatByPhone.clear();
    this.opts.webhooks.clear();
    this.seed();
  }

  close(): void {
    this.closed = true;
    this.clearTimers();
    this.opts.webhooks.close();
  }

  /** Status changes still to come (timers pending). */
  get pendingStatusChanges(): number {
    return this.pending.size;
  }
}

/**
 * The answer refusing a channel_id (404 CHANNEL_NOT_FOUND, 422 CHANNEL_DISCONNECTED), or
 * undefined when it names a connected channel. No channel list: any channel is accepted.
 */
export function channelRefusal(channels: readonly InterflowChannel[] | undefined, id: string): HandlerResponse | undefined {
  if (!channels) return undefined;
  const channel = channels.find((c) => c.id.toLowerCase() === id.toLowerCase());
  if (!channel) return { status: 404, body: failure('CHANNEL_NOT_FOUND', 'Canal não encontrado'), error: 'CHANNEL_NOT_FOUND' };
  if (channel.status !== 'connected') {
    return { status: 422, body: failure('CHANNEL_DISCONNECTED', 'O canal está desconectado'), error: 'CHANNEL_DISCONNECTED' };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
