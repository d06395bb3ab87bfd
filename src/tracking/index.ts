/**
 * Reading the tracking store (./store.ts): one pass over every segment into compact per-message
 * arrays, keyed by a 64-bit hash of the provider's message id, without making a string per line.
 * Records are applied in batches of 64: their reads of the hash table (random, tens of MiB) are
 * made first in a tight loop, so that the cache misses overlap; order changes nothing anyway.
 *
 * A message's latest status is the furthest along: read > failed > delivered > sent. A read proves
 * the message arrived, so it overrides a failure; a failure stands against delivered and sent.
 * Each status is a bit (and the earliest time it was seen), so repeats and order change nothing,
 * and a status that arrived before its message (a webhook faster than the send's record) counts
 * once the message is there.
 *
 * Lines as ./store.ts writes them are read in place (bytes); anything else (an escaped id, a
 * hand-edited line) through JSON.parse; a line neither reads is skipped and counted.
 */
import { statSync } from 'node:fs';
import { listSegments, parseLine, readRecordAt, scanSegments } from './store.js';

export const SENT = 1;
export const DELIVERED = 2;
export const READ = 4;
export const FAILED = 8;

export type LatestStatus = 'read' | 'failed' | 'delivered' | 'sent' | 'none';
export const LATEST_STATUSES: readonly LatestStatus[] = ['read', 'delivered', 'sent', 'failed', 'none'];

export function latestOf(bits: number): LatestStatus {
  if (bits & READ) return 'read';
  if (bits & FAILED) return 'failed';
  if (bits & DELIVERED) return 'delivered';
  if (bits & SENT) return 'sent';
  return 'none';
}

const STATUS_BITS: Record<string, number> = { sent: SENT, delivered: DELIVERED, read: READ, failed: FAILED };

/** Strings seen often (campaigns, templates, error codes), numbered once. */
class Interner {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(s);
      this.ids.set(s, i);
    }
    return i;
  }
  find(s: string): number | undefined {
    return this.ids.get(s);
  }

  private readonly byHash = new Map<number, number>();
  private readonly bytes: Buffer[] = [];
  /**
   * The id of the UTF-8 text in buf[start, end), without making a string when it was seen before
   * (names repeat on every line): found by a hash of the bytes, then compared byte for byte.
   */
  idOfBytes(buf: Buffer, start: number, end: number): number {
    let h = 0x811c9dc5 ^ (end - start);
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const known = this.byHash.get(h);
    if (known !== undefined) {
      const b = this.bytes[known];
      if (b !== undefined && b.length === end - start) {
        let i = 0;
        while (i < b.length && b[i] === buf[start + i]) i++;
        if (i === b.length) return known;
      }
    }
    const id = this.id(buf.toString('utf8', start, end));
    if (known === undefined) {
      this.byHash.set(h, id);
      this.bytes[id] = Buffer.from(buf.subarray(start, end));
    }
    return id;
  }
}

/**
 * A 64-bit key of an id's UTF-8 bytes buf[start, end), into out[0] and out[1]: two murmur3-style
 * 32-bit hashes over the same 4-byte words, with different constants (a collision among a million
 * ids has odds of about 1 in 36 million). Raw line bytes (`raw`): false when they hold a backslash
 * (an escaped JSON string, hashed from its decoded text instead).
 */
function hashBytes(buf: Uint8Array, start: number, end: number, out: Uint32Array, raw = true): boolean {
  const len = end - start;
  let h1 = 0x9747b28c ^ len;
  let h2 = 0x3c6ef372 ^ len;
  let i = start;
  for (const stop = end - 3; i < stop; i += 4) {
    const b0 = buf[i]!;
    const b1 = buf[i + 1]!;
    const b2 = buf[i + 2]!;
    const b3 = buf[i + 3]!;
    if (raw && (b0 === BACKSLASH || b1 === BACKSLASH || b2 === BACKSLASH || b3 === BACKSLASH)) return false;
    const w = b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
    let k = Math.imul(w, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h1 ^= k;
    h1 = (Math.imul((h1 << 13) | (h1 >>> 19), 5) + 0xe6546b64) | 0;
    let k2 = Math.imul(w, 0x85ebca6b);
    k2 = Math.imul((k2 << 13) | (k2 >>> 19), 0xc2b2ae35);
    h2 ^= k2;
    h2 = (Math.imul((h2 << 17) | (h2 >>> 15), 5) + 0x561ccd1b) | 0;
  }
  if (i < end) {
    let w = 0;
    for (let shift = 0; i < end; i++, shift += 8) {
      const b = buf[i]!;
      if (raw && b === BACKSLASH) return false;
      w |= b << shift;
    }
    const k = Math.imul(w, 0xcc9e2d51);
    h1 ^= Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    const k2 = Math.imul(w, 0x85ebca6b);
    h2 ^= Math.imul((k2 << 13) | (k2 >>> 19), 0xc2b2ae35);
  }
  out[0] = fmix((h1 + h2) | 0);
  out[1] = fmix(h2 ^ h1);
  return true;
}

/** murmur3's final mix: every bit of the input moves every bit of the output. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A hash of the digits of a phone number in bytes (other characters skipped). */
function hashDigits(buf: Uint8Array | string, start: number, end: number): number {
  let a = 0x811c9dc5;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = typeof buf === 'string' ? buf.charCodeAt(i) : buf[i]!;
    if (c < 0x30 || c > 0x39) continue;
    a = Math.imul(a ^ c, 0x01000193);
    n++;
  }
  return n === 0 ? 1 : a >>> 0 || 1;
}

const scratch = new Uint32Array(2);
const encoder = new TextEncoder();
function hashString(s: string, out: Uint32Array): void {
  const bytes = encoder.encode(s);
  hashBytes(bytes, 0, bytes.length, out, false);
}

// The hash table: entries of four int32 side by side (one cache line a probe): the key's two
// halves, the slot + 1 (0: free) and the status bits seen, so that an event (they come in any
// order: a random access into a table of tens of MiB) touches the table and one time array only.
const E = 4;
const BATCH = 64;

function put4(q: Float64Array, at: number, a: number, b: number, c: number, d: number): void {
  q[at] = a;
  q[at + 1] = b;
  q[at + 2] = c;
  q[at + 3] = d;
}

/** Every message and what became of it; built by loadIndex(). */
export class TrackingIndex {
  size = 0;
  private cap = 0;
  private table = new Int32Array(0);
  private mask = 0;
  /** Status bits by slot, copied from the table by done() (read by reports in slot order). */
  private bitsBySlot = new Uint8Array(0);
  /** The send's time (ms); NaN when no msg record was seen (events only). */
  sentAt = new Float64Array(0);
  private delivered = new Float64Array(0);
  private read = new Float64Array(0);
  private last = new Float64Array(0);
  /** Interned "code\ttitle" of the failure (-1 none). */
  failure = new Int32Array(0);
  campaign = new Int32Array(0);
  template = new Int32Array(0);
  toHash = new Uint32Array(0);
  /** Where the msg record is: segment number and byte offset. */
  seg = new Int32Array(0);
  off = new Float64Array(0);

  readonly campaigns = new Interner();
  readonly templates = new Interner();
  readonly failures = new Interner();
  readonly files: string[];
  /** Lines that were not records. */
  skipped = 0;
  events = 0;
  inbound = 0;

  constructor(files: string[], expected = 1024) {
    this.files = files;
    this.grow(expected);
  }

  private grow(min: number): void {
    const cap = Math.max(1024, min);
    if (cap <= this.cap) return;
    const copy = <T extends Float64Array | Int32Array | Uint32Array>(old: T, make: (n: number) => T, fill?: number): T => {
      const a = make(cap);
      if (fill !== undefined) a.fill(fill as never, this.size);
      a.set(old as never);
      return a;
    };
    this.sentAt = copy(this.sentAt, (n) => new Float64Array(n), NaN);
    this.delivered = copy(this.delivered, (n) => new Float64Array(n), NaN);
    this.read = copy(this.read, (n) => new Float64Array(n), NaN);
    this.last = copy(this.last, (n) => new Float64Array(n), NaN);
    this.failure = copy(this.failure, (n) => new Int32Array(n), -1);
    this.campaign = copy(this.campaign, (n) => new Int32Array(n), -1);
    this.template = copy(this.template, (n) => new Int32Array(n), -1);
    this.toHash = copy(this.toHash, (n) => new Uint32Array(n));
    this.seg = copy(this.seg, (n) => new Int32Array(n), -1);
    this.off = copy(this.off, (n) => new Float64Array(n));
    this.cap = cap;
    let entries = 1024;
    while (entries < cap * 1.5) entries *= 2;
    const old = this.table;
    this.table = new Int32Array(entries * E);
    this.mask = entries - 1;
    for (let at = 0; at < old.length; at += E) {
      if (old[at + 2] === 0) continue;
      let i = old[at]! & this.mask;
      while (this.table[E * i + 2] !== 0) i = (i + 1) & this.mask;
      for (let k = 0; k < E; k++) this.table[E * i + k] = old[at + k]!;
    }
  }

  /** The table entry of the message with this key, made (with a new slot) when new. */
  private entryOf(h1: number, h2: number): number {
    const table = this.table;
    const key = h1 | 0;
    const key2 = h2 | 0;
    let i = h1 & this.mask;
    for (;;) {
      const at = E * i;
      if (table[at + 2] === 0) break;
      if (table[at] === key && table[at + 1] === key2) return i;
      i = (i + 1) & this.mask;
    }
    if (this.size === this.cap) {
      this.grow(Math.ceil(this.cap * 1.5));
      return this.entryOf(h1, h2);
    }
    const s = this.size++;
    table[E * i] = key;
    table[E * i + 1] = key2;
    table[E * i + 2] = s + 1;
    return i;
  }

  /** Called once the store is read: the status bits in slot order. */
  done(): this {
    this.flush();
    this.bitsBySlot = new Uint8Array(this.size);
    for (let at = 0; at < this.table.length; at += E) {
      const t = this.table[at + 2]!;
      if (t !== 0) this.bitsBySlot[t - 1] = this.table[at + 3]!;
    }
    return this;
  }

  /** The slot of the message with this key, made when new. */
  slot(h1: number, h2: number): number {
    const e = this.entryOf(h1, h2); // first: it may grow the table
    return this.table[E * e + 2]! - 1;
  }

  /** The slot of a message id, or -1. */
  find(id: string): number {
    hashString(id, scratch);
    const key = scratch[0]! | 0;
    const key2 = scratch[1]! | 0;
    let i = scratch[0]! & this.mask;
    for (;;) {
      const t = this.table[E * i + 2]!;
      if (t === 0) return -1;
      if (this.table[E * i] === key && this.table[E * i + 1] === key2) return t - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** The status bits seen for a slot (SENT | DELIVERED | READ | FAILED). */
  bits(s: number): number {
    return this.bitsBySlot[s]!;
  }

  /** Earliest time of a delivered status (ms; NaN when not seen). */
  deliveredAt(s: number): number {
    return this.delivered[s]!;
  }

  /** Earliest time of a read status (ms; NaN when not seen). */
  readAt(s: number): number {
    return this.read[s]!;
  }

  /** Latest time a sent or failed status was seen (ms; NaN when not seen). */
  lastAt(s: number): number {
    return this.last[s]!;
  }

  status(s: number): LatestStatus {
    return latestOf(this.bits(s));
  }

  /** The msg record of a slot, in full. */
  message(s: number): Record<string, unknown> | undefined {
    const seg = this.seg[s]!;
    return seg < 0 ? undefined : readRecordAt(this.files[seg]!, this.off[s]!);
  }

  /** The failure's code and title. */
  failureOf(s: number): { code: string; title: string } | undefined {
    const f = this.failure[s]!;
    if (f < 0) return undefined;
    const [code = '', title = ''] = this.failures.values[f]!.split('\t');
    return { code, title };
  }

  /** A msg record: campaign and template are interned ids. */
  addMessage(s: number, t: number, campaign: number, template: number, toHash: number, seg: number, off: number): void {
    if (!Number.isNaN(this.sentAt[s]!) && this.sentAt[s]! <= t) return; // a repeat: the first stands
    this.sentAt[s] = t;
    this.campaign[s] = campaign;
    this.template[s] = template;
    this.toHash[s] = toHash;
    this.seg[s] = seg;
    this.off[s] = off;
  }

  /** A status of the message with this key (code and title: of a failure). */
  addEvent(h1: number, h2: number, bit: number, t: number, code?: string, title?: string): void {
    this.events++;
    if (bit === 0) return;
    const e = this.entryOf(h1, h2);
    this.apply(e, bit, t);
    if (bit === FAILED && (code !== undefined || title !== undefined)) {
      // The first failure seen stays (repeats carry the same).
      const s = this.table[E * e + 2]! - 1;
      if (this.failure[s]! < 0) this.failure[s] = this.failures.id(`${code ?? ''}\t${(title ?? '').replace(/\t/g, ' ')}`);
    }
  }

  private apply(e: number, bit: number, t: number): void {
    const at = E * e;
    this.table[at + 3] |= bit;
    const s = this.table[at + 2]! - 1;
    if (bit === DELIVERED) {
      if (!(this.delivered[s]! <= t)) this.delivered[s] = t;
    } else if (bit === READ) {
      if (!(this.read[s]! <= t)) this.read[s] = t;
    } else if (!(this.last[s]! >= t)) this.last[s] = t;
  }

  // Statuses without a failure's details wait here, BATCH at a time: order changes nothing (bits
  // and earliest/latest times), and a batch's random reads of the table and the time arrays are
  // made first in a tight loop of independent loads, so that their cache misses overlap instead
  // of following one another.
  /** Queued statuses, 4 numbers each: key 1, key 2, bit, time. */
  private readonly events4 = new Float64Array(BATCH * 4);
  private nevents = 0;
  private readonly eventEntry = new Int32Array(BATCH);
  /** Queued messages, 8 numbers each: key 1, key 2, time, campaign, template, to, segment, offset. */
  private readonly msgs8 = new Float64Array(BATCH * 8);
  private nmsgs = 0;
  /** Where the touched values go (so that the loads are not optimized away). */
  touched = 0;

  /** addEvent() for a status without details, applied in batches (see flush()). */
  queueEvent(h1: number, h2: number, bit: number, t: number): void {
    this.events++;
    if (bit === 0) return;
    put4(this.events4, 4 * this.nevents++, h1, h2, bit, t);
    if (this.nevents === BATCH) this.flushEvents();
  }

  /** addMessage() for the message with this key, applied in batches like statuses. */
  queueMessage(h1: number, h2: number, t: number, campaign: number, template: number, toHash: number, seg: number, off: number): void {
    const at = 8 * this.nmsgs++;
    put4(this.msgs8, at, h1, h2, t, campaign);
    put4(this.msgs8, at + 4, template, toHash, seg, off);
    if (this.nmsgs === BATCH) this.flushMessages();
  }

  /** Room for n more slots, and the table entries of n queued keys read ahead (see above). */
  private prepare(q: Float64Array, stride: number, n: number): number {
    if (this.size + n > this.cap) {
      // Room first: entries found below must stay where they are until applied.
      this.grow(Math.max(Math.ceil(this.cap * 1.5), this.size + n));
    }
    let sum = 0;
    const table = this.table;
    const mask = this.mask;
    for (let j = 0; j < n; j++) sum += table[E * (q[stride * j]! & mask)]!;
    return sum;
  }

  private flushMessages(): void {
    const n = this.nmsgs;
    this.nmsgs = 0;
    const q = this.msgs8;
    this.touched = this.prepare(q, 8, n);
    for (let at = 0; at < 8 * n; at += 8) {
      this.addMessage(this.slot(q[at]!, q[at + 1]!), q[at + 2]!, q[at + 3]!, q[at + 4]!, q[at + 5]!, q[at + 6]!, q[at + 7]!);
    }
  }

  /** Applies the queued messages and statuses. */
  flush(): void {
    this.flushMessages();
    this.flushEvents();
  }

  private flushEvents(): void {
    const n = this.nevents;
    this.nevents = 0;
    const q = this.events4;
    let sum = this.prepare(q, 4, n);
    for (let j = 0; j < n; j++) {
      const e = this.entryOf(q[4 * j]!, q[4 * j + 1]!);
      this.eventEntry[j] = e;
      const s = this.table[E * e + 2]! - 1;
      const bit = q[4 * j + 2]!;
      sum += bit === DELIVERED ? this.delivered[s]! : bit === READ ? this.read[s]! : this.last[s]!;
    }
    for (let j = 0; j < n; j++) this.apply(this.eventEntry[j]!, q[4 * j + 2]!, q[4 * j + 3]!);
    this.touched = sum;
  }
}

/** Digits of a phone number, hashed (for --to): '+55 11 9…' and '5511 9…' are the same. */
export function hashTo(to: string): number {
  return hashDigits(to, 0, to.length);
}

// ---------------------------------------------------------------------------------------------
// The line reader: lines as ./store.ts writes them, read in place.

const MSG_PREFIX = Buffer.from('{"k":"msg","id":"');
const EV_PREFIX = Buffer.from('{"k":"ev","id":"');
const IN_PREFIX = Buffer.from('{"k":"in",');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function hasPrefix(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** The closing quote of a string starting at `i`, or -1 when it has an escape (or none). */
function stringEnd(buf: Buffer, i: number, end: number): number {
  const q = buf.indexOf(QUOTE, i);
  if (q < 0 || q >= end) return -1;
  for (let j = i; j < q; j++) if (buf[j] === BACKSLASH) return -1;
  return q;
}

/** The next quote (the end of a string without escapes: hashBytes refuses those), or -1. */
function quoteAt(buf: Buffer, i: number, end: number): number {
  const q = buf.indexOf(QUOTE, i);
  return q < 0 || q >= end ? -1 : q;
}

/** Expects `lit` at i; returns the index after it, or -1. */
function expect(buf: Buffer, i: number, end: number, lit: Buffer): number {
  if (i < 0 || !hasPrefix(buf, i, end, lit)) return -1;
  return i + lit.length;
}

/** A whole number at i (ms), and the index after it; -1 when none. */
function numberAt(buf: Buffer, i: number, end: number, out: Float64Array): number {
  let n = 0;
  const from = i;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  while (i < end) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
    i++;
  }
  if (i === from || (neg && i === from + 1)) return -1;
  out[0] = neg ? -n : n;
  return i;
}

const ST_FIELD = Buffer.from(',"st":"');
const T_FIELD = Buffer.from(',"t":');
const C_FIELD = Buffer.from(',"c":"');
const TPL_FIELD = Buffer.from(',"tpl":"');
const TO_FIELD = Buffer.from(',"to":"');
const num = new Float64Array(1);

/** The status's bit from its bytes (length and first letter decide; the rest is checked). */
function statusBit(buf: Buffer, start: number, end: number): number {
  switch (end - start) {
    case 4:
      if (buf[start] === 0x72 /* r */ && buf[start + 1] === 0x65 && buf[start + 2] === 0x61 && buf[start + 3] === 0x64) return READ;
      if (buf[start] === 0x73 /* s */ && buf[start + 1] === 0x65 && buf[start + 2] === 0x6e && buf[start + 3] === 0x74) return SENT;
      return 0;
    case 6:
      return hasPrefix(buf, start, end, FAILED_BYTES) ? FAILED : 0;
    case 9:
      return hasPrefix(buf, start, end, DELIVERED_BYTES) ? DELIVERED : 0;
    default:
      return 0;
  }
}
const FAILED_BYTES = Buffer.from('failed');
const DELIVERED_BYTES = Buffer.from('delivered');

function fastLine(ix: TrackingIndex, buf: Buffer, start: number, end: number, seg: number, offset: number): boolean {
  if (buf[end - 1] !== 0x7d) return false;
  if (hasPrefix(buf, start, end, EV_PREFIX)) {
    const idStart = start + EV_PREFIX.length;
    const idEnd = quoteAt(buf, idStart, end);
    if (idEnd < 0) return false;
    let i = expect(buf, idEnd + 1, end, ST_FIELD);
    if (i < 0) return false;
    const stEnd = stringEnd(buf, i, end);
    if (stEnd < 0) return false;
    const bit = statusBit(buf, i, stEnd);
    i = expect(buf, stEnd + 1, end, T_FIELD);
    if (i < 0) return false;
    i = numberAt(buf, i, end, num);
    if (i < 0) return false;
    // A failure carries its code and title: those few lines are parsed whole.
    if (bit === FAILED || !hashBytes(buf, idStart, idEnd, scratch)) return false;
    ix.queueEvent(scratch[0]!, scratch[1]!, bit, num[0]!);
    return true;
  }
  if (hasPrefix(buf, start, end, MSG_PREFIX)) {
    const idStart = start + MSG_PREFIX.length;
    const idEnd = quoteAt(buf, idStart, end);
    if (idEnd < 0 || !hashBytes(buf, idStart, idEnd, scratch)) return false;
    let i = expect(buf, idEnd + 1, end, T_FIELD);
    if (i < 0) return false;
    i = numberAt(buf, i, end, num);
    const t = num[0]!;
    i = expect(buf, i, end, C_FIELD);
    if (i < 0) return false;
    const cEnd = stringEnd(buf, i, end);
    if (cEnd < 0) return false;
    const campaign = ix.campaigns.idOfBytes(buf, i, cEnd);
    i = expect(buf, cEnd + 1, end, TPL_FIELD);
    if (i < 0) return false;
    const tEnd = stringEnd(buf, i, end);
    if (tEnd < 0) return false;
    const template = ix.templates.idOfBytes(buf, i, tEnd);
    i = expect(buf, tEnd + 1, end, TO_FIELD);
    if (i < 0) return false;
    const toEnd = stringEnd(buf, i, end);
    if (toEnd < 0) return false;
    const to = hashDigits(buf, i, toEnd);
    ix.queueMessage(scratch[0]!, scratch[1]!, t, campaign, template, to, seg, offset);
    return true;
  }
  if (hasPrefix(buf, start, end, IN_PREFIX)) {
    ix.inbound++;
    return true;
  }
  return false;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

function slowLine(ix: TrackingIndex, text: string, seg: number, offset: number): void {
  const r = parseLine(text);
  const id = str(r?.id);
  const t = typeof r?.t === 'number' ? r.t : NaN;
  if (!r || id === undefined || Number.isNaN(t)) {
    ix.skipped++;
    return;
  }
  if (r.k === 'in') {
    ix.inbound++;
    return;
  }
  hashString(id, scratch);
  if (r.k === 'msg') {
    const s = ix.slot(scratch[0]!, scratch[1]!);
    ix.addMessage(s, t, ix.campaigns.id(str(r.c) ?? ''), ix.templates.id(str(r.tpl) ?? ''), hashTo(str(r.to) ?? ''), seg, offset);
  } else if (r.k === 'ev' && typeof r.st === 'string') {
    ix.addEvent(scratch[0]!, scratch[1]!, STATUS_BITS[r.st] ?? 0, t, str(r.code), str(r.title));
  } else ix.skipped++;
}

/** Reads the whole store in `dir`. */
export function loadIndex(dir: string): TrackingIndex {
  const files = listSegments(dir);
  // A message is about 300 bytes and its three statuses about 330: room for them all at once.
  let bytes = 0;
  for (const f of files) {
    try {
      bytes += statSync(f).size;
    } catch {
      // gone meanwhile
    }
  }
  const ix = new TrackingIndex(files, Math.min(Math.ceil(bytes / 630), 1 << 24));
  scanSegments(files, (buf, start, end, seg, offset) => {
    if (!fastLine(ix, buf, start, end, seg, offset)) slowLine(ix, buf.toString('utf8', start, end), seg, offset);
  });
  return ix.done();
}
