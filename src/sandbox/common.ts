/**
 * What the four provider handlers of the sandbox share: the request/answer types the server hands
 * them, turning zod issues into field problems a provider can phrase in its own words
 * (Portuguese for Interflow and Interacto, English for Meta and Turn), and small helpers.
 *
 * Nothing here (or anywhere in src/sandbox) imports src/providers or src/message: the sandbox is
 * written from the providers' documents so that it checks the CLI's adapters against them.
 */
import { randomFillSync } from 'node:crypto';
import type * as z from 'zod';

export type { ProviderName } from './paths.js';
import type { ProviderName } from './paths.js';

/** A request as the server hands it to a provider handler. */
export interface HandlerRequest {
  method: string;
  /** The path after the provider's prefix, without the query string ('/messages/send'). */
  path: string;
  query: URLSearchParams;
  /** Lowercase header names. */
  headers: Record<string, string>;
  rawBody: string;
  /** The body as JSON: parsed, absent (empty body) or not JSON (with why). */
  json: { kind: 'json'; value: unknown } | { kind: 'empty' } | { kind: 'invalid'; reason: string };
  /**
   * Set by the server on a send request whose credential it already checked and counted against
   * the rate limit (see ProviderHandler.credential): the handler must not count it again, and
   * answers with these X-RateLimit-* figures where it has them.
   */
  rate?: RateDecision;
}

/** What a handler answers. */
export interface HandlerResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The id of the message the provider accepted. */
  messageId?: string;
  /** A batch request (Interflow's /messages/bulk): the messages it accepted, each with its recipient and item. */
  batch?: { id: string; to: string; body: unknown }[];
  /** For the log: what kind of message and to whom (also set on refusals when the body says so). */
  messageType?: string;
  to?: string;
  /** For the log: a one-line reason when the request was refused. */
  error?: string;
}

export interface ProviderHandler {
  readonly provider: ProviderName;
  /** The path (after the prefix) a message is sent to with POST: '/messages/send', '/v1/messages'… */
  readonly sendPath: string;
  /** The path a batch of messages is sent to with POST (counted and faulted as a send), if any. */
  readonly batchPath?: string;
  /** The answer, or undefined when no route matches (the server answers 404). */
  handle(req: HandlerRequest): HandlerResponse | undefined | Promise<HandlerResponse | undefined>;
  /** An error in this provider's shape, for what the server refuses itself (413, 405, bad UTF-8). */
  error(status: number, message: string): HandlerResponse;
  /**
   * The request's credential when this provider would accept it (the key the rate limit counts
   * against), else undefined. Only a cheap header check: a refusal is still answered by handle().
   */
  credential(req: HandlerRequest): string | undefined;
  /**
   * The answer to a fault the server injects (a 429, 500, 502, 503 or 504), in this provider's own
   * error envelope; `rate` when the 429 is the rate limit's. The server adds Retry-After and
   * X-RateLimit-* itself.
   */
  fault(status: FaultStatus, rate?: RateDecision): HandlerResponse;
  /** Forgets state (messages, rate-limit windows). */
  reset?(): void;
}

/** The statuses a fault can answer with (`--fail-status`). */
export type FaultStatus = 429 | 500 | 502 | 503 | 504;
export const FAULT_STATUSES: readonly FaultStatus[] = [429, 500, 502, 503, 504];

/**
 * The one recipient every provider refuses, for per-row refusals in tests without any flag: a
 * valid message to it gets the provider's "not on WhatsApp" answer (Interflow 400
 * VALIDATION_ERROR naming `to`, Turn 400 code 1013, Interacto 400, SocialMiner 400 code 131026)
 * and is not accepted. Any other number is accepted.
 */
export const REFUSED_RECIPIENT = '5511900000422';

/** How the server tells a handler whether a credential is acceptable. */
export type KeyCheck = (key: string) => boolean;

// ---------------------------------------------------------------------------------------------
// Field problems

export type Lang = 'en' | 'pt';

export interface FieldProblem {
  /** Dotted path: 'content.components.0.parameters'. '' for the whole body. */
  field: string;
  kind: 'missing' | 'unknown' | 'invalid';
  /** What is wrong, without the field name, in the chosen language ('must be a string'). */
  message: string;
}

const typeNames: Record<Lang, Record<string, string>> = {
  en: {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'a boolean',
    object: 'an object',
    array: 'an array',
  },
  pt: {
    string: 'do tipo texto (string)',
    number: 'um número',
    int: 'um número inteiro',
    boolean: 'um booleano (true/false)',
    object: 'um objeto',
    array: 'uma lista (array)',
  },
};

export function dotted(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { present: boolean; value: unknown } {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key as string)) {
      return { present: false, value: undefined };
    }
    current = (current as Record<string, unknown>)[key as string];
  }
  return { present: true, value: current };
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/**
 * zod issues as field problems: one per unknown key, missing fields told apart from wrong ones
 * (by looking at the input), messages in the provider's language. Custom checks carry their
 * English text in `message` and their Portuguese text in `params.pt`.
 */
export function fieldProblems(error: z.ZodError, input: unknown, lang: Lang): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const issue of error.issues) {
    const path = issue.path;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({
          field: dotted([...path, key]),
          kind: 'unknown',
          message: lang === 'pt' ? 'campo não permitido' : 'is not a valid parameter',
        });
      }
      continue;
    }
    const at = valueAt(input, path);
    if (!at.present && (issue.code === 'invalid_type' || issue.code === 'invalid_union' || issue.code === 'invalid_value')) {
      out.push({ field: dotted(path), kind: 'missing', message: lang === 'pt' ? 'campo obrigatório' : 'is required' });
      continue;
    }
    out.push({ field: dotted(path), kind: 'invalid', message: describeIssue(issue, at.value, lang) });
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown, lang: Lang): string {
  const pt = lang === 'pt';
  switch (issue.code) {
    case 'invalid_type': {
      const expected = typeNames[lang][issue.expected] ?? issue.expected;
      return pt ? `deve ser ${expected} (recebido: ${describeValue(value)})` : `must be ${expected} (got ${describeValue(value)})`;
    }
    case 'invalid_value':
      return issue.values.length === 1
        ? pt
          ? `deve ser ${quoteList(issue.values)}`
          : `must be ${quoteList(issue.values)}`
        : pt
          ? `deve ser um de: ${quoteList(issue.values)}`
          : `must be one of ${quoteList(issue.values)}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (options) return pt ? `deve ser um de: ${quoteList(options)}` : `must be one of ${quoteList(options)}`;
      return pt ? 'valor inválido' : 'has an invalid value';
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') {
        return min <= 1
          ? pt
            ? 'não pode ser vazio'
            : 'must not be empty'
          : pt
            ? `deve ter pelo menos ${min} caracteres`
            : `must be at least ${min} characters`;
      }
      if (issue.origin === 'array') {
        return pt ? `deve ter pelo menos ${min} item(ns)` : `must have at least ${min} item(s)`;
      }
      return pt ? `deve ser maior ou igual a ${min}` : `must be at least ${min}`;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return pt ? `deve ter no máximo ${max} caracteres` : `must be at most ${max} characters`;
      if (issue.origin === 'array') return pt ? `deve ter no máximo ${max} item(ns)` : `must have at most ${max} item(s)`;
      return pt ? `deve ser menor ou igual a ${max}` : `must be at most ${max}`;
    }
    case 'invalid_format':
      if (issue.format === 'url') return pt ? 'deve ser uma URL http(s)' : 'must be an http(s) URL';
      return pt ? 'formato inválido' : 'has an invalid format';
    case 'custom': {
      const ptText = (issue.params as { pt?: string } | undefined)?.pt;
      return pt && ptText ? ptText : issue.message;
    }
    default:
      return pt ? 'valor inválido' : 'has an invalid value';
  }
}

/** A custom check's message in both languages (see fieldProblems). */
export function bilingual(en: string, pt: string): { message: string; params: { pt: string } } {
  return { message: en, params: { pt } };
}

// ---------------------------------------------------------------------------------------------
// Shared checks

/** Every document writes recipients as digits with country code, no '+': 5511999999999. */
export const PHONE_RE = /^\d{8,15}$/;
export const PHONE_RULE = bilingual(
  'must be the phone number in international form, digits only without + (8 to 15 digits, e.g. 5511999999999)',
  'deve ser o número em formato internacional, só dígitos e sem + (8 a 15 dígitos, ex.: 5511999999999)',
);

/** Length as a person counts it (code points: an emoji counts once). */
export const chars = (s: string): number => [...s].length;

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `application/json`, optionally with `; charset=utf-8`. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  if (value === 'application/json') return true;
  const [type, ...params] = value.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/** ISO 8601 without milliseconds, as the documents show: 2024-01-15T10:30:00Z. */
export function isoSeconds(date?: Date): string {
  if (date) return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  // Now: made once a second (every accepted message asks for it).
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastIso = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastIso;
}
let lastSecond = -1;
let lastIso = '';

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Random bytes from a pool refilled 8 KiB at a time: ids are made on every accepted message, and
 * one randomBytes() call per id costs more than the rest of making it.
 */
const pool = Buffer.alloc(8192);
let poolAt = pool.length;

export function randomBytesPooled(length: number): Buffer {
  if (length > pool.length) return randomFillSync(Buffer.alloc(length));
  if (poolAt + length > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + length));
  poolAt += length;
  return out;
}

export function randomAlnum(length: number, alphabet = ALNUM): string {
  const bytes = randomBytesPooled(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

/** The string fields `type` and `to` of a body, for the log. */
export function summaryOf(body: unknown): { messageType?: string; to?: string } {
  if (!isPlainObject(body)) return {};
  return {
    ...(typeof body.type === 'string' ? { messageType: body.type } : {}),
    ...(typeof body.to === 'string' ? { to: body.to } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Rate limit

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Unix seconds when the oldest request of the window leaves it. */
  reset: number;
  /** Seconds to wait, when refused (at least 1). */
  retryAfter?: number;
}

/** The X-RateLimit-* headers of a decision. */
export function rateLimitHeaders(d: RateDecision): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(d.limit),
    'X-RateLimit-Remaining': String(d.remaining),
    'X-RateLimit-Reset': String(d.reset),
  };
}

/** One key's window: arrival times in order, the live ones from `head` on. */
interface Window {
  times: number[];
  head: number;
}

/**
 * A sliding window: at most `limit` requests in any `windowMs`, per key. O(1) amortized per
 * request (times leave from the front of a queue, never a scan), memory bounded by the requests
 * of one window.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    /** ms since the epoch; tests pass a clock they move themselves. */
    private readonly clock: () => number = Date.now,
  ) {}

  /** The live part of `key`'s window (created when `create`). */
  private window(key: string, now: number, create: boolean): Window | undefined {
    let w = this.hits.get(key);
    if (!w) {
      if (!create) return undefined;
      w = { times: [], head: 0 };
      this.hits.set(key, w);
      return w;
    }
    const cutoff = now - this.windowMs;
    const { times } = w;
    let head = w.head;
    while (head < times.length && times[head]! <= cutoff) head++;
    if (head === times.length) {
      times.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > times.length) {
      times.splice(0, head);
      head = 0;
    }
    w.head = head;
    return w;
  }

  /** Counts one request for `key` when there is room. */
  hit(key: string, now = this.clock()): RateDecision {
    const w = this.window(key, now, true)!;
    const count = w.times.length - w.head;
    if (count >= this.limit) {
      const freeAt = w.times[w.head]! + this.windowMs;
      return {
        allowed: false,
        limit: this.limit,
        remaining: 0,
        reset: Math.ceil(freeAt / 1000),
        retryAfter: Math.max(1, Math.ceil((freeAt - now) / 1000)),
      };
    }
    w.times.push(now);
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - count - 1,
      reset: Math.ceil((w.times[w.head]! + this.windowMs) / 1000),
    };
  }

  /** The state for `key` without counting a request. */
  peek(key: string, now = this.clock()): RateDecision {
    const w = this.window(key, now, false);
    const count = w ? w.times.length - w.head : 0;
    return {
      allowed: count < this.limit,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      reset: Math.ceil(((count > 0 ? w!.times[w!.head]! : now) + this.windowMs) / 1000),
    };
  }

  clear(): void {
    this.hits.clear();
  }
}

/** The credential of an `Authorization: Bearer X` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer ([^\s]+)$/.exec(header);
  return m ? m[1] : undefined;
}
