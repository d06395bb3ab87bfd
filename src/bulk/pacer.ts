/**
 * Client-side pacing: requests spread evenly at the allowed rate (never a burst at the start of a
 * minute), and paused when the provider says so (Retry-After, X-RateLimit-Remaining: 0 until
 * X-RateLimit-Reset). Every attempt, retries included, takes a slot.
 */
export interface Clock {
  now(): number;
  /** Waits ms, or less when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export class Pacer {
  /** Milliseconds between two requests; 0 = unpaced. */
  interval: number;
  /** The interval asked for (--rate, the plan); the provider's window may widen it (follow()). */
  private readonly asked: number;
  private next = 0;
  private pausedUntil = 0;
  private pauseReason = '';

  constructor(
    /** Requests a minute; undefined or 0 = as fast as concurrency allows. */
    readonly perMinute: number | undefined,
    private readonly clock: Clock = realClock,
  ) {
    this.interval = this.asked = perMinute ? 60_000 / perMinute : 0;
  }

  /**
   * The provider's window allows one request every `ms` from now on (X-RateLimit-Remaining
   * spread until X-RateLimit-Reset): the pace is that, or the asked one when it is slower. Each
   * answer says it again, so the pace follows the window as it fills and frees.
   */
  follow(ms: number): void {
    // Under a millisecond (a window of 60,000 a minute and more) is no pace to keep; within 5% of
    // the asked pace is that pace (X-RateLimit-Reset is in whole seconds: noise, not a slower plan).
    this.interval = ms >= 1 && ms > this.asked * 1.05 ? ms : this.asked;
  }

  /**
   * Takes this request's slot when it is now (nothing to wait for): true, and the request may go
   * at once, as after take(). False: nothing was taken; call take(). Unpaced, it is always now
   * unless a pause is on: no promise per request.
   */
  takeNow(): boolean {
    const now = this.clock.now();
    if (this.next > now || this.pausedUntil > now) return false;
    this.next = now + this.interval;
    return true;
  }

  /** Waits for this request's slot (slots go in call order); returns early when `signal` aborts. */
  async take(signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.next, this.pausedUntil);
    this.next = slot + this.interval;
    if (slot > now) await this.clock.sleep(slot - now, signal);
    if (signal?.aborted) return;
    // A pause announced while this request waited still applies to it.
    const late = this.pausedUntil - this.clock.now();
    if (late > 0) {
      this.next = Math.max(this.next, this.pausedUntil + this.interval);
      await this.clock.sleep(late, signal);
    }
  }

  /** No request before `ms` from now (Retry-After, a rate-limit reset); `reason` is for the progress line. */
  pause(ms: number, reason = 'pausing'): void {
    const until = this.clock.now() + ms;
    if (until >= this.pausedUntil) {
      this.pausedUntil = until;
      this.pauseReason = reason;
    }
  }

  /** The pause on now, if any: how long it still lasts and why (e.g. "429 from the provider"). */
  paused(): { ms: number; reason: string } | undefined {
    const ms = this.pausedUntil - this.clock.now();
    return ms > 0 ? { ms, reason: this.pauseReason } : undefined;
  }
}

/**
 * Meta's pair rate (PRODUCT.md, Scale): no two requests to one recipient closer than `ms` apart.
 * The next request to a recipient goes `ms` after the previous one to it ended (its answer, or
 * its failure): the provider, which counts arrivals, sees them at least `ms` apart whatever the
 * network did. Only the requests to that recipient wait; the other rows flow on. A recipient is
 * kept only while it can still hold a request back, so memory follows the recent recipients.
 */
export class PairPacer {
  /** Recipient → its latest request: when it ended (`at`), or a promise of that; oldest first. */
  private readonly last = new Map<string, { done: Promise<number>; at?: number }>();

  constructor(
    readonly ms: number,
    private readonly clock: Clock = realClock,
  ) {}

  /**
   * Waits until a request to `to` may go (returns early when `signal` aborts); the request then
   * goes, and the returned function is called once it ended, whatever the ending.
   */
  async take(to: string, signal?: AbortSignal): Promise<() => void> {
    this.forget(this.clock.now());
    const prev = this.last.get(to);
    let release!: () => void;
    const entry: { done: Promise<number>; at?: number } = {
      done: new Promise<number>((resolve) => (release = () => resolve((entry.at ??= this.clock.now())))),
    };
    // Deleted and set again: the map stays ordered by when each recipient was last taken.
    this.last.delete(to);
    this.last.set(to, entry);
    if (prev) {
      const ended = prev.at ?? (await prev.done);
      const wait = ended + this.ms - this.clock.now();
      if (wait > 0 && !signal?.aborted) await this.clock.sleep(wait, signal);
    }
    return release;
  }

  /** Drops the recipients whose latest request ended `ms` ago or more (from the oldest on). */
  private forget(now: number): void {
    for (const [to, e] of this.last) {
      if (e.at === undefined || e.at + this.ms > now) return;
      this.last.delete(to);
    }
  }
}
