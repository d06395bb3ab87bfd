/**
 * Shared shapes of `interflow bulk`: CSV rows in, one outcome per row out, and the journal that
 * makes a rerun resume without sending anything twice.
 */

import type { ErrorClassId } from '../providers/error-classes.js';

/** How a row ended (README.md, Bulk sends). */
export type RowStatus = 'sent' | 'failed' | 'skipped' | 'unknown';

export interface RowError {
  /** HTTP status when a provider answered. */
  status?: number;
  /** Provider or CLI code: CHANNEL_DISCONNECTED, 131047, VALIDATION, MISSING_COLUMN, NO_RESPONSE, … */
  code: string;
  message: string;
  /** The provider surely did not accept it (connect failure, 429, 503, interrupted): a rerun sends it. */
  retryable?: boolean;
  /** How to fix it, for provider refusals we recognize. */
  hint?: string;
}

/** One line of `bulk --json`: `{"row":2,"to":"5511…","status":"sent","id":"…","error":{…}}`. */
export interface RowOutcome {
  /** The line of the input where the record starts (the header is line 1), as an editor shows it. */
  row: number;
  /** Normalized recipient, when the row had a valid one. */
  to?: string;
  status: RowStatus;
  /** The provider's message id, when sent. */
  id?: string;
  /** Why a row failed, is unknown, or was skipped (skipped: code 'DUPLICATE' / 'JOURNAL' …). */
  error?: RowError;
  /** Requests made for this row in this run (0 when reported from the journal). */
  attempts?: number;
  /** The profile that sent it, in a pool of senders (`--profile a,b`). */
  profile?: string;
  /** true when the outcome was read from the journal of an earlier run, not produced now. */
  fromJournal?: boolean;
  /**
   * The runner's own: the error class of a provider's refusal (src/providers/error-classes.ts),
   * as classified when the answer came. Never printed, journaled or written to --output.
   */
  errorClass?: ErrorClassId;
}

/** A data record from the CSV: every cell a string, keyed by header name. */
export interface CsvRow {
  /** The line where the record starts (header = line 1; blank lines counted, as an editor shows). */
  row: number;
  /** Cells by column name. Columns missing from a short row are absent (not ''). */
  cells: Record<string, string>;
  /** Header columns this record did not have (a short row), in header order. */
  missing: string[];
  /** Cells beyond the header (a long row): their count. */
  extra: number;
  /**
   * Why this record cannot be sent as read, when it is malformed but the records after it can
   * still be read: more cells than the header (EXTRA_CELLS), a quote RFC 4180 does not allow
   * (STRAY_QUOTE). The message starts with `row N:` and names the line and column.
   */
  problem?: { code: 'EXTRA_CELLS' | 'STRAY_QUOTE'; message: string };
  /** Bytes of the input read through the end of this record (progress through a file). */
  end: number;
  /** The recipient's pool lane (src/bulk/shard.ts), when --shard hashed the recipient already. */
  lane?: number;
}

export interface CsvSource {
  /** Header names in order (BOM stripped, trimmed). */
  columns: string[];
  /** The delimiter used (detected from the header line unless given). */
  delimiter: ',' | ';' | '\t' | '|';
  /** SHA-256 (hex) of the input's first 64 KiB: identifies the input for the journal. */
  fingerprint: string;
  /** Data records in order, streamed (memory stays flat whatever the size). */
  rows: AsyncIterable<CsvRow> & Partial<QueuedRows>;
}

/**
 * Rows that can also be taken without a promise when they are parsed already: a bulk run takes
 * thousands a second, and a promise a row through the async iterator is a good part of its cost.
 */
export interface QueuedRows {
  /**
   * The next row when it is parsed already, else undefined: then the iterator gives it (waiting
   * for the input), or ends, or throws. Rows come in order whichever way they are taken.
   */
  takeQueued(): CsvRow | undefined;
}

/** What the journal remembers of a row from earlier runs. */
export interface JournalEntry {
  /** The request was about to go out (intent written) but no outcome was recorded. */
  inFlight: boolean;
  /** The recorded outcome, if any. */
  outcome?: RowOutcome;
}
