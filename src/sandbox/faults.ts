/**
 * Fault injection for the sandbox, so that clients (bulk above all) can be tested against the
 * failures real providers have: refusals to retry (429, 5xx with Retry-After), a connection reset
 * after the request was read, an answer that never comes, slow answers, a rate limit.
 *
 * A send request (a POST to a provider's send path) goes through these stages, in order:
 *
 *   auth        the provider's credential check; a refusal is the provider's 401 and counts for nothing below
 *   rate        `rate` requests a minute per key, all providers together (sliding window): past it,
 *               429 in the provider's envelope with Retry-After and X-RateLimit-*; not accepted
 *   failFirst   the first `failFirst` requests that get here: `failStatus` (default 503) in the
 *               provider's envelope, Retry-After when `retryAfter` is set; not accepted
 *   resetFirst  the next `resetFirst`: handled normally (validated, stored, an id given: ACCEPTED),
 *               then the connection is reset (TCP RST) instead of answered. The hard case for a
 *               client: the message went through but it cannot know; it must not send it again.
 *   hangFirst   the next `hangFirst`: handled and accepted the same way, never answered (the
 *               connection stays open until the client gives up or the sandbox closes)
 *   dripFirst   the next `dripFirst`: handled and accepted, then answered one byte every `dripMs`
 *               (headers at once, the body a byte at a time): a client needs a total deadline
 *   oversizeFirst  the next `oversizeFirst`: handled and accepted, then answered 200 with a body of
 *               `oversizeBytes` (default 64 MiB): a client must bound what it reads
 *   normal      the provider's own handling; `latencyMs` delays every answer of a send request
 *
 * Each stage counts only the requests that reach it, so `failFirst: 2, resetFirst: 1` answers the
 * 1st and 2nd with 503 and resets the 3rd. Counters are per sandbox and reset() zeroes them.
 *
 * Apart from these stages, `refusals` (RefusalCounters) answers a valid message to a chosen
 * recipient with one of Meta's error codes (./meta-errors.ts), where the provider would refuse the
 * recipient: after validation, instead of accepting it. Turn and SocialMiner answer the code in
 * Meta's envelope; Interflow and Interacto their own answer for its situation (refusalKind).
 */
import { FAULT_STATUSES, type FaultStatus } from './common.js';
import { META_ERRORS } from './meta-errors.js';

export { FAULT_STATUSES, REFUSED_RECIPIENT, type FaultStatus } from './common.js';

export interface FaultOptions {
  /** The first N send requests (after auth and rate) are answered `failStatus` and not accepted. */
  failFirst?: number;
  /** Default 503. */
  failStatus?: FaultStatus;
  /**
   * Seconds, sent as Retry-After on failFirst answers and on the rate limit's 429s (where it
   * replaces the computed "seconds until a slot frees").
   */
  retryAfter?: number;
  /** The next N send requests are accepted, then their connection is reset without an answer. */
  resetFirst?: number;
  /** The next N send requests are accepted and never answered. */
  hangFirst?: number;
  /** The next N send requests are accepted, then answered one byte every `dripMs`. */
  dripFirst?: number;
  /** ms between two bytes of a drip answer (default 250). */
  dripMs?: number;
  /** The next N send requests are accepted, then answered 200 with a body of `oversizeBytes`. */
  oversizeFirst?: number;
  /** Bytes of an oversize answer (default 64 MiB). */
  oversizeBytes?: number;
  /** Every answer to a send request waits this many ms (a timer; the message is accepted before). */
  latencyMs?: number;
  /**
   * Requests a minute per API key, all providers together (sliding window); past it, 429 with
   * Retry-After and X-RateLimit-*. For Interflow it replaces the plan's limit, and the
   * X-RateLimit-* headers it always sends then count against this window.
   */
  rate?: number;
}

/** What a fault stage decided for one request. */
export type FaultKind = 'rate' | 'fail' | 'reset' | 'hang' | 'drip' | 'oversize';

export const DEFAULT_DRIP_MS = 250;
export const DEFAULT_OVERSIZE_BYTES = 64 * 1024 * 1024;

const MAX_COUNT = 1_000_000_000;

function checkCount(name: string, value: number | undefined, min = 0, max = MAX_COUNT): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`sandbox faults.${name} must be a whole number from ${min} to ${max}, got ${String(value)}`);
  }
}

/** Throws a RangeError naming the option when one is out of range. */
export function checkFaultOptions(f: FaultOptions): void {
  checkCount('failFirst', f.failFirst);
  if (f.failStatus !== undefined && !FAULT_STATUSES.includes(f.failStatus)) {
    throw new RangeError(`sandbox faults.failStatus must be one of ${FAULT_STATUSES.join(', ')}, got ${String(f.failStatus)}`);
  }
  checkCount('retryAfter', f.retryAfter, 0, 86_400);
  checkCount('resetFirst', f.resetFirst);
  checkCount('hangFirst', f.hangFirst);
  checkCount('dripFirst', f.dripFirst);
  checkCount('dripMs', f.dripMs, 1, 60_000);
  checkCount('oversizeFirst', f.oversizeFirst);
  checkCount('oversizeBytes', f.oversizeBytes, 1, 2 ** 40);
  checkCount('latencyMs', f.latencyMs, 0, 600_000);
  checkCount('rate', f.rate, 1);
}

/** The counters of the failFirst → resetFirst → hangFirst → dripFirst → oversizeFirst stages. */
export class FaultCounters {
  private failed = 0;
  private resets = 0;
  private hangs = 0;
  private drips = 0;
  private oversized = 0;

  constructor(private readonly f: FaultOptions) {}

  /** For a send request that passed auth and rate: which fault, if any, it gets. Counts it. */
  next(): 'fail' | 'reset' | 'hang' | 'drip' | 'oversize' | undefined {
    if (this.failed < (this.f.failFirst ?? 0)) {
      this.failed++;
      return 'fail';
    }
    if (this.resets < (this.f.resetFirst ?? 0)) {
      this.resets++;
      return 'reset';
    }
    if (this.hangs < (this.f.hangFirst ?? 0)) {
      this.hangs++;
      return 'hang';
    }
    if (this.drips < (this.f.dripFirst ?? 0)) {
      this.drips++;
      return 'drip';
    }
    if (this.oversized < (this.f.oversizeFirst ?? 0)) {
      this.oversized++;
      return 'oversize';
    }
    return undefined;
  }

  clear(): void {
    this.failed = this.resets = this.hangs = this.drips = this.oversized = 0;
  }
}

/** The active faults in words, one line each (for the command's banner); [] when there are none. */
export function describeFaults(f: FaultOptions): string[] {
  const lines: string[] = [];
  const retry = f.retryAfter === undefined ? '' : ` with Retry-After: ${f.retryAfter}`;
  if (f.rate !== undefined) {
    lines.push(
      `rate: at most ${f.rate} send requests a minute per key, all providers together; past it 429` +
        (f.retryAfter === undefined ? ' with Retry-After (seconds until a slot frees)' : retry) +
        ' and X-RateLimit-* (Interflow: replaces the plan limit)',
    );
  }
  if (f.failFirst) lines.push(`fail-first: the first ${f.failFirst} send request(s) answer ${f.failStatus ?? 503}${retry}, not accepted`);
  if (f.resetFirst) lines.push(`reset-first: the next ${f.resetFirst} are accepted, then the connection is reset with no answer`);
  if (f.hangFirst) lines.push(`hang-first: the next ${f.hangFirst} are accepted and never answered`);
  if (f.dripFirst)
    lines.push(`drip-first: the next ${f.dripFirst} are accepted, then answered one byte every ${f.dripMs ?? DEFAULT_DRIP_MS} ms`);
  if (f.oversizeFirst)
    lines.push(
      `oversize-first: the next ${f.oversizeFirst} are accepted, then answered with a ${f.oversizeBytes ?? DEFAULT_OVERSIZE_BYTES}-byte body`,
    );
  if (f.latencyMs) lines.push(`latency: every send answer waits ${f.latencyMs} ms`);
  if (f.retryAfter !== undefined && !f.failFirst && f.rate === undefined) lines.push(`retry-after: ${f.retryAfter} s (no fault uses it)`);
  return lines;
}

/**
 * Meta's error code for messages to one recipient (digits), or to any recipient ('*', for the
 * recipients not named): the first `times` messages to it (each recipient counted apart), or all.
 */
export interface Refusal {
  code: number;
  times?: number;
}

/** Meta's codes the sandbox can answer with (their status, title and details: ./meta-errors.ts). */
export const REFUSAL_CODES: readonly number[] = Object.keys(META_ERRORS).map(Number);

/** Throws a RangeError naming the recipient when a refusal is not one the sandbox can give. */
export function checkRefusals(refusals: Readonly<Record<string, Refusal>>): void {
  for (const [to, r] of Object.entries(refusals)) {
    if (to !== '*' && !/^\d{8,15}$/.test(to))
      throw new RangeError(`sandbox refusals: '${to}' is not a recipient (8 to 15 digits, or * for any)`);
    if (!REFUSAL_CODES.includes(r.code))
      throw new RangeError(`sandbox refusals['${to}'].code must be one of Meta's ${REFUSAL_CODES.join(', ')}, got ${String(r.code)}`);
    checkCount(`refusals['${to}'].times`, r.times, 1);
  }
}

/** Which valid messages are refused, and with what: counts per recipient; set() replaces the refusals. */
export class RefusalCounters {
  private readonly counts = new Map<string, number>();

  constructor(private refusals: Readonly<Record<string, Refusal>> = {}) {
    checkRefusals(refusals);
  }

  /** For a valid message to `to`: the Meta code to answer with (counted), or undefined. */
  next(to: string): number | undefined {
    const r = Object.hasOwn(this.refusals, to) ? this.refusals[to] : this.refusals['*'];
    if (r === undefined) return undefined;
    const n = this.counts.get(to) ?? 0;
    if (r.times !== undefined && n >= r.times) return undefined;
    this.counts.set(to, n + 1);
    return r.code;
  }

  /** New refusals (a test fixing "the template" between two runs); counts start again. */
  set(refusals: Readonly<Record<string, Refusal>>): void {
    checkRefusals(refusals);
    this.refusals = refusals;
    this.counts.clear();
  }

  clear(): void {
    this.counts.clear();
  }
}
