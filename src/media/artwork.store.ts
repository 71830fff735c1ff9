/**
 * Artwork kept by the server: image files copied into `<data>/artwork/` under the SHA-256 of
 * their bytes (so a name never changes meaning and can be cached forever), only when their magic
 * bytes say JPEG, PNG, GIF or WebP, and only up to a size limit. Items reference them by the URL
 * `/api/artwork/<hash>.<ext>`, which GET /api/artwork/:file serves.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError, Invalid } from '../errors.js';

export interface ImageType {
  ext: 'jpg' | 'png' | 'gif' | 'webp';
  contentType: string;
}

const TYPES: Record<ImageType['ext'], string> = { jpg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };

/** The image type its first bytes declare, or undefined (the extension is never trusted). */
export function sniffImage(head: Uint8Array): ImageType | undefined {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const of = (ext: ImageType['ext']): ImageType => ({ ext, contentType: TYPES[ext] });
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return of('jpg');
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return of('png');
  if (b.length >= 6 && ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1'))) return of('gif');
  if (b.length >= 12 && b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP') return of('webp');
  return undefined;
}

/** 413: the file is larger than the artwork limit. */
export class TooLarge extends AppError {
  constructor(maxBytes: number) {
    super(413, 'too_large', { message: `file: larger than the artwork limit of ${maxBytes} bytes (MEDIAOS_ARTWORK_MAX_BYTES)` });
  }
}

/** Reads a whole image file (already resolved inside a root), refusing what is too large or not an image. */
export async function readImage(path: string, maxBytes: number): Promise<{ bytes: Buffer; type: ImageType }> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Invalid('not_a_file', { message: 'rel: not a regular file' });
    if (st.size > maxBytes) throw new TooLarge(maxBytes);
    const bytes = await fh.readFile();
    if (bytes.length > maxBytes) throw new TooLarge(maxBytes);
    const type = sniffImage(bytes);
    if (!type) throw new Invalid('not_an_image', { message: 'rel: not a JPEG, PNG, GIF or WebP image (checked by its content)' });
    return { bytes, type };
  } finally {
    await fh.close();
  }
}

/**
 * Writes `bytes` to `target` through a temp file in the same folder: atomically, never following
 * a symlink at `target`. Without `overwrite` an existing target (file or link) is a 409 `exists`.
 */
export async function writeExclusive(target: string, bytes: Buffer, overwrite: boolean): Promise<void> {
  const temp = join(dirname(target), `.mediaos-${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(temp, bytes, { flag: 'wx' });
  try {
    if (overwrite) await rename(temp, target);
    else {
      await link(temp, target).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') throw new AppError(409, 'exists', { message: 'target exists; send overwrite:true to replace it' });
        throw err;
      });
    }
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** A served artwork file name: 64 hex chars and a known extension. */
export const ARTWORK_NAME = /^([0-9a-f]{64})\.(jpg|png|gif|webp)$/;

/** Where the server keeps artwork: `<data>/artwork` (backups carry it too). */
export function artworkDir(dataDir: string): string {
  return join(dataDir, 'artwork');
}

export function createArtworkStore(opts: { dir: string; maxBytes: number }) {
  return {
    maxBytes: opts.maxBytes,
    /** Copies an image into the artwork folder (once per content) and answers its URL. */
    async importFile(path: string): Promise<{ url: string; name: string; contentType: string; size: number }> {
      const { bytes, type } = await readImage(path, opts.maxBytes);
      const name = `${createHash('sha256').update(bytes).digest('hex')}.${type.ext}`;
      await mkdir(opts.dir, { recursive: true });
      const target = join(opts.dir, name);
      const exists = await stat(target).then(
        (s) => s.isFile() && s.size === bytes.length,
        () => false,
      );
      if (!exists) await writeExclusive(target, bytes, true);
      return { url: `/api/artwork/${name}`, name, contentType: type.contentType, size: bytes.length };
    },
    /** The stored file for a served name, or undefined (unknown or malformed name). */
    async find(name: string): Promise<{ path: string; contentType: string; size: number; mtime: Date } | undefined> {
      const m = ARTWORK_NAME.exec(name);
      if (!m) return undefined;
      const path = join(opts.dir, name);
      const st = await stat(path).catch(() => undefined);
      if (!st?.isFile()) return undefined;
      return { path, contentType: TYPES[m[2] as ImageType['ext']], size: st.size, mtime: st.mtime };
    },
  };
}
export type ArtworkStore = ReturnType<typeof createArtworkStore>;
