/**
 * An order-independent digest of a set of records: the sum, word by word, of each record's SHA-1
 * over its JSON text. The import adds each library record as the codec rebuilds it from the row
 * it writes, and compares that with the sum over the rows read back, so a million items are
 * checked with one sequential scan instead of a million lookups. Any difference (including a
 * harmless one, such as PostgreSQL jsonb reordering nested keys) falls back to the
 * record-by-record comparison, which names the record: never a false "equal".
 */
import { hash } from 'node:crypto';

export class SetDigest {
  count = 0;
  private readonly words = new Float64Array(5);

  add(record: unknown, sign: 1 | -1 = 1): void {
    // The digest as a 20-character 'binary' (latin1) string (one char per byte): a Buffer result costs twice
    // as much per call, which shows at a million records.
    const h = hash('sha1', JSON.stringify(record) ?? 'null', 'binary');
    for (let i = 0; i < 5; i++) {
      const word = ((h.charCodeAt(i * 4) << 24) | (h.charCodeAt(i * 4 + 1) << 16) | (h.charCodeAt(i * 4 + 2) << 8) | h.charCodeAt(i * 4 + 3)) >>> 0;
      this.words[i] = (this.words[i]! + sign * word + 2 ** 32) % 2 ** 32;
    }
    this.count += sign;
  }

  equals(other: SetDigest): boolean {
    return this.count === other.count && this.words.every((w, i) => w === other.words[i]);
  }
}
