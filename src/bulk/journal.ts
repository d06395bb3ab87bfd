/**
 * The bulk journal: an append-only JSON-lines file that makes a rerun resume.
 *
 *   {"journal":"interflow-bulk","v":1,"fingerprint":"…","spec":"…","source":"contacts.csv","created":"…"}
 *   {"t":"intent","row":2,"key":"…","at":"…"}                       a request is about to go out
 *   {"t":"done","row":2,"status":"sent","to":"…","id":"…","at":"…"}   how the row ended
 *
 * Intents and outcomes are written synchronously (one write(2) per call, on an O_APPEND fd), so
 * each is in the kernel before the request goes out or the next row is reported, and survives a
 * kill -9 (not a power cut: there is no fsync). A line cut short by a crash is ignored, and cut off
 * the file before anything is appended, so the next line starts clean.
 *
 * What earlier runs recorded is kept compactly — a status byte and the byte offset of the row's
 * last outcome line per row number — and an outcome is read back from the file when `entry()`
 * asks for it: a 1,000,000-row journal costs about 9 MB of memory. `entry()` and `counts()`
 * describe the journal as it was when opened; this run's writes only go to the file.
 */
import { closeSync, fchmodSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { CliError, ExitCode, UsageError } from '../errors.js';
import { redact } from '../output/redact.js';
import type { JournalEntry, RowOutcome, RowStatus } from './types.js';

export interface JournalMeta {
  /** CsvSource.fingerprint of the input. */
  fingerprint: string;
  /** A hash of the message flags (given by the caller): another command must not reuse the journal. */
  spec: string;
  /** The input's path, or 'stdin': recorded, and named in messages. */
  source: string;
}

export interface Journal {
  readonly path: string;
  /**
   * What earlier runs recorded for that row: its last outcome, or `{ inFlight: true }` (no outcome)
   * when its last line is an intent — a request that may have gone out, whatever came before.
   */
  entry(row: number): JournalEntry | undefined;
  /** Records that requests for these rows are about to go out (one write for the batch). */
  intent(rows: { row: number; key: string }[]): void;
  /** One row's intent, batched with this turn's other lines; resolves once it is written. */
  intentSoon(row: number, key: string): Promise<void>;
  /** Writes the lines still waiting (outcomes are batched per turn of the event loop). */
  flush(): void;
  /** Records how a row ended. Outcomes that came from the journal (fromJournal) are not written again. */
  outcome(o: RowOutcome): void;
  /** Rows by what earlier runs recorded last: an outcome, or inFlight (an intent with no outcome after it). */
  counts(): Record<RowStatus | 'inFlight', number>;
  /** Closes the file (idempotent). Writes after it throw. */
  close(): void;
  /**
   * Called once when a write fails (a full disk): from then on nothing more is written, intents
   * waiting and later ones reject (their requests must not go out), outcomes are dropped.
   */
  onFailure: ((err: CliError) => void) | undefined;
}

const MAGIC = 'interflow-bulk';
const VERSION = 1;
/** Rows are line numbers of a CSV: anything beyond this is a corrupt journal, not a big file. */
const MAX_ROW = 2 ** 31 - 1;

const STATUSES: readonly RowStatus[] = ['sent', 'failed', 'skipped', 'unknown'];
/**
 * Status byte per row: 1..4 = the last outcome, STATUSES[code - 1]; IN_FLIGHT = the last line is an
 * intent: a request may have gone out after any earlier outcome, so that outcome no longer tells
 * what happened and is not reported; 0 = nothing recorded.
 */
const IN_FLIGHT = 0x80;

const fixHint = (path: string): string => `use another --journal, or delete ${path} to start over`;

/**
 * Opens the journal at `path`, creating it (mode 0600) when missing. An existing journal must
 * belong to the same input (fingerprint) and the same command (spec), else a UsageError (exit 2)
 * says so and how to fix it. A corrupt line, other than a last line cut short, is refused naming
 * its line number.
 */
export async function openJournal(path: string, meta: JournalMeta): Promise<Journal> {
  const release = lock(path);
  try {
    const journal = openUnlocked(path, meta);
    journal.onClose = release;
    return journal;
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * `<journal>.lock` holds the pid of the run using the journal: two runs of the same command at
 * once (overlapping cron jobs) would both send the rows neither has recorded yet. A lock whose
 * process is gone (killed) is taken over.
 */
function lock(path: string): () => void {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        process.off('exit', release);
        try {
          unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw openError(lockPath, err);
      const pid = Number(readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new UsageError(
          `the journal ${path} is in use by another run (process ${pid}); wait for it to finish, or use another --journal`,
        );
      }
      unlinkSync(lockPath); // stale: its process is gone
    }
  }
  throw new UsageError(`could not lock the journal ${path} (${lockPath} keeps coming back)`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

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
      return new FileJournal(path, fd, state);
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
  return new FileJournal(path, fd, emptyState());
}

function openError(path: string, err: unknown): CliError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'EACCES' ? 'permission denied' : e.code === 'ENOENT' ? 'its directory does not exist' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
  return new UsageError(`cannot open the journal ${path}: ${why}`, { code: 'JOURNAL', hint: 'give a writable path with --journal FILE', cause: err });
}

function headerLine(meta: JournalMeta): string {
  return JSON.stringify({ journal: MAGIC, v: VERSION, fingerprint: meta.fingerprint, spec: meta.spec, source: meta.source, created: new Date().toISOString() }) + '\n';
}

interface State {
  status: Uint8Array;
  offset: Float64Array;
  counts: Record<RowStatus | 'inFlight', number>;
}

function emptyState(): State {
  return { status: new Uint8Array(0), offset: new Float64Array(0), counts: zeroCounts() };
}

function zeroCounts(): Record<RowStatus | 'inFlight', number> {
  return { sent: 0, failed: 0, skipped: 0, unknown: 0, inFlight: 0 };
}

class FileJournal implements Journal {
  private fd: number | undefined;
  private readBuf = Buffer.allocUnsafe(1024);
  /** Outcome lines not yet written (see outcome()). */
  private pending = '';
  private flushScheduled = false;
  /** Resolves once the intents waiting in `pending` are written: one promise for all of a turn's. */
  private written: { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } | undefined;
  /** The write that failed: nothing is written after it (see Journal.onFailure). */
  private failure: CliError | undefined;
  onFailure: ((err: CliError) => void) | undefined;
  /** The time lines of this turn of the event loop carry (one clock read a turn, not one a line). */
  private turnAt: string | undefined;

  constructor(
    readonly path: string,
    fd: number,
    private readonly state: State,
  ) {
    this.fd = fd;
  }

  entry(row: number): JournalEntry | undefined {
    const { status, offset } = this.state;
    if (!Number.isInteger(row) || row < 0 || row >= status.length) return undefined;
    const s = status[row]!;
    if (s === 0) return undefined;
    if (s === IN_FLIGHT) return { inFlight: true };
    return { inFlight: false, outcome: this.readOutcome(row, offset[row]!) };
  }

  intent(rows: { row: number; key: string }[]): void {
    if (rows.length === 0) return;
    const at = new Date().toISOString();
    let text = '';
    for (const r of rows) {
      checkRow(r.row);
      text += `{"t":"intent","row":${r.row},"key":${JSON.stringify(r.key)},"at":"${at}"}\n`;
    }
    // Outcomes waiting to be written go first, in the same write: one system call per row.
    this.write(this.pending + text);
    this.pending = '';
  }

  /**
   * Outcomes are written with the next intent, or at the end of this turn of the event loop,
   * whichever comes first (one write per row instead of two). A process killed in between loses
   * only this turn's outcomes; their rows resume as in flight (unknown), never as unsent.
   */
  outcome(o: RowOutcome): void {
    if (o.fromJournal || this.failure) return;
    if (this.fd === undefined) throw new Error(`the journal ${this.path} is closed`);
    checkRow(o.row);
    // {"t":"done","row","status","to"?,"id"?,"error"?,"at"}, written by hand: one line a row.
    let line = `{"t":"done","row":${o.row},"status":${JSON.stringify(o.status)}`;
    if (o.to !== undefined) line += `,"to":${JSON.stringify(o.to)}`;
    if (o.id !== undefined) line += `,"id":${JSON.stringify(o.id)}`;
    // Provider error text can quote the request: redacted like everything printed (*** is JSON-safe).
    if (o.error !== undefined) line += `,"error":${redact(JSON.stringify(o.error))}`;
    this.pending += `${line},"at":"${this.now()}"}\n`;
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
    checkRow(row);
    if (this.failure) return Promise.reject(this.failure);
    // A key is hex (KeySet.keyHex), which needs no escaping.
    const quoted = /^[0-9a-f]*$/.test(key) ? `"${key}"` : JSON.stringify(key);
    this.pending += `{"t":"intent","row":${row},"key":${quoted},"at":"${this.now()}"}\n`;
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
    return { ...this.state.counts };
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
    writeAll(this.fd, this.path, Buffer.from(text, 'utf8'));
  }

  private readOutcome(row: number, at: number): RowOutcome {
    if (this.fd === undefined) throw new Error(`the journal ${this.path} is closed`);
    let buf = this.readBuf;
    let len = 0;
    let nl = -1;
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
    if (!rec || rec.kind !== 'done' || rec.row !== row) throw corrupt(this.path, lineNumberAt(this.fd, at));
    const d = parsed as { to?: unknown; id?: unknown; error?: unknown };
    return {
      row,
      ...(typeof d.to === 'string' ? { to: d.to } : {}),
      status: rec.status!,
      ...(typeof d.id === 'string' ? { id: d.id } : {}),
      ...(d.error && typeof d.error === 'object' ? { error: d.error as RowOutcome['error'] } : {}),
      attempts: 0,
      fromJournal: true,
    };
  }
}

function checkRow(row: number): void {
  if (!Number.isInteger(row) || row < 1 || row > MAX_ROW) throw new RangeError(`journal: bad row number ${row}`);
}

function writeAll(fd: number, path: string, buf: Buffer): void {
  try {
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
    hint: `fix or remove that line, or ${fixHint(path)}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Reading an existing journal

const INTENT_PREFIX = Buffer.from('{"t":"intent","row":');
const DONE_PREFIX = Buffer.from('{"t":"done","row":');
const STATUS_FIELD = Buffer.from(',"status":"');
const STATUS_BYTES = STATUSES.map((s) => Buffer.from(s));

interface LineRecord {
  kind: 'intent' | 'done';
  row: number;
  status?: RowStatus;
}

/** A parsed JSON line → intent/done record, or undefined when it is neither. */
function asRecord(v: unknown): LineRecord | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as { t?: unknown; row?: unknown; status?: unknown; key?: unknown };
  if (typeof o.row !== 'number' || !Number.isInteger(o.row) || o.row < 1 || o.row > MAX_ROW) return undefined;
  if (o.t === 'intent') return { kind: 'intent', row: o.row };
  if (o.t === 'done' && STATUSES.includes(o.status as RowStatus)) return { kind: 'done', row: o.row, status: o.status as RowStatus };
  return undefined;
}

function startsWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/**
 * The common case, without JSON.parse: lines as this module writes them. Returns undefined when
 * the line does not have that exact shape (it then goes through JSON.parse).
 */
function fastRecord(buf: Buffer, start: number, end: number): LineRecord | undefined {
  let kind: 'intent' | 'done';
  let i: number;
  if (startsWith(buf, start, end, DONE_PREFIX)) {
    kind = 'done';
    i = start + DONE_PREFIX.length;
  } else if (startsWith(buf, start, end, INTENT_PREFIX)) {
    kind = 'intent';
    i = start + INTENT_PREFIX.length;
  } else return undefined;
  if (buf[end - 1] !== 0x7d /* } */) return undefined;
  let row = 0;
  const digits = i;
  while (i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39 && i - digits < 10) row = row * 10 + (buf[i++]! - 0x30);
  if (i === digits || (buf[digits] === 0x30 && i - digits > 1) || row < 1 || row > MAX_ROW) return undefined;
  if (kind === 'intent') return buf[i] === 0x2c /* , */ ? { kind, row } : undefined;
  if (!startsWith(buf, i, end, STATUS_FIELD)) return undefined;
  i += STATUS_FIELD.length;
  for (let k = 0; k < STATUS_BYTES.length; k++) {
    const s = STATUS_BYTES[k]!;
    if (startsWith(buf, i, end, s) && buf[i + s.length] === 0x22 /* " */) return { kind, row, status: STATUSES[k] };
  }
  return undefined;
}

/** Reads the whole journal in large chunks, line by line, into the compact per-row state. */
function load(fd: number, path: string, meta: JournalMeta): State {
  let status = new Uint8Array(1024);
  let offset = new Float64Array(1024);
  const ensure = (row: number): void => {
    if (row < status.length) return;
    let cap = status.length;
    while (cap <= row) cap *= 2;
    const s = new Uint8Array(cap);
    s.set(status);
    const o = new Float64Array(cap);
    o.set(offset);
    status = s;
    offset = o;
  };

  let buf = Buffer.allocUnsafe(1 << 20);
  let base = 0; // file offset of buf[0]
  let len = 0; // valid bytes in buf
  let line = 0;
  let start = 0;
  let sawHeader = false;
  for (;;) {
    const n = readSync(fd, buf, len, buf.length - len, base + len);
    const view = buf.subarray(0, len + n);
    let from = len;
    len += n;
    for (;;) {
      const nl = view.indexOf(10, from);
      if (nl < 0) break;
      line++;
      if (line === 1) {
        checkHeader(buf.toString('utf8', start, nl), path, meta, 1);
        sawHeader = true;
      } else {
        let rec = fastRecord(buf, start, nl);
        if (!rec) {
          rec = slowRecord(buf, start, nl);
          if (!rec) {
            if (nl === start) {
              start = from = nl + 1;
              continue; // a blank line: harmless
            }
            throw corrupt(path, line);
          }
        }
        ensure(rec.row);
        if (rec.kind === 'intent') status[rec.row] = IN_FLIGHT;
        else {
          status[rec.row] = STATUSES.indexOf(rec.status!) + 1;
          offset[rec.row] = base + start;
        }
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

  // A last line without its newline: a write cut short by a crash (or a complete line whose
  // newline never made it). Keep it when it is whole, else cut it off so appends start clean.
  if (start < len) {
    const tail = buf.toString('utf8', start, len);
    const end = base + start;
    if (!sawHeader) {
      if (parsesAsHeader(tail)) {
        checkHeader(tail, path, meta, 1);
        writeAll(fd, path, Buffer.from('\n'));
      } else if (isPartialHeader(tail)) {
        // Created, then killed before the first line was whole: nothing was recorded.
        ftruncateSync(fd, 0);
        fchmodSync(fd, 0o600);
        writeAll(fd, path, Buffer.from(headerLine(meta)));
      } else throw notAJournal(path);
      return { status: new Uint8Array(0), offset: new Float64Array(0), counts: zeroCounts() };
    }
    const rec = slowRecord(buf, start, len); // whole JSON only: a cut line can still end in '}'
    if (rec) {
      ensure(rec.row);
      if (rec.kind === 'intent') status[rec.row] = IN_FLIGHT;
      else {
        status[rec.row] = STATUSES.indexOf(rec.status!) + 1;
        offset[rec.row] = end;
      }
      writeAll(fd, path, Buffer.from('\n'));
    } else ftruncateSync(fd, end);
  } else if (!sawHeader) {
    // An empty file (touched, or killed right after creating it).
    if (fstatSync(fd).size !== 0) throw notAJournal(path);
    fchmodSync(fd, 0o600);
    writeAll(fd, path, Buffer.from(headerLine(meta)));
  }

  const counts = zeroCounts();
  for (let row = 0; row < status.length; row++) {
    const s = status[row]!;
    if (s === 0) continue;
    if (s === IN_FLIGHT) counts.inFlight++;
    else counts[STATUSES[s - 1]!]++;
  }
  return { status, offset, counts };
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

function checkHeader(text: string, path: string, meta: JournalMeta, line: number): void {
  let h: { journal?: unknown; v?: unknown; fingerprint?: unknown; spec?: unknown; source?: unknown };
  try {
    h = JSON.parse(text) as typeof h;
  } catch {
    throw notAJournal(path);
  }
  if (!h || typeof h !== 'object' || h.journal !== MAGIC) throw notAJournal(path);
  if (h.v !== VERSION) {
    throw new UsageError(`the journal ${path} has version ${String(h.v)}, which this interflow does not read`, {
      code: 'JOURNAL',
      hint: fixHint(path),
    });
  }
  if (typeof h.fingerprint !== 'string' || typeof h.spec !== 'string') throw corrupt(path, line, 'the first line lacks fingerprint or spec');
  if (h.fingerprint !== meta.fingerprint) {
    const made = typeof h.source === 'string' ? h.source : 'another input';
    throw new UsageError(
      `the journal ${path} belongs to a different input: it was made from ${made}${made === meta.source ? ' as it was then' : ''}, and ${meta.source} does not match it`,
      { code: 'JOURNAL_MISMATCH', hint: fixHint(path) },
    );
  }
  if (h.spec !== meta.spec) {
    throw new UsageError(`the journal ${path} was made by a different command: the message flags (or profile) differ from the run that made it`, {
      code: 'JOURNAL_MISMATCH',
      hint: fixHint(path),
    });
  }
}

/** 1-based line number of a byte offset (for errors only: reads the file up to there). */
function lineNumberAt(fd: number, at: number): number {
  const buf = Buffer.allocUnsafe(1 << 16);
  let line = 1;
  for (let pos = 0; pos < at; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, at - pos), pos);
    if (n === 0) break;
    for (let i = 0; i < n; i++) if (buf[i] === 10) line++;
    pos += n;
  }
  return line;
}
