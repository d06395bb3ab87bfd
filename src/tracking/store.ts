/**
 * The tracking store: what was sent and what became of it, for every provider (README.md,
 * "Tracking"). Embedded, no server, nothing to install: a directory of append-only JSON-lines
 * segment files,
 *
 *   $INTERFLOW_STATE_DIR/tracking/, else $XDG_STATE_HOME/interflow/tracking/,
 *   else ~/.local/state/interflow/tracking/        (directory 0700, files 0600)
 *
 * one segment a month (`YYYY-MM.jsonl`, UTC), shared by every writer: a one-off send, a listener
 * and two bulk runs all append to it, each with write(2) on an O_APPEND descriptor. Every write is
 * a newline followed by whole lines (a batch of them), so
 *
 * - writers never interleave: on a local filesystem the kernel appends each write(2) whole, at the
 *   end, under the file's lock (not on NFS: keep the state directory local);
 * - a writer killed mid-write leaves at most one unfinished line; the next write's leading newline
 *   ends it, so readers skip that piece alone (and count it) and every line after it stands; a
 *   short write (a full disk) is finished the same way (appendLines);
 * - a last line without its newline (a writer killed, or one still writing) is not read yet.
 *
 * Readers list the directory and merge every `*.jsonl` (segments of earlier versions, one per
 * process, `<time36>-<pid>-<random>.jsonl`, are read the same way); nothing is ever rewritten,
 * renamed or deleted, so there is nothing to lock. The number of files grows by one a month.
 *
 * Records, one JSON object a line, keys in this order (readers rely on the leading ones):
 *
 *   {"k":"msg","id":"wamid…","t":1764660000000,"c":"campaign","tpl":"name","to":"5511…",
 *    "lang":"pt_BR","provider":"turn","profile":"turn","dest":"https://…","type":"template",
 *    "row":7,"input":"/abs/contacts.csv"}
 *   {"k":"ev","id":"wamid…","st":"delivered","t":1764660001000,"code":"131047","title":"…",
 *    "pricing":"marketing","src":"webhook"}
 *   {"k":"in","id":"wamid…","from":"5511…","type":"text","t":1764660002000,"provider":"meta"}
 *
 * `t` is milliseconds since the epoch (the send's time for msg, the provider's timestamp for ev).
 * Unknown keys are kept for later versions; a line that does not parse is skipped and counted.
 */
import { closeSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ensureDir, stateDir } from '../config/state-dir.js';
import { monotonicMs } from '../runtime.js';

/** A message the tool sent (the provider accepted it). */
export interface MsgRecord {
  k: 'msg';
  /** The provider's message id. */
  id: string;
  /** When it was sent, ms since the epoch. */
  t: number;
  /** Campaign ('' when none). */
  c: string;
  /** Template name ('' when not a template). */
  tpl: string;
  /** Recipient, digits as sent. */
  to: string;
  lang?: string;
  provider: string;
  profile: string;
  /** The base URL it was sent to. */
  dest: string;
  type: string;
  /** Bulk: the input's line where the row starts, and the input's absolute path. */
  row?: number;
  input?: string;
}

/** A status of a sent message (a verified webhook, or what `messages get` saw). */
export interface EvRecord {
  k: 'ev';
  id: string;
  /** sent | delivered | read | failed (others are kept, and rank as nothing). */
  st: string;
  t: number;
  code?: string;
  title?: string;
  pricing?: string;
  src?: string;
}

/** An incoming message (a verified webhook). */
export interface InRecord {
  k: 'in';
  id: string;
  from: string;
  type: string;
  t: number;
  provider?: string;
}

export type TrackRecord = MsgRecord | EvRecord | InRecord;

export const trackingDir = (env: NodeJS.ProcessEnv): string => path.join(stateDir(env), 'tracking');

/** A record as its line: the leading keys in the documented order, then the rest. */
export function recordLine(r: TrackRecord): string {
  let line: string;
  if (r.k === 'msg') {
    line = `{"k":"msg","id":${JSON.stringify(r.id)},"t":${Math.round(r.t)},"c":${JSON.stringify(r.c)},"tpl":${JSON.stringify(r.tpl)},"to":${JSON.stringify(r.to)}`;
    for (const key of ['lang', 'provider', 'profile', 'dest', 'type', 'row', 'input'] as const) {
      if (r[key] !== undefined) line += `,"${key}":${JSON.stringify(r[key])}`;
    }
  } else if (r.k === 'ev') {
    line = `{"k":"ev","id":${JSON.stringify(r.id)},"st":${JSON.stringify(r.st)},"t":${Math.round(r.t)}`;
    for (const key of ['code', 'title', 'pricing', 'src'] as const) {
      if (r[key] !== undefined) line += `,"${key}":${JSON.stringify(r[key])}`;
    }
  } else {
    line = `{"k":"in","id":${JSON.stringify(r.id)},"from":${JSON.stringify(r.from)},"type":${JSON.stringify(r.type)},"t":${Math.round(r.t)}`;
    if (r.provider !== undefined) line += `,"provider":${JSON.stringify(r.provider)}`;
  }
  return line + '}\n';
}

/** How long batch() keeps records in memory at most (a kill -9 loses them), and how many bytes. */
const BATCH_MS = 100;
const BATCH_BYTES = 256 << 10;

/** The segment every writer appends to now: one a month (UTC), `YYYY-MM.jsonl`. */
export function segmentName(now = new Date()): string {
  return `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}.jsonl`;
}

/**
 * Appends records to the month's shared segment. Lines wait in memory until flush(): called at
 * once by a one-off command, by `batch()` users (bulk, the listener) at the end of a turn of the
 * event loop but at most once every BATCH_MS, at close() and at exit. Each flush is one write(2) with O_APPEND of a newline and whole
 * lines: the kernel appends it whole, after the others' writes, never inside them; the leading
 * newline ends any line a writer killed mid-write left unfinished, so that line is skipped alone
 * and the ones after it stand. A write error never throws: it is told once through `warn`, and
 * recording stops (a send never fails because of the store).
 */
export class Recorder {
  private fd: number | undefined;
  private name = '';
  private pending = '';
  private scheduled = false;
  private lastWrite = -Infinity;
  private broken = false;
  private readonly onExit = (): void => this.flush();
  /** Records written (lines), for tests and the bench. */
  written = 0;
  private queued = 0;

  constructor(
    readonly dir: string,
    private readonly warn: (message: string) => void,
  ) {
    process.once('exit', this.onExit);
  }

  /** Queues a record; written by flush() (see batch()). */
  add(r: TrackRecord): void {
    if (this.broken) return;
    try {
      this.pending += recordLine(r);
      this.queued++;
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Queues a record and writes it with the others of this turn of the event loop, or, when the
   * last write was less than BATCH_MS ago, of the rest of that time (at once past BATCH_BYTES): a
   * webhook's status is written as it comes, a bulk run makes one write(2) for many rows.
   */
  batch(r: TrackRecord): void {
    this.add(r);
    this.schedule();
  }

  /** batch() of a record already written as its line (recordLine's format, ending in a newline). */
  batchLine(line: string): void {
    if (this.broken) return;
    this.pending += line;
    this.queued++;
    this.schedule();
  }

  private schedule(): void {
    if (this.pending.length >= BATCH_BYTES) this.flush();
    else if (!this.scheduled && !this.broken) {
      this.scheduled = true;
      const wait = this.lastWrite + BATCH_MS - monotonicMs();
      if (wait <= 0) setImmediate(() => this.flush());
      else setTimeout(() => this.flush(), wait).unref();
    }
  }

  /** Writes the queued lines in one write(2). */
  flush(): void {
    this.scheduled = false;
    this.lastWrite = monotonicMs();
    if (this.pending === '' || this.broken) return;
    const text = this.pending;
    const count = this.queued;
    this.pending = '';
    this.queued = 0;
    try {
      this.open();
      appendLines(this.fd!, Buffer.from('\n' + text, 'utf8'));
      this.written += count;
    } catch (err) {
      this.fail(err);
    }
  }

  /** Flushes and closes the segment. */
  close(): void {
    this.flush();
    process.off('exit', this.onExit);
    this.closeFd();
  }

  /** Opens this month's segment (again, when the month turned since). */
  private open(): void {
    const name = segmentName();
    if (this.fd !== undefined && name === this.name) return;
    this.closeFd();
    ensureDir(this.dir);
    this.fd = openSync(path.join(this.dir, name), 'a', 0o600);
    this.name = name;
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // nothing left to do
    }
    this.fd = undefined;
  }

  private fail(err: unknown): void {
    if (this.broken) return;
    this.broken = true;
    this.pending = '';
    const e = err as NodeJS.ErrnoException;
    this.warn(
      `warning: not recorded in the tracking store ${this.dir} (${e.code ?? e.message}); what was sent is not affected. ` +
        'Set INTERFLOW_STATE_DIR to a writable directory to record it',
    );
  }
}

/**
 * Appends buf (a newline, then whole lines) to an O_APPEND fd. A short write (a full disk, a file
 * size limit) may let another writer append before the rest: the rest goes again from the start of
 * the line that was cut, after a newline, so the cut piece stands alone (skipped by readers) and
 * no line is lost or joined to another.
 */
export function appendLines(fd: number, buf: Buffer, write: typeof writeSync = writeSync): void {
  let off = 0;
  while (off < buf.length) {
    const n = write(fd, buf, off, buf.length - off);
    if (off + n >= buf.length) return;
    const cut = buf.lastIndexOf(10, off + n - 1);
    // From the cut line's start, its newline in front again ('\n' + lines is what was asked).
    off = cut > off ? cut : off;
    if (n === 0) throw Object.assign(new Error('write wrote nothing'), { code: 'EIO' });
  }
}

/** The segment files of the store, oldest name first. */
export function listSegments(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .filter((n) => n.endsWith('.jsonl'))
    .sort()
    .map((n) => path.join(dir, n));
}

const CHUNK = 4 << 20;

/**
 * Calls `line(buf, start, end, segment, offset)` for each complete line of every segment (end is
 * the newline's index). A last line without its newline (a writer killed mid-write, or one still
 * writing) is not passed on.
 */
export function scanSegments(
  files: readonly string[],
  line: (buf: Buffer, start: number, end: number, segment: number, offset: number) => void,
): void {
  let buf = Buffer.allocUnsafe(CHUNK);
  for (let seg = 0; seg < files.length; seg++) {
    let fd: number;
    try {
      fd = openSync(files[seg]!, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    try {
      let base = 0; // file offset of buf[0]
      let len = 0;
      for (;;) {
        const n = readSync(fd, buf, len, buf.length - len, base + len);
        if (n === 0) break;
        const end = len + n;
        let start = 0;
        for (;;) {
          const nl = buf.indexOf(10, start);
          if (nl < 0 || nl >= end) break;
          if (nl > start) line(buf, start, nl, seg, base + start);
          start = nl + 1;
        }
        if (start === 0 && end === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, end);
          buf = bigger;
          len = end;
          continue;
        }
        buf.copy(buf, 0, start, end);
        base += start;
        len = end - start;
      }
    } finally {
      closeSync(fd);
    }
  }
}

/** The one line at `offset` of a segment, parsed (for the few records a command shows in full). */
export function readRecordAt(file: string, offset: number): Record<string, unknown> | undefined {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(1024);
    let len = 0;
    for (;;) {
      const n = readSync(fd, buf, len, buf.length - len, offset + len);
      len += n;
      const nl = buf.subarray(0, len).indexOf(10);
      if (nl >= 0) return parseLine(buf.toString('utf8', 0, nl));
      if (n === 0) return undefined;
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
    }
  } finally {
    closeSync(fd);
  }
}

export function parseLine(text: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
