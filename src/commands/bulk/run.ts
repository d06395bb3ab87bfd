/**
 * `interflow bulk`: options → plan (which message, which files, which placeholders) → checks that
 * can fail before anything is sent (exit 2) → the run (src/bulk/runner.ts) → one line per row on
 * stdout, a summary on stderr, and the exit code: 0 all sent or skipped, 3 some failed or unknown,
 * 4 key refused, 130 interrupted.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { CliError, ExitCode, fileProblem, InterruptedError, UsageError, type ProviderError } from '../../errors.js';
import { commandHttpOptions, HttpClient, oneLine } from '../../http/client.js';
import { readFlagFile, type Flags, type SendKind } from '../../message/build.js';
import { isMediaKind, mediaKinds, type Capability } from '../../message/model.js';
import { effectiveBaseUrl } from '../../config/defaults.js';
import { plans } from '../../config/profile.js';
import type { Profile } from '../../config/profile.js';
import { jsonLine } from '../../output/format.js';
import { redact } from '../../output/redact.js';
import { inertJson, plainText } from '../../output/sanitize.js';
import { getAdapter } from '../../providers/index.js';
import { interflowBatch } from '../../providers/interflow.js';
import { refuseInteractoValues, unsupported } from '../../providers/meta.js';
import type { ProviderAdapter } from '../../providers/types.js';
import { TEMPLATE_STREAK } from '../../providers/error-classes.js';
import { openCsv, type OpenedCsv } from '../../bulk/csv.js';
import { POOL_RESULTS_CSV_HEADER, poolResultsCsvLine, RESULTS_CSV_HEADER, resultsCsvLine } from '../../bulk/results-csv.js';
import { openJournal, type Destination, type Journal } from '../../bulk/journal.js';
import { Pacer, PairPacer } from '../../bulk/pacer.js';
import { PAIR_RATE_PROVIDERS, pairIntervalOf, poolDestination, poolNames, poolPicker, profileCounts } from '../../bulk/pool.js';
import { loadProfileFor } from '../../config/context.js';
import { rateLimitHeaders } from '../../bulk/retry.js';
import { checkPlaceholders, collectPlaceholders } from '../../bulk/placeholders.js';
import { CONNECT_FAILURES_TO_STOP, runBulk, type BulkPlan, type RunOptions, type RunSummary } from '../../bulk/runner.js';
import { bulkPreflight, runPreflight, type Preflight } from '../../bulk/preflight.js';
import type { RowOutcome } from '../../bulk/types.js';
import type { CommandContext } from '../context.js';
import type { BulkOptions } from './bulk.js';
import { dryRunView } from '../send/run.js';
import type { Io } from '../../output/io.js';
import { bulkRecorder, campaignOf } from '../../tracking/record.js';
import { startProgress, tapOffsets, type Progress } from './progress.js';
import { RecipientHolds } from '../../bulk/holds.js';
import { otherSplitJournals, parseShard, shardJournalPath, shardRows, type Shard } from '../../bulk/shard.js';

/** Which send kind each message flag belongs to (bulk flag name → kind). */
const kindFlags: Record<SendKind, (keyof BulkFlags)[]> = {
  text: ['text'],
  media: ['kind', 'url', 'id'],
  location: ['latitude', 'longitude'],
  contact: ['phone', 'contactFile', 'vcard'],
  template: ['template', 'templateFile', 'hsm'],
  interactive: ['body', 'button', 'list', 'locationRequest'],
};

const flagName = (key: string): string => '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** The send kind the flags describe: exactly one. */
export function inferKind(options: BulkFlags): SendKind {
  const given = (Object.entries(kindFlags) as [SendKind, (keyof BulkFlags)[]][]).filter(([, keys]) =>
    keys.some((k) => options[k] !== undefined),
  );
  if (given.length === 0) {
    throw new UsageError(
      'say what to send: --text, --template NAME (or --template-file), --kind with --url/--id, --latitude/--longitude, --name with --phone (or --contact-file/--vcard), or --body with --button/--list/--location-request',
    );
  }
  if (given.length > 1) {
    const show = given.map(
      ([kind, keys]) =>
        `${kind} (${keys
          .filter((k) => options[k] !== undefined)
          .map(flagName)
          .join(', ')})`,
    );
    throw new UsageError(`one kind of message per run: the flags describe ${show.join(' and ')}`);
  }
  return given[0]![0];
}

/** Flags that are not the message: changing them does not change what a row sends. */
const runFlags = new Set([
  'campaign',
  'journal',
  'rate',
  'concurrency',
  'maxAttempts',
  'maxErrors',
  'retryUnknown',
  'output',
  'toColumn',
  'delimiter',
  'skipInvalid',
  'batch',
  'shard',
  'pairInterval',
]);

/** Bulk flags → the flags `send <kind>` takes (same builder, same checks). */
function sendFlags(kind: SendKind, o: BulkFlags): Flags {
  // Built key by key, never with `delete`: an object that loses properties goes to dictionary
  // mode, and every row copies these flags and reads them (measured: a few µs a row).
  const renamed: [from: keyof BulkFlags, to: string][] =
    kind === 'template'
      ? [
          ['template', 'name'],
          ['templateFile', 'file'],
        ]
      : kind === 'contact'
        ? [['contactFile', 'file']]
        : [];
  const f: Flags = {};
  for (const k of Object.keys(o)) {
    if (!runFlags.has(k) && !renamed.some(([from, to]) => k === from || k === to)) f[k] = (o as Flags)[k];
  }
  for (const [from, to] of renamed) f[to] = o[from];
  return f;
}

/**
 * The capabilities a run's rows can need: one when the flags fix it, several when a row decides
 * (a --kind placeholder, a --template-file that may be a template or an hsm).
 */
function capabilitiesOf(kind: SendKind, o: BulkFlags): Capability[] {
  switch (kind) {
    case 'media':
      return o.kind !== undefined && isMediaKind(o.kind) ? [o.kind] : [...mediaKinds];
    case 'template':
      return o.hsm ? ['hsm'] : o.templateFile ? ['template', 'hsm'] : ['template'];
    case 'interactive':
      return o.button
        ? ['interactive buttons']
        : o.list
          ? ['interactive list']
          : o.locationRequest
            ? ['interactive location request']
            : ['interactive buttons', 'interactive list', 'interactive location request'];
    default:
      return [kind];
  }
}

/** Refuses, before any row, a run no row of which the provider could send (exit 2, no journal). */
function refuseUnsupported(profile: Profile, capabilities: readonly Capability[], options: BulkFlags, kind: SendKind): void {
  const possible = capabilitiesOf(kind, options);
  if (!possible.some((c) => capabilities.includes(c))) throw unsupported(profile.provider, capabilities, possible[0]!);
  if (profile.provider === 'interacto') return;
  const { delay, typing, priority, tag: tags, metadata } = options;
  refuseInteractoValues(profile.provider, { delay, typing, priority, tags, metadata });
}

/** Requests a minute: --rate, else the profile's rateLimit, else its plan; undefined = unpaced. */
export function rateFor(o: { rate?: number }, profile: Profile): number | undefined {
  return o.rate ?? profile.rateLimit ?? (profile.plan ? plans[profile.plan] : undefined);
}

function readPlanFiles(kind: SendKind, f: Flags): BulkPlan['files'] {
  const files: BulkPlan['files'] = new Map();
  const read = (path: unknown, flag: string, json: boolean): void => {
    if (typeof path !== 'string') return;
    const text = readFlagFile(path, flag).replace(/^\uFEFF/, '');
    if (!json) return void files.set(path, { text });
    try {
      files.set(path, { json: JSON.parse(text) });
    } catch (err) {
      throw new UsageError(`${flag} ${path}: not valid JSON (${(err as Error).message})`);
    }
  };
  if (kind === 'template') read(f.file, '--template-file', true);
  if (kind === 'contact') {
    read(f.file, '--contact-file', true);
    read(f.vcard, '--vcard', false);
  }
  if (kind === 'interactive') read(f.list, '--list', true);
  return files;
}

/** stdout's lines for a run (lineWriter). */
interface LineWriter {
  /** A promise only while stdout is full: the caller waits then, and only then. */
  write(text: string): void | Promise<void>;
  end(): Promise<void>;
  gone(): void;
}

/**
 * How long a line waits for others before stdout is written: one write(2) for the rows of many
 * turns of the event loop instead of one a turn (a bulk run settles rows thousands of times a
 * second). Too short for a person to see; the journal, not stdout, is the record.
 */
const LINES_MS = 10;

/**
 * Lines for stdout, coalesced for LINES_MS (one write for many rows), honouring
 * backpressure: while stdout is full (a slow `| jq`), callers wait, so memory does not grow. Once
 * the reader is gone (`gone()`: a closed pipe), lines are dropped and nobody waits any more.
 */
function lineWriter(io: Io): LineWriter {
  let buffer = '';
  let scheduled = false;
  let dead = false;
  let full: { promise: Promise<void>; release: () => void } | undefined;
  const release = (): void => {
    const f = full;
    full = undefined;
    process.stdout.off('drain', release);
    f?.release();
  };
  const flush = (): void => {
    scheduled = false;
    if (buffer === '' || dead) return void (buffer = '');
    const ok = io.stdout.write(redact(buffer));
    buffer = '';
    if (!ok && !full) {
      let resolve!: () => void;
      full = { promise: new Promise<void>((r) => (resolve = r)), release: () => resolve() };
      process.stdout.on('drain', release);
    }
  };
  const add = (text: string): void => {
    buffer += text;
    if (buffer.length > 65_536) flush();
    else if (!scheduled) {
      scheduled = true;
      setTimeout(flush, LINES_MS);
    }
  };
  return {
    // A promise only while stdout is full: the caller waits then, and only then.
    write(text) {
      if (dead) return;
      if (full) return full.promise.then(() => add(text));
      add(text);
    },
    async end() {
      flush();
      if (full) await full.promise;
    },
    gone() {
      dead = true;
      buffer = '';
      release();
    },
  };
}

/** A run, as `interflow bulk` is given it: options → the run prepared → its rows sent → how it ended. */
export async function runBulkCommand({ csv: input, ...options }: BulkOptions, ctx: CommandContext): Promise<void> {
  const run = await prepareRun(input, options, ctx);
  const sent = await sendRows(run, ctx);
  reportEnding(run, sent, ctx);
}

/** The bulk flags but the CSV argument. */
type BulkFlags = Omit<BulkOptions, 'csv'>;

/** Everything a run needs, checked before anything is sent (a problem here is exit 2). */
interface PreparedRun {
  input: string;
  options: BulkFlags;
  plan: BulkPlan;
  /** `--profile a,b,c`: the names of a pool of senders; undefined for one profile. */
  pool: string[] | undefined;
  /** The run's profiles: one, or the pool's, in its order. The first stands for the run. */
  profiles: Profile[];
  profile: Profile;
  shard: Shard | undefined;
  rate: number | undefined;
  pairMs: number | undefined;
  journalPath: string | undefined;
  preflight: Preflight | undefined;
  csv: OpenedCsv;
  stream: NodeJS.ReadableStream;
}

/**
 * The plan (which message, which files, which placeholders), the profiles, the input opened and
 * its header checked against the plan, and the templates preflight: whatever can refuse the run
 * does so here, before any row is sent.
 */
async function prepareRun(input: string, options: BulkFlags, ctx: CommandContext): Promise<PreparedRun> {
  const kind = inferKind(options);
  const flags = sendFlags(kind, options);
  const shard = options.shard !== undefined ? parseShard(options.shard) : undefined;
  const files = readPlanFiles(kind, flags);
  const { pool, profiles } = await loadProfiles(options, kind, ctx);
  const profile = profiles[0]!;
  const rate = rateFor(options, profile);
  const pairMs = pairIntervalOf(options, profiles);

  if (input === '-' && ctx.io.stdin.isTTY) {
    throw new UsageError("'bulk -' reads the CSV from stdin: pipe it in (… | interflow bulk - …) or give a file");
  }
  const journalPath = options.journal ?? (input === '-' ? undefined : shard ? shardJournalPath(input, shard) : `${input}.journal`);
  if (options.output !== undefined) refuseOutputOver(options.output, input === '-' ? undefined : input, journalPath);
  if (journalPath !== undefined) refuseOtherSplit(journalPath, shard);
  // A template run with a catalog: every row checked before the first request (stdin spooled).
  const preflight = await bulkPreflight(pool ? { ...ctx, loadProfile: async () => profile } : ctx, kind, options, input);
  const { csv, stream } = await openInput(input, preflight?.path ?? input, options.delimiter, ctx.io);
  const toColumn = recipientColumn(options.toColumn, csv.columns);
  checkPlaceholders(collectPlaceholders(flags), csv.columns, 'message flags');
  for (const [path, file] of files) checkPlaceholders(collectPlaceholders(file.json ?? file.text), csv.columns, path);

  const plan: BulkPlan = { kind, flags, toColumn, files };
  const source = { delimiter: options.delimiter, source: input === '-' ? 'stdin' : input };
  if (preflight) await runPreflight(ctx, preflight, plan, source, profile, options.skipInvalid === true);
  return { input, options, plan, pool, profiles, profile, shard, rate, pairMs, journalPath, preflight, csv, stream };
}

/**
 * A run split another way than the journals beside it (`--shard 1/3` after `--shard 1/2`, or
 * `--shard 1/1` after no --shard) has a journal of its own that knows nothing of theirs: it would
 * send their rows again. Refused (exit 2) naming them, before anything is sent.
 */
function refuseOtherSplit(journalPath: string, shard: Shard | undefined): void {
  const others = otherSplitJournals(journalPath, shard);
  if (others.length === 0) return;
  const splits = [...new Set(others.map((o) => (o.split === '' ? 'no --shard' : `--shard ${o.split.replace(/^\d+/, 'I')}`)))];
  const mine = shard ? `--shard ${shard.index}/${shard.count}` : 'no --shard';
  throw new UsageError(
    `${others[0]!.path}${others.length > 1 ? ` (and ${others.length - 1} more)` : ''} records a run of this file split another way (${splits.join(', ')}); ` +
      `this run (${mine}) has its own journal, ${journalPath}, and would send those rows again`,
    {
      code: 'JOURNAL_OTHER_SPLIT',
      hint: `finish the run split as it was (${splits.join(', ')}); to start over on purpose, move those journals away: their rows are sent again`,
    },
  );
}

/**
 * The run's profile, or with `--profile a,b,c` a pool of senders (src/bulk/pool.ts) whose first
 * (by name) stands for the run where one profile is needed (the CSV's country, the templates
 * catalog, the campaign). Each must be able to send the message; --batch takes one interflow profile.
 */
async function loadProfiles(options: BulkFlags, kind: SendKind, ctx: CommandContext): Promise<{ pool?: string[]; profiles: Profile[] }> {
  const { io, globals } = ctx;
  const pool = poolNames(globals.profile ?? (io.env.INTERFLOW_PROFILE || undefined));
  const profiles = pool
    ? await Promise.all(pool.map((name) => loadProfileFor({ ...globals, profile: name }, io)))
    : [await ctx.loadProfile()];
  for (const p of profiles) {
    try {
      refuseUnsupported(p, getAdapter(p.provider).capabilities, options, kind);
    } catch (err) {
      // In a pool, the message must suit every sender: the refusal names the one it does not.
      if (pool && err instanceof CliError) err.message = `profile '${p.name}' of the pool (${p.provider}): ${err.message}`;
      throw err;
    }
  }
  const profile = profiles[0]!;
  if (options.batch !== undefined && (pool || profile.provider !== 'interflow')) {
    throw new UsageError(
      pool
        ? '--batch sends through one interflow profile: drop --batch for a pool of senders (--profile a,b,…)'
        : `--batch is for interflow profiles (POST /messages/bulk): profile '${profile.name}' is ${profile.provider}; drop --batch to send one request a row`,
    );
  }
  return pool ? { pool, profiles } : { profiles };
}

/** The input opened (a file, the spooled stdin, or stdin) and its header read. */
async function openInput(
  input: string,
  path: string,
  delimiter: string | undefined,
  io: Io,
): Promise<{ csv: OpenedCsv; stream: NodeJS.ReadableStream }> {
  let stream: NodeJS.ReadableStream = io.stdin;
  if (path !== '-') {
    const file = createReadStream(path);
    await new Promise<void>((resolve, reject) => {
      file.once('open', () => resolve());
      file.once('error', (err: NodeJS.ErrnoException) => reject(new UsageError(`${input}: ${fileProblem(err)}`)));
    });
    stream = file;
  }
  const csv = await openCsv(stream, { delimiter, source: input === '-' ? 'stdin' : input });
  return { csv, stream };
}

/** The recipients' column: --to-column, else `to`, else `phone`. */
function recipientColumn(given: string | undefined, columns: string[]): string {
  const toColumn = given ?? (columns.includes('to') ? 'to' : columns.includes('phone') ? 'phone' : undefined);
  if (!toColumn || !columns.includes(toColumn)) {
    throw new UsageError(
      given
        ? `--to-column '${toColumn}' is not a column of the CSV: it has ${columns.join(', ')}`
        : `no 'to' or 'phone' column for the recipients: the CSV has ${columns.join(', ')}; name the recipients' column with --to-column`,
    );
  }
  return toColumn;
}

/** What sending the rows gave: the runner's summary, what stopped it from outside, the summary's extra lines. */
interface SentRows {
  summary: RunSummary;
  stopped: Stopped | undefined;
  /** --shard: the rows of the other shards, counted, not reported (their shards report them). */
  otherShards: number;
  /** A pool's line per profile. */
  perProfile: string[];
}

/**
 * Sends the rows: the journal, the tracking store, --output, the senders, what stops the run
 * (signals, closed pipes, a full disk), the progress line, then the runner; whatever happens,
 * everything is closed and the outcomes known are recorded.
 */
async function sendRows(run: PreparedRun, ctx: CommandContext): Promise<SentRows> {
  const { io, globals } = ctx;
  const journal = await openRunJournal(run, ctx);
  // Sent rows go into the tracking store; the campaign defaults to the journal's name.
  const track = globals.dryRun
    ? undefined
    : bulkRecorder(io, run.profiles, run.plan, campaignOf(run.options.campaign) || journalName(run.journalPath), run.input);
  // An early exit (a closed stdout, a second Ctrl-C) still writes the outcomes already known.
  const flushJournal = (): void => journal?.flush();
  process.once('exit', flushJournal);
  const stop = new RunStop();
  if (journal) journal.onFailure = (err) => stop.stop({ kind: 'journal', error: err });
  const output = run.options.output !== undefined ? await openOutput(run.options.output, run.pool !== undefined, stop.stop) : undefined;
  const senders = makeSenders(run, ctx);
  const out = lineWriter(io);
  const watch = watchStops(io, out, stop.stop);
  const size = run.input === '-' ? undefined : statSync(run.input).size;
  const paced = senders.map((s) => ({ pacer: s.pacer, ...(run.pool ? { name: s.profile.name } : {}) }));
  // One table of the recipients held for their pair rate: the runner keeps it, the progress line reads it.
  const holds = new RecipientHolds();
  const progress = io.spinnerEnabled && !globals.json ? await startProgress(io, run.rate, size, paced, holds) : undefined;
  const otherShards = { count: 0 };
  const perProfile = profileCounts();
  let summary: RunSummary;
  try {
    if (!run.rate && !io.quiet)
      io.err(
        "note: no rate set (--rate, or the profile's rateLimit or plan): sending as fast as --concurrency allows, slowing down on 429/Retry-After\n",
      );
    // A promise only when a writer is full (backpressure), not one a row.
    const onOutcome = (o: RowOutcome): void | Promise<void> => {
      progress?.count(o);
      if (o.profile !== undefined) perProfile.count(o);
      track?.row(o);
      const print = (): void | Promise<void> => {
        const line = outcomeLine(o, globals, io.isStdoutTTY);
        return line === undefined ? undefined : out.write(line);
      };
      return output ? output.write(o).then(print) : print();
    };
    summary = await runBulk({
      ...runnerOptions(run, ctx, senders, out, otherShards, progress),
      holds,
      journal,
      stop: stop.signal,
      onOutcome,
    });
  } finally {
    // A stop while the input was quiet (a pipe with nothing more yet) leaves a read waiting: end it.
    run.csv.close();
    (run.stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    await out.end();
    process.off('exit', flushJournal);
    watch.signalsOff();
    progress?.stop();
    await Promise.all(senders.map((s) => s.sender.close()));
    journal?.close();
    track?.close();
    run.preflight?.cleanup();
    await output?.close();
  }
  watch.pipesOff(stop.why);
  return { summary, stopped: stop.why, otherShards: otherShards.count, perProfile: perProfile.lines() };
}

/** A row's line on stdout: JSON with --json and --dry-run, else text (on a terminal, not for rows sent). */
function outcomeLine(o: RowOutcome, globals: CommandContext['globals'], tty: boolean): string | undefined {
  // A dry run prints JSON lines (its requests are JSON), its invalid rows too, whole.
  if (globals.json || globals.dryRun) {
    const fields = globals.dryRun ? undefined : globals.fields;
    return fields === undefined ? outcomeJsonLine(o) : jsonLine(publicOutcome(o), fields);
  }
  return !tty || o.status !== 'sent' ? textLine(o) : undefined;
}

/** The runner's options but the journal, the stop and the outcomes: what the rows are and where they go. */
function runnerOptions(
  run: PreparedRun,
  ctx: CommandContext,
  senders: SenderOf[],
  out: LineWriter,
  otherShards: { count: number },
  progress: Progress | undefined,
): Omit<RunOptions, 'stop' | 'onOutcome'> {
  const { options, profile, plan, preflight } = run;
  const { adapter, sender, pacer, pairs } = senders[0]!;
  // --shard: the rows of the other shards are counted, not reported (their shards report them).
  const rows = run.shard ? shardRows(run.csv.rows, run.shard, plan.toColumn, profile.defaultCountry, otherShards) : run.csv.rows;
  return {
    plan,
    profile,
    adapter,
    rows: progress ? tapOffsets(rows, progress) : rows,
    sender,
    pacer,
    ...(pairs ? { pairs } : {}),
    ...(run.pool ? { pool: { senders, pick: poolPicker(senders.length, plan.toColumn, profile.defaultCountry) } } : {}),
    concurrency: options.concurrency ?? 8,
    maxAttempts: options.maxAttempts ?? 5,
    maxErrors: options.maxErrors,
    retryUnknown: options.retryUnknown === true,
    dryRun: ctx.globals.dryRun === true,
    ...(preflight ? { check: preflight.check } : {}),
    ...(options.batch !== undefined ? { batch: interflowBatch(options.batch) } : {}),
    onBatchRequest: async (rows, req) => {
      await out.write(JSON.stringify({ rows, request: dryRunView(req, adapter) }) + '\n');
    },
    onRequest: async (row, req, via) => {
      // As send --dry-run shows it: the body once (bodyText is the same body serialized for the wire);
      // in a pool, the profile the row goes through.
      const rendered = preflight?.lastRendered();
      const line = {
        row,
        ...(via ? { profile: via.profile.name } : {}),
        request: dryRunView(req, via?.adapter ?? adapter),
        ...(rendered !== undefined ? { rendered } : {}),
      };
      await out.write(JSON.stringify(line) + '\n');
    },
  };
}

/** The journal of a run (none for a dry run, nor for stdin without --journal), with its notes. */
async function openRunJournal(run: PreparedRun, ctx: CommandContext): Promise<Journal | undefined> {
  const { io, globals } = ctx;
  const { input, journalPath, plan, profile, profiles } = run;
  // What interflow 0.1.0 recorded in its journals for this command: they are resumed by it.
  const legacySpec = createHash('sha256')
    .update(
      JSON.stringify({
        provider: profile.provider,
        profile: profile.name,
        kind: plan.kind,
        flags: plan.flags,
        toColumn: plan.toColumn,
        files: [...plan.files],
      }),
    )
    .digest('hex');
  const journal =
    journalPath && !globals.dryRun
      ? await openJournal(journalPath, {
          destination: run.pool
            ? poolDestination(profiles.map((p) => ({ name: p.name, destination: destinationOf(p) })))
            : destinationOf(profile),
          message: messageFlags(run.options, plan.files),
          source: input,
          legacySpec,
        })
      : undefined;
  if (journal?.note && !io.quiet) io.err(journal.note + '\n');
  if (input === '-' && !journalPath && !globals.dryRun && !io.quiet) {
    io.err(
      'note: no --journal for stdin: nothing records what is sent, so running this again sends every row again; give --journal FILE to be able to resume\n',
    );
  }
  return journal;
}

/**
 * Whatever stops the run comes here: no new row is taken, the requests in flight end and are
 * recorded, the summary is printed, and the exit code tells what stopped it (the first reason).
 */
class RunStop {
  private readonly controller = new AbortController();
  why: Stopped | undefined;
  readonly signal = this.controller.signal;
  readonly stop = (why: Stopped): void => {
    this.why ??= why;
    this.controller.abort();
  };
}

/** The --output file: a CSV line a row (in a pool, naming its profile). A write error (a full disk) stops the run. */
async function openOutput(
  path: string,
  pool: boolean,
  stopRun: (why: Stopped) => void,
): Promise<{ write(o: RowOutcome): Promise<void>; close(): Promise<void> }> {
  const output = createWriteStream(path, { encoding: 'utf8' });
  await new Promise<void>((resolve, reject) => {
    output.once('open', () => resolve());
    output.once('error', (err) => reject(new UsageError(`--output ${path}: ${err.message}`)));
  });
  let outputError: Error | undefined;
  output.on('error', (err: NodeJS.ErrnoException) => {
    outputError ??= err;
    stopRun({ kind: 'output', error: err });
  });
  output.write(pool ? POOL_RESULTS_CSV_HEADER : RESULTS_CSV_HEADER);
  const csvLine = pool ? poolResultsCsvLine : resultsCsvLine;
  return {
    async write(o) {
      if (outputError) return;
      if (!output.write(redact(csvLine(o))) && !outputError) await once(output, 'drain').catch(() => undefined);
    },
    async close() {
      if (outputError) return;
      output.end();
      await once(output, 'finish').catch(() => undefined);
    },
  };
}

/** A sender of the run: a profile with its adapter, HTTP client and pace. */
interface SenderOf {
  profile: Profile;
  adapter: ProviderAdapter;
  sender: HttpClient;
  pacer: Pacer;
  pairs: PairPacer | undefined;
}

/** One sender a profile, each at its own pace; the pair rate (one for all) where the provider has one. */
function makeSenders(run: PreparedRun, ctx: CommandContext): SenderOf[] {
  const pairs = run.pairMs ? new PairPacer(run.pairMs) : undefined;
  return run.profiles.map((p) => {
    const a = getAdapter(p.provider);
    const client = new HttpClient(new URL(effectiveBaseUrl(p)).origin, {
      connections: run.options.concurrency ?? 8,
      ...commandHttpOptions(ctx, p),
      secretHeaders: a.secretHeaders,
      responseHeaders: rateLimitHeaders,
    });
    return {
      profile: p,
      adapter: a,
      sender: client,
      pacer: new Pacer(rateFor(run.options, p)),
      pairs: PAIR_RATE_PROVIDERS.includes(p.provider) ? pairs : undefined,
    };
  });
}

/**
 * Signals and closed pipes stop the run: a first signal stops it cleanly, a second quits at once;
 * a closed stdout (`| head -1`) or stderr stops it the same way, the pipe error itself no news.
 */
function watchStops(
  io: Io,
  out: LineWriter,
  stopRun: (why: Stopped) => void,
): { signalsOff(): void; pipesOff(stopped: Stopped | undefined): void } {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(SIGNAL_EXIT[signal as keyof typeof SIGNAL_EXIT] ?? ExitCode.interrupted);
    const again = signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again`;
    io.err(`\nstopping (${signal}): no new rows; waiting for the requests in flight (${again} to quit at once)\n`);
    stopRun({ kind: 'signal', signal: signal as keyof typeof SIGNAL_EXIT });
  };
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    out.gone();
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') stopRun({ kind: 'stdout' });
    else stopRun({ kind: 'stdout', error: err });
  };
  const onStderrError = (): void => stopRun({ kind: 'stderr' });
  for (const signal of Object.keys(SIGNAL_EXIT)) process.on(signal, onSignal);
  process.stdout.on('error', onStdoutError);
  process.stderr.on('error', onStderrError);
  return {
    signalsOff: () => {
      for (const signal of Object.keys(SIGNAL_EXIT)) process.off(signal, onSignal);
    },
    pipesOff: (stopped) => {
      // Closed pipes stay handled: a late write to them must not end the process with an error.
      if (stopped?.kind !== 'stdout') process.stdout.off('error', onStdoutError);
      if (stopped?.kind !== 'stderr') process.stderr.off('error', onStderrError);
    },
  };
}

/** The summary on stderr (unless --quiet and all went well), then the exit code of how the run ended. */
function reportEnding(run: PreparedRun, sent: SentRows, ctx: CommandContext): void {
  const { io, globals } = ctx;
  const { summary, stopped } = sent;
  const ending = endOf(summary, stopped, { input: run.input, journalPath: run.journalPath, output: run.options.output });
  if (!io.quiet || summary.counts.failed + summary.counts.unknown > 0 || ending?.line) {
    const shardLine = run.shard
      ? `shard ${run.shard.index}/${run.shard.count}: ${sent.otherShards} row(s) belong to the other shards (their runs send them)`
      : undefined;
    io.err(describeSummary(summary, run.journalPath, globals.dryRun === true, ending?.line, shardLine, ...sent.perProfile));
  }
  if (ending?.error) throw ending.error;
}

/** The signals a run stops on, and the exit code each gives (PRODUCT.md). */
const SIGNAL_EXIT = { SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated, SIGHUP: ExitCode.hangup } as const;

/** What stopped a run from outside the runner (signals, pipes, files). */
type Stopped =
  | { kind: 'signal'; signal: keyof typeof SIGNAL_EXIT }
  | { kind: 'stdout'; error?: Error }
  | { kind: 'stderr' }
  | { kind: 'output'; error: Error }
  | { kind: 'journal'; error: CliError };

const RESUME = 'run the same command again to send the rest: rows already sent are not sent again';

/**
 * How a run ended, when not simply with every row read: a line for the summary and the error
 * that sets the exit code. 0/3 endings (all rows read) give undefined.
 */
function endOf(
  s: RunSummary,
  stopped: Stopped | undefined,
  where: { input: string; journalPath: string | undefined; output: string | undefined },
): { line?: string; error?: CliError } | undefined {
  const resume = where.journalPath
    ? RESUME
    : 'without a journal (stdin without --journal) a rerun sends every row again: give --journal next time';
  if (stopped?.kind === 'signal') {
    return {
      line: `interrupted by ${stopped.signal}: the requests in flight were finished and recorded; rows not yet read were not sent`,
      error: new InterruptedError(`interrupted by ${stopped.signal}`, { exitCode: SIGNAL_EXIT[stopped.signal], hint: resume }),
    };
  }
  if (stopped?.kind === 'stdout' || stopped?.kind === 'stderr') {
    const what = stopped.kind === 'stdout' ? 'stdout was closed by the reader' : 'stderr was closed';
    return {
      line: `stopped: ${what}; the requests in flight were finished and recorded; rows not yet read were not sent`,
      error: new InterruptedError(`stopped: ${what}`, { exitCode: ExitCode.closedPipe, hint: resume }),
    };
  }
  if (stopped?.kind === 'output') {
    const e = stopped.error as NodeJS.ErrnoException;
    const why = e.code === 'ENOSPC' ? 'no space left on the device' : e.code === 'EFBIG' ? 'the file is too large' : oneLine(e.message);
    return {
      line: `stopped: --output ${where.output} could not be written; rows not yet read were not sent`,
      error: new CliError(`cannot write --output ${where.output}: ${why}`, {
        code: 'OUTPUT',
        hint: `free some space (or give another --output), then ${resume}`,
        cause: e,
      }),
    };
  }
  if (stopped?.kind === 'journal') {
    return { line: 'stopped: the journal could not be written; rows not yet read were not sent', error: stopped.error };
  }
  switch (s.stopReason) {
    case 'auth':
      return s.authError ? { error: s.authError } : undefined;
    case 'refused':
    case 'template':
      return s.refusal ? refusalEnding(s.stopReason, s.refusal, where.journalPath !== undefined, resume) : undefined;
    case 'interrupted':
      return { line: 'interrupted: rows not yet read were not sent', error: new InterruptedError('interrupted', { hint: resume }) };
    case 'max-errors':
      return {
        line: 'stopped: --max-errors reached; the remaining rows were not sent (run again to resume)',
        error: new CliError(`${s.counts.failed} row(s) failed and ${s.counts.unknown} are unknown`, {
          code: 'BULK_INCOMPLETE',
          exitCode: ExitCode.partial,
        }),
      };
    case 'connection': {
      const why = (s.connectError?.message ?? 'could not connect').replace(/ \(gave up after .*\)$/, '');
      return {
        line: `stopped: ${CONNECT_FAILURES_TO_STOP} rows in a row could not connect; nothing was sent for them, and rows not yet read were not sent`,
        error: new CliError(`stopped after ${CONNECT_FAILURES_TO_STOP} rows in a row could not connect: ${why}`, {
          code: 'CONNECT_FAILED',
          hint: `check the profile's baseUrl (http:// or https://, host, port) and your network, then ${resume}`,
        }),
      };
    }
    case 'error':
      return { line: 'stopped: rows not yet read were not sent', error: stopError(s, where) };
    default:
      if (s.counts.failed + s.counts.unknown === 0) return undefined;
      return {
        error: new CliError(`${s.counts.failed} row(s) failed and ${s.counts.unknown} are unknown`, {
          code: 'BULK_INCOMPLETE',
          exitCode: ExitCode.partial,
        }),
      };
  }
}

/**
 * A refusal that stops every row (src/providers/error-classes.ts): an account or channel blocked
 * ('refused'), or the same template error on TEMPLATE_STREAK rows in a row ('template'). Exit 1,
 * the provider's words and code, what to fix, and that a rerun sends the rest.
 */
function refusalEnding(
  reason: 'refused' | 'template',
  e: ProviderError,
  journaled: boolean,
  resume: string,
): { line: string; error: CliError } {
  const fix = e.hint ? `${e.hint}; then ` : '';
  if (reason === 'refused') {
    // The provider's refusal as it came (exit 1, its code and words), with how to go on.
    e.hint = `${fix}${resume}`;
    return { line: `stopped: ${e.provider} refused the run (${e.info.code}); rows not yet sent were not sent`, error: e };
  }
  const rerun = journaled ? 'run the same command again: the rows it refused and the rows not sent are sent, each once' : resume;
  return {
    line: `stopped: ${TEMPLATE_STREAK} rows in a row were refused with ${e.info.code}: the template is wrong, not the rows; rows not yet sent were not sent`,
    error: new CliError(`stopped after ${TEMPLATE_STREAK} rows in a row were refused with the same template error: ${e.message}`, {
      code: e.code,
      hint: `${fix}fix the template with the provider (approve it, add the language, unpause it) and ${rerun}`,
    }),
  };
}

/** The error that stopped a run: a malformed row is named with how to go on from it. */
function stopError(s: RunSummary, where: { input: string; journalPath: string | undefined }): CliError {
  const err = s.stopError;
  if (!(err instanceof CliError)) return new CliError(err instanceof Error ? err.message : String(err), { cause: err });
  if (err.code !== 'CSV_MALFORMED' && err.code !== 'CSV_ENCODING') return err;
  // Nothing sent in this run: still "nothing was sent" (exit 2); else the run is partial (exit 3).
  const exitCode = s.requests === 0 ? ExitCode.usage : ExitCode.partial;
  const journal = where.journalPath;
  let hint: string;
  if (err.code === 'CSV_ENCODING') {
    const fixed = where.input === '-' ? 'converted.csv' : where.input.replace(/(\.csv)?$/i, '-utf8.csv');
    hint = journal
      ? `convert the file to UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8 ${where.input === '-' ? 'in.csv' : where.input} > ${fixed}) and run the same command on ${fixed} with --journal ${journal}: rows already sent are not sent again`
      : 'convert the input to UTF-8 (e.g. iconv -f WINDOWS-1252 -t UTF-8); without a journal a rerun sends every row again: give --journal next time';
  } else {
    hint = journal
      ? `fix that record and ${RESUME}`
      : 'fix that record; without a journal a rerun sends every row again: give --journal next time';
  }
  return new CliError(err.message, { code: err.code, exitCode, hint, cause: err });
}

/** `contacts.csv.journal` → `contacts.csv`: the campaign of a run given no --campaign. */
function journalName(journalPath: string | undefined): string {
  // The shards of one run share its campaign: contacts.csv.shard-2-of-3.journal → contacts.csv.
  return journalPath
    ? basename(journalPath)
        .replace(/\.journal$/, '')
        .replace(/\.shard-\d+-of-\d+$/, '')
    : '';
}

/** Where a run sends, as its journal records it (the key only as a short hash). */
function destinationOf(profile: Profile): Destination {
  return {
    provider: profile.provider,
    baseUrl: effectiveBaseUrl(profile),
    ...(profile.channelId !== undefined ? { channelId: profile.channelId } : {}),
    ...(profile.instanceId !== undefined ? { instanceId: profile.instanceId } : {}),
    ...(profile.namespace !== undefined ? { namespace: profile.namespace } : {}),
    key: createHash('sha256').update(profile.apiKey).digest('hex').slice(0, 12),
  };
}

/** Flags naming a file: the journal records its content, not its path. */
const fileFlags = new Set(['templateFile', 'contactFile', 'vcard', 'list']);

/** The message flags as given (`--text` → value), files by a hash of their content: what the journal checks. */
function messageFlags(options: BulkFlags, files: BulkPlan['files']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (runFlags.has(key) || value === undefined) continue;
    const file = fileFlags.has(key) && typeof value === 'string' ? files.get(value) : undefined;
    out[flagName(key)] = file
      ? `content sha256:${createHash('sha256')
          .update(JSON.stringify(file.json ?? file.text))
          .digest('hex')
          .slice(0, 16)}`
      : value;
  }
  return out;
}

/** A file's identity: device and inode when it exists, else its real directory and name. */
function fileIdentity(path: string): string {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    try {
      return join(realpathSync(dirname(resolve(path))), basename(path));
    } catch {
      return resolve(path);
    }
  }
}

/** `--output` naming the input or the journal would destroy it: refused before anything is written. */
function refuseOutputOver(output: string, input: string | undefined, journalPath: string | undefined): void {
  const target = fileIdentity(output);
  for (const [what, path] of [
    ['the input CSV', input],
    ['the journal', journalPath],
  ] as const) {
    if (path !== undefined && fileIdentity(path) === target) {
      throw new UsageError(`--output ${output} is ${what} (${path}): writing the results there would destroy it`, {
        hint: 'give --output another file, e.g. results.csv',
      });
    }
  }
}

/** A --json line, as README.md's Bulk sends section shows it. */
export interface BulkLine {
  row: number;
  to?: string;
  status: RowOutcome['status'];
  /** The profile that sent it, in a pool (`--profile a,b`). */
  profile?: string;
  id?: string;
  error?: RowOutcome['error'];
  /** Reported from the journal of an earlier run. */
  journal?: true;
}

export function publicOutcome(o: RowOutcome): BulkLine {
  return {
    row: o.row,
    ...(o.to ? { to: o.to } : {}),
    status: o.status,
    ...(o.profile !== undefined ? { profile: o.profile } : {}),
    ...(o.id ? { id: o.id } : {}),
    ...(o.error ? { error: o.error } : {}),
    ...(o.fromJournal ? { journal: true } : {}),
  };
}

/**
 * jsonLine(publicOutcome(o)) written by hand, byte for byte the same (the same keys in the same
 * order, each value as JSON.stringify writes it, made inert the same way): one line a row without
 * the object publicOutcome builds and JSON.stringify walks. A status is one of four plain words.
 */
export function outcomeJsonLine(o: RowOutcome): string {
  let line = `{"row":${o.row}`;
  if (o.to) line += `,"to":${JSON.stringify(o.to)}`;
  line += `,"status":"${o.status}"`;
  if (o.profile !== undefined) line += `,"profile":${JSON.stringify(o.profile)}`;
  if (o.id) line += `,"id":${JSON.stringify(o.id)}`;
  if (o.error) line += `,"error":${JSON.stringify(o.error)}`;
  if (o.fromJournal) line += ',"journal":true';
  return inertJson(line + '}') + '\n';
}

function textLine(o: RowOutcome): string {
  // One line per row, whatever a provider's answer holds: no line break, tab or escape sequence.
  const detail = plainText(o.status === 'sent' ? (o.id ?? '') : o.error ? oneLine(`${o.error.code}: ${o.error.message}`) : '');
  return (
    [o.row, o.to ?? '-', ...(o.profile !== undefined ? [o.profile] : []), o.status + (o.fromJournal ? ' (journal)' : ''), detail].join(
      '\t',
    ) + '\n'
  );
}

function describeSummary(
  s: RunSummary,
  journalPath: string | undefined,
  dryRun: boolean,
  ending: string | undefined,
  ...more: (string | undefined)[]
): string {
  const secs = s.elapsedMs / 1000;
  const done = s.counts.sent + s.counts.failed + s.counts.skipped + s.counts.unknown;
  const lines: string[] = [];
  if (dryRun) {
    lines.push(
      `dry run: ${s.wouldSend} row(s) would be sent, ${s.counts.failed} failed validation, ${s.counts.skipped} skipped; nothing was sent`,
    );
  } else {
    lines.push(
      // A rerun that sends nothing has no rate to tell.
      `bulk: ${done} row(s) in ${secs.toFixed(1)} s${s.requests ? ` (${(s.requests / Math.max(secs, 0.001)).toFixed(1)} requests/s)` : ''}: ` +
        `${s.counts.sent} sent, ${s.counts.failed} failed, ${s.counts.skipped} skipped, ${s.counts.unknown} unknown` +
        (s.notSent ? `, ${s.notSent} not sent (stopped before their turn)` : '') +
        (s.fromJournal ? ` (${s.fromJournal} from the journal of an earlier run)` : '') +
        (s.retries ? `; ${s.retries} retr${s.retries === 1 ? 'y' : 'ies'}` : ''),
    );
  }
  for (const line of more) if (line) lines.push(line);
  if (journalPath && !dryRun) lines.push(`journal: ${journalPath}`);
  if (ending) lines.push(ending);
  if (s.counts.unknown)
    lines.push('hint: unknown rows may have reached the recipient; check before sending them again with --retry-unknown');
  return lines.join('\n') + '\n';
}
