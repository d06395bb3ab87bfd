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
}

const width = (s: string): number => {
  // Code points, with wide emoji counting as two columns (good enough for tables of names/ids).
  let w = 0;
  for (const ch of s) w += /\p{Extended_Pictographic}/u.test(ch) ? 2 : /\p{Mark}/u.test(ch) ? 0 : 1;
  return w;
};

const cell = (v: unknown): string =>
  v === undefined || v === null ? '' : plainText(typeof v === 'object' ? JSON.stringify(v) : String(v).replace(/\s*\n\s*/g, ' '));

/** A plain aligned table; the header row is bold when color is on. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], color = false): string {
  const cells = rows.map((r) => columns.map((c) => cell(c.value(r))));
  const widths = columns.map((c, i) => Math.max(width(c.header), ...cells.map((row) => width(row[i]!))));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v + ' '.repeat(widths[i]! - width(v))))
      .join('  ')
      .trimEnd();
  const head = line(columns.map((c) => c.header.toUpperCase()));
  return [style(color).bold(head), ...cells.map(line)].join('\n') + '\n';
}

export function printTable<T>(io: Io, rows: readonly T[], columns: readonly Column<T>[]): void {
  io.out(renderTable(rows, columns, io.color));
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
