/**
 * What the four provider handlers of the sandbox share: the request/answer types the server hands
 * them, turning zod issues into field problems a provider can phrase in its own words
 * (Portuguese for Interflow and Interacto, English for Meta and Turn), and small helpers.
 *
 * Nothing here (or anywhere in src/sandbox) imports src/providers or src/message: the sandbox is
 * written from the providers' documents so that it checks the CLI's adapters against them.
 */
import { randomBytes } from 'node:crypto';
import type * as z from 'zod';

export type ProviderName = 'interflow' | 'interacto' | 'turn' | 'socialminer';

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
}

/** What a handler answers. */
export interface HandlerResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** The id of the message the provider accepted. */
  messageId?: string;
  /** For the log: what kind of message and to whom (also set on refusals when the body says so). */
  messageType?: string;
  to?: string;
  /** For the log: a one-line reason when the request was refused. */
  error?: string;
}

export interface ProviderHandler {
  readonly provider: ProviderName;
  /** The answer, or undefined when no route matches (the server answers 404). */
  handle(req: HandlerRequest): HandlerResponse | undefined | Promise<HandlerResponse | undefined>;
  /** An error in this provider's shape, for what the server refuses itself (413, 405, bad UTF-8). */
  error(status: number, message: string): HandlerResponse;
  /** Forgets state (messages, rate-limit windows). */
  reset?(): void;
}

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
      return pt
        ? `deve ser ${expected} (recebido: ${describeValue(value)})`
        : `must be ${expected} (got ${describeValue(value)})`;
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
  const [type, ...params] = value.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/** ISO 8601 without milliseconds, as the documents show: 2024-01-15T10:30:00Z. */
export function isoSeconds(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomAlnum(length: number, alphabet = ALNUM): string {
  const bytes = randomBytes(length);
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

/** The credential of an `Authorization: Bearer X` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer ([^\s]+)$/.exec(header);
  return m ? m[1] : undefined;
}
