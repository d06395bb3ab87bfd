/**
 * CSV input of `interflow bulk`: a header row, then data records streamed one at a time.
 *
 * - UTF-8 with or without BOM; CRLF, LF or CR line breaks (mixed too); `,` `;` tab or `|`
 *   delimiters (detected from the header line unless `--delimiter` says); quoted fields holding
 *   delimiters, `""` quotes and line breaks.
 * - Quotes as RFC 4180 allows them only: a `"` inside a cell that does not start with one
 *   (`1,Hey " it,3`), or text after a closing quote (`A,"B" ,C`, `"b,c⏎d"e`), makes that record's
 *   `problem` (STRAY_QUOTE, naming the line and the column); the records after it are read as
 *   usual (the parser reads quotes leniently, so one bad record does not swallow the next).
 *   In the header, it is refused.
 * - Every cell stays a string, exactly as written (not trimmed, not cast). Header names are trimmed.
 * - Blank lines, and lines whose cells are all empty or blank (`;;;` rows that spreadsheets leave
 *   at the end of an export), are skipped; they still count for row numbers.
 * - `row` is the line where a record starts, as an editor shows it: the header's line is 1 when
 *   the file starts with it, blank lines count, a quoted cell's line breaks count.
 * - Short rows list their missing columns (the caller fails a row missing a column it needs);
 *   long rows count their extra cells and get a `problem` (EXTRA_CELLS) naming the line.
 * - A malformed file (a quote never closed, bytes that are not UTF-8) throws a ValidationError
 *   naming the line (and the column of the quote) when iteration reaches it: the records before
 *   it are yielded first. Only invalid byte sequences are not UTF-8: a U+FFFD written in the file
 *   (EF BF BD) is text like any other.
 * - Memory stays flat: the input is read as the consumer pulls records (csv-parse stream with
 *   backpressure); only the first 64 KiB are read up front, to fingerprint the input and find the
 *   delimiter.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { parse, CsvError, type Parser } from 'csv-parse';
import { CliError, fileProblem, UsageError, ValidationError } from '../errors.js';
import type { CsvRow, CsvSource } from './types.js';

/** How much of the input identifies it (CsvSource.fingerprint). */
export const FINGERPRINT_BYTES = 64 * 1024;

/** The most input parsed at once: bounds the records waiting in the queue. */
const SLICE_BYTES = 16 * 1024;

/** Longest record csv-parse accepts, in characters: past it, a quote is surely never closed. */
const MAX_RECORD_SIZE = 128_000;

export type Delimiter = CsvSource['delimiter'];

export interface OpenCsvOptions {
  /** `--delimiter`: `,` `;` `tab` (or `\t`, or a tab character) `|`. Detected when absent. */
  delimiter?: string;
  /** The file path, or 'stdin': used in messages. */
  source: string;
}

/** A CsvSource that can also be abandoned before its rows are read to the end. */
export interface OpenedCsv extends CsvSource {
  /** Stops reading the input (idempotent). Not needed when `rows` was iterated to its end. */
  close(): void;
}

/** `--delimiter` value → delimiter, or a UsageError naming the flag. */
export function parseDelimiterFlag(value: string): Delimiter {
  switch (value) {
    case ',':
    case ';':
    case '|':
      return value;
    case '\t':
    case '\\t':
    case 'tab':
    case 'TAB':
      return '\t';
    default:
      throw new UsageError(`--delimiter '${value}' is not supported: use one of , ; tab |`, {
        hint: "e.g. --delimiter ';' (or leave it out: it is detected from the header line)",
      });
  }
}

/**
 * True for a cell a spreadsheet has mangled, which must not be "repaired" into a phone number:
 *  - scientific notation: digits, an optional `.` or `,` decimal part, then `E`/`e`, an optional
 *    sign and exponent digits (`5.5119E+12`, `5,5119E+12`, `5.5119e12`, `5E12`), optional `+`;
 *  - a long number a spreadsheet has rounded to 15 significant digits: 15 or more digits (an
 *    optional leading `+`, nothing else) ending in at least three zeros (`551199999999000`).
 *    No real E.164 number is that long and that round.
 * Numbers as people type them (`5511999999999`, `+55 (11) 99999-9999`, `11999999999`) are false.
 * Surrounding whitespace is ignored.
 */
export function spreadsheetMangled(cell: string): boolean {
  const s = cell.trim();
  if (/^\+?\d+(?:[.,]\d+)?[eE][+-]?\d+$/.test(s)) return true;
  return /^\+?\d{12,}000$/.test(s);
}

/**
 * Opens a CSV: reads its first 64 KiB (fingerprint, delimiter, encoding check) and its header
 * record, then streams the data records through csv-parse as `rows` is iterated.
 *
 * Throws UsageError for an empty input, an empty or duplicate header name, a bad `--delimiter`,
 * an input that is not UTF-8, or an input that cannot be read.
 */
export async function openCsv(input: NodeJS.ReadableStream, opts: OpenCsvOptions): Promise<OpenedCsv> {
  const { source } = opts;
  const explicit = opts.delimiter === undefined ? undefined : parseDelimiterFlag(opts.delimiter);
  const it = input[Symbol.asyncIterator]() as AsyncIterator<string | Buffer>;
  const head = await readHead(it, source);
  const delimiter: Delimiter = explicit ?? detectDelimiter(head.body);
  const reader = new CsvReader(it, source, delimiter, head);
  const columns = await reader.header();
  const rows = Object.assign(reader.rows(), { takeQueued: () => reader.takeQueued() });
  return { columns, delimiter, fingerprint: head.fingerprint, rows, close: () => reader.close() };
}

/** The start of an input, read and checked before any record is parsed. */
interface Head {
  /** The first 64 KiB (or the whole input when shorter), without the BOM. */
  body: Buffer;
  /** SHA-256 of the first 64 KiB as read (BOM included). */
  fingerprint: string;
  /** True when `body` is the whole input. */
  ended: boolean;
  /** The UTF-8 check, fed `body`: the rest of the input goes through it as it is read. */
  utf8: Utf8Check;
}

/** Stops an input that will not be read to its end. */
function stopInput(it: AsyncIterator<string | Buffer>): void {
  void Promise.resolve(it.return?.()).catch(() => undefined);
}

/**
 * Reads the first 64 KiB of the input (raw bytes) and checks their encoding: UTF-8, BOM tolerated
 * (dropped before parsing). A bad byte there is a UsageError (nothing is sent); the rest of the
 * input is checked as it is read (the record holding the first bad byte throws, after the records
 * before it).
 */
async function readHead(it: AsyncIterator<string | Buffer>, source: string): Promise<Head> {
  const firstChunks: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  try {
    while (headLength < FINGERPRINT_BYTES) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        break;
      }
      const b = toBuffer(r.value);
      firstChunks.push(b);
      headLength += b.length;
    }
  } catch (err) {
    stopInput(it);
    throw readError(source, err);
  }
  const prefix = Buffer.concat(firstChunks, headLength);
  const fingerprint = createHash('sha256').update(prefix.subarray(0, FINGERPRINT_BYTES)).digest('hex');

  if (prefix.length >= 2 && ((prefix[0] === 0xff && prefix[1] === 0xfe) || (prefix[0] === 0xfe && prefix[1] === 0xff))) {
    stopInput(it);
    throw new UsageError(`${source} is UTF-16 text, not UTF-8`, { hint: utf8Hint(source), code: 'CSV_ENCODING' });
  }
  const bom = prefix.length >= 3 && prefix[0] === 0xef && prefix[1] === 0xbb && prefix[2] === 0xbf;
  const body = bom ? prefix.subarray(3) : prefix;
  const utf8 = new Utf8Check();
  let badAt = utf8.feed(body);
  if (badAt < 0 && ended && !utf8.end()) badAt = body.length - 1;
  if (badAt >= 0) {
    stopInput(it);
    throw new UsageError(`${source} line ${lineAtByte(body, badAt)} is not UTF-8 text`, { hint: utf8Hint(source), code: 'CSV_ENCODING' });
  }
  return { body, fingerprint, ended, utf8 };
}

/** csv-parse as openCsv uses it: lenient quotes and column counts (checked here instead), no casts. */
function newParser(delimiter: Delimiter): Parser {
  return parse({
    bom: true,
    delimiter,
    quote: '"',
    escape: '"',
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    max_record_size: MAX_RECORD_SIZE,
    cast: false,
    columns: false,
  });
}

/**
 * The records of an input after its head: the parser, fed one chunk at a time as the consumer
 * pulls records, the header (kept in `columns`), and the data rows, queued as the parser
 * completes them.
 */
class CsvReader {
  private readonly lines: LineTracker;
  private readonly parser: Parser;
  private columns: string[] | undefined;
  private protoColumn = -1;
  /** The first byte (after the BOM) that is not UTF-8, or -1. */
  private badAt = -1;
  /** Bytes of the input (after the BOM) checked so far. */
  private checked: number;
  private ended: boolean;
  /** Records parsed and not yet taken: `queue[head]` is the next. */
  private queue: CsvRow[] = [];
  private head = 0;
  private failure: unknown;
  private fedPrefix = false;
  /** The rest of a chunk too large to parse at once. */
  private pending: Buffer | undefined;
  private parsedAll = false;
  private closed = false;

  constructor(
    private readonly it: AsyncIterator<string | Buffer>,
    private readonly source: string,
    private readonly delimiter: Delimiter,
    private readonly start: Head,
  ) {
    this.checked = start.body.length;
    this.ended = start.ended;
    this.lines = new LineTracker(delimiter.charCodeAt(0));
    this.parser = newParser(delimiter);
    this.takeRecords();
  }

  /** Parses until the header record; throws what ends the input before it. */
  async header(): Promise<string[]> {
    while (this.columns === undefined && this.failure === undefined && !this.parsedAll) await this.fill();
    if (this.failure !== undefined) {
      const err = this.translate(this.failure);
      this.close();
      throw err;
    }
    if (this.columns === undefined) {
      this.close();
      throw new UsageError(`the CSV is empty: it needs a header row (${this.source})`, {
        hint: 'the first line names the columns, e.g. to,name,order_id',
      });
    }
    return this.columns;
  }

  /** The data rows, in order; a malformed input throws after the rows before the fault. */
  async *rows(): AsyncGenerator<CsvRow> {
    try {
      for (;;) {
        if (this.head === this.queue.length) await this.fill();
        if (this.head < this.queue.length) {
          const row = this.queue[this.head]!;
          this.queue[this.head++] = undefined as unknown as CsvRow;
          yield row;
        } else if (this.failure !== undefined) {
          throw this.translate(this.failure);
        } else if (this.parsedAll || this.closed) return;
        // else: takeQueued() took the rows fill() queued before this resumed; parse on.
      }
    } finally {
      this.close();
    }
  }

  /** QueuedRows.takeQueued: the next row when it is parsed already, without a promise. */
  takeQueued(): CsvRow | undefined {
    if (this.head >= this.queue.length || this.closed) return undefined;
    const row = this.queue[this.head]!;
    this.queue[this.head++] = undefined as unknown as CsvRow;
    return row;
  }

  /** Stops reading the input (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = this.head = 0;
    if (!this.ended) stopInput(this.it);
    this.parser.destroy();
  }

  /**
   * The parser pushes each record as it completes it, with `parser.info.bytes` just past it: take
   * the records there, into a queue of our own, instead of the stream's readable buffer. csv-parse's
   * `on_record` hook would give the same offset but builds an info object per record (half the
   * speed), and a stream destroyed by a parse error drops the records still in its buffer: here,
   * every record parsed before an error is yielded before the error.
   */
  private takeRecords(): void {
    const parser = this.parser;
    const streamPush = parser.push.bind(parser);
    parser.push = (record: unknown, encoding?: BufferEncoding): boolean => {
      if (record === null) return streamPush(null, encoding);
      if (this.failure !== undefined) return false;
      try {
        const row = this.toRow(record as string[], parser.info.bytes);
        if (row !== null) this.queue.push(row);
      } catch (err) {
        this.failure = err;
      }
      return true;
    };
    parser.on('error', (err: unknown) => {
      if (this.failure === undefined) this.failure = err;
    });
    parser.resume(); // nothing reaches the readable side but the end: let it flow
  }

  /** A parsed record → the header (kept in `columns`), a data row, or null for a blank record. */
  private toRow(fields: string[], end: number): CsvRow | null {
    const row = this.lines.record(end);
    if (this.badAt >= 0 && end > this.badAt) {
      throw new ValidationError(`${this.source} line ${row} is not UTF-8 text`, { hint: utf8Hint(this.source), code: 'CSV_ENCODING' });
    }
    if (isBlankRecord(fields)) return null;
    const quote = this.lines.quoteProblem;
    const columns = this.columns;
    if (columns === undefined) {
      if (quote)
        throw new UsageError(`${this.source} line ${quote.line}, column ${quote.column} of the header: ${QUOTE_PROBLEMS[quote.kind]}`, {
          hint: QUOTE_HINT,
        });
      this.columns = headerColumns(fields, this.source);
      this.protoColumn = this.columns.indexOf('__proto__');
      return null;
    }
    const n = columns.length;
    const cells: Record<string, string> = {};
    const have = fields.length < n ? fields.length : n;
    for (let i = 0; i < have; i++) cells[columns[i]!] = fields[i]!;
    if (this.protoColumn >= 0 && this.protoColumn < have) {
      Object.defineProperty(cells, '__proto__', { value: fields[this.protoColumn], enumerable: true, writable: true, configurable: true });
    }
    const out: CsvRow = {
      row,
      cells,
      missing: fields.length < n ? columns.slice(fields.length) : [],
      extra: fields.length > n ? fields.length - n : 0,
      end,
    };
    if (quote) {
      out.problem = {
        code: 'STRAY_QUOTE',
        message: `row ${row}: line ${quote.line}, ${columnName(columns, quote.column)}: ${QUOTE_PROBLEMS[quote.kind]}; ${QUOTE_HINT}`,
      };
    } else if (out.extra > 0) {
      const d = this.delimiter === '\t' ? 'tab' : this.delimiter;
      out.problem = {
        code: 'EXTRA_CELLS',
        message: `row ${row}: ${fields.length} cells, but the header has ${n} columns: cells past column ${n} would be lost; quote cells that hold a '${d}', or name the extra column in the header`,
      };
    }
    return out;
  }

  /** Parses input until a record is queued, the input ends, or something fails. */
  private async fill(): Promise<void> {
    while (this.head === this.queue.length && this.failure === undefined && !this.parsedAll && !this.closed) {
      if (this.queue.length !== 0) this.queue.length = this.head = 0;
      let chunk = await this.nextChunk();
      if (chunk === undefined) break;
      if (chunk !== null && chunk.length > SLICE_BYTES) {
        // A huge chunk would queue all its records at once: parse it a slice at a time.
        this.pending = chunk.subarray(SLICE_BYTES);
        chunk = chunk.subarray(0, SLICE_BYTES);
      }
      if (chunk === null) await this.finish();
      else if (chunk.length > 0) {
        this.lines.push(chunk);
        await this.pump(chunk);
      }
    }
  }

  /**
   * The next bytes to parse: the head, the rest of a large chunk, or the input's next chunk
   * (checked for UTF-8); null at the end of the input; undefined when it could not be read.
   */
  private async nextChunk(): Promise<Buffer | null | undefined> {
    if (!this.fedPrefix) {
      this.fedPrefix = true;
      return this.start.body;
    }
    if (this.pending !== undefined) {
      const chunk = this.pending;
      this.pending = undefined;
      return chunk;
    }
    if (this.ended) return null;
    let r: IteratorResult<string | Buffer>;
    try {
      r = await this.it.next();
    } catch (err) {
      this.failure = readError(this.source, err);
      return undefined;
    }
    if (r.done) {
      this.ended = true;
      return null;
    }
    const chunk = toBuffer(r.value);
    const bad = this.start.utf8.feed(chunk);
    if (bad >= 0 && this.badAt < 0) this.badAt = this.checked + bad;
    this.checked += chunk.length;
    return chunk;
  }

  /** The end of the input: the parser's last record, then a character the input cut short. */
  private async finish(): Promise<void> {
    if (this.badAt < 0 && !this.start.utf8.end()) this.badAt = this.checked - 1;
    await this.pump(null);
    this.parsedAll = true;
    if (this.badAt >= 0 && this.failure === undefined) {
      this.failure = new ValidationError(`${this.source} line ${this.lines.nextRecordLine()} is not UTF-8 text`, {
        hint: utf8Hint(this.source),
        code: 'CSV_ENCODING',
      });
    }
  }

  /** Feeds the parser one chunk (null: the end) and waits until it has parsed it. */
  private pump(chunk: Buffer | null): Promise<void> {
    const parser = this.parser;
    return new Promise<void>((resolve) => {
      let settled = false;
      const done = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        parser.off('error', done);
        if (err && this.failure === undefined) this.failure = err;
        resolve();
      };
      parser.once('error', done);
      if (chunk === null) parser.end(done);
      else parser.write(chunk, done);
    });
  }

  private translate(err: unknown): Error {
    if (err instanceof CliError) return err;
    if (err instanceof CsvError) return malformed(err, this.source, this.lines.nextRecordLine(), this.columns);
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** How to convert the input; a converted copy keeps the input's journal, so rows already sent are not sent again. */
const utf8Hint = (source: string): string =>
  source === 'stdin'
    ? 'send UTF-8 text ("CSV UTF-8" in Excel, or pipe it through: iconv -f WINDOWS-1252 -t UTF-8)'
    : `save the file as UTF-8 ("CSV UTF-8" in Excel, or: iconv -f WINDOWS-1252 -t UTF-8 ${source} > utf8.csv), then run bulk on it with --journal ${source}.journal (or the --journal you gave) so that rows already sent are not sent again`;

function toBuffer(chunk: string | Buffer | Uint8Array): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function readError(source: string, err: unknown): Error {
  if (err instanceof CliError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && e.syscall) {
    return new UsageError(`cannot read ${source}: ${fileProblem(err)}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * Checks a byte stream for UTF-8 validity chunk by chunk (a character may be split between
 * chunks): `feed` gives the index in the chunk of the first invalid byte, or -1; `end` says
 * whether the stream ended on a whole character. Valid chunks are checked at native speed
 * (buffer.isUtf8); only an invalid one is scanned to find where.
 */
export class Utf8Check {
  /** The start of a character that the previous chunk cut (0 to 3 bytes). */
  private carry: Buffer = Buffer.alloc(0);
  /** Set once a bad byte is found: later chunks are not checked. */
  private bad = false;

  feed(chunk: Buffer): number {
    if (this.bad) return -1;
    const carried = this.carry.length;
    const data = carried === 0 ? chunk : Buffer.concat([this.carry, chunk]);
    const cut = incompleteTail(data);
    const whole = cut === 0 ? data : data.subarray(0, data.length - cut);
    if (isUtf8(whole)) {
      this.carry = cut === 0 ? Buffer.alloc(0) : Buffer.from(data.subarray(data.length - cut));
      return -1;
    }
    this.bad = true;
    return Math.max(0, firstInvalidUtf8(whole) - carried);
  }

  end(): boolean {
    return this.bad || this.carry.length === 0;
  }
}

/** How many bytes at the end of `b` begin a character that needs more bytes than are there. */
function incompleteTail(b: Uint8Array): number {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const c = b[b.length - k]!;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}

/** Index of the first byte that is not part of a valid UTF-8 character (b.length when none). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // past U+10FFFF
    } else return i;
    if (i + n >= b.length) return i;
    const second = b[i + 1]!;
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= n; k++) {
      const x = b[i + k]!;
      if (x < 0x80 || x > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}

/** 1-based line of a byte index (CRLF, LF and CR each end a line). */
function lineAtByte(bytes: Uint8Array, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 10) line++;
    else if (c === 13) {
      line++;
      if (bytes[i + 1] === 10) i++;
    }
  }
  return line;
}

const QUOTE_PROBLEMS = {
  stray: 'a " inside a cell that does not start with one',
  afterClose: 'text after the closing " of a quoted cell',
} as const;

const QUOTE_HINT = 'a cell with a " must be quoted whole, with each " inside it doubled: "say ""hi"", Ana"';

/** `column 2 ('name')`, or `column 5` past the header. */
function columnName(columns: readonly string[], column: number): string {
  const name = columns[column - 1];
  return name === undefined ? `column ${column}` : `column ${column} ('${name}')`;
}

/**
 * The delimiter of the header line (the first non-blank line): the most frequent of `,` `;` tab
 * `|` outside quotes. A tie, or none at all (a one-column file), gives `,`.
 */
export function detectDelimiter(bytes: Uint8Array): Delimiter {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 10 || bytes[i] === 13)) i++;
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let pipe = 0;
  let quoted = false;
  for (; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x22) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 10 || c === 13) break;
    else if (c === 0x2c) comma++;
    else if (c === 0x3b) semicolon++;
    else if (c === 0x09) tab++;
    else if (c === 0x7c) pipe++;
  }
  const best = Math.max(comma, semicolon, tab, pipe);
  if (best === 0 || comma === best) return ',';
  const winners = [semicolon === best, tab === best, pipe === best].filter(Boolean).length;
  if (winners > 1) return ',';
  return semicolon === best ? ';' : tab === best ? '\t' : '|';
}

function isBlankRecord(fields: string[]): boolean {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.length !== 0 && f.trim().length !== 0) return false;
  }
  return true;
}

function headerColumns(fields: string[], source: string): string[] {
  const columns = fields.map((f) => f.trim());
  const seen = new Set<string>();
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!;
    if (name === '') {
      throw new UsageError(`column ${i + 1} of the header is empty (${source})`, {
        hint: 'give every column a name in the first row, or remove the empty column',
      });
    }
    if (seen.has(name)) {
      throw new UsageError(`column '${name}' appears twice in the header (${source})`, {
        hint: 'rename one of them: placeholders {{column}} need unique names',
      });
    }
    seen.add(name);
  }
  return columns;
}

function malformed(err: CsvError, source: string, line: number, columns: readonly string[] | undefined): ValidationError {
  let what: string;
  const field = (err as CsvError & { column?: unknown }).column;
  const at = typeof field === 'number' ? ` in ${columnName(columns ?? [], field + 1)}` : '';
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      what = `has a quoted field that is never closed (a " with no closing "${at})`;
      break;
    case 'CSV_MAX_RECORD_SIZE':
      what = `is longer than ${MAX_RECORD_SIZE} characters: a quoted field is probably never closed${at ? ` (the last one read is${at.slice(3)})` : ''}`;
      break;
    default:
      what = `cannot be read: ${err.message}`;
  }
  return new ValidationError(`${source}: the record starting on line ${line} ${what}`, {
    code: 'CSV_MALFORMED',
    hint: 'fix the file and run the same command again: rows already done are not sent twice',
    cause: err,
  });
}

// LineTracker's quote states within a record.
const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
const QUOTE_IN_QUOTED = 3;
const CLOSED = 4;
/** A problem was found: the rest of the record is not checked. */
const CHECKED = 5;

/**
 * Turns csv-parse's byte counts into editor line numbers. It sees the same bytes as the parser
 * (after the BOM), in order; `record(end)` is called as each record is parsed, with the byte
 * offset just past it (its line break included), and returns the line where it starts: the first
 * byte after the previous record that is not a line break (blank lines before a record belong to
 * it in csv-parse's count). Chunks behind the cursor are dropped, so it holds only what the
 * parser has not consumed yet.
 */
class LineTracker {
  /** The first quote RFC 4180 does not allow in the last record, with its line and column (1-based). */
  quoteProblem: { kind: 'stray' | 'afterClose'; line: number; column: number } | undefined;
  private chunks: Buffer[] = [];
  /** Index into chunks[0] of the cursor. */
  private at = 0;
  /** Absolute byte offset of the cursor. */
  private pos = 0;
  /** Line breaks before the cursor. */
  private breaks = 0;
  /** The byte before the cursor was CR (a following LF belongs to it). */
  private afterCR = false;

  /** `delimiter`: the delimiter's byte (quotes are checked against field boundaries). */
  constructor(private readonly delimiter: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  record(end: number): number {
    this.skipBreaks();
    const line = this.breaks + 1;
    this.advance(end);
    return line;
  }

  /** The line where the next record starts (for errors). */
  nextRecordLine(): number {
    let breaks = this.breaks;
    let afterCR = this.afterCR;
    for (let k = 0, i = this.at; k < this.chunks.length; k++, i = 0) {
      const c = this.chunks[k]!;
      for (; i < c.length; i++) {
        const b = c[i];
        if (b === 10) {
          if (!afterCR) breaks++;
          afterCR = false;
        } else if (b === 13) {
          breaks++;
          afterCR = true;
        } else return breaks + 1;
      }
    }
    return breaks + 1;
  }

  private skipBreaks(): void {
    while (this.chunks.length > 0) {
      const c = this.chunks[0]!;
      while (this.at < c.length) {
        const b = c[this.at];
        if (b === 10) {
          if (!this.afterCR) this.breaks++;
          this.afterCR = false;
        } else if (b === 13) {
          this.breaks++;
          this.afterCR = true;
        } else return;
        this.at++;
        this.pos++;
      }
      this.chunks.shift();
      this.at = 0;
    }
  }

  /**
   * Moves the cursor past a record, counting its line breaks and checking its quotes (RFC 4180:
   * a `"` only opens a cell, as its first character, and a closing `"` is followed by a delimiter
   * or the end of the record; `""` inside a quoted cell is a quote).
   */
  private advance(end: number): void {
    let breaks = this.breaks;
    let afterCR = this.afterCR;
    const d = this.delimiter;
    let state = FIELD_START;
    let column = 1;
    this.quoteProblem = undefined;
    while (this.pos < end && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const stop = Math.min(c.length, this.at + (end - this.pos));
      for (let i = this.at; i < stop; i++) {
        const b = c[i];
        if (b === 10) {
          if (!afterCR) breaks++;
          afterCR = false;
        } else if (b === 13) {
          breaks++;
          afterCR = true;
        } else afterCR = false;
        switch (state) {
          case FIELD_START:
            if (b === 0x22) state = QUOTED;
            else if (b === d) column++;
            else if (b !== 10 && b !== 13) state = UNQUOTED;
            break;
          case UNQUOTED:
            if (b === d) {
              column++;
              state = FIELD_START;
            } else if (b === 0x22) {
              this.quoteProblem = { kind: 'stray', line: breaks + 1, column };
              state = CHECKED;
            }
            break;
          case QUOTED:
            if (b === 0x22) state = QUOTE_IN_QUOTED;
            break;
          case QUOTE_IN_QUOTED: // a `"` in a quoted cell: `""`, or the closing quote
          case CLOSED:
            if (b === 0x22 && state === QUOTE_IN_QUOTED) state = QUOTED;
            else if (b === d) {
              column++;
              state = FIELD_START;
            } else if (b === 10 || b === 13) state = CLOSED;
            else {
              this.quoteProblem = { kind: 'afterClose', line: breaks + 1, column };
              state = CHECKED;
            }
            break;
        }
      }
      this.pos += stop - this.at;
      if (stop === c.length) {
        this.chunks.shift();
        this.at = 0;
      } else this.at = stop;
    }
    this.breaks = breaks;
    this.afterCR = afterCR;
  }
}
