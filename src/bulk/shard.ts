/**
 * Splitting a bulk run by recipient (PRODUCT.md, Scale): `--shard I/N` takes only the rows whose
 * recipient hashes to shard I of N, and `--profile a,b,c` sends each recipient through the
 * profile its hash picks. The hash is SHA-256 of the recipient's normalized digits: the same on
 * every run and machine, and the same wherever the row sits in the file, so an edited or
 * re-sorted CSV keeps its split. A recipient that is not a valid number is hashed as written
 * (trimmed): its row still lands in exactly one shard, which reports it failed.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CountryCode } from 'libphonenumber-js/core';
import { UsageError } from '../errors.js';
import { normalizeRecipient } from '../message/recipient.js';
import type { CsvRow } from './types.js';

export interface Shard {
  /** 1-based, as given. */
  index: number;
  count: number;
}

/** `--shard 2/3` → { index: 2, count: 3 }; anything else is a UsageError naming the flag. */
export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard takes I/N with 1 ≤ I ≤ N (like 1/3, 2/3, 3/3), got '${raw}'`, {
      hint: 'shards are numbered from 1; in a Kubernetes Indexed Job use --shard $((JOB_COMPLETION_INDEX+1))/N',
    });
  }
  return { index, count };
}

/** The recipient as the split sees it: normalized digits, or the cell as written when it is no number. */
export function recipientKey(cell: string | undefined, country: CountryCode | undefined): string {
  if (cell === undefined) return '';
  try {
    return normalizeRecipient(cell, country);
  } catch {
    return cell.trim();
  }
}

/**
 * The recipient's hash as two independent numbers: `shard` (for --shard) and `lane` (for a pool
 * of profiles), so that within one shard the recipients still spread over every profile.
 */
export function recipientHash(key: string): { shard: number; lane: number } {
  const d = createHash('sha256').update(key).digest();
  return { shard: d.readUInt32BE(0), lane: d.readUInt32BE(4) };
}

/** 0-based bucket of `hash` among `n` (shard I of N is bucket I-1). */
export const bucket = (hash: number, n: number): number => hash % n;

/**
 * The rows of this shard, streamed; `others.count` counts the rows left to the other shards. A
 * row without the recipient column (or a malformed one) is placed by what it has, so exactly one
 * shard reports it. Each row keeps its recipient's `lane`: a pool picks its sender by it without
 * hashing the recipient again (poolPicker).
 */
export function shardRows(
  rows: AsyncIterable<CsvRow>,
  shard: Shard,
  toColumn: string,
  country: CountryCode | undefined,
  others: { count: number },
): AsyncIterable<CsvRow> {
  if (shard.count === 1) return rows;
  const mine = shard.index - 1;
  return {
    async *[Symbol.asyncIterator]() {
      for await (const row of rows) {
        const cell = Object.hasOwn(row.cells, toColumn) ? row.cells[toColumn] : undefined;
        const hash = recipientHash(recipientKey(cell, country));
        if (bucket(hash.shard, shard.count) !== mine) {
          others.count++;
          continue;
        }
        if (cell !== undefined) row.lane = hash.lane;
        yield row;
      }
    },
  };
}

/** `contacts.csv` + 2/3 → `contacts.csv.shard-2-of-3.journal`. */
export const shardJournalPath = (input: string, shard: Shard): string => `${input}.shard-${shard.index}-of-${shard.count}.journal`;

/**
 * Journals beside `journalPath` that record a run of the same input split another way: each split
 * keeps its own journal (`<csv>.journal`, `<csv>.shard-I-of-N.journal`), so a run split into M
 * shards cannot see what a run split into N sent, and would send it again. The journals of other
 * splits that recorded a request, each with the split it names ('' for none); only for journals
 * named like the defaults (`<stem>.journal`, `<stem>.shard-I-of-N.journal`).
 */
export function otherSplitJournals(journalPath: string, shard: Shard | undefined): { path: string; split: string }[] {
  const name = basename(journalPath);
  const m = /^(.+)\.shard-\d+-of-\d+\.journal$/.exec(name) ?? /^(.+)\.journal$/.exec(name);
  if (!m) return [];
  const stem = m[1]!;
  const dir = dirname(journalPath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: { path: string; split: string }[] = [];
  for (const other of names) {
    let split: string;
    if (other === `${stem}.journal`) split = '';
    else {
      const s = /^(.+)\.shard-(\d+)-of-(\d+)\.journal$/.exec(other);
      if (!s || s[1] !== stem) continue;
      split = `${s[2]}/${s[3]}`;
      if (shard !== undefined && Number(s[3]) === shard.count) continue; // a sibling shard of this split
    }
    if (split === '' && shard === undefined) continue; // this run's own journal
    const path = join(dir, other);
    if (recordsARequest(path)) found.push({ path, split });
  }
  return found.sort((x, y) => (x.path < y.path ? -1 : 1));
}

/** True when a journal has an intent or an outcome line (not only its header) in its first 64 KiB. */
function recordsARequest(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    return text.includes('"t":"intent"') || text.includes('"t":"done"');
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
