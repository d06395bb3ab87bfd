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
const scratchBytes = Buffer.from(scratch.buffer);

export class KeySet {
  /** The key of a message: the same recipient and body give the same key. */
  static keyOf(to: string, body: string): MessageKey {
    return KeySet.fromHex(KeySet.hexOf(KeySet.digestOf(to, body)));
  }

  /**
   * The sha256 of a message in hex (its first 16 bytes are its key): for addDigest() and hexOf().
   * Hex, not a Buffer: a Buffer made per row costs as much again as the hash (measured).
   */
  static digestOf(to: string, body: string): string {
    return hash('sha256', `${to}\n${body}`, 'hex');
  }

  /** keyHex(key) of the key of a digest, without building the key. */
  static hexOf(digest: string): string {
    return digest.slice(0, 32);
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
  addDigest(digest: string): boolean {
    scratchBytes.write(digest, 0, 16, 'hex');
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

/**
 * What the journal knows of each message key, in flat memory: the first 64 bits of the key (from
 * its hex form) in an open-addressing table like KeySet's, and per slot a state byte (0 = empty
 * slot) and a number (the file offset of the key's last outcome: 32 bits until a journal passes
 * 4 GiB). 13 bytes a slot, at most 3/4 full: 1,000,000 keys cost 26 MiB. A collision of two
 * different messages' 64-bit prefixes (about 3e-8 among 1,000,000) would make the later one look
 * settled: it would not be sent.
 */
export class KeyTable {
  /** Pairs of words per slot (the key's first 64 bits). */
  private words: Uint32Array;
  /** Per slot: 0 = empty; anything else is the journal's state byte (it never writes 0 to a used slot). */
  state: Uint8Array;
  /** Per slot: the journal's offset of the key's last outcome line (setOffset() writes it). */
  offset: Uint32Array | Float64Array;
  private mask: number;
  private count = 0;

  /** `expected`: how many keys to make room for at once (growing costs the old and new tables at once). */
  constructor(expected = 0) {
    let cap = MIN_CAPACITY;
    while (cap * 0.75 < expected) cap *= 2;
    this.words = new Uint32Array(cap * 2);
    this.state = new Uint8Array(cap);
    this.offset = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  setOffset(slot: number, offset: number): void {
    if (offset > 0xffffffff && this.offset instanceof Uint32Array) this.offset = Float64Array.from(this.offset);
    this.offset[slot] = offset;
  }

  get size(): number {
    return this.count;
  }

  /** Slots (for walking every used one: state[i] !== 0). */
  get capacity(): number {
    return this.mask + 1;
  }

  /**
   * The slot of the key whose first 64 bits are (a, b); with `used` (a nonzero state), a missing key
   * is added with that state; without, -1 when missing.
   */
  slot(a: number, b: number, used = 0): number {
    const mask = this.mask;
    const w = this.words;
    const s = this.state;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      if (s[i] === 0) {
        if (used === 0) return -1;
        w[2 * i] = a;
        w[2 * i + 1] = b;
        s[i] = used;
        if (++this.count > (mask + 1) * 0.75) {
          this.grow();
          return this.slot(a, b);
        }
        return i;
      }
      if (w[2 * i] === a && w[2 * i + 1] === b) return i;
    }
  }

  private grow(): void {
    const { words: ow, state: os, offset: oo } = this;
    const cap = (this.mask + 1) * 2;
    const mask = cap - 1;
    const w = new Uint32Array(cap * 2);
    const s = new Uint8Array(cap);
    const o = oo instanceof Uint32Array ? new Uint32Array(cap) : new Float64Array(cap);
    for (let p = 0; p < os.length; p++) {
      if (os[p] === 0) continue;
      const a = ow[2 * p]!;
      let i = a & mask;
      while (s[i] !== 0) i = (i + 1) & mask;
      w[2 * i] = a;
      w[2 * i + 1] = ow[2 * p + 1]!;
      s[i] = os[p]!;
      o[i] = oo[p]!;
    }
    this.words = w;
    this.state = s;
    this.offset = o;
    this.mask = mask;
  }
}

/** The first 64 bits of a key's hex form (KeySet.keyHex), as two words; undefined when it is not hex. */
export function keyWords(hex: string): [number, number] | undefined {
  if (hex.length < 16) return undefined;
  const a = parseHexWord(hex, 0);
  const b = parseHexWord(hex, 8);
  return a < 0 || b < 0 ? undefined : [a, b];
}

function parseHexWord(hex: string, from: number): number {
  let v = 0;
  for (let i = from; i < from + 8; i++) {
    const d = hexDigit(hex.charCodeAt(i));
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** The value of a hex digit's character code, -1 when it is not one. */
export function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
