/**
 * What to do with an answer, for a row: the rule that keeps customers from getting a message
 * twice. Only what the provider surely did not accept is retried (connection refused or connect
 * timeout, 429, 503). A timeout or reset after the request was written, a 500/502/504, or a 2xx
 * that cannot be read may have been accepted: the row is `unknown` and is never resent
 * automatically. Other 4xx answers are final.
 */
export type Verdict = 'sent' | 'retry' | 'unknown' | 'failed' | 'auth';

/** The response headers the retry rules read (bulk's HTTP client reads only these). */
export const rateLimitHeaders = ['retry-after', 'x-ratelimit-remaining', 'x-ratelimit-reset'] as const;

export function verdictForStatus(status: number): Verdict {
  if (status >= 200 && status < 300) return 'sent';
  if (status === 429 || status === 503) return 'retry';
  if (status === 401 || status === 403) return 'auth';
  if (status === 500 || status === 502 || status === 504) return 'unknown';
  if (status >= 500) return 'unknown';
  return 'failed';
}

/** The most a single Retry-After may make us wait. */
export const RETRY_AFTER_CAP_MS = 120_000;

/** Retry-After as milliseconds: delta-seconds or an HTTP date; capped; undefined if absent/bad. */
export function retryAfterMs(header: string | undefined, nowMs = Date.now()): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
  else {
    const date = Date.parse(value);
    if (Number.isNaN(date)) return undefined;
    ms = date - nowMs;
  }
  return Math.min(Math.max(ms, 0), RETRY_AFTER_CAP_MS);
}

/**
 * X-RateLimit-Remaining: 0 with X-RateLimit-Reset (epoch seconds, or seconds from now when
 * small) → how long to pause; undefined when there is no such signal.
 */
export function rateLimitPauseMs(headers: Record<string, string>, nowMs = Date.now()): number | undefined {
  const remaining = headers['x-ratelimit-remaining'];
  if (remaining === undefined || remaining.trim() === '' || Number(remaining) > 0) return undefined;
  return resetInMs(headers['x-ratelimit-reset'], nowMs);
}

/** X-RateLimit-Reset as ms from now: epoch seconds, or seconds from now when small; undefined if absent/bad. */
function resetInMs(reset: string | undefined, nowMs: number): number | undefined {
  if (reset === undefined) return undefined;
  const r = Number(reset);
  if (reset.trim() === '' || !Number.isFinite(r)) return undefined;
  return Math.min(Math.max(r > 1e9 ? r * 1000 - nowMs : r * 1000, 0), RETRY_AFTER_CAP_MS);
}

/**
 * The spacing the provider's window allows from now on: the time until X-RateLimit-Reset shared
 * by the X-RateLimit-Remaining requests left (undefined without both, or with none left, which
 * rateLimitPauseMs covers). A pace that keeps to it never runs out of the window.
 */
export function rateLimitSpacingMs(headers: Record<string, string>, nowMs = Date.now()): number | undefined {
  const raw = headers['x-ratelimit-remaining'];
  if (raw === undefined) return undefined;
  const remaining = Number(raw);
  const until = resetInMs(headers['x-ratelimit-reset'], nowMs);
  if (raw.trim() === '' || !Number.isFinite(remaining) || remaining <= 0 || until === undefined) return undefined;
  return until / remaining;
}

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^attempt)). */
export function backoffMs(attempt: number, baseMs = 250, capMs = 20_000, random = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
