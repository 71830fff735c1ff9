import type { MediaFolderType, MediaRootKind } from '../settings/media-roots.js';

/** What the legacy file parser answered for one file (API.md §2 `ParsedMedia`). */
export interface ParsedMedia {
  type: MediaRootKind | 'unknown';
  title: string;
  year?: number;
  quality?: string;
  source?: string;
  codec?: string;
  season?: number;
  episode?: number;
  episodeTitle?: string;
  artist?: string;
  album?: string;
  track?: number;
  author?: string;
  extension: string;
  originalFilename: string;
}

/** The library item a file belongs to (kind + title + year). */
export interface ItemKey {
  kind: MediaRootKind;
  title: string;
  year?: number;
}

/** A file read under a root: its parse and the item it groups into. */
export interface ScannedFile {
  path: string;
  root: string;
  kind: MediaRootKind;
  size: number;
  mtimeMs: number;
  parsed: ParsedMedia;
  item: ItemKey;
}

/** A folder to scan (a configured root or a folder inside one). */
export interface ScanFolder {
  path: string;
  type: MediaFolderType;
}

export type ScanStatus = 'idle' | 'scanning' | 'completed' | 'failed';

/** GET /api/scanner/status (legacy keys and order), plus our change counts. */
export interface ScanProgress {
  status: ScanStatus;
  totalFiles: number;
  scannedFiles: number;
  currentPath: string;
  foundItems: number;
  errors: string[];
  startedAt: string | null;
  completedAt: string | null;
  /** This run's changes to `media_files`: new, changed (size/mtime), unchanged, marked missing. */
  changes: { added: number; changed: number; unchanged: number; missing: number };
}

/** One `media_files` row as services see it. */
export interface MediaFileRecord {
  id: string;
  path: string;
  root: string;
  kind: MediaRootKind;
  itemId: string | null;
  size: number;
  mtimeMs: number;
  quality: string | null;
  parsed: ParsedMedia;
  status: 'present' | 'missing';
  missingSince: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}
