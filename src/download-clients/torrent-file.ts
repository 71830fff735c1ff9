/**
 * What the grab needs of a `.torrent` (BEP 3): its info-hash, the SHA-1 of the bencoded `info`
 * dictionary exactly as it appears in the file (so it is read by span, never re-encoded), and the
 * hash a magnet link names (`xt=urn:btih:` in hex or base32). The hash is how the tracker finds
 * the download in qBittorrent again.
 */
import { createHash } from 'node:crypto';

/** Index just past the bencoded value that starts at `i` (throws on a malformed file). */
function skipValue(buf: Buffer, i: number, depth = 0): number {
  if (depth > 64) throw new Error('torrent: nested too deep');
  const c = buf[i];
  if (c === 0x69) {
    // i<digits>e
    const end = buf.indexOf(0x65, i + 1);
    if (end < 0) throw new Error('torrent: unterminated integer');
    return end + 1;
  }
  if (c === 0x6c || c === 0x64) {
    // l...e / d...e
    let j = i + 1;
    while (buf[j] !== 0x65) {
      if (j >= buf.length) throw new Error('torrent: unterminated list or dictionary');
      j = skipValue(buf, j, depth + 1);
    }
    return j + 1;
  }
  if (c >= 0x30 && c <= 0x39) return stringAt(buf, i).end;
  throw new Error('torrent: not bencoded');
}

function stringAt(buf: Buffer, i: number): { value: Buffer; end: number } {
  const colon = buf.indexOf(0x3a, i);
  if (colon < 0) throw new Error('torrent: unterminated string length');
  const len = Number(buf.subarray(i, colon).toString('latin1'));
  if (!Number.isSafeInteger(len) || len < 0 || colon + 1 + len > buf.length) throw new Error('torrent: bad string length');
  return { value: buf.subarray(colon + 1, colon + 1 + len), end: colon + 1 + len };
}

/** The lowercase hex info-hash (v1) of a `.torrent` file; throws when it is not one. */
export function torrentInfoHash(file: Buffer): string {
  if (file[0] !== 0x64) throw new Error('torrent: not a bencoded dictionary');
  let i = 1;
  while (i < file.length && file[i] !== 0x65) {
    const key = stringAt(file, i);
    const valueEnd = skipValue(file, key.end);
    if (key.value.toString('latin1') === 'info') return createHash('sha1').update(file.subarray(key.end, valueEnd)).digest('hex');
    i = valueEnd;
  }
  throw new Error('torrent: no info dictionary');
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The lowercase hex info-hash a magnet link names, or undefined. */
export function magnetInfoHash(magnet: string): string | undefined {
  const m = /[?&]xt=urn:btih:([a-z0-9]+)/i.exec(magnet);
  if (!m) return undefined;
  const h = m[1];
  if (/^[0-9a-f]{40}$/i.test(h)) return h.toLowerCase();
  if (!/^[a-z2-7]{32}$/i.test(h)) return undefined;
  let bits = '';
  for (const ch of h.toUpperCase()) bits += B32.indexOf(ch).toString(2).padStart(5, '0');
  let hex = '';
  for (let i = 0; i < 160; i += 4) hex += Number.parseInt(bits.slice(i, i + 4), 2).toString(16);
  return hex;
}
