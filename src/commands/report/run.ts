/**
 * `interflow report [campaign] [--failed-csv FILE]`: what became of what was sent, from the local
 * tracking store (src/tracking/). Text for people, one JSON document with --json.
 */
import { writeFileSync } from 'node:fs';
import { UsageError, fileProblem } from '../../errors.js';
import { printJson, renderTable } from '../../output/format.js';
import { loadIndex, type LatestStatus } from '../../tracking/index.js';
import { buildReport, failedRows, type Report } from '../../tracking/query.js';
import { trackingDir } from '../../tracking/store.js';
import type { CommandContext } from '../context.js';

const LABELS: Record<LatestStatus, string> = {
  read: 'read',
  delivered: 'delivered',
  sent: 'sent (no later status)',
  failed: 'failed',
  none: 'no status',
};

export async function runReport({ campaign, failedCsv }: { campaign?: string; failedCsv?: string }, ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const dir = trackingDir(io.env);
  const ix = loadIndex(dir);
  const report = buildReport(ix, campaign);
  if (report.messages === 0 && !io.quiet) {
    const known = ix.campaigns.values.filter((c) => c !== '');
    io.err(
      campaign !== undefined
        ? `no messages recorded for campaign '${campaign}'${known.length ? ` (campaigns: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})` : ''}\n`
        : `no messages recorded yet in ${dir}\n`,
    );
  }
  if (failedCsv !== undefined) {
    const file = failedCsv;
    const failed = await failedRows(ix, campaign);
    const { stringify } = await import('csv-stringify/sync');
    const text = failed.columns.length
      ? stringify([failed.columns, ...failed.rows], { record_delimiter: 'unix', quote_record_delimiter: true })
      : '';
    try {
      writeFileSync(file, text);
    } catch (err) {
      throw new UsageError(`--failed-csv ${file}: ${fileProblem(err as NodeJS.ErrnoException)}`);
    }
    if (!io.quiet) {
      io.err(`wrote ${failed.rows.length} failed row(s) to ${file}${failed.inputs.length ? ` (from ${failed.inputs.join(', ')})` : ''}\n`);
      if (failed.missing)
        io.err(`note: ${failed.missing} failed message(s) are not in it: one-off sends, or rows no longer in their input\n`);
    }
  }
  if (ix.skipped && !io.quiet) io.err(`note: ${ix.skipped} line(s) of the store were not records and were skipped\n`);
  if (ctx.globals.json) printJson(io, report, ctx.globals.fields);
  else io.out(renderReport(report, io.color));
}

const pct = (share: number): string => `${(share * 100).toFixed(1)}%`;

function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export function renderReport(r: Report, color: boolean): string {
  const lines: string[] = [];
  lines.push(`${r.campaign !== null ? `campaign ${r.campaign}` : 'all campaigns'}: ${r.messages} message(s)`);
  const statuses = (['read', 'delivered', 'sent', 'failed', 'none'] as const).map((k) => ({
    status: LABELS[k],
    count: r.statuses[k].count,
    share: pct(r.statuses[k].share),
  }));
  lines.push(
    renderTable(
      statuses,
      [
        { header: 'status', value: (s) => s.status },
        { header: 'messages', value: (s) => s.count },
        { header: 'share', value: (s) => s.share },
      ],
      color,
    ).trimEnd(),
  );
  lines.push(`median time to delivered: ${duration(r.medianToDeliveredMs)} · to read: ${duration(r.medianToReadMs)}`);
  if (r.failures.length) {
    lines.push('', 'failures:');
    lines.push(
      renderTable(
        r.failures,
        [
          { header: 'code', value: (f) => f.code },
          { header: 'messages', value: (f) => f.count },
          { header: 'title', value: (f) => f.title },
          { header: 'hint', value: (f) => f.hint ?? '' },
        ],
        color,
      ).trimEnd(),
    );
  }
  if (r.templates.length) {
    lines.push('', 'by template:');
    lines.push(
      renderTable(
        r.templates,
        [
          { header: 'template', value: (t) => t.template || '(not a template)' },
          { header: 'messages', value: (t) => t.messages },
          { header: 'read', value: (t) => t.read },
          { header: 'delivered', value: (t) => t.delivered },
          { header: 'sent', value: (t) => t.sent },
          { header: 'failed', value: (t) => t.failed },
          { header: 'no status', value: (t) => t.none },
        ],
        color,
      ).trimEnd(),
    );
  }
  return lines.join('\n') + '\n';
}
