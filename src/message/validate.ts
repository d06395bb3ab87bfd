/**
 * Validation of a built message with errors that speak the user's words: a zod issue path is
 * turned into the flag (or file field) the user typed, so "caption is only for image…" arrives
 * as "--caption: is only for image, video and document".
 */
import type * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import { messageSchema, type Message } from './model.js';

/** Model field (first path segment, or a dotted path) → the flag that sets it. */
export type FieldNames = Record<string, string>;

/**
 * zod/mini carries no locale (that keeps startup cheap), so its own messages are "Invalid input":
 * where a schema gave no message of its own, say what is wrong from the issue's code.
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.message && issue.message !== 'Invalid input') return issue.message;
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${article(issue.expected)}, got ${typeName(issue.input)}`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'invalid_union':
      return 'does not match any of the accepted shapes';
    case 'too_small':
      return `must have at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
    case 'too_big':
      return `must have at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    default:
      return 'is not valid';
  }
}

function article(expected: string): string {
  return expected === 'int' ? 'a whole number' : /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function typeName(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `${typeof value} ${JSON.stringify(value)}`;
}

/** Drops keys whose value is undefined (flags not given), at every depth. */
export function compact<T>(value: T): T {
  if (Array.isArray(value)) return value.map(compact) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k];
      if (v === undefined) continue;
      // A "__proto__" key (from JSON.parse) stays an own property, for the schema to refuse.
      if (k === '__proto__') Object.defineProperty(out, k, { value: compact(v), enumerable: true, writable: true, configurable: true });
      else out[k] = compact(v);
    }
    return out as T;
  }
  return value;
}

export function formatIssue(issue: z.core.$ZodIssue, names: FieldNames = {}, source?: string): string {
  const path = issue.path.map(String);
  const dotted = path.join('.');
  const name =
    names[dotted] ??
    names[path.slice(0, 2).join('.')] ??
    names[path[0] ?? ''] ??
    (dotted ? (source ? `${source}: ${dotted}` : dotted) : source);
  const message = withoutSubject(describeIssue(issue), name, path.at(-1));
  return name ? `${name}: ${message}` : message;
}

/**
 * The model's messages start with their field ("url must be…") for callers that print them bare;
 * after "--url: " that subject is said twice, so it goes: "--url: must be…".
 */
function withoutSubject(message: string, name: string | undefined, field: PropertyKey | undefined): string {
  if (!name) return message;
  const subjects = [name.replace(/^--?/, ''), name.split(': ').at(-1)!, String(field ?? '')].filter((s) => s !== '');
  for (const subject of subjects) {
    if (message.toLowerCase().startsWith(`${subject.toLowerCase()} `)) return message.slice(subject.length + 1);
  }
  return message;
}

/** Parses a candidate message; throws ValidationError (exit 2) naming the flag or field. */
export function validateMessage(candidate: unknown, names: FieldNames = {}, source?: string): Message {
  const result = messageSchema.safeParse(compact(candidate));
  if (result.success) return result.data;
  const issues = result.error.issues;
  // Up to three problems, each named; a count only for those not shown.
  const shown = issues.slice(0, 3).map((i) => formatIssue(i, names, source));
  const rest = issues.length - shown.length;
  throw new ValidationError(shown.join('; ') + (rest > 0 ? `; and ${rest} more` : ''));
}
