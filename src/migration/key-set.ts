/**
 * A set of string keys kept as 64-bit hashes in two typed arrays (open addressing): ~16 bytes a
 * key instead of ~80 for a Set of strings, so the import can remember a million titles on a small
 * NAS. `has` can answer true for a key never added (two keys sharing all 64 bits: about one chance
 * in 10^7 for a million keys), never false for one that was: callers treat a hit as "maybe" and
 * check it against the database.
 */
export class HashedKeySet {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private mask: number;
  size = 0;

  constructor(expected = 1 << 16) {
    let cap = 1 << 4;
    while (cap < expected * 2) cap <<= 1;
    this.hi = new Uint32Array(cap);
    this.lo = new Uint32Array(cap);
    this.mask = cap - 1;
  }

  /** Adds `key`; false when it (or a key with the same hash) was already there. */
  add(key: string): boolean {
    const [h, l] = hash64(key);
    if (this.find(h, l) >= 0) return false;
    if ((this.size + 1) * 2 > this.hi.length) this.grow();
    this.place(h, l);
    this.size++;
    return true;
  }

  has(key: string): boolean {
    const [h, l] = hash64(key);
    return this.find(h, l) >= 0;
  }

  private find(h: number, l: number): number {
    for (let i = l & this.mask; ; i = (i + 1) & this.mask) {
      const eh = this.hi[i]!;
      const el = this.lo[i]!;
      if (eh === 0 && el === 0) return -1;
      if (eh === h && el === l) return i;
    }
  }

  private place(h: number, l: number): void {
    let i = l & this.mask;
    while (this.hi[i] !== 0 || this.lo[i] !== 0) i = (i + 1) & this.mask;
    this.hi[i] = h;
    this.lo[i] = l;
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    this.mask = this.hi.length - 1;
    for (let i = 0; i < hi.length; i++) if (hi[i] !== 0 || lo[i] !== 0) this.place(hi[i]!, lo[i]!);
  }
}

/**
 * Two independent 32-bit multiplicative hashes over the UTF-16 code units (equal strings have
 * equal code units), finished with an avalanche step each. (0, 0) marks an empty slot, so a key
 * hashing to it is moved to (0, 1).
 */
export function hash64(key: string): [number, number] {
  let a = 0x811c9dc5 ^ key.length;
  let b = 0x9747b28c ^ Math.imul(key.length, 0x5bd1e995);
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
  a = Math.imul(a ^ (a >>> 13), 0xc2b2ae35);
  a = (a ^ (a >>> 16)) >>> 0;
  b = Math.imul(b ^ (b >>> 16), 0x7feb352d);
  b = Math.imul(b ^ (b >>> 15), 0x846ca68b);
  b = (b ^ (b >>> 16)) >>> 0;
  return a === 0 && b === 0 ? [0, 1] : [a, b];
}
