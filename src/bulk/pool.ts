/**
 * `bulk --profile a,b,c`: a pool of senders (PRODUCT.md, Scale). Each recipient always goes
 * through the same profile — picked by a hash of its normalized number (./shard.ts), over the
 * profiles sorted by name, so `--profile b,a` is the same pool as `--profile a,b` — and each
 * profile has its own connections, pace (`--rate` is per sender) and pair rate.
 *
 * The journal: one file for the run, whose destination is the pool — every member's
 * destination by profile name. A row's own destination follows from its recipient and the pool,
 * so a rerun with the same pool resumes exactly once; a rerun with another pool (a profile added,
 * removed, or sending elsewhere) would move recipients to other senders, and is refused naming
 * what changed (src/bulk/journal.ts).
 */
import type { CountryCode } from 'libphonenumber-js/core';
import { UsageError } from '../errors.js';
import type { Destination } from './journal.js';
import { bucket, recipientHash, recipientKey } from './shard.js';
import { parseDuration } from '../commands/parsers.js';
import type { CsvRow, RowOutcome, RowStatus } from './types.js';

/** Providers with Meta's pair rate (a recipient's messages spaced apart). */
export const PAIR_RATE_PROVIDERS: readonly string[] = ['turn', 'socialminer'];

/** The default --pair-interval: Meta's pair rate, one message to a recipient every 6 s. */
export const DEFAULT_PAIR_INTERVAL_MS = 6_000;

/** `--profile a,b` → ['a', 'b'] sorted; undefined for one profile (no comma). */
export function poolNames(flag: string | undefined): string[] | undefined {
  if (flag === undefined || !flag.includes(',')) return undefined;
  const names = flag.split(',').map((n) => n.trim());
  if (names.some((n) => n === '')) throw new UsageError(`--profile takes one name or a comma-separated pool (like a,b,c), got '${flag}'`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UsageError(`--profile names '${twice}' twice in '${flag}': a pool names each profile once`);
  return names.sort();
}

/**
 * Which sender of `n` a row goes through (by its recipient; a row without one goes to the first).
 * A row --shard kept has its recipient's lane already (shardRows): not hashed twice.
 */
export function poolPicker(n: number, toColumn: string, country: CountryCode | undefined): (row: CsvRow) => number {
  return (row) => {
    if (row.lane !== undefined) return bucket(row.lane, n);
    const cell = Object.hasOwn(row.cells, toColumn) ? row.cells[toColumn] : undefined;
    return cell === undefined ? 0 : bucket(recipientHash(recipientKey(cell, country)).lane, n);
  };
}

/** The journal's destination for a pool: each member's, by profile name (in name order, as the pool picks). */
export function poolDestination(members: { name: string; destination: Destination }[]): Destination {
  members = [...members].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return {
    provider: [...new Set(members.map((m) => m.destination.provider))].join(','),
    baseUrl: '',
    key: '',
    pool: Object.fromEntries(members.map((m) => [m.name, m.destination])),
  };
}

/**
 * `--pair-interval` in ms for a run through these profiles: 6 s unless given, 0 = off; undefined
 * when no profile has a pair rate. Given for profiles none of which has one, it is refused.
 */
export function pairIntervalOf(
  options: Record<string, unknown>,
  profiles: readonly { name: string; provider: string }[],
): number | undefined {
  const meta = profiles.some((p) => PAIR_RATE_PROVIDERS.includes(p.provider));
  const raw = options.pairInterval;
  if (raw === undefined) return meta ? DEFAULT_PAIR_INTERVAL_MS : undefined;
  const ms = parseDuration(String(raw));
  if (ms === undefined) throw new UsageError(`--pair-interval takes a duration like 6s, 1500ms or 0 (off), got '${String(raw)}'`);
  if (!meta) {
    const p = profiles[0]!;
    throw new UsageError(
      `--pair-interval is for turn and socialminer profiles (Meta's pair rate): profile '${p.name}' is ${p.provider}; drop --pair-interval`,
    );
  }
  return ms || undefined;
}

type Counts = Record<RowStatus, number>;

/** A pool's summary: each profile's rows by status, a line each. */
export function profileCounts(): { count(o: RowOutcome): void; lines(): string[] } {
  const by = new Map<string, Counts>();
  return {
    count(o) {
      let c = by.get(o.profile!);
      if (!c) by.set(o.profile!, (c = { sent: 0, failed: 0, skipped: 0, unknown: 0 }));
      c[o.status]++;
    },
    lines: () =>
      [...by.keys()].sort().map((name) => {
        const c = by.get(name)!;
        return `profile ${name}: ${c.sent} sent, ${c.failed} failed, ${c.skipped} skipped, ${c.unknown} unknown`;
      }),
  };
}
