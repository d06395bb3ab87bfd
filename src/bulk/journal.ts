/**
 * The bulk journal: an append-only JSON-lines file that makes a rerun resume.
 *
 *   {"journal":"interflow-bulk","v":2,"destination":{…},"message":{…},"source":"contacts.csv","created":"…"}
 *   {"t":"intent","row":2,"key":"…","at":"…"}                                   a request is about to go out
 *   {"t":"done","row":2,"key":"…","status":"sent","to":"…","id":"…","at":"…"}   how it ended
 *   {"t":"unsent","row":2,"key":"…","at":"…"}                                   it did not go out after all
 *
 * A row is known by its message key (KeySet.keyHex of the recipient and the exact request body),
 * not by its line: an edited, re-sorted or re-exported input resumes safely, since what was sent
 * is found wherever it now sits. `row` is where the message was when it was sent (for people
 * reading the file). Only requests are recorded: rows decided without one (invalid, duplicate,
 * reported from the journal) are decided again by each run.
 *
 * The first line records the destination (provider, base URL, channel/instance/namespace, a short
 * hash of the key) and the message flags: a rerun elsewhere, or with other flags, is refused naming
 * what changed. A journal of interflow 0.1.0 (v1: done lines without keys, no destination) is read
 * by the keys of its intents, and gets a `{"t":"meta",…}` line recording the destination.
 *
 * Intents and outcomes are written synchronously (one write(2) per call, on an O_APPEND fd), so
 * each is in the kernel before the request goes out or the next row is reported, and survives a
 * kill -9 (not a power cut: there is no fsync). A line cut short by a crash is ignored, and cut off
 * the file before anything is appended, so the next line starts clean.
 *
 * What earlier runs recorded is kept compactly — a state byte and the byte offset of the key's last
 * outcome line per key (KeyTable) — and an outcome is read back from the file when `entry()` asks
 * for it: a 1,000,000-message journal costs about 34 MiB of memory. `entry()` and `counts()`
 * describe the journal as it was when opened; this run's writes only go to the file.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { redact } from '../output/redact.js';
import { hexDigit, KeyTable, keyWords } from './keyset.js';
import type { JournalEntry, RowOutcome, RowStatus } from './types.js';

/** Where a run sends: a journal resumes only against the same one. */
export interface Destination {
  provider: string;
  baseUrl: string;
  channelId?: string;
  instanceId?: string;
  namespace?: string;
  /** A short hash of the API key (never the key). */
  key: string;
  /** `bulk --profile a,b`: each sender's destination by profile name (src/bulk/pool.ts). */
  pool?: Record<string, Destination>;
}

export interface JournalMeta {
  destination: Destination;
  /** The message flags as given (flag name → value; files by a hash of their content). */
  message: Record<string, unknown>;
  /** The input's path, or 'stdin': recorded, and named in messages. */
  source: string;
  /** The `spec` a journal of interflow 0.1.0 recorded for this same command (its only check). */
  legacySpec?: string;
}

export interface Journal {
  readonly path: string;
  /**
   * What earlier runs recorded for the message with this key (KeySet.keyHex): its last outcome
   * (whose `row` is where it was then), or `{ inFlight: true }` (no outcome) when its last line is
   * an intent — a request that may have gone out, whatever came before.
   */
  entry(key: string): JournalEntry | undefined;
  /**
   * For a key the journal knows: true the first time this run asks, false after (a duplicate in
   * the input). undefined for a key it does not know (the caller checks duplicates itself): the
   * keys of a rerun cost no memory beyond the journal's own.
   */
  seen(key: string): boolean | undefined;
  /** Records that requests for these rows are about to go out (one write for the batch). */
  intent(rows: { row: number; key: string }[]): void;
  /** One row's intent, batched with this turn's other lines; resolves once it is written. */
  intentSoon(row: number, key: string): Promise<void>;
  /** Writes the lines still waiting (outcomes are batched per turn of the event loop). */
  flush(): void;
  /**
   * Records how the request of a row of this run ended (the row's intent gives its key). Outcomes
   * without a request of this run (invalid, duplicate, from the journal) are not written.
   */
  outcome(o: RowOutcome): void;
  /** Records that the request announced for this row did not go out (stopped before its turn). */
  unsent(row: number): void;
  /** Messages by what earlier runs recorded last: an outcome, or inFlight (an intent with no outcome after it). */
  counts(): Record<RowStatus | 'inFlight', number>;
  /** Something to tell the user about how the journal was read (an older version's), if anything. */
  readonly note: string | undefined;
  /** Closes the file (idempotent). Writes after it throw. */
  close(): void;
  /**
   * Called once when a write fails (a full disk): from then on nothing more is written, intents
   * waiting and later ones reject (their requests must not go out), outcomes are dropped.
   */
  onFailure: ((err: CliError) => void) | undefined;
}

const MAGIC = 'interflow-bulk';
const VERSION = 2;
/** Rows are line numbers of a CSV: anything beyond this is a corrupt journal, not a big file. */
const MAX_ROW = 2 ** 31 - 1;

const STATUSES: readonly RowStatus[] = ['sent', 'failed', 'skipped', 'unknown'];
/**
 * State byte per key: USED marks a used slot; the low bits are the last outcome, STATUSES[code - 1]
 * (0: none); IN_FLIGHT = an intent came after it: a request may have gone out after that outcome,
 * so it no longer tells what happened and is not reported. An unsent line clears IN_FLIGHT.
 */
const USED = 0x40;
const IN_FLIGHT = 0x80;
const CODE = 0x07;
/** This run has met the key (seen()): the journal's table doubles as this run's duplicate check. */
const SEEN = 0x20;

/** Starting over, with its cost: never "delete the journal" alone. */
const startOverHint = (path: string): string =>
  `another --journal starts over, but it knows nothing of what was sent: every row is sent again (and so it would be after deleting ${path})`;

/**
 * Opens the journal at `path`, creating it (mode 0600) when missing. An existing journal must have
 * been written for the same destination and message flags, else a UsageError (exit 2) names what
 * changed. A corrupt line, other than a last line cut short, is refused naming its line number.
 */
export async function openJournal(path: string, meta: JournalMeta): Promise<Journal> {
  const release = await lock(path);
  try {
    const journal = openUnlocked(path, meta);
    journal.onClose = release;
    return journal;
  } catch (err) {
    release();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The lock: one run per journal

/** What a lock file says of its owner: `{"pid":…,"token":"…","host":"…"}` (0.1.0 wrote the pid alone). */
interface LockOwner {
  pid?: number;
  token?: string;
  host?: string;
  /** The file's whole text: the same text means the same lock (tokens are random). */
  raw: string;
}

/**
 * `<journal>.lock` names the run using the journal: two runs of one journal at once (overlapping
 * cron jobs) would both send the rows neither has recorded yet. The lock appears whole or not at
 * all: it is written to a file of its own, then hard-linked to its name, which fails when the name
 * exists (an exclusive create with its content). A lock is taken over only when its owner's
 * process is provably gone (same host, no such pid); breaking it happens under a second lock
 * (`.lock.break`) and only after reading the same stale lock again, so two runs cannot both take
 * it over. A run removes only a lock that carries its own token.
 */
async function lock(path: string): Promise<() => void> {
  const lockPath = `${path}.lock`;
  const token = randomBytes(12).toString('hex');
  const content = JSON.stringify({ pid: process.pid, token, host: hostname() }) + '\n';
  for (let attempt = 0; attempt < 200; attempt++) {
    if (createWhole(lockPath, content, token)) return releaser(lockPath, token);
    const holder = readOwner(lockPath);
    if (holder === undefined) continue; // removed meanwhile: try again
    if (!provablyDead(holder)) throw inUse(path, lockPath, holder);
    if (!breakStale(lockPath, holder, content, token)) await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  }
  throw new UsageError(`could not lock the journal ${path}: ${lockPath} keeps changing`, {
    code: 'JOURNAL_LOCKED',
    hint: 'another run may be starting on this journal: try again in a moment',
  });
}

/** Creates `file` holding `content`, atomically and exclusively; false when it exists. */
function createWhole(file: string, content: string, token: string): boolean {
  const tmp = `${file}.${process.pid}.${token}`;
  try {
    writeFileSync(tmp, content, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    throw openError(file, err);
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw openError(file, err);
    // A file system without hard links: an exclusive create, then the content (a reader that finds
    // it empty or partial treats it as held).
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      return true;
    } catch (err2) {
      if ((err2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw openError(file, err2);
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
}

/** The owner a lock file names; undefined when the file is gone. */
function readOwner(file: string): LockOwner | undefined {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw openError(file, err);
  }
  const text = raw.trim();
  if (/^\d+$/.test(text)) return { pid: Number(text), raw }; // interflow 0.1.0
  try {
    const o = JSON.parse(text) as { pid?: unknown; token?: unknown; host?: unknown };
    if (o && typeof o === 'object' && Number.isInteger(o.pid) && typeof o.token === 'string' && typeof o.host === 'string') {
      return { pid: o.pid as number, token: o.token, host: o.host, raw };
    }
  } catch {
    // being written (a file system without hard links), or not ours
  }
  return { raw };
}

/** True only when the owner's process surely no longer exists: same host, and no such process. */
function provablyDead(o: LockOwner): boolean {
  if (o.pid === undefined || o.pid <= 0 || o.pid === process.pid) return false;
  if (o.host !== undefined && o.host !== hostname()) return false;
  try {
    process.kill(o.pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function inUse(path: string, lockPath: string, o: LockOwner): UsageError {
  if (o.pid === undefined) {
    return new UsageError(`the journal ${path} is locked by ${lockPath}, which does not name a running interflow`, {
      code: 'JOURNAL_LOCKED',
      hint: `if no other run is using this journal, remove ${lockPath} (only the lock, not the journal) and run again`,
    });
  }
  const where = o.host !== undefined && o.host !== hostname() ? ` on ${o.host}` : '';
  return new UsageError(
    `the journal ${path} is in use by another run (process ${o.pid}${where}); wait for it to finish, or use another --journal`,
    {
      code: 'JOURNAL_LOCKED',
    },
  );
}

/**
 * Removes a stale lock, under `<lock>.break` so that two runs finding the same stale lock cannot
 * remove a fresh one in turn. False when another run is breaking it (wait, then look again).
 */
function breakStale(lockPath: string, stale: LockOwner, content: string, token: string): boolean {
  const guard = `${lockPath}.break`;
  if (!createWhole(guard, content, token)) {
    const breaker = readOwner(guard);
    // A breaker killed within its few microseconds: its guard goes (the only unchecked removal).
    if (breaker && provablyDead(breaker)) {
      try {
        unlinkSync(guard);
      } catch {
        // gone already
      }
    }
    return false;
  }
  try {
    if (readOwner(lockPath)?.raw === stale.raw) unlinkSync(lockPath);
  } catch {
    // gone already
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      // gone already
    }
  }
  return true;
}

/** Removes the lock if it is still this run's (its token); at most once; also on exit. */
function releaser(lockPath: string, token: string): () => void {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readOwner(lockPath)?.token === token) unlinkSync(lockPath);
    } catch {
      // already gone
    }
  };
  process.once('exit', release);
  return release;
}

// ---------------------------------------------------------------------------------------------
// Opening

function openUnlocked(path: string, meta: JournalMeta): FileJournal {
  let fd: number;
  try {
    fd = openSync(path, 'ax+', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw openError(path, err);
    try {
      fd = openSync(path, 'a+');
    } catch (err2) {
      throw openError(path, err2);
    }
    try {
      const state = load(fd, path, meta);
      let note: string | undefined;
      if (state.upgrade) {
        // A 0.1.0 journal checked by its own rule, or one whose requests all failed to connect:
        // from now on it names this run's destination.
        writeAll(
          fd,
          path,
          Buffer.from(
            JSON.stringify({ t: 'meta', destination: meta.destination, message: meta.message, at: new Date().toISOString() }) + '\n',
          ),
        );
        note =
          state.upgrade === 'moved'
            ? `note: nothing recorded in the journal ${path} reached a server, so it now sends to ${describeDestination(meta.destination)}`
            : `note: the journal ${path} was written by interflow 0.1.0, which did not record the destination; it is taken to be this run's (${describeDestination(meta.destination)}) and recorded now`;
      }
      return new FileJournal(path, fd, state.table, state.counts, note);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }
  try {
    writeAll(fd, path, Buffer.from(headerLine(meta)));
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  return new FileJournal(path, fd, new KeyTable(), zeroCounts(), undefined);
}

function openError(path: string, err: unknown): CliError {
  const e = err as NodeJS.ErrnoException;
  const why =
    e.code === 'EACCES'
      ? 'permission denied'
      : e.code === 'ENOENT'
        ? 'its directory does not exist'
        : e.code === 'EISDIR'
          ? 'it is a directory'
          : e.message;
  return new UsageError(`cannot open the journal ${path}: ${why}`, {
    code: 'JOURNAL',
    hint: 'give a writable path with --journal FILE',
    cause: err,
  });
}

function headerLine(meta: JournalMeta): string {
  return (
    JSON.stringify({
      journal: MAGIC,
      v: VERSION,
      destination: meta.destination,
      message: meta.message,
      source: meta.source,
      created: new Date().toISOString(),
    }) + '\n'
  );
}

function zeroCounts(): Record<RowStatus | 'inFlight', number> {
  return { sent: 0, failed: 0, skipped: 0, unknown: 0, inFlight: 0 };
}

class FileJournal implements Journal {
  private fd: number | undefined;
  private readBuf = Buffer.allocUnsafe(1024);
  /** Lines not yet written (see outcome()). */
  private pending = '';
  private flushScheduled = false;
  /** Resolves once the intents waiting in `pending` are written: one promise for all of a turn's. */
  private written: { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } | undefined;
  /** The write that failed: nothing is written after it (see Journal.onFailure). */
  private failure: CliError | undefined;
  onFailure: ((err: CliError) => void) | undefined;
  /** The time lines of this turn of the event loop carry (one clock read a turn, not one a line). */
  private turnAt: string | undefined;
  /** This run's rows whose intent is written and whose outcome is not: row → key, quoted for a line. */
  private announced = new Map<number, string>();

  constructor(
    readonly path: string,
    fd: number,
    private readonly table: KeyTable,
    private readonly recorded: Record<RowStatus | 'inFlight', number>,
    readonly note: string | undefined,
  ) {
    this.fd = fd;
  }

  entry(key: string): JournalEntry | undefined {
    const w = keyWords(key);
    if (!w) return undefined;
    const i = this.table.slot(w[0], w[1]);
    if (i < 0) return undefined;
    const s = this.table.state[i]!;
    if (s & IN_FLIGHT) return { inFlight: true };
    if ((s & CODE) === 0) return undefined;
    return { inFlight: false, outcome: this.readOutcome(this.table.offset[i]!) };
  }

  seen(key: string): boolean | undefined {
    const w = keyWords(key);
    const i = w ? this.table.slot(w[0], w[1]) : -1;
    if (i < 0) return undefined;
    const s = this.table.state[i]!;
    if (s & SEEN) return false;
    this.table.state[i] = s | SEEN;
    return true;
  }

  intent(rows: { row: number; key: string }[]): void {
    if (rows.length === 0) return;
    let text = '';
    for (const r of rows) text += this.intentLine(r.row, r.key);
    // Outcomes waiting to be written go first, in the same write: one system call per row.
    this.write(this.pending + text);
    this.pending = '';
  }

  private intentLine(row: number, key: string): string {
    checkRow(row);
    const quoted = quoteKey(key);
    this.announced.set(row, quoted);
    return `{"t":"intent","row":${row},"key":${quoted},"at":"${this.now()}"}\n`;
  }

  /**
   * Outcomes are written with the next intent, or at the end of this turn of the event loop,
   * whichever comes first (one write per row instead of two). A process killed in between loses
   * only this turn's outcomes; their messages resume as in flight (unknown), never as unsent.
   */
  outcome(o: RowOutcome): void {
    if (o.fromJournal || this.failure) return;
    const key = this.announced.get(o.row);
    if (key === undefined) return;
    if (this.fd === undefined) throw new Error(`the journal ${this.path} is closed`);
    this.announced.delete(o.row);
    // {"t":"done","row","key","status","to"?,"id"?,"error"?,"at"}, written by hand: one line a row.
    // (A status is one of four plain words.)
    let line = `{"t":"done","row":${o.row},"key":${key},"status":"${o.status}"`;
    if (o.to !== undefined) line += `,"to":${JSON.stringify(o.to)}`;
    if (o.id !== undefined) line += `,"id":${JSON.stringify(o.id)}`;
    // Provider error text can quote the request: redacted like everything printed (*** is JSON-safe).
    if (o.error !== undefined) line += `,"error":${redact(JSON.stringify(o.error))}`;
    this.pending += `${line},"at":"${this.now()}"}\n`;
    this.scheduleFlush();
  }

  unsent(row: number): void {
    const key = this.announced.get(row);
    if (key === undefined || this.failure) return;
    if (this.fd === undefined) throw new Error(`the journal ${this.path} is closed`);
    this.announced.delete(row);
    this.pending += `{"t":"unsent","row":${row},"key":${key},"at":"${this.now()}"}\n`;
    this.scheduleFlush();
  }

  private now(): string {
    return (this.turnAt ??= new Date().toISOString());
  }

  private scheduleFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * The intent of one row, written together with every other intent and outcome of this turn of
   * the event loop in one write; resolves once it is written, so the caller's request goes out
   * only after its intent is in the file.
   */
  intentSoon(row: number, key: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.pending += this.intentLine(row, key);
    this.scheduleFlush();
    if (this.written === undefined) {
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.written = { promise, resolve, reject };
    }
    return this.written.promise;
  }

  /** Writes the lines still waiting and releases the requests waiting for their intent. */
  flush(): void {
    this.flushScheduled = false;
    this.turnAt = undefined;
    const written = this.written;
    this.written = undefined;
    if (this.pending !== '' && this.fd !== undefined && !this.failure) {
      try {
        this.write(this.pending);
      } catch (err) {
        this.failure = err instanceof CliError ? err : new CliError(String(err), { code: 'JOURNAL' });
        this.onFailure?.(this.failure);
      }
      this.pending = '';
    }
    if (this.failure) written?.reject(this.failure);
    else written?.resolve();
  }

  counts(): Record<RowStatus | 'inFlight', number> {
    return { ...this.recorded };
  }

  close(): void {
    this.flush();
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    closeSync(fd);
    this.onClose?.();
  }

  /** Releases the journal's lock (set by openJournal). */
  onClose: (() => void) | undefined;

  private write(text: string): void {
    if (this.fd === undefined) throw new Error(`the journal ${this.path} is closed`);
    // The text as it is: fs encodes it on its way down, without a Buffer a write.
    writeAll(this.fd, this.path, text);
  }

  /** The outcome line at a byte offset (its `row` is where the message was then). */
  private readOutcome(at: number): RowOutcome {
    if (this.fd === undefined) throw new Error(`the journal ${this.path} is closed`);
    let buf = this.readBuf;
    let len = 0;
    let nl: number;
    for (;;) {
      const n = readSync(this.fd, buf, len, buf.length - len, at + len);
      const from = len;
      len += n;
      nl = buf.subarray(from, len).indexOf(10);
      if (nl >= 0) {
        nl += from;
        break;
      }
      if (n === 0) {
        nl = len;
        break;
      }
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = this.readBuf = bigger;
      }
    }
    const text = buf.toString('utf8', 0, nl);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const rec = asRecord(parsed);
    if (!rec || rec.kind !== 'done') throw corrupt(this.path, lineNumberAt(this.fd, at));
    const d = parsed as { to?: unknown; id?: unknown; error?: unknown };
    return {
      row: rec.row,
      ...(typeof d.to === 'string' ? { to: d.to } : {}),
      status: rec.status!,
      ...(typeof d.id === 'string' ? { id: d.id } : {}),
      ...(d.error && typeof d.error === 'object' ? { error: d.error as RowOutcome['error'] } : {}),
      attempts: 0,
      fromJournal: true,
    };
  }
}

/** A key is hex (KeySet.keyHex), which needs no escaping; anything else is quoted as JSON. */
const HEX = /^[0-9a-f]*$/;
const quoteKey = (key: string): string => (HEX.test(key) ? `"${key}"` : JSON.stringify(key));

function checkRow(row: number): void {
  if (!Number.isInteger(row) || row < 1 || row > MAX_ROW) throw new RangeError(`journal: bad row number ${row}`);
}

function writeAll(fd: number, path: string, data: Buffer | string): void {
  try {
    let buf = data;
    if (typeof buf === 'string') {
      // Almost always written whole; a short write goes on from the byte it stopped at.
      const n = writeSync(fd, buf);
      if (n === Buffer.byteLength(buf)) return;
      buf = Buffer.from(buf, 'utf8').subarray(n);
    }
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } catch (err) {
    throw new CliError(`cannot write the journal ${path}: ${(err as Error).message}`, {
      code: 'JOURNAL',
      exitCode: ExitCode.failure,
      hint: 'free some space or fix the permissions, then run the same command again to resume',
      cause: err,
    });
  }
}

function corrupt(path: string, line: number, detail = 'not a journal record'): UsageError {
  return new UsageError(`the journal ${path} is corrupt at line ${line}: ${detail}`, {
    code: 'JOURNAL_CORRUPT',
    hint: `fix that line (removing it forgets what it recorded: that message could be sent again); ${startOverHint(path)}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Reading an existing journal

const INTENT_PREFIX = Buffer.from('{"t":"intent","row":');
const DONE_PREFIX = Buffer.from('{"t":"done","row":');
const UNSENT_PREFIX = Buffer.from('{"t":"unsent","row":');
const KEY_FIELD = Buffer.from(',"key":"');
const STATUS_FIELD = Buffer.from(',"status":"');
const STATUS_BYTES = STATUSES.map((s) => Buffer.from(s));

interface LineRecord {
  kind: 'intent' | 'done' | 'unsent' | 'meta';
  row: number;
  /** The key's first 64 bits; absent on a 0.1.0 done line (its row's last intent has the key). */
  a?: number;
  b?: number;
  status?: RowStatus;
  /** kind 'meta': what it records. */
  meta?: Recorded;
}

/** What a journal says it was written for. */
interface Recorded {
  destination: Destination;
  message: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A parsed JSON line → record, or undefined when it is none of ours. */
function asRecord(v: unknown): LineRecord | undefined {
  if (!isObject(v)) return undefined;
  if (v.t === 'meta')
    return isObject(v.destination) && isObject(v.message)
      ? { kind: 'meta', row: 0, meta: { destination: v.destination as unknown as Destination, message: v.message } }
      : undefined;
  if (typeof v.row !== 'number' || !Number.isInteger(v.row) || v.row < 1 || v.row > MAX_ROW) return undefined;
  let words: [number, number] | undefined;
  if (v.key !== undefined) {
    words = typeof v.key === 'string' ? keyWords(v.key) : undefined;
    if (!words) return undefined;
  }
  const keyed = words ? { a: words[0], b: words[1] } : {};
  if (v.t === 'done' && STATUSES.includes(v.status as RowStatus))
    return { kind: 'done', row: v.row, ...keyed, status: v.status as RowStatus };
  if (!words) return undefined;
  if (v.t === 'intent') return { kind: 'intent', row: v.row, ...keyed };
  if (v.t === 'unsent') return { kind: 'unsent', row: v.row, ...keyed };
  return undefined;
}

function startsWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** Eight hex digits at buf[at] as a number, -1 when they are not hex. */
function hexWordAt(buf: Buffer, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const d = hexDigit(buf[i]!);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/**
 * The common case, without JSON.parse: lines as this module writes them. Returns undefined when
 * the line does not have that exact shape (it then goes through JSON.parse).
 */
function fastRecord(buf: Buffer, start: number, end: number): LineRecord | undefined {
  let kind: 'intent' | 'done' | 'unsent';
  let i: number;
  if (startsWith(buf, start, end, DONE_PREFIX)) {
    kind = 'done';
    i = start + DONE_PREFIX.length;
  } else if (startsWith(buf, start, end, INTENT_PREFIX)) {
    kind = 'intent';
    i = start + INTENT_PREFIX.length;
  } else if (startsWith(buf, start, end, UNSENT_PREFIX)) {
    kind = 'unsent';
    i = start + UNSENT_PREFIX.length;
  } else return undefined;
  if (buf[end - 1] !== 0x7d /* } */) return undefined;
  let row = 0;
  const digits = i;
  while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39 && i - digits < 10) row = row * 10 + (buf[i++]! - 0x30);
  if (i === digits || (buf[digits] === 0x30 && i - digits > 1) || row < 1 || row > MAX_ROW) return undefined;
  let a: number | undefined;
  let b: number | undefined;
  if (startsWith(buf, i, end, KEY_FIELD)) {
    const k = i + KEY_FIELD.length;
    if (end - k < 33 || buf[k + 32] !== 0x22 /* " */) return undefined;
    a = hexWordAt(buf, k);
    b = hexWordAt(buf, k + 8);
    for (let j = k + 16; j < k + 32; j++) if (hexDigit(buf[j]!) < 0) return undefined;
    if (a < 0 || b < 0) return undefined;
    i = k + 33;
  } else if (kind !== 'done') return undefined;
  if (kind !== 'done') return buf[i] === 0x2c /* , */ ? { kind, row, a, b } : undefined;
  if (!startsWith(buf, i, end, STATUS_FIELD)) return undefined;
  i += STATUS_FIELD.length;
  for (let k = 0; k < STATUS_BYTES.length; k++) {
    const s = STATUS_BYTES[k]!;
    if (startsWith(buf, i, end, s) && buf[i + s.length] === 0x22 /* " */)
      return a === undefined ? { kind, row, status: STATUSES[k] } : { kind, row, a, b, status: STATUSES[k] };
  }
  return undefined;
}

interface Header {
  v: number;
  /** v1: the spec hash of the command. */
  spec?: string;
  recorded?: Recorded;
}

interface Loaded {
  table: KeyTable;
  counts: Record<RowStatus | 'inFlight', number>;
  /**
   * true: a 0.1.0 journal that records no destination yet; 'moved': a journal in which nothing
   * reached a server, taken over by a new destination. Either way the caller appends a meta line.
   */
  upgrade: boolean | 'moved';
}

/**
 * Reads the whole journal in large chunks, line by line, into the compact per-key state; checks
 * what it was written for against `meta` before writing anything to it.
 */
function load(fd: number, path: string, meta: JournalMeta): Loaded {
  // Room for the keys of a journal of typical lines (an intent and an outcome, about 250 bytes).
  const lines = new JournalLines(fstatSync(fd).size / 256);
  const { buf, base, start, len } = readLines(fd, path, lines);

  // A last line without its newline: a write cut short by a crash (or a complete line whose
  // newline never made it). Keep it when it is whole, else cut it off so appends start clean.
  if (lines.header === undefined) {
    const upgrade = loadHeaderless(fd, path, meta, buf.toString('utf8', start, len), start < len);
    return { table: lines.table, counts: zeroCounts(), upgrade };
  }
  const tailRec = start < len ? slowRecord(buf, start, len) : undefined; // whole JSON only: a cut line can still end in '}'
  if (tailRec) lines.apply(tailRec, base + start);
  const counts = countStates(lines.table.state);
  const reachedNothing = counts.sent + counts.failed + counts.unknown + counts.skipped + counts.inFlight === 0;
  const upgrade = check(lines.header, lines.lastMeta, path, meta, reachedNothing);
  if (start < len) {
    if (tailRec) writeAll(fd, path, Buffer.from('\n'));
    else ftruncateSync(fd, base + start);
  }
  return { table: lines.table, counts, upgrade };
}

/**
 * Reads every complete line of the journal into `lines`: the first as its header, the others as
 * records. Returns what follows the last newline: buf[start, len), at file offset base + start.
 */
function readLines(fd: number, path: string, lines: JournalLines): { buf: Buffer; base: number; start: number; len: number } {
  let buf = Buffer.allocUnsafe(1 << 20);
  let base = 0; // file offset of buf[0]
  let len = 0; // valid bytes in buf
  let line = 0;
  let start = 0;
  for (;;) {
    const n = readSync(fd, buf, len, buf.length - len, base + len);
    const view = buf.subarray(0, len + n);
    let from = len;
    len += n;
    for (;;) {
      const nl = view.indexOf(10, from);
      if (nl < 0) break;
      line++;
      if (line === 1) lines.header = parseHeader(buf.toString('utf8', start, nl), path);
      else {
        const rec = fastRecord(buf, start, nl) ?? slowRecord(buf, start, nl);
        if (rec) lines.apply(rec, base + start);
        else if (nl !== start) throw corrupt(path, line); // a blank line is harmless
      }
      start = from = nl + 1;
    }
    if (n === 0) break;
    // Keep the unfinished line, make room for more.
    if (start > 0) {
      buf.copy(buf, 0, start, len);
      base += start;
      len -= start;
      start = 0;
    }
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
  }
  return { buf, base, start, len };
}

/**
 * A journal without a complete first line, `tail` being all it holds (`cut`: it holds something).
 * Returns `Loaded.upgrade`.
 */
function loadHeaderless(fd: number, path: string, meta: JournalMeta, tail: string, cut: boolean): boolean | 'moved' {
  if (cut && parsesAsHeader(tail)) {
    const upgrade = check(parseHeader(tail, path), undefined, path, meta);
    writeAll(fd, path, Buffer.from('\n'));
    return upgrade;
  } else if (cut && !isPartialHeader(tail)) throw notAJournal(path);
  else {
    // An empty file (touched, or killed right after creating it), or its first line cut while
    // being created: nothing was recorded.
    if (!cut && fstatSync(fd).size !== 0) throw notAJournal(path);
    ftruncateSync(fd, 0);
    fchmodSync(fd, 0o600);
    writeAll(fd, path, Buffer.from(headerLine(meta)));
  }
  return false;
}

/** The journal's lines as read so far, into the compact per-key state. */
class JournalLines {
  readonly table: KeyTable;
  header: Header | undefined;
  lastMeta: Recorded | undefined;
  /** 0.1.0 journals: each row's last intent's key words (its done lines carry no key). */
  private rowKeys: Uint32Array | undefined;

  constructor(keys: number) {
    this.table = new KeyTable(keys);
  }

  /** Applies one record, the line at file offset `at`. */
  apply(rec: LineRecord, at: number): void {
    if (rec.kind === 'meta') {
      this.lastMeta = rec.meta;
      return;
    }
    let i: number;
    if (rec.a !== undefined) {
      i = this.table.slot(rec.a, rec.b!, USED);
      if (rec.kind === 'intent' && this.header?.v === 1) this.rememberRowKey(rec.row, rec.a, rec.b!);
    } else {
      i = this.unkeyedSlot(rec.row);
      if (i < 0) return;
    }
    const state = this.table.state;
    if (rec.kind === 'intent') state[i] = state[i]! | IN_FLIGHT;
    else if (rec.kind === 'unsent') state[i] = state[i]! & ~IN_FLIGHT;
    else {
      state[i] = USED | (STATUSES.indexOf(rec.status!) + 1);
      this.table.setOffset(i, at);
    }
  }

  private rememberRowKey(row: number, a: number, b: number): void {
    let rowKeys = this.rowKeys;
    if (!rowKeys || rowKeys.length <= 2 * row + 1) {
      let cap = rowKeys ? rowKeys.length : 2048;
      while (cap <= 2 * row + 1) cap *= 2;
      const bigger = new Uint32Array(cap);
      if (rowKeys) bigger.set(rowKeys);
      rowKeys = this.rowKeys = bigger;
    }
    rowKeys[2 * row] = a;
    rowKeys[2 * row + 1] = b;
  }

  /** -1: the line changes nothing. */
  private unkeyedSlot(row: number): number {
    // A done line without a key (0.1.0): the outcome of the request its row last announced, if
    // that one is still in flight; else a row decided without a request, which says nothing of a message.
    const rowKeys = this.rowKeys;
    if (!rowKeys || rowKeys.length <= 2 * row + 1) return -1;
    const a = rowKeys[2 * row]!;
    const b = rowKeys[2 * row + 1]!;
    if (a === 0 && b === 0) return -1;
    const i = this.table.slot(a, b);
    if (i < 0 || !(this.table.state[i]! & IN_FLIGHT)) return -1;
    return i;
  }
}

/** How many keys are in each state. */
function countStates(state: Uint8Array): Record<RowStatus | 'inFlight', number> {
  const counts = zeroCounts();
  for (let i = 0; i < state.length; i++) {
    const s = state[i]!;
    if (s === 0) continue;
    if (s & IN_FLIGHT) counts.inFlight++;
    else if (s & CODE) counts[STATUSES[(s & CODE) - 1]!]++;
  }
  return counts;
}

function slowRecord(buf: Buffer, start: number, end: number): LineRecord | undefined {
  try {
    return asRecord(JSON.parse(buf.toString('utf8', start, end)));
  } catch {
    return undefined;
  }
}

function parsesAsHeader(text: string): boolean {
  try {
    const h = JSON.parse(text) as { journal?: unknown };
    return !!h && typeof h === 'object' && h.journal === MAGIC;
  } catch {
    return false;
  }
}

/** A prefix of a header line as this module writes it (a crash while creating the file). */
function isPartialHeader(text: string): boolean {
  const start = `{"journal":"${MAGIC}"`;
  return start.startsWith(text) || text.startsWith(start);
}

function notAJournal(path: string): UsageError {
  return new UsageError(`${path} is not an interflow bulk journal`, {
    code: 'JOURNAL',
    hint: 'give --journal a new file name (it is created), or the journal of an earlier run of this command',
  });
}

function parseHeader(text: string, path: string): Header {
  let h: unknown;
  try {
    h = JSON.parse(text);
  } catch {
    throw notAJournal(path);
  }
  if (!isObject(h) || h.journal !== MAGIC) throw notAJournal(path);
  if (h.v === 1) {
    if (typeof h.spec !== 'string') throw corrupt(path, 1, 'the first line lacks spec');
    return { v: 1, spec: h.spec };
  }
  if (h.v === VERSION) {
    if (!isObject(h.destination) || !isObject(h.message)) throw corrupt(path, 1, 'the first line lacks destination or message');
    return { v: 2, recorded: { destination: h.destination as unknown as Destination, message: h.message } };
  }
  throw new UsageError(`the journal ${path} has version ${String(h.v)}, which this interflow does not read`, {
    code: 'JOURNAL',
    hint: `resume it with the interflow that wrote it; ${startOverHint(path)}`,
  });
}

/**
 * Refuses a journal written for another destination or other message flags, naming what changed.
 * True when it is a 0.1.0 journal accepted by its own rule (the caller records the destination).
 */
function check(header: Header, lastMeta: Recorded | undefined, path: string, meta: JournalMeta, reachedNothing = false): boolean | 'moved' {
  // The latest record wins: a meta line appended later (an upgrade, a move) over the header.
  const recorded = lastMeta ?? header.recorded;
  if (recorded) {
    const moved = destinationChange(recorded.destination, meta.destination);
    // Nothing in the journal reached a server (every request failed to connect, e.g. a wrong
    // scheme or port in baseUrl): the fixed destination takes it over, nothing can go twice.
    if (moved && reachedNothing && !messageChange(recorded.message, meta.message)) return 'moved';
    const problem = moved ?? messageChange(recorded.message, meta.message);
    if (problem) {
      const isDestination = problem.startsWith('destination:');
      throw new UsageError(`the journal ${path} ${problem.replace(/^\w+:/, '')}`, {
        code: 'JOURNAL_MISMATCH',
        hint: isDestination
          ? 'use another --journal for a new destination, or run with the profile that wrote this journal to resume it'
          : 'run with the message flags the journal was written for to resume it; a new message needs another --journal (and goes to every row, including those who got the first)',
      });
    }
    return false;
  }
  if (header.spec !== meta.legacySpec) {
    throw new UsageError(
      `the journal ${path} was written by interflow 0.1.0 for another command: the message flags or the profile differ from the run that wrote it`,
      {
        code: 'JOURNAL_MISMATCH',
        hint: 'run with the message flags and profile it was written for to resume it; a new message needs another --journal',
      },
    );
  }
  return true;
}

const DESTINATION_FIELDS: [keyof Destination, string][] = [
  ['provider', 'provider'],
  ['baseUrl', 'baseUrl'],
  ['channelId', 'channel'],
  ['instanceId', 'instance'],
  ['namespace', 'namespace'],
  ['key', 'API key (sha256 prefix)'],
];

function describeDestination(d: Destination): string {
  if (d.pool) return `the pool ${Object.keys(d.pool).join(', ')}`;
  return DESTINATION_FIELDS.filter(([f]) => d[f] !== undefined && f !== 'key')
    .map(([f, label]) => `${label} ${d[f]}`)
    .join(', ');
}

/** 'destination:…' naming the first field that differs, or undefined. */
function destinationChange(was: Destination, now: Destination): string | undefined {
  if (was.pool || now.pool) return poolChange(was, now);
  for (const [field, label] of DESTINATION_FIELDS) {
    const a = was[field];
    const b = now[field];
    if (a === b) continue;
    if (field === 'key') return `destination:was written with another API key (its hash starts ${String(a)}; this run's key: ${String(b)})`;
    return `destination:was written for ${label} ${a ?? '(none)'}, this run sends to ${b === undefined ? `no ${label}` : `${label === 'provider' ? 'provider ' : ''}${b}`}`;
  }
  return undefined;
}

/**
 * A pool's change: its members (a recipient's sender is picked among them, so another set moves
 * recipients to other senders) or one member's destination.
 */
function poolChange(was: Destination, now: Destination): string | undefined {
  const names = (d: Destination): string =>
    d.pool ? `the pool ${Object.keys(d.pool).join(', ')}` : `one sender (${describeDestination(d)})`;
  const a = was.pool ? Object.keys(was.pool) : [];
  const b = now.pool ? Object.keys(now.pool) : [];
  if (a.join(',') !== b.join(',')) {
    return `destination:was written for ${names(was)}, this run sends through ${names(now)}: recipients would move to other senders`;
  }
  for (const name of a) {
    const change = destinationChange(was.pool![name]!, now.pool![name]!);
    if (change) return change.replace(/^destination:/, `destination:(profile ${name} of the pool) `);
  }
  return undefined;
}

const show = (v: unknown): string => {
  if (v === undefined) return 'not given';
  if (v === true) return 'given';
  const text = typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
};

/** 'message:…' naming the flags that differ, or undefined. */
function messageChange(was: Record<string, unknown>, now: Record<string, unknown>): string | undefined {
  const changed = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter((k) => JSON.stringify(was[k]) !== JSON.stringify(now[k]));
  if (changed.length === 0) return undefined;
  return `message:was written for other message flags: ${changed.map((k) => `${k} was ${show(was[k])}, now ${show(now[k])}`).join('; ')}`;
}

/** 1-based line number of a byte offset (for errors only: reads the file up to there). */
function lineNumberAt(fd: number, at: number): number {
  const buf = Buffer.allocUnsafe(1 << 16);
  let line = 1;
  for (let pos = 0; pos < at;) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, at - pos), pos);
    if (n === 0) break;
    for (let i = 0; i < n; i++) if (buf[i] === 10) line++;
    pos += n;
  }
  return line;
}
