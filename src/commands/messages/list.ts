/**
 * `interflow messages list`: each message sent from here with its latest status, any provider,
 * newest first, from the local tracking store (src/tracking/). A table on a terminal, JSON lines
 * otherwise (or with --json).
 */
import { UsageError } from '../../errors.js';
import { jsonLine, printTable } from '../../output/format.js';
import { LATEST_STATUSES, loadIndex, type LatestStatus } from '../../tracking/index.js';
import { describeMessage, selectMessages, type ListFilter } from '../../tracking/query.js';
import { trackingDir } from '../../tracking/store.js';
import type { RunFn } from '../context.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since 24h` (s, m, h, d, w) or an ISO date → the earliest send time (ms). */
export function parseSince(value: string, now = Date.now()): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(value);
  if (m) return now - Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return t;
  }
  throw new UsageError(`--since takes an age like 30m, 24h or 7d, or an ISO date like 2026-12-01, got '${value}'`);
}

export function parseListFilter(options: Record<string, unknown>): ListFilter {
  const f: ListFilter = { limit: 50 };
  if (options.campaign !== undefined) f.campaign = String(options.campaign);
  if (options.status !== undefined) {
    const s = String(options.status).toLowerCase();
    const status = s === 'unknown' ? 'none' : s;
    if (!(LATEST_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${LATEST_STATUSES.join(', ')}, got '${String(options.status)}'`);
    }
    f.status = status as LatestStatus;
  }
  if (options.to !== undefined) {
    const to = String(options.to);
    if (!/\d/.test(to)) throw new UsageError(`--to takes a phone number, got '${to}'`);
    f.to = to;
  }
  if (options.since !== undefined) f.since = parseSince(String(options.since));
  if (options.limit !== undefined) {
    const raw = String(options.limit);
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--limit must be a whole number from 1, got '${raw}'`);
    f.limit = n;
  }
  return f;
}

export const runMessagesList: RunFn = async (ctx, _args, options) => {
  const { io } = ctx;
  const filter = parseListFilter(options);
  const dir = trackingDir(io.env);
  const ix = loadIndex(dir);
  const messages = selectMessages(ix, filter).map((s) => describeMessage(ix, s));
  if (messages.length === 0 && !io.quiet) io.err(ix.size === 0 ? `no messages recorded yet in ${dir}\n` : 'no messages match\n');
  if (ctx.globals.json || !io.isStdoutTTY) {
    for (const m of messages) io.out(jsonLine(m, ctx.globals.fields));
    return;
  }
  if (messages.length === 0) return;
  printTable(io, messages, [
    { header: 'sent', value: (m) => m.at.replace('T', ' ').slice(0, 19) },
    { header: 'to', value: (m) => m.to },
    { header: 'status', value: (m) => m.status === 'none' ? '-' : m.status },
    { header: 'what', value: (m) => m.template ?? m.type },
    { header: 'campaign', value: (m) => m.campaign },
    { header: 'provider', value: (m) => m.provider },
    { header: 'id', value: (m) => m.id },
    { header: 'error', value: (m) => [m.errorCode, m.errorTitle].filter(Boolean).join(' ') },
  ]);
};
