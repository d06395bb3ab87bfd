/**
 * Duplicate detection over millions of bulk rows in flat memory.
 *
 * A message key is the first 16 bytes of sha256(`${to}\n${body}`), held as 4 uint32 words; its
 * hex form goes to the journal. The set stores the first 64 bits of each key (words 0 and 1) in an
 * open-addressing table on one Uint32Array (linear probing, at most 3/4 full, doubling as it
 * grows): 8–16 bytes a key, no JS object or string per entry — 16 MiB for 1,000,000 keys.
 * 64 bits is the trade for that memory: the chance that two different messages among 1,000,000
 * share a stored key is about 3e-8 (among 10,000,000: 3e-6); if it happened, the later row would
 * be reported `skipped` as a duplicate, never sent twice.
 */
import { hash } from 'node:crypto';

/** 16 bytes of sha256, as 4 uint32 words (the digest's bytes in order, platform endianness). */
export type MessageKey = Uint32Array;

const MIN_CAPACITY = 1024;

/** addDigest()'s key words (add() reads them and keeps copies, never the array). */
const scratch = new Uint32Array(4);
const scratchBytes = new Uint8Array(scratch.buffer);

export class KeySet {
  /** The key of a message: the same recipient and body give the same key. */
  static keyOf(to: string, body: string): MessageKey {
    const digest = KeySet.digestOf(to, body);
    const key = new Uint32Array(4);
    new Uint8Array(key.buffer).set(digest.subarray(0, 16));
    return key;
  }

  /** The sha256 of a message (its first 16 bytes are its key): for addDigest() and hexOf(). */
  static digestOf(to: string, body: string): Buffer {
    return hash('sha256', `${to}\n${body}`, 'buffer');
  }

  /** keyHex(key) of the key of a digest, without building the key. */
  static hexOf(digest: Buffer): string {
    return digest.toString('hex', 0, 16);
  }

  /** 32 hex characters: the first 16 bytes of the sha256 in hex (the journal's `key`). */
  static keyHex(key: MessageKey): string {
    return Buffer.from(key.buffer, key.byteOffset, 16).toString('hex');
  }

  /** The key of a 32-hex-character string from keyHex. */
  static fromHex(hex: string): MessageKey {
    if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a message key: ${hex}`);
    const key = new Uint32Array(4);
    new Uint8Array(key.buffer).set(Buffer.from(hex, 'hex'));
    return key;
  }

  /** Pairs of words; [0, 0] marks an empty slot. */
  private table: Uint32Array;
  private mask: number;
  private count = 0;
  /** The key whose stored words are both zero cannot live in the table. */
  private hasZero = false;

  /** `expected`: how many keys to make room for at once (it grows past that anyway). */
  constructor(expected = 0) {
    let cap = MIN_CAPACITY;
    while (cap * 0.75 < expected) cap *= 2;
    this.table = new Uint32Array(cap * 2);
    this.mask = cap - 1;
  }

  /** Keys in the set. */
  get size(): number {
    return this.count;
  }

  /** Bytes of the table. */
  get bytes(): number {
    return this.table.byteLength;
  }

  /** Adds the key; false when it was already there (a duplicate). */
  add(key: MessageKey): boolean {
    const a = key[0]!;
    const b = key[1]!;
    if (a === 0 && b === 0) {
      if (this.hasZero) return false;
      this.hasZero = true;
      this.count++;
      return true;
    }
    const t = this.table;
    const mask = this.mask;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const x = t[2 * i]!;
      const y = t[2 * i + 1]!;
      if (x === 0 && y === 0) {
        t[2 * i] = a;
        t[2 * i + 1] = b;
        if (++this.count > (mask + 1) * 0.75) this.grow();
        return true;
      }
      if (x === a && y === b) return false;
    }
  }

  /** add() of the key of a digest (digestOf), without building the key: its words go through a scratch array. */
  addDigest(digest: Buffer): boolean {
    for (let i = 0; i < 16; i++) scratchBytes[i] = digest[i]!;
    return this.add(scratch);
  }

  /** True when the key was added before. */
  has(key: MessageKey): boolean {
    const a = key[0]!;
    const b = key[1]!;
    if (a === 0 && b === 0) return this.hasZero;
    const t = this.table;
    const mask = this.mask;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const x = t[2 * i]!;
      const y = t[2 * i + 1]!;
      if (x === 0 && y === 0) return false;
      if (x === a && y === b) return true;
    }
  }

  private grow(): void {
    const old = this.table;
    const cap = (this.mask + 1) * 2;
    const t = new Uint32Array(cap * 2);
    const mask = cap - 1;
    for (let p = 0; p < old.length; p += 2) {
      const a = old[p]!;
      const b = old[p + 1]!;
      if (a === 0 && b === 0) continue;
      let i = a & mask;
      while (t[2 * i] !== 0 || t[2 * i + 1] !== 0) i = (i + 1) & mask;
      t[2 * i] = a;
      t[2 * i + 1] = b;
    }
    this.table = t;
    this.mask = mask;
  }
}
