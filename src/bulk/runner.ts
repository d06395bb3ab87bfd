/**
 * The bulk run: CSV rows in, one outcome per row out, nothing lost and nothing sent twice.
 *
 * Each row is rendered ({{column}}), validated and built into the provider's request before
 * anything about it is sent; then, unless the journal says an earlier run already settled it or
 * the same message to the same recipient came earlier in the input, its intent is journaled, it
 * takes a paced slot and goes out, and its outcome is journaled. N workers pull rows from the
 * stream, so memory stays flat and `--concurrency` bounds the requests in flight.
 */
import { setMaxListeners } from 'node:events';
import { CliError, ExitCode, NetworkError, ProviderError, type ProviderErrorInfo } from '../errors.js';
import type { HttpResponse } from '../http/client.js';
import { buildMessage, type Flags, type SendKind } from '../message/build.js';
import type { Profile } from '../config/profile.js';
import type { Message } from '../message/model.js';
import { classifyError, recipientBackoffMs, TEMPLATE_STREAK, type ErrorClassId } from '../providers/error-classes.js';
import { errorHint } from '../providers/meta.js';
import type { HttpRequest, ProviderAdapter } from '../providers/types.js';
import { spreadsheetMangled } from './csv.js';
import { RecipientHolds } from './holds.js';
import { KeySet } from './keyset.js';
import type { Pacer, PairPacer } from './pacer.js';
import { MissingColumnError, renderDeep } from './placeholders.js';
import { backoffMs, rateLimitPauseMs, rateLimitSpacingMs, retryAfterMs, verdictForStatus } from './retry.js';
import type { CsvRow, JournalEntry, QueuedRows, RowError, RowOutcome, RowStatus } from './types.js';

/** What the runner needs of the journal (src/bulk/journal.ts). */
export interface JournalLike {
  /** What earlier runs recorded for the message with this key (wherever its row was then). */
  entry(key: string): JournalEntry | undefined;
  /** For a key it knows: first time in this run (true) or a duplicate (false); undefined: unknown key. */
  seen(key: string): boolean | undefined;
  /** Resolves once the intent is written (the request must not go out before). */
  intentSoon(row: number, key: string): Promise<void>;
  /** How a row's request ended (outcomes without a request of this run are not recorded). */
  outcome(o: RowOutcome): void;
  /** The request announced for this row did not go out: the next run sends it. */
  unsent(row: number): void;
}

/** What the runner needs of the HTTP layer. */
export interface Sender {
  send(req: HttpRequest): Promise<HttpResponse>;
}

export interface BulkPlan {
  kind: SendKind;
  /** Message flags as given, placeholders unrendered. */
  flags: Flags;
  /** Column holding the recipient. */
  toColumn: string;
  /** Files the flags name, read once: path → parsed JSON (rendered per row) or text. */
  files: Map<string, { json?: unknown; text?: string }>;
}

export interface RunOptions {
  plan: BulkPlan;
  profile: Profile;
  adapter: ProviderAdapter;
  /** The input's rows; those parsed already are taken without a promise when it can (QueuedRows). */
  rows: AsyncIterable<CsvRow> & Partial<QueuedRows>;
  sender: Sender;
  pacer: Pacer;
  journal?: JournalLike;
  concurrency: number;
  /** Attempts per row for what may be retried (connect failures, 429, 503). */
  maxAttempts: number;
  /** Stop after this many failed + unknown rows (the rest stay unsent, resumable). */
  maxErrors?: number;
  /** Resend rows an earlier run left unknown. */
  retryUnknown: boolean;
  dryRun: boolean;
  /** Set to stop: no new row is read; in-flight requests settle. */
  stop: AbortSignal;
  /** Called with each row's outcome as it settles (awaited: backpressure for --json/--output). */
  onOutcome(outcome: RowOutcome): void | Promise<void>;
  /** Checks (and may complete) each built message before its request is built; throws a CliError to fail the row (src/bulk/preflight.ts). */
  check?(msg: Message): Message;
  /**
   * The recipients refused for their pair rate (131056), each held until its wait ends: given,
   * the progress line reads the same table the runner keeps; else the runner keeps its own.
   */
  holds?: RecipientHolds;
  /** --dry-run: called with each row's request instead of sending it (in a pool, with the sender the row goes through). */
  onRequest?(row: number, req: HttpRequest, via?: PoolSender): void | Promise<void>;
  /** `--batch N`: rows go N to a request (Interflow's /messages/bulk) instead of one each. */
  batch?: BatchSupport;
  /** --dry-run with batch: called with each batch's request and its rows instead of sending it. */
  onBatchRequest?(rows: number[], req: HttpRequest): void | Promise<void>;
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
  random?: () => number;
  /** Meta's pair rate (turn, socialminer): requests to one recipient spaced apart. */
  pairs?: PairPacer;
  /**
   * `--profile a,b,c`: a pool of senders, each with its own profile, adapter, connections, pace
   * and pair rate; each row goes through `senders[pick(row)]` and its outcome names that
   * profile. Without it, the run's profile, adapter, sender, pacer and pairs are its one sender.
   */
  pool?: { senders: PoolSender[]; pick(row: CsvRow): number };
}

/** One sender of a pool (src/bulk/pool.ts). */
export type PoolSender = Pick<RunOptions, 'profile' | 'adapter' | 'sender' | 'pacer' | 'pairs'>;

/**
 * Why the run ended: all rows read ('done'), o.stop ('interrupted'), the error budget, a refused
 * key, consecutive connection failures ('connection'), or an error while reading the input or
 * recording an outcome ('error', in `stopError`: a malformed row, a journal or --output write).
 * Whatever it is, the requests in flight are finished and recorded first.
 */
export type StopReason = 'done' | 'interrupted' | 'max-errors' | 'auth' | 'connection' | 'error' | 'refused' | 'template';

/** Rows in a row whose every attempt failed to connect before the run stops (exit 1). */
export const CONNECT_FAILURES_TO_STOP = 5;

/**
 * 429s that say when to come back (Retry-After, X-RateLimit-Reset) do not use up --max-attempts:
 * waiting is what the server asked for. A row gives up after this many of them.
 */
export const RATE_LIMITED_RETRIES = 100;

export interface RunSummary {
  counts: Record<RowStatus, number>;
  /** Rows read but stopped before their request went out: not reported; the next run sends them. */
  notSent: number;
  /** Rows settled by an earlier run and reported from the journal. */
  fromJournal: number;
  /** Rows that would be sent (dry run). */
  wouldSend: number;
  requests: number;
  retries: number;
  stopReason: StopReason;
  /** The 401/403 (or 190) that stopped the run, if any. */
  authError?: ProviderError;
  /**
   * stopReason 'refused': the refusal that stops every row (Meta's 368, 131031, 131042, 131048,
   * Interflow's CHANNEL_DISCONNECTED…); 'template': the last of TEMPLATE_STREAK rows in a row
   * refused with the same template error (src/providers/error-classes.ts).
   */
  refusal?: ProviderError;
  /** stopReason 'error': what stopped it (the first error; the rows in flight were still recorded). */
  stopError?: unknown;
  /** stopReason 'connection': the last connection failure. */
  connectError?: RowError;
  elapsedMs: number;
}

/**
 * What every request of a run shares with it, whichever sender it goes through: the summary it
 * counts into, the halt it watches (and pulls when the key or the account is refused), and how it
 * waits. BulkRun is one; the free functions below take it instead of each piece.
 */
interface RunShared {
  readonly summary: RunSummary;
  readonly halt: AbortController;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** What a read gives when the run stops while it waits. */
const HALTED = Symbol('halted');

type Prepared =
  | { kind: 'outcome'; outcome: RowOutcome; key?: string }
  | { kind: 'send'; row: number; to: string; key: string; req: HttpRequest; resend: boolean };

const defaultSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function runBulk(o: RunOptions): Promise<RunSummary> {
  return new BulkRun(o).run();
}

/**
 * One bulk run: what its workers share (the summary, the halt, the journal keys, the held
 * recipients, the pending batch, the input) and what they do with it. runBulk makes one a run.
 */
class BulkRun implements RunShared {
  private readonly o: RunOptions;
  private readonly started = performance.now();
  /** A pool: the run's options once per sender (the rows take theirs by their recipient). */
  private readonly pooled: RunOptions[] | undefined;
  private readonly dynamic: string[];
  readonly sleep: NonNullable<RunOptions['sleep']>;
  private readonly keys = new KeySet();
  readonly summary: RunSummary = {
    counts: { sent: 0, failed: 0, skipped: 0, unknown: 0 },
    notSent: 0,
    fromJournal: 0,
    wouldSend: 0,
    requests: 0,
    retries: 0,
    stopReason: 'done',
    elapsedMs: 0,
  };
  /** Stops reading rows: Ctrl-C (o.stop), the error budget, a refused key. */
  readonly halt = new AbortController();
  private connectFailures = 0;
  /** Rows in a row refused with the same template error (`streakCode`): TEMPLATE_STREAK of them stop the run. */
  private streak = 0;
  private streakCode = '';
  private readonly iterator: AsyncIterator<CsvRow>;
  private readonly takeQueued: (() => CsvRow | undefined) | undefined;
  private exhausted = false;
  private abandoned = false;
  // Reads waiting for the input, released with HALTED when the run stops. (Not a Promise.race
  // against one `halted` promise: each race leaves a reaction on it that is never let go, a
  // closure and two promises a row: 900 MiB over a million rows.)
  private readonly waiting = new Set<(r: typeof HALTED) => void>();
  /** --batch: prepared rows wait here until a batch is full, the input ends or the run stops. */
  private readonly pending: SendRow[] = [];
  // Meta's pair rate (131056): a recipient refused for it waits 4^n s, holding its other rows;
  // its rows wait off the workers, so every other row flows on.
  private readonly holds: RecipientHolds;
  private readonly background = new Set<Promise<void>>();

  constructor(o: RunOptions) {
    this.o = o;
    this.pooled = o.pool?.senders.map((p): RunOptions => ({ ...o, ...p }));
    this.dynamic = dynamicFlags(o.plan.flags);
    this.sleep = o.sleep ?? defaultSleep;
    this.holds = o.holds ?? new RecipientHolds();
    // Every worker waiting out a 429 or the pacer listens on it: one listener a worker, not a leak.
    setMaxListeners(0, this.halt.signal);
    o.stop.addEventListener('abort', this.onStop, { once: true });
    if (o.stop.aborted) this.onStop();
    this.iterator = o.rows[Symbol.asyncIterator]();
    this.halt.signal.addEventListener(
      'abort',
      () => {
        for (const release of this.waiting) release(HALTED);
        this.waiting.clear();
      },
      { once: true },
    );
    this.takeQueued = o.rows.takeQueued?.bind(o.rows);
  }

  async run(): Promise<RunSummary> {
    try {
      await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency) }, () => this.worker()));
      // Rows waiting out a recipient's backoff (they end at once when the run stops).
      while (this.background.size > 0) await Promise.all(this.background);
      // The partial batch left when the input ended or the run stopped (a stopped run records its
      // rows as not sent: the next run sends them).
      while (this.pending.length > 0) {
        try {
          await this.flush();
        } catch (err) {
          this.fail(err);
        }
      }
    } finally {
      this.o.stop.removeEventListener('abort', this.onStop);
      // An abandoned read still holds the iterator: the caller closes the input (OpenedCsv.close).
      if (!this.exhausted && !this.abandoned) await this.iterator.return?.().catch(() => undefined);
    }
    this.summary.elapsedMs = performance.now() - this.started;
    return this.summary;
  }

  /** o.stop's listener (an arrow: it is passed as a callback). */
  private readonly onStop = (): void => {
    if (this.summary.stopReason === 'done') this.summary.stopReason = 'interrupted';
    this.halt.abort();
  };

  /** Takes rows, one at a time, until the input ends or the run stops; o.concurrency of them run. */
  private async worker(): Promise<void> {
    const { o, summary, halt } = this;
    for (;;) {
      if (this.exhausted || halt.signal.aborted) return;
      // A row parsed already is taken at once; else the iterator waits for one (or ends, or throws).
      const row = this.takeQueued?.() ?? (await this.readRow());
      if (!row || halt.signal.aborted) return;
      try {
        const ro = this.pooled ? this.pooled[o.pool!.pick(row)]! : o;
        const prepared = prepare(row, ro, this.keys, this.dynamic);
        if (prepared.kind === 'outcome') {
          const reported = this.settleFrom(ro, prepared.outcome);
          if (reported) await reported;
          continue;
        }
        if (o.batch) {
          this.pending.push(prepared);
          if (this.pending.length >= o.batch.size) await this.flush();
          continue;
        }
        if (o.dryRun) {
          summary.wouldSend++;
          await o.onRequest?.(prepared.row, prepared.req, this.pooled ? ro : undefined);
          continue;
        }
        const held = this.holds.size > 0 ? this.holds.left(prepared.to) : 0;
        const x = held > 0 ? { later: { waitMs: held } } : await deliver(prepared, ro, this);
        if ('later' in x) this.later(prepared, ro, x.later);
        else {
          const reported = this.settleFrom(ro, x);
          if (reported) await reported;
        }
      } catch (err) {
        return this.fail(err);
      }
    }
  }

  /** The iterator's next row; undefined when the input ended or failed, or the run stopped meanwhile. */
  private async readRow(): Promise<CsvRow | undefined> {
    let r: IteratorResult<CsvRow> | typeof HALTED;
    try {
      r = await this.read();
    } catch (err) {
      // A malformed record (or a read error): no row after it is taken; the rows before it,
      // taken by the other workers, still go.
      this.exhausted = true;
      this.fail(err, false);
      return undefined;
    }
    // Stopped while the input had nothing to give (a pipe that is quiet): that read is left behind.
    if (r === HALTED) {
      this.abandoned = true;
      return undefined;
    }
    if (r.done) this.exhausted = true;
    return r.done ? undefined : r.value;
  }

  /** The iterator's next result, or HALTED as soon as the run stops (see `waiting`). */
  private read(): Promise<IteratorResult<CsvRow> | typeof HALTED> {
    if (this.halt.signal.aborted) return Promise.resolve(HALTED);
    return new Promise((resolve, reject) => {
      this.waiting.add(resolve);
      this.iterator.next().then(
        (r) => {
          this.waiting.delete(resolve);
          resolve(r);
        },
        (err: unknown) => {
          this.waiting.delete(resolve);
          reject(err);
        },
      );
    });
  }

  /** Sends (or shows, --dry-run) up to a batch of the pending rows, and settles them. */
  private async flush(): Promise<void> {
    const { o, summary } = this;
    const rows = this.pending.splice(0, o.batch!.size);
    if (rows.length === 0) return;
    if (o.dryRun) {
      summary.wouldSend += rows.length;
      await o.onBatchRequest?.(
        rows.map((p) => p.row),
        o.batch!.build(rows.map((p) => p.req)),
      );
      return;
    }
    for (const outcome of await deliverBatch(rows, o.batch!, o, this)) await this.settle(outcome);
  }

  /** A row refused for its recipient's pair rate: it waits off the workers (in `background`). */
  private later(p: SendRow, ro: RunOptions, first: Later['later']): void {
    const task = this.waitOut(p, ro, first)
      .catch((err: unknown) => this.fail(err))
      .finally(() => this.background.delete(task));
    this.background.add(task);
  }

  /** Waits out the recipient's hold and tries again, until the row settles or the run stops. */
  private async waitOut(p: SendRow, ro: RunOptions, first: Later['later']): Promise<void> {
    const { halt, sleep } = this;
    let { waitMs, carry } = first;
    if (carry) this.refused(p, waitMs);
    for (;;) {
      await sleep(waitMs, halt.signal);
      if (halt.signal.aborted) return this.settleFrom(ro, notSent(p));
      // Another row to the recipient may have been refused meanwhile: its hold counts too.
      waitMs = this.holds.left(p.to);
      if (waitMs > 0) continue;
      const x = await deliver(p, ro, this, carry);
      if (!('later' in x)) return this.settleFrom(ro, x);
      ({ waitMs, carry } = x.later);
      this.refused(p, waitMs);
    }
  }

  private refused(p: SendRow, waitMs: number): void {
    // Refused for the pair rate: not accepted. The journal says so while it waits (a kill now
    // resumes it as not sent); its intent is written again before it goes.
    this.holds.hold(p.to, waitMs);
    this.o.journal?.unsent(p.row);
  }

  /** A row's outcome as settled: in a pool, naming the profile it went through. */
  private settleFrom(ro: RunOptions, x: RowOutcome): void | Promise<void> {
    return this.settle(this.pooled ? { ...x, profile: ro.profile.name } : x);
  }

  /**
   * Records and reports a row's outcome (the journal keeps only those of this run's requests).
   * A promise only when onOutcome gives one (its writer is full): no promise a row otherwise.
   */
  private settle(outcome: RowOutcome): void | Promise<void> {
    const { o, summary } = this;
    if (outcome.error?.code === INTERRUPTED) {
      // Stopped before its request went out: like a row not read yet, not an outcome.
      o.journal?.unsent(outcome.row);
      summary.notSent++;
      return;
    }
    // A request that never reached a server (connect or TLS failure) resumes as not sent: the
    // journal keeps no outcome for it, so a fixed baseUrl may take the journal over.
    if (outcome.status === 'failed' && outcome.error?.code === 'CONNECT_FAILED') o.journal?.unsent(outcome.row);
    else o.journal?.outcome(outcome);
    summary.counts[outcome.status]++;
    if (outcome.fromJournal) summary.fromJournal++;
    const reported = o.onOutcome(outcome);
    if (reported) return reported.then(() => this.afterOutcome(outcome));
    this.afterOutcome(outcome);
  }

  /** What a settled outcome tells of the run: connections refused, a template's streak, the error budget. */
  private afterOutcome(outcome: RowOutcome): void {
    const { summary, halt } = this;
    if (!outcome.fromJournal && outcome.attempts) {
      this.countConnectFailure(outcome);
      this.countTemplateStreak(outcome);
    }
    if (
      this.o.maxErrors !== undefined &&
      !outcome.fromJournal &&
      summary.counts.failed + summary.counts.unknown >= this.o.maxErrors &&
      !halt.signal.aborted
    ) {
      summary.stopReason = 'max-errors';
      halt.abort();
    }
  }

  /** Rows whose every attempt failed to connect, in a row: nothing is listening there. */
  private countConnectFailure(outcome: RowOutcome): void {
    if (outcome.status === 'failed' && outcome.error?.code === 'CONNECT_FAILED') {
      if (++this.connectFailures >= CONNECT_FAILURES_TO_STOP && !this.halt.signal.aborted) {
        this.summary.stopReason = 'connection';
        this.summary.connectError = outcome.error;
        this.halt.abort();
      }
    } else this.connectFailures = 0;
  }

  /**
   * A template refusal extends its code's streak (any other outcome ends it); see `streak`. The
   * refusal was classified when its answer came (refusedOutcome): its class rides on the outcome.
   */
  private countTemplateStreak(outcome: RowOutcome): void {
    const e = outcome.error;
    if (outcome.errorClass === 'template' && e?.status !== undefined) {
      this.streak = e.code === this.streakCode ? this.streak + 1 : 1;
      this.streakCode = e.code;
      if (this.streak >= TEMPLATE_STREAK && !this.halt.signal.aborted) {
        this.summary.stopReason = 'template';
        // The row's provider (a pool may mix them).
        const provider = this.pooled
          ? (this.pooled.find((p) => p.profile.name === outcome.profile) ?? this.o).adapter.id
          : this.o.adapter.id;
        const info = { status: e.status, code: e.code, message: e.message };
        this.summary.refusal = new ProviderError(provider, info, { hint: errorHint(provider, info), exitCode: ExitCode.failure });
        this.halt.abort();
      }
    } else this.streak = 0;
  }

  /** Anything thrown while taking a row or recording one stops the run; the rows in flight end first. */
  private fail(err: unknown, haltNow = true): void {
    if (this.summary.stopError === undefined) {
      this.summary.stopError = err;
      this.summary.stopReason = 'error';
    }
    if (haltNow) this.halt.abort();
  }
}

/** The code of a row stopped before its request went out (deliver → settle). */
const INTERRUPTED = 'INTERRUPTED';

/** The flags whose values hold placeholders: only those are rendered per row. */
function dynamicFlags(flags: Flags): string[] {
  return Object.keys(flags).filter((k) => JSON.stringify(flags[k] ?? null).includes('{{'));
}

/** Row → outcome (journal, invalid, duplicate) or the request to send. Never throws for a row. */
function prepare(row: CsvRow, o: RunOptions, keys: KeySet, dynamic: readonly string[]): Prepared {
  const { plan, profile, adapter } = o;
  const rawTo = recipientCell(row, plan.toColumn);
  if (typeof rawTo !== 'string') return rawTo;
  let to: string;
  let req: HttpRequest;
  try {
    const flags: Flags = { ...plan.flags };
    for (const k of dynamic) flags[k] = renderDeep(plan.flags[k], row.cells);
    // buildMessage normalizes the recipient (with the profile's country) and names it in errors.
    const built = buildMessage(plan.kind, rawTo, flags, {
      profile,
      readFile: (path) => {
        const file = plan.files.get(path)!;
        return file.json !== undefined ? JSON.stringify(renderDeep(file.json, row.cells)) : renderDeep(file.text ?? '', row.cells);
      },
    });
    const msg = o.check ? o.check(built) : built;
    to = msg.to;
    req = adapter.buildSend(msg, profile);
    // Serialized once: for the duplicate key and for the wire.
    req.bodyText = JSON.stringify(req.body);
  } catch (err) {
    if (err instanceof MissingColumnError) return failed(row.row, 'MISSING_COLUMN', `row ${row.row}: ${err.message}`);
    if (err instanceof CliError)
      return failed(row.row, 'VALIDATION', err.message.startsWith('row ') ? err.message : `row ${row.row}: ${err.message}`);
    throw err;
  }
  // The message's key (recipient + exact body) finds it in the input and in the journal, wherever
  // its row is now: the same message twice in the input is sent once, and once ever.
  const digest = KeySet.digestOf(to, req.bodyText);
  const keyHex = KeySet.hexOf(digest);
  // Keys the journal knows are checked there (a rerun's keys cost no second table); others here.
  const known = o.journal?.seen(keyHex);
  if (!(known ?? keys.addDigest(digest))) return duplicate(row.row, to, keyHex);
  const earlier = known === undefined ? undefined : o.journal!.entry(keyHex);
  const resend = earlier ? journalSays(earlier, row.row, to, keyHex, o) : false;
  if (typeof resend !== 'boolean') return resend;
  return { kind: 'send', row: row.row, to, key: keyHex, req, resend };
}

/** A row that is not sent, with why (attempts: 0). */
function failed(row: number, code: string, message: string): Prepared {
  return { kind: 'outcome', outcome: { row, status: 'failed', error: { code, message }, attempts: 0 } };
}

/** The row's recipient cell, or why the row is not sent (the reader's problem, a NUL byte, no or a mangled recipient). */
function recipientCell(row: CsvRow, column: string): string | Prepared {
  if (row.problem) return failed(row.row, row.problem.code, row.problem.message);
  // The row's own cells only: a column named toString or constructor is not Object's.
  const rawTo = Object.hasOwn(row.cells, column) ? row.cells[column] : undefined;
  // A NUL is never text a person wrote (a binary file, a broken export): the row is not sent.
  for (const name in row.cells) {
    if (row.cells[name]!.includes('\0')) {
      return failed(row.row, 'CONTROL_CHARACTER', `row ${row.row}: column '${name}' holds a NUL byte (\\0); remove it from the file`);
    }
  }
  if (rawTo === undefined) return failed(row.row, 'MISSING_COLUMN', `row ${row.row}: column '${column}' is missing`);
  if (spreadsheetMangled(rawTo)) {
    return failed(
      row.row,
      'MANGLED_NUMBER',
      `row ${row.row}: '${rawTo}' in column '${column}' looks changed by a spreadsheet (scientific notation or lost digits); export the column as text`,
    );
  }
  return rawTo;
}

/** The same message in an earlier row of this input: skipped. */
function duplicate(row: number, to: string, key: string): Prepared {
  return {
    kind: 'outcome',
    key,
    outcome: {
      row,
      to,
      status: 'skipped',
      error: { code: 'DUPLICATE', message: `row ${row}: the same message to ${to} is in an earlier row` },
      attempts: 0,
    },
  };
}

/** A message the journal knows → its outcome there, or whether it is sent again (--retry-unknown, a retryable error). */
function journalSays(earlier: JournalEntry, row: number, to: string, key: string, o: RunOptions): Prepared | boolean {
  const recorded = earlier.outcome;
  if (earlier.inFlight && !recorded) {
    if (o.retryUnknown) return true;
    return {
      kind: 'outcome',
      key,
      outcome: {
        row,
        to,
        status: 'unknown',
        error: {
          code: 'IN_FLIGHT',
          message: `row ${row}: an earlier run stopped while this message's request was in flight; rerun with --retry-unknown to send it again`,
        },
        fromJournal: true,
        attempts: 0,
      },
    };
  }
  if (!recorded) return false;
  const retryable = recorded.error?.retryable === true || (recorded.status === 'unknown' && o.retryUnknown);
  // Reported where the row is now; the journal's error names the line it was on then.
  return retryable || { kind: 'outcome', key, outcome: { ...recorded, row, to, fromJournal: true, attempts: 0 } };
}

/**
 * A row to send again later, off the workers: after `waitMs`, with the attempts so far (`carry`:
 * refused for its recipient's pair rate), or held behind another row's backoff (no carry).
 */
type Later = { later: { waitMs: number; carry?: Carry } };

/** Where a request's retries stand, carried over a recipient's backoff. */
interface Carry {
  attempt: number;
  tries: number;
  /** 131056 answers so far: the next wait is 4^pairHits s. */
  pairHits: number;
}

/** A row stopped before its request went out: reported as not sent (settle), the next run sends it. */
const notSent = (p: SendRow): RowOutcome => ({ row: p.row, to: p.to, ...NOT_SENT });

/** Sends one prepared row with the retry rule; returns its outcome, or when to try it again. */
async function deliver(p: SendRow, o: RunOptions, run: RunShared, carry?: Carry): Promise<RowOutcome | Later> {
  // Meta's pair rate: this recipient's previous request ended long enough ago (it ends before the next waits).
  const ended = o.pairs ? await o.pairs.take(p.to, run.halt.signal) : undefined;
  let x: Awaited<ReturnType<typeof exchange>>;
  try {
    x = await exchange(p.req, o, run, p.to, carry, () => o.journal?.intentSoon(p.row, p.key));
  } finally {
    ended?.();
  }
  if ('later' in x) return x;
  if ('ended' in x) return { row: p.row, to: p.to, ...x.ended };
  try {
    const accepted = o.adapter.parseSendResponse(x.res.status, x.body);
    return { row: p.row, to: p.to, status: 'sent', id: accepted.id, attempts: x.tries };
  } catch (err) {
    const e = err as ProviderError;
    return {
      row: p.row,
      to: p.to,
      status: 'unknown',
      error: { status: x.res.status, code: e.code ?? 'BAD_RESPONSE', message: e.message },
      attempts: x.tries,
    };
  }
}

/** What a batch of prepared rows is sent as (Interflow's POST /messages/bulk). */
export interface BatchSupport {
  /** Rows a request at most. */
  size: number;
  /** The rows' single-send requests → the one batch request. */
  build(reqs: HttpRequest[]): HttpRequest;
  /** A 2xx answer → each item's outcome, in the batch's order (throws when it is not that shape). */
  parse(status: number, body: unknown, count: number): BatchItemResult[];
}

/** An item's answer; a refused one with the HTTP status a single send of it would have had (it classifies the refusal). */
export type BatchItemResult = { success: true; id: string } | { success: false; status: number; code: string; message: string };

type SendRow = Extract<Prepared, { kind: 'send' }>;

/**
 * Sends prepared rows as one request: every row's intent is journaled before it goes; the retry
 * rule is a single send's (the whole batch is retried when surely not accepted, and every row is
 * unknown when it may have been); each item's answer is its row's outcome, by the error classes
 * as a single send's answer would be (src/providers/error-classes.ts): items to retry go again in
 * a batch of their own after a pause (--max-attempts counts every attempt of a row), an item that
 * refuses the key or the account stops the run, the others settle their rows.
 */
async function deliverBatch(rows: SendRow[], batch: BatchSupport, o: RunOptions, run: RunShared): Promise<RowOutcome[]> {
  const outcomes = new Map<SendRow, RowOutcome>();
  const end = (p: SendRow, x: Omit<RowOutcome, 'row' | 'to'>): void => void outcomes.set(p, { row: p.row, to: p.to, ...x });
  let todo = rows;
  let carry: Carry | undefined;
  while (todo.length > 0) {
    const items = todo;
    const x = await exchange(batch.build(items.map((p) => p.req)), o, run, undefined, carry, () =>
      Promise.all(items.map((p) => o.journal?.intentSoon(p.row, p.key))),
    );
    // (A batch has no one recipient to hold: a pair-rate refusal pauses the run like a 429.)
    if ('later' in x) throw new Error('a batch was held for one recipient');
    if ('ended' in x) {
      for (const p of todo) end(p, x.ended);
      break;
    }
    const again = settleItems(todo, batch, x, o, run, end);
    if (again.rows.length === 0) break;
    carry = { attempt: x.attempts, tries: x.tries, pairHits: (carry?.pairHits ?? 0) + (again.pair ? 1 : 0) };
    const wait = again.pair ? recipientBackoffMs(carry.pairHits - 1) : backoffMs(x.attempts - 1, 250, 20_000, o.random);
    o.pacer.pause(wait, `${again.rows.length} item(s) of a batch refused with ${again.code}`);
    await run.sleep(wait, run.halt.signal);
    todo = again.rows;
  }
  return rows.map((p) => outcomes.get(p)!);
}

/**
 * A batch's 2xx answer → each row's outcome (`end`), but the rows whose items are to be retried:
 * returned, with the code they got and whether it was a recipient's pair rate (131056).
 */
function settleItems(
  rows: SendRow[],
  batch: BatchSupport,
  x: Answered,
  o: RunOptions,
  run: RunShared,
  end: (p: SendRow, x: Omit<RowOutcome, 'row' | 'to'>) => void,
): { rows: SendRow[]; code: string; pair: boolean } {
  const again = { rows: [] as SendRow[], code: '', pair: false };
  let items: BatchItemResult[];
  try {
    items = batch.parse(x.res.status, x.body, rows.length);
  } catch (err) {
    const e = err as ProviderError;
    for (const p of rows)
      end(p, { status: 'unknown', error: { status: x.res.status, code: e.code ?? 'BAD_RESPONSE', message: e.message }, attempts: x.tries });
    return again;
  }
  rows.forEach((p, i) => {
    const item = items[i]!;
    if (item.success) return end(p, { status: 'sent', id: item.id, attempts: x.tries });
    const info = { status: item.status, code: item.code, message: item.message };
    const kind = classifyError(o.adapter.id, info).id;
    if (kind !== 'retry' && kind !== 'retry-recipient') return end(p, refusedOutcome(kind, info, o, run, x.tries));
    // Not accepted: sent again in the next batch, unless the run stops or the attempts are spent.
    if (run.halt.signal.aborted) return end(p, NOT_SENT);
    if (x.attempts >= o.maxAttempts) return end(p, gaveUp(info, o, x.tries));
    again.rows.push(p);
    again.code = item.code;
    again.pair ||= kind === 'retry-recipient';
  });
  return again;
}

/** A 2xx answer to a request: its body, the requests it took, and the attempts of them that count against --max-attempts (a 429 with Retry-After does not). */
interface Answered {
  res: HttpResponse;
  body: unknown;
  tries: number;
  attempts: number;
}

/** How a row stopped before its request went out ends (settle reports it as not sent). */
const NOT_SENT = {
  status: 'skipped',
  error: { code: INTERRUPTED, message: 'stopped before it was accepted; the next run sends it', retryable: true },
  attempts: 0,
} as const satisfies Omit<RowOutcome, 'row' | 'to'>;

/** How a request ended other than with a 2xx answer, for every row it carried. */
type Ended = { ended: Omit<RowOutcome, 'row' | 'to'> };

/** An attempt not accepted but safe to try again: its error, and the pause before the next attempt (none: no next). */
interface Retry {
  retry: RowError;
  waitMs?: number;
  /** A 429 that said when to come back: the server's pace, not a failed attempt. */
  paced?: boolean;
}

/**
 * One request with the retry rule and the provider error classes (src/providers/error-classes.ts):
 * a 2xx answer (read, for the caller to take apart), how the request ended otherwise (failed,
 * unknown, interrupted) for every row it carried, or — for one `recipient` refused for its pair
 * rate (131056) — when to try again (the caller waits, not the run).
 */
async function exchange(
  req: HttpRequest,
  o: RunOptions,
  run: RunShared,
  recipient?: string,
  carry?: Carry,
  announce?: () => Promise<unknown> | undefined,
): Promise<Answered | Ended | Later> {
  const halt = run.halt.signal;
  let lastError: RowError | undefined;
  let rateLimited = 0;
  // Where this request's retries stand (sendFailed and answered read it).
  const at: Carry = { attempt: carry?.attempt ?? 0, tries: carry?.tries ?? 0, pairHits: carry?.pairHits ?? 0 };
  for (; at.attempt < o.maxAttempts; at.attempt++) {
    if (at.tries++ > 0) {
      run.summary.retries++;
      if (halt.aborted) break;
    }
    if (!o.pacer.takeNow()) await o.pacer.take(halt);
    // Stopped while waiting for a slot: this request has not gone out.
    if (halt.aborted) break;
    // The intent once the row's turn has come (its pair rate and its pace): a kill -9 while it
    // waited leaves it unsent, not in flight. Before the first attempt only: a retry's is written.
    if (announce) {
      await announce();
      announce = undefined;
    }
    run.summary.requests++;
    let res: HttpResponse | undefined;
    let next: Answered | Ended | Later | Retry | undefined;
    try {
      res = await o.sender.send(req);
    } catch (err) {
      next = sendFailed(err, at, o);
    }
    next ??= answered(res!, at, o, run, recipient);
    if (!('retry' in next)) return next;
    lastError = next.retry;
    if (next.waitMs === undefined) continue;
    // A 429 that says when to come back is the server's pace, not a failed attempt.
    if (next.paced && ++rateLimited < RATE_LIMITED_RETRIES) at.attempt--;
    await run.sleep(next.waitMs, halt);
  }
  // Never accepted (stopped before sending, refused connections, 429s, 503s): safe to send later.
  if (halt.aborted) return { ended: NOT_SENT };
  return { ended: gaveUp(lastError, o, at.tries) };
}

/** A request that got no answer: refused connections are tried again (after a pause); after a connect, the provider may have it. */
function sendFailed(err: unknown, at: Carry, o: RunOptions): Ended | Retry {
  if (err instanceof NetworkError && err.phase === 'connect') {
    const waitMs = backoffMs(at.attempt, 250, 20_000, o.random);
    o.pacer.pause(waitMs, `${err.message}; retrying`);
    return { retry: { code: err.code, message: err.message, retryable: true }, waitMs };
  }
  if (err instanceof NetworkError) {
    return {
      ended: {
        status: 'unknown',
        error: {
          code: err.code,
          message: `${err.message}: the provider may have accepted it; not resent (--retry-unknown sends it again)`,
        },
        attempts: at.tries,
      },
    };
  }
  throw err;
}

/**
 * An answer → the 2xx answer read, how the request ended, when its recipient is tried again, or
 * the next attempt. Its rate-limit headers set the pace first, whatever its status.
 */
function answered(
  res: HttpResponse,
  at: Carry,
  o: RunOptions,
  run: RunShared,
  recipient: string | undefined,
): Answered | Ended | Later | Retry {
  const { attempt, tries } = at;
  const pauseMs = rateLimitPauseMs(res.headers);
  if (pauseMs !== undefined) o.pacer.pause(pauseMs, "the plan's window is used up (X-RateLimit-Reset)");
  // The plan's window (X-RateLimit-Remaining over the time to X-RateLimit-Reset): the pace
  // follows it, so a --rate above the plan converges on the plan instead of meeting 429s.
  const spacing = rateLimitSpacingMs(res.headers);
  if (spacing !== undefined) o.pacer.follow(spacing);
  const unread = res.tooLarge ? tooLarge(res, tries) : undefined;
  if (unread) return unread;
  const body = res.json ?? (res.text || undefined);
  if (res.status >= 200 && res.status < 300) return { res, body, tries, attempts: attempt + 1 };
  const info = o.adapter.parseError(res.status, body);
  const kind = classifyError(o.adapter.id, info).id;
  if (kind !== 'retry' && kind !== 'retry-recipient') return { ended: refusedOutcome(kind, info, o, run, tries) };
  const retry: RowError = { status: info.status, code: info.code, message: info.message, retryable: true };
  if (kind === 'retry-recipient' && recipient !== undefined) {
    // Meta's pair rate: this recipient waits 4^n s (the caller holds it); the run goes on.
    if (attempt + 1 >= o.maxAttempts || run.halt.signal.aborted) return { retry };
    const waitMs = retryAfterMs(res.headers['retry-after']) ?? recipientBackoffMs(at.pairHits);
    return { later: { waitMs, carry: { attempt: attempt + 1, tries, pairHits: at.pairHits + 1 } } };
  }
  const told = retryAfterMs(res.headers['retry-after']) ?? pauseMs;
  const waitMs = told ?? backoffMs(attempt, 250, 20_000, o.random);
  o.pacer.pause(waitMs, `${res.status} from the provider`);
  return { retry, waitMs, paced: res.status === 429 && told !== undefined };
}

/** An answer too large to read: a 2xx may have been accepted; other statuses end by their verdict, but those to retry. */
function tooLarge(res: HttpResponse, tries: number): Ended | undefined {
  const message = `the answer (HTTP ${res.status}) was too large to read`;
  if (res.status >= 200 && res.status < 300) {
    return {
      ended: {
        status: 'unknown',
        error: {
          status: res.status,
          code: 'RESPONSE_TOO_LARGE',
          message: `${message}: the provider may have accepted it; not resent (--retry-unknown sends it again)`,
        },
        attempts: tries,
      },
    };
  }
  const verdict = verdictForStatus(res.status);
  if (verdict === 'retry') return undefined;
  return {
    ended: {
      status: verdict === 'unknown' ? 'unknown' : 'failed',
      error: { status: res.status, code: 'RESPONSE_TOO_LARGE', message },
      attempts: tries,
    },
  };
}

/**
 * How a row refused for good ends, by its error class (src/providers/error-classes.ts): a single
 * send's answer or a batch's item alike. A refused key or account also stops the run.
 */
function refusedOutcome(
  kind: ErrorClassId,
  info: ProviderErrorInfo,
  o: RunOptions,
  run: RunShared,
  tries: number,
): Omit<RowOutcome, 'row' | 'to'> {
  const error: RowError = { status: info.status, code: info.code, message: info.message };
  const hint = errorHint(o.adapter.id, info);
  if (kind === 'stop-auth' || kind === 'stop') {
    // The key, the account or the channel is refused: every other row would be too. Stop; the
    // rest stay unsent, and this row (not accepted) is sent again by a rerun.
    const refusal = new ProviderError(o.adapter.id, info, { hint, exitCode: kind === 'stop' ? ExitCode.failure : ExitCode.auth });
    const { summary } = run;
    if (kind === 'stop-auth') [summary.stopReason, summary.authError] = ['auth', refusal];
    else [summary.stopReason, summary.refusal] = ['refused', refusal];
    run.halt.abort();
    return { status: 'failed', error: { ...error, retryable: true, ...(hint ? { hint } : {}) }, attempts: tries, errorClass: kind };
  }
  if (kind === 'unknown') {
    return {
      status: 'unknown',
      error: { ...error, message: `${error.message} (the provider may have accepted it; not resent)` },
      attempts: tries,
      errorClass: kind,
    };
  }
  // A template error is the template's, not the row's: a rerun (the template fixed) sends it.
  const retryable = kind === 'template' ? { retryable: true } : {};
  return { status: 'failed', error: { ...error, ...retryable, ...(hint ? { hint } : {}) }, attempts: tries, errorClass: kind };
}

/** A row never accepted after --max-attempts (refused connections, 429s, 503s): safe to send later. */
function gaveUp(lastError: RowError | undefined, o: RunOptions, tries: number): Omit<RowOutcome, 'row' | 'to'> {
  return {
    status: 'failed',
    error: {
      ...(lastError ?? { code: 'RETRIES_EXHAUSTED', message: 'not accepted' }),
      message: `${lastError?.message ?? 'not accepted'} (gave up after ${o.maxAttempts} attempts; the next run tries again)`,
      retryable: true,
    },
    attempts: tries,
  };
}
