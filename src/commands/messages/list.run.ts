/**
 * `interflow messages list`: each message sent from here with its latest status, any provider,
 * newest first, from the local tracking store (src/tracking/). A table on a terminal, JSON lines
 * otherwise (or with --json).
 */
import { UsageError } from '../../errors.js';
import { jsonLine, printTable } from '../../output/format.js';
import { loadIndex, type LatestStatus } from '../../tracking/index.js';
import { describeMessage, selectMessages, type ListFilter } from '../../tracking/query.js';
import { trackingDir } from '../../tracking/store.js';
import type { CommandContext } from '../context.js';

/** The flags of `messages list`, as parsed (src/commands/messages/list.ts). */
export interface ListFlags {
  campaign?: string;
  status?: LatestStatus | 'unknown';
  to?: string;
  since?: number;
  limit?: number;
}

export function parseListFilter(options: ListFlags): ListFilter {
  const f: ListFilter = { limit: options.limit ?? 50 };
  if (options.campaign !== undefined) f.campaign = options.campaign;
  if (options.status !== undefined) f.status = options.status === 'unknown' ? 'none' : options.status;
  if (options.to !== undefined) {
    if (!/\d/.test(options.to)) throw new UsageError(`--to takes a phone number, got '${options.to}'`);
    f.to = options.to;
  }
  if (options.since !== undefined) f.since = options.since;
  return f;
}

export async function runMessagesList(options: ListFlags, ctx: CommandContext): Promise<void> {
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
    { header: 'status', value: (m) => (m.status === 'none' ? '-' : m.status) },
    { header: 'what', value: (m) => m.template ?? m.type },
    { header: 'campaign', value: (m) => m.campaign },
    { header: 'provider', value: (m) => m.provider },
    { header: 'id', value: (m) => m.id },
    { header: 'error', value: (m) => [m.errorCode, m.errorTitle].filter(Boolean).join(' ') },
  ]);
}
