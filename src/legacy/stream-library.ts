// Streams one top-level array out of a big legacy file (library.json, wanted.json), or every
// member of a big map file (grabs.json, verify-results.json), with bounded memory: at most one
// read chunk plus the element being assembled.
//
// Why not stream-json: its token stream rebuilds values from tokens (slower on hundreds of MB,
// numbers via parseFloat) and its errors carry no position. Instead a byte scanner finds where
// each element starts and ends (strings, escapes and nesting only; every byte of a multi-byte
// UTF-8 character is >= 0x80, so scanning bytes is safe) and hands that slice to JSON.parse.
// Values are therefore exactly what JSON.parse gives, and a syntax error has an exact offset,
// turned into line:column by one cheap re-scan of the file on the error path only.
import { type FileHandle, open, stat } from 'node:fs/promises';
import { ElementTooLarge } from './element-too-large.js';
import { ioError, LegacyFileError } from './file-error.js';
import { lineColumnOfByte, locateJsonError } from './json-error-position.js';
import { invalidUtf8Offset } from './json-text.js';
import { invalidUtf8Detail } from './read-json.js';

export interface StreamLegacyArrayOptions {
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Bytes scanned before the elements found are handed on (default CHUNK_BYTES). */
  chunkSize?: number;
  /** A value (element or other key) longer than this is not decoded: ElementTooLarge is thrown. */
  maxElementBytes?: number;
}

export interface StreamLegacyArrayResult {
  /** Every top-level key except the streamed one, as JSON.parse would give it. */
  otherKeys: Record<string, unknown>;
  /** The JSON text of each of them, as found in the file. */
  otherKeysText: Map<string, string>;
  count: number;
}

/** One element of the streamed array: its value (JSON.parse) and its JSON text as found in the file. */
export interface StreamedElement {
  index: number;
  /** The member's key (map files; '' for array elements). */
  key: string;
  value: unknown;
  text: string;
}

/**
 * 16 KiB: the elements of one chunk are all parsed before the first is handed on, so the chunk size
 * is how many parsed elements live at once (library.json: ~3,000 per MiB). With 1 MiB every young
 * collection found megabytes alive to copy: at 1M items the syntax check spent 1.4 s of its 6.5 s in
 * scavenges, 0.2 s with 64 KiB; the whole import took 33.2-39.7 s instead of 38.3-40.6 s (16 KiB,
 * 44-53 s CPU instead of 54-57; bench/RESULTS.md, issue 18 stop 18).
 */
const CHUNK_BYTES = 16 * 1024;

/**
 * Bytes per read of the file, scanned CHUNK_BYTES at a time: a read costs about the same whether it
 * brings 16 KiB or 1 MiB (a round trip through the thread pool; for a read stream, its machinery
 * too), and streaming library.json (356 MB) 16 KiB at a time took 1.0-1.2 s against 0.18 s in 1 MiB reads.
 */
const READ_BYTES = 1 << 20;

/** Internal: a syntax error at an absolute byte offset, or a shape error. */
class ScanError extends Error {
  constructor(
    readonly kind: 'invalid_json' | 'invalid_shape',
    readonly detail: string,
    readonly offset: number,
  ) {
    super(detail);
  }
}

const enum S {
  Root,
  ObjFirst,
  ObjKey,
  Colon,
  Value,
  AfterMember,
  ArrFirst,
  ArrElem,
  ArrAfter,
  Done,
  Capture,
}

const enum Cap {
  Key,
  Other,
  Elem,
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Incremental scanner for `{"<key>": [ ... ], "<other>": <value>, ...}`, or (key null) for every member of `{"<k>": <v>, ...}`. */
class TopArrayScanner {
  otherKeys: Record<string, unknown> = {};
  otherKeysText = new Map<string, string>();
  count = 0;
  private state = S.Root;
  private base = 0; // absolute byte offset of the current chunk
  private seenKey = false;
  private currentKey = '';
  // capture of one value spanning chunks
  private capKind = Cap.Elem;
  private capStart = 0;
  private capParts: Buffer[] = [];
  private capDepth = 0;
  private capInStr = false;
  private capEsc = false;
  private capScalar = false;

  /** See StreamLegacyArrayOptions. */
  maxElementBytes = Number.POSITIVE_INFINITY;

  constructor(private readonly key: string | null) {}

  feed(buf: Buffer, out: { key: string; value: unknown; text: string }[]): void {
    let j = 0;
    if (this.base === 0 && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) j = 3;
    let capFrom = 0;
    const len = buf.length;
    while (j < len) {
      if (this.state === S.Capture) {
        const end = this.scanCapture(buf, j);
        if (end < 0) {
          j = len;
          break;
        }
        this.finishCapture(buf.subarray(capFrom, end), out);
        j = end;
        continue;
      }
      const c = buf[j]!;
      if (isWs(c)) {
        j++;
        continue;
      }
      const at = this.base + j;
      switch (this.state) {
        case S.Root:
          if (c !== 0x7b) throw this.rootError(c, at);
          this.state = S.ObjFirst;
          j++;
          break;
        case S.ObjFirst:
        case S.ObjKey:
          if (c === 0x7d && this.state === S.ObjFirst) {
            this.state = S.Done;
            j++;
          } else if (c === 0x22) {
            capFrom = j;
            this.beginCapture(Cap.Key, c, at);
            j++;
          } else {
            const detail = this.state === S.ObjFirst ? "Expected property name or '}'" : 'Expected double-quoted property name';
            throw new ScanError('invalid_json', detail, at);
          }
          break;
        case S.Colon:
          if (c !== 0x3a) throw new ScanError('invalid_json', "Expected ':' after property name", at);
          this.state = S.Value;
          j++;
          break;
        case S.Value:
          if (this.key === null) {
            capFrom = j;
            this.beginCapture(Cap.Elem, c, at);
            j++;
          } else if (this.currentKey === this.key) {
            if (this.seenKey) throw new ScanError('invalid_shape', `duplicate key "${this.key}"`, at);
            if (c !== 0x5b) throw new ScanError('invalid_shape', `"${this.key}" is not an array`, at);
            this.seenKey = true;
            this.state = S.ArrFirst;
            j++;
          } else {
            capFrom = j;
            this.beginCapture(Cap.Other, c, at);
            j++;
          }
          break;
        case S.AfterMember:
          if (c === 0x2c) this.state = S.ObjKey;
          else if (c === 0x7d) this.state = S.Done;
          else throw new ScanError('invalid_json', "Expected ',' or '}' after property value", at);
          j++;
          break;
        case S.ArrFirst:
        case S.ArrElem:
          if (c === 0x5d && this.state === S.ArrFirst) {
            this.state = S.AfterMember;
          } else {
            capFrom = j;
            this.beginCapture(Cap.Elem, c, at);
          }
          j++;
          break;
        case S.ArrAfter:
          if (c === 0x2c) this.state = S.ArrElem;
          else if (c === 0x5d) this.state = S.AfterMember;
          else throw new ScanError('invalid_json', "Expected ',' or ']' after array element", at);
          j++;
          break;
        case S.Done:
          throw new ScanError('invalid_json', 'Unexpected non-whitespace character after JSON', at);
      }
    }
    // a copy: the caller reads the next bytes into the same buffer
    if (this.state === S.Capture) this.capParts.push(Buffer.from(buf.subarray(capFrom)));
    this.base += len;
  }

  /** Call at end of input (`size` = total bytes). */
  end(size: number): void {
    // Anything but Done (even a bare number ending exactly at EOF) is inside the unclosed object.
    if (this.state === S.Root) throw new ScanError('invalid_json', size === 0 ? 'the file is empty' : 'the file holds only whitespace', size);
    if (this.state !== S.Done) throw new ScanError('invalid_json', 'Unexpected end of JSON input', size);
    if (!this.seenKey && this.key !== null) throw new ScanError('invalid_shape', `no "${this.key}" array at the top level`, 0);
  }

  private rootError(c: number, at: number): ScanError {
    if (at === 0 && (c === 0xff || c === 0xfe)) return new ScanError('invalid_json', 'the file is UTF-16; legacy files are UTF-8, save it as UTF-8', 0);
    const jsonStart = c === 0x5b || c === 0x22 || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e;
    return jsonStart ? new ScanError('invalid_shape', 'top-level value is not an object', at) : unexpected(c, at);
  }

  private beginCapture(kind: Cap, c: number, at: number): void {
    if (c === 0x2c || c === 0x5d || c === 0x7d || c === 0x3a) throw unexpected(c, at);
    this.capKind = kind;
    this.capStart = at;
    this.capParts = [];
    this.capEsc = false;
    this.capInStr = c === 0x22;
    this.capDepth = c === 0x7b || c === 0x5b ? 1 : 0;
    this.capScalar = !this.capInStr && this.capDepth === 0;
    this.state = S.Capture;
  }

  /** Scans from j (the first byte is already accounted for at begin); returns end index or -1. */
  private scanCapture(buf: Buffer, j: number): number {
    const len = buf.length;
    if (this.capScalar) {
      // first byte was consumed by beginCapture's caller; continue to a delimiter
      for (; j < len; j++) {
        const c = buf[j]!;
        if (c === 0x2c || c === 0x5d || c === 0x7d || isWs(c)) return j;
      }
      return -1;
    }
    let depth = this.capDepth;
    let inStr = this.capInStr;
    let esc = this.capEsc;
    for (; j < len; j++) {
      const c = buf[j]!;
      if (inStr) {
        if (esc) esc = false;
        else if (c === 0x5c) esc = true;
        else if (c === 0x22) {
          inStr = false;
          if (depth === 0) {
            this.capInStr = false;
            return j + 1;
          }
        }
      } else if (c === 0x22) {
        inStr = true;
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) {
          this.capDepth = 0;
          return j + 1;
        }
      }
    }
    this.capDepth = depth;
    this.capInStr = inStr;
    this.capEsc = esc;
    return -1;
  }

  private finishCapture(tail: Buffer, out: { key: string; value: unknown; text: string }[]): void {
    let length = tail.length;
    for (const part of this.capParts) length += part.length;
    if (length > this.maxElementBytes) throw new ElementTooLarge(length, this.capStart);
    const bytes = this.capParts.length === 0 ? tail : Buffer.concat([...this.capParts, tail]);
    this.capParts = [];
    const bad = invalidUtf8Offset(bytes); // decoding would turn such bytes into U+FFFD without a word
    if (bad >= 0) throw new ScanError('invalid_json', invalidUtf8Detail(bytes[bad]!), this.capStart + bad);
    const text = bytes.toString('utf8');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const { index, detail } = locateJsonError(text, err);
      throw new ScanError('invalid_json', detail, this.capStart + Buffer.byteLength(text.slice(0, index)));
    }
    switch (this.capKind) {
      case Cap.Key:
        this.currentKey = value as string;
        this.state = S.Colon;
        break;
      case Cap.Other:
        // defineProperty, not assignment: a "__proto__" key must stay an own key, as in JSON.parse
        Object.defineProperty(this.otherKeys, this.currentKey, { value, writable: true, enumerable: true, configurable: true });
        this.otherKeysText.set(this.currentKey, text);
        this.state = S.AfterMember;
        break;
      case Cap.Elem:
        out.push({ key: this.key === null ? this.currentKey : '', value, text });
        this.count++;
        this.state = this.key === null ? S.AfterMember : S.ArrAfter;
        break;
    }
  }
}

function unexpected(c: number, at: number): ScanError {
  const shown = c < 0x7f ? JSON.stringify(String.fromCharCode(c)).slice(1, -1) : `\\x${c.toString(16)}`;
  return new ScanError('invalid_json', `Unexpected token '${shown}'`, at);
}

/**
 * Yields each element of the top-level array `key` of the JSON object in `path`, in order,
 * and returns the other top-level keys and the element count. Stops reading if the consumer
 * stops iterating. Errors are LegacyFileError (invalid_json with line:column, invalid_shape, io).
 */
export function streamLegacyArray(path: string, key: string, opts: StreamLegacyArrayOptions = {}): AsyncGenerator<StreamedElement, StreamLegacyArrayResult> {
  return streamTop(path, key, opts);
}

/**
 * Ends a stream its reader stopped reading before the end (an error, a record that stops the pass):
 * the file is closed now, not when a collection finds the handle. Call it in a `finally` around a
 * loop of next(); after the end it does nothing.
 */
export async function closeStream(it: AsyncGenerator<StreamedElement, StreamLegacyArrayResult>): Promise<void> {
  await it.return({ otherKeys: {}, otherKeysText: new Map(), count: 0 });
}

/**
 * Yields each member of the JSON object in `path` (a map file: grabs.json, verify-results.json),
 * in file order, with its key. A key that appears twice is yielded twice (JSON.parse would keep
 * the last value at the first place): the caller decides. Errors as for streamLegacyArray.
 */
export function streamLegacyMap(path: string, opts: StreamLegacyArrayOptions = {}): AsyncGenerator<StreamedElement, StreamLegacyArrayResult> {
  return streamTop(path, null, opts);
}

async function* streamTop(path: string, key: string | null, opts: StreamLegacyArrayOptions): AsyncGenerator<StreamedElement, StreamLegacyArrayResult> {
  let totalBytes: number;
  try {
    totalBytes = (await stat(path)).size;
  } catch (err) {
    throw ioError(path, err);
  }
  const scanner = new TopArrayScanner(key);
  if (opts.maxElementBytes !== undefined) scanner.maxElementBytes = opts.maxElementBytes;
  const piece = opts.chunkSize ?? CHUNK_BYTES;
  // one buffer for every read: a new 1 MiB buffer per read lives outside the heap until a collection
  // finds it, and at 1M items those added 40-60 MB to the import's peak resident memory
  const buffer = Buffer.allocUnsafe(Math.max(piece, READ_BYTES));
  const out: { key: string; value: unknown; text: string }[] = [];
  let file: FileHandle | undefined;
  let bytesRead = 0;
  let index = 0;
  try {
    try {
      file = await open(path, 'r');
      for (;;) {
        const { bytesRead: length } = await file.read(buffer, 0, buffer.length, null);
        if (length === 0) break;
        for (let from = 0; from < length; from += piece) {
          const chunk = buffer.subarray(from, Math.min(length, from + piece));
          bytesRead += chunk.length;
          scanner.feed(chunk, out);
          opts.onProgress?.(bytesRead, totalBytes);
          for (let k = 0; k < out.length; k++) yield { index: index++, key: out[k]!.key, value: out[k]!.value, text: out[k]!.text };
          out.length = 0;
        }
      }
      scanner.end(bytesRead);
    } catch (err) {
      if (err instanceof ScanError) throw await toFileError(path, err);
      // system errors (EISDIR, EIO, ...) name the file; anything else (e.g. from onProgress) passes as is
      throw (err as NodeJS.ErrnoException).syscall ? ioError(path, err) : err;
    }
  } finally {
    await file?.close();
  }
  return { otherKeys: scanner.otherKeys, otherKeysText: scanner.otherKeysText, count: scanner.count };
}

async function toFileError(path: string, err: ScanError): Promise<LegacyFileError> {
  if (err.kind === 'invalid_shape') return new LegacyFileError({ file: path, code: 'invalid_shape', detail: err.detail });
  try {
    const { line, column } = await lineColumnOfByte(path, err.offset);
    return new LegacyFileError({ file: path, code: 'invalid_json', detail: err.detail, line, column, offset: err.offset });
  } catch {
    return new LegacyFileError({ file: path, code: 'invalid_json', detail: err.detail, offset: err.offset });
  }
}
