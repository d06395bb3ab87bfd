/**
 * Webhook payloads → flat event rows, one per status or incoming message, whatever the provider:
 * Interflow's `{"event":"message.status_updated","data":{…}}` and Meta-style webhooks (Turn,
 * SocialMiner): `entry[].changes[].value.statuses[]` / `messages[]`, or the same `statuses[]` /
 * `messages[]` at the top level (Turn's on-premise form). One payload may hold several events.
 */
import { createHash } from 'node:crypto';

export interface WebhookEvent {
  /** Stable id used to drop replays: Interflow's event id, Meta's message id (+status+timestamp). */
  id: string;
  provider: 'interflow' | 'meta';
  kind: 'status' | 'message';
  messageId: string;
  status?: string;
  /** Incoming messages: the message type (text, image, button, …). */
  type?: string;
  from?: string;
  to?: string;
  text?: string;
  errorCode?: string;
  errorTitle?: string;
  /** What to do about errorCode, when known. */
  hint?: string;
  /** ISO 8601. */
  timestamp: string;
}

/** Hints for Meta error codes seen in status webhooks. */
export const ERROR_HINTS: Record<string, string> = {
  '131047': 'more than 24 h since the customer last replied: send a template',
  '131026': 'message undeliverable: the number may not be on WhatsApp, or has not accepted the terms',
  '131056': 'too many messages to this recipient in a short time: slow down',
  '132000': 'template parameter count does not match the template',
  '132001': 'template missing in that language or not approved',
  '132012': 'template parameter format is wrong',
  '130472': "the user's number is part of an experiment: try again later",
  '131049': 'Meta chose not to deliver this marketing message to keep engagement healthy',
};

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
  /** Lowercase request headers. */
  headers?: Record<string, string | string[] | undefined>;
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
  if (values.length === 0 && (Array.isArray(payload.statuses) || Array.isArray(payload.messages))) values.push(payload);
  return values.flatMap((v) => metaEvents(v, ctx.now ?? new Date()));
}

function interflowEvents(payload: Obj, ctx: NormalizeContext): WebhookEvent[] {
  const data = payload.data as Obj;
  const header = ctx.headers?.['x-interflow-event-id'];
  const id = str(payload.id) ?? (Array.isArray(header) ? header[0] : header) ?? bodyHash(ctx.raw);
  const messageId = str(data.message_id) ?? str(data.messageId) ?? str(data.id) ?? '';
  const timestamp = isoTimestamp(data.timestamp ?? payload.timestamp, ctx.now);
  const event = payload.event as string;
  const error = isObj(data.error) ? data.error : undefined;
  const errorCode = str(error?.code) ?? str(data.error_code);
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
  if (errorCode !== undefined) {
    row.errorCode = errorCode;
    const title = str(error?.message) ?? str(error?.title);
    if (title !== undefined) row.errorTitle = title;
    if (ERROR_HINTS[errorCode]) row.hint = ERROR_HINTS[errorCode];
  }
  return [row];
}

function metaEvents(value: Obj, now: Date): WebhookEvent[] {
  const business = isObj(value.metadata) ? str(value.metadata.display_phone_number) : undefined;
  const events: WebhookEvent[] = [];
  for (const s of arr(value.statuses)) {
    if (!isObj(s)) continue;
    const messageId = str(s.id) ?? '';
    const status = str(s.status) ?? 'unknown';
    const rawTs = str(s.timestamp) ?? '';
    const row: WebhookEvent = {
      id: `${messageId}:${status}:${rawTs}`,
      provider: 'meta',
      kind: 'status',
      messageId,
      status,
      timestamp: isoTimestamp(s.timestamp, now),
    };
    if (business !== undefined) row.from = business;
    const to = str(s.recipient_id);
    if (to !== undefined) row.to = to;
    const error = arr(s.errors).find(isObj);
    if (error) {
      const code = str(error.code);
      if (code !== undefined) row.errorCode = code;
      const details = isObj(error.error_data) ? str(error.error_data.details) : undefined;
      const title = str(error.title) ?? str(error.message) ?? details;
      if (title !== undefined) row.errorTitle = title;
      if (code !== undefined && ERROR_HINTS[code]) row.hint = ERROR_HINTS[code];
    }
    events.push(row);
  }
  for (const m of arr(value.messages)) {
    if (!isObj(m)) continue;
    const messageId = str(m.id) ?? '';
    const row: WebhookEvent = {
      id: messageId || `${str(m.from) ?? ''}:${str(m.timestamp) ?? ''}`,
      provider: 'meta',
      kind: 'message',
      messageId,
      timestamp: isoTimestamp(m.timestamp, now),
    };
    const type = str(m.type);
    if (type !== undefined) row.type = type;
    const from = str(m.from);
    if (from !== undefined) row.from = from;
    if (business !== undefined) row.to = business;
    const text = messageText(m);
    if (text !== undefined) row.text = text;
    const error = arr(m.errors).find(isObj);
    if (error) {
      const code = str(error.code);
      if (code !== undefined) row.errorCode = code;
      const title = str(error.title) ?? str(error.message);
      if (title !== undefined) row.errorTitle = title;
    }
    events.push(row);
  }
  return events;
}

/** A short readable text for an incoming message of any type. */
function messageText(m: Obj): string | undefined {
  const type = str(m.type);
  const part = type && isObj(m[type]) ? (m[type] as Obj) : undefined;
  if (isObj(m.text)) return str(m.text.body);
  if (type === 'button' && part) return str(part.text) ?? str(part.payload);
  if (type === 'interactive' && part) {
    const reply = isObj(part.button_reply) ? part.button_reply : isObj(part.list_reply) ? part.list_reply : undefined;
    if (reply) return str(reply.title) ?? str(reply.id);
  }
  if (type === 'reaction' && part) return str(part.emoji);
  if (type === 'location' && part) {
    const where = [str(part.name), str(part.address)].filter(Boolean).join(', ');
    return where || `${str(part.latitude) ?? '?'},${str(part.longitude) ?? '?'}`;
  }
  if (part) return str(part.caption) ?? str(part.filename);
  return undefined;
}
