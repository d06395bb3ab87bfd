/**
 * What `interflow report` and `interflow messages list` compute from the store's index
 * (./index.ts): counts by latest status, medians, failures by code, per template; the newest
 * messages that match filters; and the failed rows of bulk inputs, read back from those inputs.
 */
import { createReadStream } from 'node:fs';
import { errorHint } from '../providers/meta.js';
import type { ProviderId } from '../config/profile.js';
import { LATEST_STATUSES, hashTo, latestOf, type LatestStatus, type TrackingIndex } from './index.js';

export interface StatusCount {
  count: number;
  /** count / messages, 0..1 (0 when there are none). */
  share: number;
}

export interface FailureGroup {
  code: string;
  title: string;
  hint?: string;
  count: number;
}

export interface TemplateLine extends Record<LatestStatus, number> {
  /** The template's name; '' for messages that were not templates. */
  template: string;
  messages: number;
}

export interface Report {
  campaign: string | null;
  messages: number;
  statuses: Record<LatestStatus, StatusCount>;
  /** Median ms from the send to its first delivered (or read) status; null when none. */
  medianToDeliveredMs: number | null;
  medianToReadMs: number | null;
  failures: FailureGroup[];
  templates: TemplateLine[];
}

const zero = (): Record<LatestStatus, number> => ({ read: 0, delivered: 0, sent: 0, failed: 0, none: 0 });

function median(values: Float64Array, n: number): number | null {
  if (n === 0) return null;
  const v = values.subarray(0, n).sort();
  return n % 2 ? v[(n - 1) >> 1]! : Math.round((v[n / 2 - 1]! + v[n / 2]!) / 2);
}

/** The slots of sent messages, of one campaign when given (undefined: a campaign nothing was sent in). */
function campaignFilter(ix: TrackingIndex, campaign: string | undefined): number | undefined | null {
  if (campaign === undefined) return null;
  return ix.campaigns.find(campaign);
}

export function buildReport(ix: TrackingIndex, campaign?: string): Report {
  const want = campaignFilter(ix, campaign);
  const counts = zero();
  const byTemplate = new Map<number, Record<LatestStatus, number>>();
  const failures = new Map<number, { count: number; slot: number }>();
  const toDelivered = new Float64Array(ix.size);
  const toRead = new Float64Array(ix.size);
  let nd = 0;
  let nr = 0;
  let messages = 0;
  if (want !== undefined) {
    for (let s = 0; s < ix.size; s++) {
      const sentAt = ix.sentAt[s]!;
      if (Number.isNaN(sentAt)) continue; // statuses of messages not sent from here
      if (want !== null && ix.campaign[s] !== want) continue;
      messages++;
      const status = latestOf(ix.bits(s));
      counts[status]++;
      const tpl = ix.template[s]!;
      let line = byTemplate.get(tpl);
      if (!line) byTemplate.set(tpl, (line = zero()));
      line[status]++;
      const delivered = Math.min(ix.deliveredAt(s), ix.readAt(s)); // NaN when neither
      if (!Number.isNaN(delivered)) toDelivered[nd++] = Math.max(0, delivered - sentAt);
      else if (!Number.isNaN(ix.readAt(s))) toDelivered[nd++] = Math.max(0, ix.readAt(s) - sentAt);
      else if (!Number.isNaN(ix.deliveredAt(s))) toDelivered[nd++] = Math.max(0, ix.deliveredAt(s) - sentAt);
      if (!Number.isNaN(ix.readAt(s))) toRead[nr++] = Math.max(0, ix.readAt(s) - sentAt);
      if (status === 'failed') {
        const f = ix.failure[s]!;
        const g = failures.get(f);
        if (g) g.count++;
        else failures.set(f, { count: 1, slot: s });
      }
    }
  }
  const share = (n: number): number => (messages ? n / messages : 0);
  const statuses = Object.fromEntries(LATEST_STATUSES.map((k) => [k, { count: counts[k], share: share(counts[k]) }])) as Report['statuses'];
  return {
    campaign: campaign ?? null,
    messages,
    statuses,
    medianToDeliveredMs: median(toDelivered, nd),
    medianToReadMs: median(toRead, nr),
    failures: [...failures.entries()]
      .map(([f, g]) => {
        const { code, title } = ix.failureOf(g.slot) ?? { code: '', title: '' };
        void f;
        const provider = String(ix.message(g.slot)?.provider ?? 'turn') as ProviderId;
        const hint = code ? errorHint(provider, { status: 0, code, message: title }) : undefined;
        return { code: code || '(none)', title, ...(hint ? { hint } : {}), count: g.count };
      })
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    templates: [...byTemplate.entries()]
      .map(([t, c]) => ({ template: ix.templates.values[t] ?? '', messages: LATEST_STATUSES.reduce((n, k) => n + c[k], 0), ...c }))
      .sort((a, b) => b.messages - a.messages || a.template.localeCompare(b.template)),
  };
}

export interface ListFilter {
  campaign?: string;
  status?: LatestStatus;
  to?: string;
  /** Sent at or after (ms). */
  since?: number;
  limit: number;
}

/** A message as `messages list` prints it. */
export interface TrackedMessage {
  id: string;
  at: string;
  provider?: string;
  profile?: string;
  to?: string;
  type?: string;
  template?: string;
  language?: string;
  campaign?: string;
  status: LatestStatus;
  /** When the latest status was seen (ISO). */
  statusAt?: string;
  errorCode?: string;
  errorTitle?: string;
  row?: number;
  input?: string;
}

/** Slots matching the filter, newest first, at most `limit`. */
export function selectMessages(ix: TrackingIndex, f: Omit<ListFilter, 'limit'> & { limit?: number }): number[] {
  const campaign = f.campaign === undefined ? null : ix.campaigns.find(f.campaign);
  if (campaign === undefined) return [];
  const to = f.to === undefined ? undefined : hashTo(f.to);
  const hits: number[] = [];
  for (let s = 0; s < ix.size; s++) {
    const sentAt = ix.sentAt[s]!;
    if (Number.isNaN(sentAt)) continue;
    if (campaign !== null && ix.campaign[s] !== campaign) continue;
    if (f.since !== undefined && sentAt < f.since) continue;
    if (to !== undefined && ix.toHash[s] !== to) continue;
    if (f.status !== undefined && latestOf(ix.bits(s)) !== f.status) continue;
    hits.push(s);
  }
  hits.sort((a, b) => ix.sentAt[b]! - ix.sentAt[a]! || b - a);
  return f.limit === undefined ? hits : hits.slice(0, f.limit);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function describeMessage(ix: TrackingIndex, s: number): TrackedMessage {
  const r = ix.message(s) ?? {};
  const status = latestOf(ix.bits(s));
  const failure = status === 'failed' ? ix.failureOf(s) : undefined;
  const statusAt = status === 'read' ? ix.readAt(s) : status === 'delivered' ? ix.deliveredAt(s) : status === 'none' ? NaN : ix.lastAt(s);
  const m: TrackedMessage = { id: String(r.id ?? ''), at: new Date(ix.sentAt[s]!).toISOString(), status };
  const set = <K extends keyof TrackedMessage>(k: K, v: TrackedMessage[K] | undefined): void => {
    if (v !== undefined) m[k] = v;
  };
  set('provider', str(r.provider));
  set('profile', str(r.profile));
  set('to', str(r.to));
  set('type', str(r.type));
  set('template', str(r.tpl));
  set('language', str(r.lang));
  set('campaign', str(r.c));
  if (!Number.isNaN(statusAt)) m.statusAt = new Date(statusAt).toISOString();
  set('errorCode', str(failure?.code));
  set('errorTitle', str(failure?.title));
  if (typeof r.row === 'number') m.row = r.row;
  set('input', str(r.input));
  return m;
}

export interface FailedRows {
  columns: string[];
  rows: string[][];
  /** Failed messages with no bulk input to read back (one-off sends), or whose row was not found. */
  missing: number;
  inputs: string[];
}

/**
 * The failed rows of bulk runs, with their original cells, read back from each input by row
 * (the line the record starts on, as the journal counts it). Inputs are read in the order first
 * named; every input must have the same columns.
 */
export async function failedRows(ix: TrackingIndex, campaign: string | undefined): Promise<FailedRows> {
  const { openCsv } = await import('../bulk/csv.js');
  const byInput = new Map<string, Set<number>>();
  let missing = 0;
  for (const s of selectMessages(ix, { ...(campaign !== undefined ? { campaign } : {}), status: 'failed' }).reverse()) {
    const r = ix.message(s);
    const input = str(r?.input);
    if (!input || typeof r?.row !== 'number') {
      missing++;
      continue;
    }
    let rows = byInput.get(input);
    if (!rows) byInput.set(input, (rows = new Set()));
    rows.add(r.row);
  }
  let columns: string[] | undefined;
  const out: string[][] = [];
  for (const [input, wanted] of byInput) {
    let csv;
    try {
      const stream = createReadStream(input);
      await new Promise<void>((resolve, reject) => {
        stream.once('open', () => resolve());
        stream.once('error', reject);
      });
      csv = await openCsv(stream, { source: input });
    } catch (err) {
      const { UsageError } = await import('../errors.js');
      throw new UsageError(
        `--failed-csv: cannot read ${input}, the input of the failed rows (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        {
          hint: 'the failed rows are read back from the CSV that was sent; restore it at that path',
        },
      );
    }
    if (columns === undefined) columns = csv.columns;
    else if (columns.join('\u0000') !== csv.columns.join('\u0000')) {
      const { UsageError } = await import('../errors.js');
      throw new UsageError(`--failed-csv: the failed rows come from inputs with different columns (${[...byInput.keys()].join(', ')})`, {
        hint: 'name one campaign (interflow report CAMPAIGN --failed-csv FILE) to write the rows of one input',
      });
    }
    let found = 0;
    for await (const row of csv.rows) {
      if (!wanted.has(row.row)) continue;
      out.push(columns.map((c) => row.cells[c] ?? ''));
      found++;
      if (found === wanted.size) break;
    }
    missing += wanted.size - found;
  }
  return { columns: columns ?? [], rows: out, missing, inputs: [...byInput.keys()] };
}
