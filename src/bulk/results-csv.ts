/**
 * `bulk --output results.csv`: one CSV line per row outcome, by csv-stringify. Columns, in order:
 * row, to, status, id, error_code, error_message (README.md, Bulk sends); with a pool of senders
 * (`--profile a,b`), row, to, status, profile, id, error_code, error_message. Cells are quoted when
 * they hold a comma, a quote or a line break, and a cell a spreadsheet would run as a formula
 * (starting with =, +, -, @, a tab or a carriage return, or their full-width forms) gets a leading
 * apostrophe (csv-stringify's `escape_formulas`, after OWASP's CSV injection advice).
 */
import { stringify } from 'csv-stringify/sync';
import type { RowOutcome } from './types.js';

export const RESULTS_CSV_COLUMNS = ['row', 'to', 'status', 'id', 'error_code', 'error_message'] as const;

// A lone carriage return inside a cell is quoted too (quote_record_delimiter), as RFC 4180 asks.
const options = { escape_formulas: true, record_delimiter: 'unix', quote_record_delimiter: true } as const;

/** The header line, newline included. */
export const RESULTS_CSV_HEADER = stringify([RESULTS_CSV_COLUMNS as unknown as string[]], options);

/** One outcome as a CSV line, newline included. */
export function resultsCsvLine(o: RowOutcome): string {
  return stringify([[String(o.row), o.to ?? '', o.status, o.id ?? '', o.error?.code ?? '', o.error?.message ?? '']], options);
}

/** A pool's columns: the profile each row went through, after its status (as in the --json lines). */
export const POOL_RESULTS_CSV_COLUMNS = ['row', 'to', 'status', 'profile', 'id', 'error_code', 'error_message'] as const;

export const POOL_RESULTS_CSV_HEADER = stringify([POOL_RESULTS_CSV_COLUMNS as unknown as string[]], options);

/** One outcome of a pool's run as a CSV line, newline included. */
export function poolResultsCsvLine(o: RowOutcome): string {
  return stringify(
    [[String(o.row), o.to ?? '', o.status, o.profile ?? '', o.id ?? '', o.error?.code ?? '', o.error?.message ?? '']],
    options,
  );
}
