/**
 * The bulk progress line (ora, on stderr, on a terminal only): rows settled, how far through the
 * file, the rate, the time left, and — said first — what the run is waiting for: a sender paused
 * by a 429/Retry-After or the plan's window, and recipients backed off for Meta's pair rate
 * (131056, 4^n s), their numbers masked.
 */
import type { RecipientHolds } from '../../bulk/holds.js';
import type { Pacer } from '../../bulk/pacer.js';
import type { CsvRow, RowOutcome } from '../../bulk/types.js';
import type { Io } from '../../output/io.js';

export interface Progress {
  count(o: RowOutcome): void;
  /** Bytes of the file read so far. */
  at(end: number): void;
  stop(): void;
}

/** A sender whose pauses the line tells: its pacer, and its profile's name in a pool. */
export interface PacedSender {
  pacer: Pacer;
  name?: string;
}

/** Passes rows through, telling the progress line how far into the file they are. */
export async function* tapOffsets(rows: AsyncIterable<CsvRow>, progress: Progress): AsyncIterable<CsvRow> {
  for await (const row of rows) {
    progress.at(row.end);
    yield row;
  }
}

const duration = (secs: number): string =>
  secs >= 3600
    ? `${Math.floor(secs / 3600)}h${String(Math.floor((secs % 3600) / 60)).padStart(2, '0')}m`
    : secs >= 60
      ? `${Math.floor(secs / 60)}m${String(Math.floor(secs % 60)).padStart(2, '0')}s`
      : `${Math.ceil(secs)}s`;

/** A recipient as the progress line shows it: its country code's first digits and its last four (`+55…0004`). */
export function maskRecipient(to: string): string {
  const digits = to.replace(/\D/g, '');
  return digits.length >= 8 ? `+${digits.slice(0, 2)}…${digits.slice(-4)}` : '+…';
}

/** What the run waits for, said first on the line (empty when it waits for nothing). */
export function waitsText(senders: readonly PacedSender[], holds: RecipientHolds): string {
  const parts: string[] = [];
  // The longest pause of a sender (a 429's Retry-After, the plan's window): the rate is not stuck.
  let paused: { ms: number; reason: string; name?: string } | undefined;
  for (const s of senders) {
    const p = s.pacer.paused();
    if (p && (!paused || p.ms > paused.ms)) paused = { ...p, ...(s.name !== undefined ? { name: s.name } : {}) };
  }
  if (paused)
    parts.push(`waiting ${Math.ceil(paused.ms / 1000)} s: ${paused.reason}${paused.name !== undefined ? ` (profile ${paused.name})` : ''}`);
  const held = holds.longest();
  if (held) {
    const others = held.count > 1 ? ` and ${held.count - 1} other recipient(s)` : '';
    parts.push(`waiting ${Math.ceil(held.ms / 1000)} s: 131056 pair rate for ${maskRecipient(held.to)}${others}`);
  }
  return parts.map((p) => p + ' · ').join('');
}

/**
 * An ora line on stderr: rows settled, how far through the file (when it is a file: by bytes, so
 * an estimate of the total and the time left), the rate, and how many did not go out.
 */
export async function startProgress(
  io: Io,
  rate: number | undefined,
  size: number | undefined,
  senders: readonly PacedSender[],
  holds: RecipientHolds,
): Promise<Progress> {
  const { default: ora } = await import('ora');
  const spinner = ora({ stream: io.stderr as NodeJS.WritableStream, discardStdin: false, text: 'starting…' }).start();
  const started = performance.now();
  const c = { sent: 0, failed: 0, skipped: 0, unknown: 0 };
  let read = 0;
  const timer = setInterval(() => {
    const secs = (performance.now() - started) / 1000;
    const done = c.sent + c.failed + c.skipped + c.unknown;
    const perSec = done / Math.max(secs, 0.001);
    const share = size ? Math.min(read / size, 1) : 0;
    const whole = share > 0.001 ? Math.round(done / share) : undefined;
    const left = whole !== undefined && perSec > 0 ? (whole - done) / perSec : undefined;
    spinner.text =
      waitsText(senders, holds) +
      `${done}${whole !== undefined ? `/~${whole}` : ''} rows` +
      (size ? ` · ${Math.floor(share * 100)}%` : '') +
      ` · ${perSec.toFixed(1)}/s${rate ? ` (limit ${rate}/min)` : ''}` +
      (left !== undefined && done > 0 ? ` · ETA ${duration(left)}` : '') +
      ` · ${c.sent} sent, ${c.failed} failed, ${c.skipped} skipped, ${c.unknown} unknown`;
  }, 200);
  timer.unref();
  return {
    at: (end) => void (read = end),
    count: (o) => void c[o.status]++,
    stop: () => {
      clearInterval(timer);
      spinner.stop();
    },
  };
}
