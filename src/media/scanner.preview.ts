import { basename } from 'node:path';
import { newLibraryId } from '../library/library.service.js';
import type { LibraryItem } from '../library/library.types.js';
import type { MediaRootKind } from '../settings/media-roots.js';
import { itemKeyString, parseMediaFile } from './media.parse.js';
import type { ParsedMedia } from './media.types.js';
import { fileStat, walkFiles } from './media.walk.js';

/** One file of POST /api/scanner/preview (legacy shape). */
export interface PreviewFile {
  path: string;
  filename: string;
  parsed: ParsedMedia;
  size: number;
}

/**
 * The media files under `folder` (inside `root`, of `kind`) with their parse, read-only: nothing
 * is written. Symlinks leading out of the media roots are left out.
 */
export async function previewFiles(
  target: { folder: string; root: string; kind: MediaRootKind },
  rootPaths: readonly string[],
  signal: AbortSignal,
): Promise<PreviewFile[]> {
  const out: PreviewFile[] = [];
  for (const path of (await walkFiles(target.folder, signal)).sort()) {
    const p = parseMediaFile(target.kind, target.root, path);
    if (!p) continue;
    const st = await fileStat(path, rootPaths);
    if (st.kind !== 'file') continue;
    out.push({ path, filename: basename(path), parsed: p.parsed, size: st.size });
  }
  return out;
}

/** The scanner's metadata for an item (legacy: `{originalFilename, codec?, season?, ...}`, undefined members omitted). */
function itemMetadata(p: ParsedMedia): Record<string, unknown> {
  const m: Record<string, unknown> = { originalFilename: p.originalFilename };
  for (const k of ['codec', 'season', 'episode', 'episodeTitle', 'artist', 'album', 'track', 'author'] as const) if (p[k] !== undefined) m[k] = p[k];
  return m;
}

/** GET /api/scanner/preview: the items a scan of these files would add (fresh ids, not saved). */
export function previewItems(files: readonly { kind: MediaRootKind; root: string; file: PreviewFile }[], now: Date): LibraryItem[] {
  const items = new Map<string, LibraryItem>();
  for (const { kind, root, file } of files) {
    const p = parseMediaFile(kind, root, file.path);
    if (!p) continue;
    const key = itemKeyString(p.item);
    if (items.has(key)) continue;
    const item: LibraryItem = { id: newLibraryId(now), kind: p.item.kind, title: p.item.title };
    if (p.item.year !== undefined) item.year = p.item.year;
    if (p.parsed.quality !== undefined) item.quality = p.parsed.quality;
    if (p.parsed.source !== undefined) item.source = p.parsed.source;
    item.filePath = file.path;
    item.fileSize = file.size;
    item.metadata = itemMetadata(p.parsed);
    items.set(key, item);
  }
  return [...items.values()];
}
