/**
 * Rendering of collected data: tables for people, JSON for scripts. Commands compute plain data
 * and hand it here (collect, then print).
 */
import type { Io } from './io.js';
import { style } from './style.js';
import { jsonText, plainText } from './sanitize.js';

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
  /** Low value: dropped (last such column first) when the table is wider than the terminal. */
  optional?: boolean;
}

const width = (s: string): number => {
  // Code points, with wide emoji counting as two columns (good enough for tables of names/ids).
  let w = 0;
  for (const ch of s) w += /\p{Extended_Pictographic}/u.test(ch) ? 2 : /\p{Mark}/u.test(ch) ? 0 : 1;
  return w;
};

const cell = (v: unknown): string =>
  v === undefined || v === null ? '' : plainText(typeof v === 'object' ? JSON.stringify(v) : String(v).replace(/\s*\n\s*/g, ' '));

/** `s` cut to `max` columns, ending in `…` when cut. */
export function truncate(s: string, max: number): string {
  if (width(s) <= max) return s;
  let out = '';
  let w = 0;
  for (const ch of s) {
    const cw = width(ch);
    if (w + cw > max - 1) break;
    out += ch;
    w += cw;
  }
  return out + '…';
}

const GAP = 2;
/** The narrowest a column is cut to (its header stays whole when shorter). */
const MIN_COLUMN = 6;

/**
 * Columns and widths that fit `maxWidth`: optional columns go first (the last one first), then
 * the widest column is narrowed, one column at a time, down to MIN_COLUMN.
 */
function fit(widths: number[], columns: readonly Column<unknown>[], maxWidth: number): { keep: number[]; widths: number[] } {
  let keep = columns.map((_, i) => i);
  const w = [...widths];
  const total = () => keep.reduce((sum, i) => sum + w[i]!, 0) + GAP * (keep.length - 1);
  for (let i = columns.length - 1; i >= 0 && total() > maxWidth; i--) {
    if (columns[i]!.optional) keep = keep.filter((k) => k !== i);
  }
  while (total() > maxWidth) {
    const widest = keep.reduce((a, b) => (w[b]! > w[a]! ? b : a));
    const floor = Math.min(widths[widest]!, Math.max(MIN_COLUMN, width(columns[widest]!.header)));
    if (w[widest]! <= floor) break;
    w[widest] = Math.max(floor, w[widest]! - (total() - maxWidth));
  }
  return { keep, widths: w };
}

/**
 * A plain aligned table; the header row is bold when color is on. With `maxWidth` (the
 * terminal's columns) it never wraps: low-value columns are dropped and long cells cut with `…`.
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], color = false, maxWidth?: number): string {
  let cells = rows.map((r) => columns.map((c) => cell(c.value(r))));
  let heads = columns.map((c) => c.header.toUpperCase());
  let widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((row) => width(row[i]!))));
  if (maxWidth !== undefined && maxWidth > 0) {
    const fitted = fit(widths, columns as readonly Column<unknown>[], maxWidth);
    const pickCols = <V>(values: V[]) => fitted.keep.map((i) => values[i]!);
    widths = pickCols(fitted.widths);
    heads = pickCols(heads).map((h, i) => truncate(h, widths[i]!));
    cells = cells.map((row) => pickCols(row).map((v, i) => truncate(v, widths[i]!)));
  }
  const line = (values: string[]) => {
    const text = values
      .map((v, i) => (i === values.length - 1 ? v : v + ' '.repeat(widths[i]! - width(v))))
      .join(' '.repeat(GAP))
      .trimEnd();
    // Too many columns even at their narrowest: the line is cut, never wrapped.
    return maxWidth !== undefined && maxWidth > 0 ? truncate(text, maxWidth) : text;
  };
  return [style(color).bold(line(heads)), ...cells.map(line)].join('\n') + '\n';
}

/**
 * How wide a table may be: the terminal's columns when stdout is one (else $COLUMNS when set);
 * undefined (no limit) in a pipe without $COLUMNS or on a terminal that reports no width.
 */
export function tableWidth(io: Io): number | undefined {
  const fromEnv = Number(io.env.COLUMNS);
  const columns = io.isStdoutTTY && (io.stdout.columns ?? 0) > 0 ? io.stdout.columns! : fromEnv;
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/** `key  value` lines, keys aligned (bold when color is on); with `maxWidth`, long values cut with `…`. */
export function renderRecord(pairs: readonly [string, unknown][], color = false, maxWidth?: number): string {
  const shown = pairs.map(([k, v]) => [k, cell(v)] as const);
  const keyWidth = Math.max(0, ...shown.map(([k]) => width(k)));
  const bold = style(color).bold;
  const room = maxWidth !== undefined && maxWidth > 0 ? Math.max(MIN_COLUMN, maxWidth - keyWidth - GAP) : undefined;
  return (
    shown.map(([k, v]) => `${bold(k)}${' '.repeat(keyWidth - width(k) + GAP)}${room ? truncate(v, room) : v}`.trimEnd()).join('\n') + '\n'
  );
}

/**
 * One result: a one-row table when it fits the terminal, else `key  value` lines (a long id
 * stays whole rather than being cut to fit a column).
 */
export function printOne<T>(io: Io, row: T, columns: readonly Column<T>[]): void {
  const max = tableWidth(io);
  const fits =
    max === undefined ||
    renderTable([row], columns)
      .split('\n')
      .every((l) => width(l) <= max);
  if (fits) io.out(renderTable([row], columns, io.color));
  else
    io.out(
      renderRecord(
        columns.map((c) => [c.header, c.value(row)]),
        io.color,
        max,
      ),
    );
}

export function printTable<T>(io: Io, rows: readonly T[], columns: readonly Column<T>[]): void {
  io.out(renderTable(rows, columns, io.color, tableWidth(io)));
}

/**
 * `--json id,status`: only those fields of a result, in that order (of each item, for an array).
 * A field the result does not have is left out, as it is from the whole result.
 */
export function pick(value: unknown, fields: readonly string[] | undefined): unknown {
  if (fields === undefined || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => pick(item, fields));
  const picked: Record<string, unknown> = {};
  for (const field of fields) if (Object.hasOwn(value, field)) picked[field] = (value as Record<string, unknown>)[field];
  return picked;
}

/** One JSON document on stdout, pretty on a TTY, compact in a pipe; only `fields` when given. */
export function printJson(io: Io, value: unknown, fields?: readonly string[]): void {
  const shown = pick(value, fields);
  io.out(jsonText(shown, io.isStdoutTTY ? 2 : undefined) + '\n');
}

/** One result as a JSON line (streams: bulk rows, --all pages, events); only `fields` when given. */
export function jsonLine(value: unknown, fields?: readonly string[]): string {
  return jsonText(pick(value, fields)) + '\n';
}
