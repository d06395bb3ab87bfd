/**
 * Webhook payloads → flat event rows, one per status, incoming message or payload-level error,
 * whatever the provider: Interflow's `{"event":"message.status_updated","data":{…}}` and
 * Meta-style webhooks (Turn, SocialMiner): `entry[].changes[].value.statuses[]` / `messages[]` /
 * `errors[]` (and `message_echoes[]`), or the same arrays at the top level (Turn's on-premise form).
 * One payload may hold several events.
 *
 * Each event's id, used to drop replays, comes from signed content only: the payload's own ids,
 * else a hash of the raw body (never a request header, which the signature does not cover).
 */
import { createHash } from 'node:crypto';
import { webhookErrorHint } from '../providers/meta.js';

export interface WebhookEvent {
  /** Stable id used to drop replays: Interflow's event id, Meta's message id (+status+timestamp), else the body's hash. */
  id: string;
  provider: 'interflow' | 'meta';
  /** A message's status, an incoming (or echoed) message, or an error about the payload itself. */
  kind: 'status' | 'message' | 'error';
  messageId: string;
  status?: string;
  /** Incoming messages: the message type (text, image, button, …). */
  type?: string;
  /** The sender: a phone number, or a business-scoped user id when the payload has no number. */
  from?: string;
  /** The sender's WhatsApp profile name (`contacts[].profile.name`). */
  name?: string;
  /** The recipient: a phone number or a business-scoped user id. */
  to?: string;
  /** What the message says: its text, caption, reply, shared contacts, system notice, flow answer… */
  text?: string;
  /** A document's file name. */
  filename?: string;
  errorCode?: string;
  errorTitle?: string;
  /** The error's details (`error_data.details`), when they say more than its title. */
  errorDetails?: string;
  /** A status's pricing category (Meta's `pricing.category`: marketing, utility, service, …). */
  pricing?: string;
  /** What to do about errorCode, when known. */
  hint?: string;
  /** ISO 8601. */
  timestamp: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Meta timestamps are unix seconds as strings; Interflow's are ISO already. */
export function isoTimestamp(v: unknown, fallback: Date = new Date()): string {
  const s = str(v);
  if (s !== undefined && /^\d{9,13}$/.test(s)) {
    const n = Number(s);
    return new Date(s.length >= 12 ? n : n * 1000).toISOString();
  }
  if (s !== undefined && s !== '') return s;
  return fallback.toISOString();
}

export function bodyHash(raw: Buffer): string {
  return 'sha256:' + createHash('sha256').update(raw).digest('hex');
}

export interface NormalizeContext {
  /** The raw request body (hashed for an event id when the payload has none). */
  raw: Buffer;
  /** Used when a payload carries no timestamp. */
  now?: Date;
}

/** The events in one payload; an empty list when the payload is of no known shape. */
export function normalizePayload(payload: unknown, ctx: NormalizeContext): WebhookEvent[] {
  if (!isObj(payload)) return [];
  if (typeof payload.event === 'string' && isObj(payload.data)) return interflowEvents(payload, ctx);
  const values: Obj[] = [];
  for (const entry of arr(payload.entry)) {
    if (!isObj(entry)) continue;
    for (const change of arr(entry.changes)) {
      if (isObj(change) && isObj(change.value)) values.push(change.value);
    }
  }
  if (values.length === 0 && ['statuses', 'messages', 'errors'].some((k) => Array.isArray(payload[k]))) values.push(payload);
  const hash = bodyHash(ctx.raw);
  return values.flatMap((v, i) => metaEvents(v, ctx.now ?? new Date(), `${hash}:${i}`));
}

/** Code, title, details and hint of the first error object in `errors`. */
function errorFields(
  provider: WebhookEvent['provider'],
  errors: unknown,
): Pick<WebhookEvent, 'errorCode' | 'errorTitle' | 'errorDetails' | 'hint'> {
  const error = isObj(errors) ? errors : arr(errors).find(isObj);
  if (!error) return {};
  const out: Pick<WebhookEvent, 'errorCode' | 'errorTitle' | 'errorDetails' | 'hint'> = {};
  const code = str(error.code);
  const title = str(error.title) ?? str(error.message);
  const details = (isObj(error.error_data) ? str(error.error_data.details) : undefined) ?? str(error.details);
  if (code !== undefined) out.errorCode = code;
  if (title !== undefined) out.errorTitle = title;
  if (details !== undefined && details !== title) out.errorDetails = details;
  const hint = code !== undefined ? webhookErrorHint(provider, code) : undefined;
  if (hint) out.hint = hint;
  return out;
}

function interflowEvents(payload: Obj, ctx: NormalizeContext): WebhookEvent[] {
  const data = payload.data as Obj;
  const id = str(payload.id) ?? bodyHash(ctx.raw);
  const messageId = str(data.message_id) ?? str(data.messageId) ?? str(data.id) ?? '';
  const timestamp = isoTimestamp(data.timestamp ?? payload.timestamp, ctx.now);
  const event = payload.event as string;
  const row: WebhookEvent = {
    id,
    provider: 'interflow',
    kind: event === 'message.received' ? 'message' : 'status',
    messageId,
    timestamp,
  };
  const status = str(data.status);
  if (row.kind === 'status') row.status = status ?? event.replace(/^message\./, '');
  const from = str(data.from);
  const to = str(data.to);
  const text = str(data.text) ?? (isObj(data.text) ? str(data.text.body) : undefined);
  if (from !== undefined) row.from = from;
  if (to !== undefined) row.to = to;
  if (text !== undefined) row.text = text;
  const errors = errorFields('interflow', data.error ?? (data.error_code !== undefined ? { code: data.error_code } : undefined));
  return [{ ...row, ...errors }];
}

/** Drops undefined values, so that an event has only the fields the payload gave. */
function defined<T extends object>(row: T): T {
  for (const key of Object.keys(row) as (keyof T)[]) if (row[key] === undefined) delete row[key];
  return row;
}

function metaEvents(value: Obj, now: Date, fallbackId: string): WebhookEvent[] {
  const business = isObj(value.metadata) ? str(value.metadata.display_phone_number) : undefined;
  // Profile names by WhatsApp id and by business-scoped user id.
  const names = new Map<string, string>();
  for (const c of arr(value.contacts)) {
    if (!isObj(c)) continue;
    const name = isObj(c.profile) ? str(c.profile.name) : undefined;
    if (name === undefined) continue;
    for (const key of [str(c.wa_id), str(c.user_id)]) if (key !== undefined) names.set(key, name);
  }
  const events: WebhookEvent[] = [];
  for (const s of arr(value.statuses)) {
    if (!isObj(s)) continue;
    const messageId = str(s.id) ?? '';
    const status = str(s.status) ?? 'unknown';
    const rawTs = str(s.timestamp) ?? '';
    events.push(
      defined<WebhookEvent>({
        id: `${messageId}:${status}:${rawTs}`,
        provider: 'meta',
        kind: 'status',
        messageId,
        status,
        from: business,
        to: str(s.recipient_id) ?? str(s.recipient_user_id),
        ...errorFields('meta', s.errors),
        pricing: isObj(s.pricing) ? str(s.pricing.category) : undefined,
        timestamp: isoTimestamp(s.timestamp, now),
      }),
    );
  }
  const messages = arr(value.messages).map((m) => ({ m, echo: false }));
  const echoes = arr(value.message_echoes).map((m) => ({ m, echo: true }));
  for (const [i, { m, echo }] of [...messages, ...echoes].entries()) {
    if (!isObj(m)) continue;
    const messageId = str(m.id) ?? '';
    const from = str(m.from) ?? str(m.from_user_id);
    const user = echo ? (str(m.to) ?? str(m.to_user_id)) : from;
    const content = messageContent(m);
    events.push(
      defined<WebhookEvent>({
        id: messageId || `${fallbackId}:message:${i}`,
        provider: 'meta',
        kind: 'message',
        messageId,
        type: str(m.type),
        from,
        name: [str(m.from), str(m.from_user_id)].map((k) => (k === undefined || echo ? undefined : names.get(k))).find(Boolean),
        to: echo ? user : business,
        text: content.text,
        filename: content.filename,
        ...errorFields('meta', m.errors),
        timestamp: isoTimestamp(m.timestamp, now),
      }),
    );
  }
  for (const [i, error] of arr(value.errors).entries()) {
    if (!isObj(error)) continue;
    events.push(
      defined<WebhookEvent>({
        id: `${fallbackId}:error:${i}`,
        provider: 'meta',
        kind: 'error',
        messageId: '',
        to: business,
        ...errorFields('meta', error),
        timestamp: isoTimestamp(value.timestamp, now),
      }),
    );
  }
  return events;
}

/** One shared contact card: its name and phone numbers. */
function contactCard(c: unknown): string | undefined {
  if (!isObj(c)) return undefined;
  const n = isObj(c.name) ? c.name : {};
  const name = str(n.formatted_name) ?? ([str(n.first_name), str(n.last_name)].filter(Boolean).join(' ') || undefined);
  const phones = arr(c.phones)
    .map((p) => (isObj(p) ? (str(p.phone) ?? str(p.wa_id)) : undefined))
    .filter((p): p is string => p !== undefined);
  const text = [name, phones.length ? `(${phones.join(', ')})` : undefined].filter(Boolean).join(' ');
  return text || undefined;
}

/** A short readable text (and a document's file name) for a message of any type. */
function messageContent(m: Obj): { text?: string; filename?: string } {
  const type = str(m.type);
  const part = type && isObj(m[type]) ? (m[type] as Obj) : undefined;
  if (isObj(m.text)) return { text: str(m.text.body) };
  switch (type) {
    case 'button':
      return { text: part && (str(part.text) ?? str(part.payload)) };
    case 'interactive': {
      if (!part) return {};
      const reply = isObj(part.button_reply) ? part.button_reply : isObj(part.list_reply) ? part.list_reply : undefined;
      if (reply) return { text: str(reply.title) ?? str(reply.id) };
      // A flow's answer: what the user filled in.
      if (isObj(part.nfm_reply)) return { text: str(part.nfm_reply.response_json) ?? str(part.nfm_reply.body) };
      return {};
    }
    case 'reaction':
      return { text: part && str(part.emoji) };
    case 'location': {
      if (!part) return {};
      const where = [str(part.name), str(part.address)].filter(Boolean).join(', ');
      return { text: where || `${str(part.latitude) ?? '?'},${str(part.longitude) ?? '?'}` };
    }
    case 'contacts': {
      const cards = arr(m.contacts).map(contactCard).filter(Boolean);
      return { text: cards.length ? cards.join('; ') : undefined };
    }
    case 'system':
      return { text: part && (str(part.body) ?? str(part.type)) };
    case 'edit':
      // The edited message's new content.
      return part && isObj(part.message) ? messageContent(part.message) : {};
    case 'order': {
      if (!part) return {};
      const items = arr(part.product_items)
        .filter(isObj)
        .map((it) => `${str(it.quantity) ?? '?'} × ${str(it.product_retailer_id) ?? '?'}`);
      const text = [str(part.text) || undefined, items.join(', ') || undefined].filter(Boolean).join(': ');
      return { text: text || undefined };
    }
  }
  if (!part) return {};
  return { text: str(part.caption), filename: str(part.filename) };
}
