/**
 * The option parsers every command shares: whole numbers in a range, KEY=VALUE pairs, rates,
 * durations. Each is a plain function that returns the value or throws a UsageError naming the
 * flag (so the same words reach the user whichever command refuses), and, for specs, a zod/mini
 * schema built on it (src/commands/spec.ts). A parser's UsageError goes through zod unchanged:
 * the app reports it as it is (exit 2, before anything is sent).
 */
import * as z from 'zod/mini';
import { UsageError } from '../errors.js';

/** The longest timer Node keeps (2^31-1 ms): a longer one fires after 1 ms. */
export const MAX_TIMEOUT_MS = 2_147_483_647;

export interface Range {
  min: number;
  max?: number;
  /** What the flag must be, as the refusal says it (default: "a whole number from MIN to MAX"). */
  what?: string;
}

/** "--page must be a whole number from 1 to 100, got 'x'"; digits only (no sign, no decimals). */
export function wholeNumber(raw: string, flag: string, { min, max = Number.MAX_SAFE_INTEGER, what }: Range): number {
  const text = String(raw).trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? ` of at least ${min}` : ` from ${min} to ${max}`;
    throw new UsageError(`${flag} must be ${what ?? `a whole number${range}`}, got '${raw}'`);
  }
  return n;
}

/** A decimal number ("--latitude -23.5"), or a whole one with `integer`. */
export function decimal(raw: string, flag: string, integer = false): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${integer ? 'a whole number' : 'a number'}, got '${raw}'`);
  }
  return n;
}

/** `KEY=VALUE` (`--metadata leadId=1234533`, `--quick-reply 0=yes`, `--button id=Title`): key trimmed, value as typed. */
export function splitPair(raw: string, flag: string, shape: string): [string, string] {
  const eq = raw.indexOf('=');
  if (eq <= 0 || raw.slice(0, eq).trim() === '') throw new UsageError(`${flag} takes ${shape}, got '${raw}'`);
  return [raw.slice(0, eq).trim(), raw.slice(eq + 1)];
}

/** Repeated `KEY=VALUE` flags, in order; a later key replaces an earlier one. */
export function pairs(raw: readonly string[] | undefined, flag: string, shape = 'key=value'): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of raw ?? []) {
    const [key, value] = splitPair(item, flag, shape);
    out.set(key, value);
  }
  return out;
}

/** `--rate 300/min`, `--rate 5/s`, `--rate 300` (a minute): requests a minute, or undefined if it is none of those. */
export function parseRate(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(min|m|minute|s|sec|second))?\s*$/i.exec(raw);
  if (!m) return undefined;
  const n = Number(m[1]);
  const perMinute = m[2] && /^s/i.test(m[2]) ? n * 60 : n;
  return perMinute > 0 ? perMinute : undefined;
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000 };

/** `6s`, `1500ms`, `1m`, `6` (seconds), `0` (off) → ms; undefined when it is none of these. */
export function parseDuration(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(raw);
  if (!m) return undefined;
  return Math.round(Number(m[1]) * DURATION_UNITS[(m[2] ?? 's').toLowerCase()]!);
}

const AGE_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since 24h` (s, m, h, d, w) or an ISO date → the earliest time it means (ms since the epoch). */
export function parseSince(value: string, flag = '--since', now = Date.now()): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(value);
  if (m) return now - Number(m[1]) * AGE_UNITS[m[2]!.toLowerCase()]!;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return t;
  }
  throw new UsageError(`${flag} takes an age like 30m, 24h or 7d, or an ISO date like 2026-12-01, got '${value}'`);
}

/** --timeout, a global flag: milliseconds up to the longest timer Node keeps. */
export function timeoutMs(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > MAX_TIMEOUT_MS) {
    throw new UsageError(`--timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (about 24.8 days), got '${raw}'`);
  }
  return n;
}

// Schemas for specs: the value commander gives (a string, or absent), parsed by the functions above.

/**
 * An optional flag's schema: its value parsed by `parse`. Built on its first use (z.lazy): every
 * spec is loaded on each start of an app bundle, and building a zod schema is not free.
 */
const parsed = <T>(parse: (raw: string) => T): z.ZodMiniType<T | undefined, unknown> =>
  z.lazy(() => z.optional(z.pipe(z.string(), z.transform(parse))));

/** An optional whole-number flag. */
export const int = (flag: string, range: Range) => parsed((raw) => wholeNumber(raw, flag, range));

/** An optional `--since`-like flag: an age or a date, as the earliest time it means. */
export const since = (flag: string) => parsed((raw) => parseSince(raw, flag));

/** An optional flag whose value must be one of a few: what `find` makes of it, or refused. */
const choice = <C>(flag: string, what: string, find: (raw: string) => C | undefined) =>
  parsed((raw) => {
    const found = find(raw);
    if (found === undefined) throw new UsageError(`${flag} must be ${what}, got '${raw}'`);
    return found;
  });

/** An optional flag that takes one of a few words (case-insensitive), given back in lower case. */
export const oneOf = <const W extends string>(flag: string, words: readonly W[], what = `one of ${words.join(', ')}`) =>
  choice(flag, what, (raw) => words.find((w) => w === raw.toLowerCase()));

/** An optional flag that takes one of a few whole numbers (`--fail-status 503`). */
export const oneOfNumbers = <const N extends number>(flag: string, numbers: readonly N[], what = `one of ${numbers.join(', ')}`) =>
  choice(flag, what, (raw) => (/^\d+$/.test(raw.trim()) ? numbers.find((n) => n === Number(raw.trim())) : undefined));

/** An optional `--rate`: requests a minute. */
export const rate = (flag: string) =>
  parsed((raw) => {
    const perMinute = parseRate(raw);
    if (perMinute === undefined) throw new UsageError(`${flag} takes N/min or N/s (like 300/min or 5/s), got '${raw}'`);
    return perMinute;
  });
