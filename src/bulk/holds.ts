/**
 * The recipients waiting out a pair-rate backoff (Meta's 131056, 4^n s), by when each wait ends:
 * one table, kept by the runner (a refused row holds its recipient's other rows off the workers)
 * and read by the progress line (what the run waits for). Ended waits are dropped as they are
 * met, so it holds only the recipients waiting now.
 */
export class RecipientHolds {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Recipients held (some of whose waits may have ended and not been met since). */
  get size(): number {
    return this.until.size;
  }

  /** The recipient waits `ms` from now, or longer when it waits longer already. */
  hold(to: string, ms: number): void {
    const end = this.now() + ms;
    if (end > (this.until.get(to) ?? 0)) this.until.set(to, end);
  }

  /** How long the recipient still waits (ms; 0 or less: not held, and an ended wait is dropped). */
  left(to: string): number {
    const end = this.until.get(to);
    if (end === undefined) return 0;
    const left = end - this.now();
    if (left <= 0) this.until.delete(to);
    return left;
  }

  /** The longest wait on now, and how many recipients wait; undefined when none does. */
  longest(): { to: string; ms: number; count: number } | undefined {
    const now = this.now();
    let best: { to: string; ms: number } | undefined;
    for (const [to, end] of this.until) {
      if (end <= now) this.until.delete(to);
      else if (!best || end - now > best.ms) best = { to, ms: end - now };
    }
    return best && { ...best, count: this.until.size };
  }
}
