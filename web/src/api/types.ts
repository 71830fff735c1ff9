/** Shapes the server answers (docs/api.md; the legacy API's field names). */
export const KINDS = ['movie', 'series', 'music', 'book'] as const;
export type Kind = (typeof KINDS)[number];
export const SORTS = [
  { value: 'title', label: 'Title A–Z' },
  { value: '-title', label: 'Title Z–A' },
  { value: '-createdAt', label: 'Newest first' },
  { value: 'createdAt', label: 'Oldest first' },
] as const;

export interface LibraryItem {
  id: string;
  kind: Kind;
  title: string;
  posterUrl?: string;
  backgroundUrl?: string;
  year?: number;
  quality?: string;
  filePath?: string;
  fileSize?: number;
  createdAt?: string;
  [key: string]: unknown;
}

export interface LibraryPage {
  items: LibraryItem[];
  total: number;
  /** Set on a search whose matches are over the server's exact-count bound: `total` is an estimate. */
  totalIsEstimate?: boolean;
  nextCursor: string | null;
}

export interface WantedItem {
  id: string;
  title: string;
  kind: string;
  addedAt?: string;
  status?: string;
  year?: number;
  lastScan?: { at: string; found: number; grabbed: number };
  lastSearch?: { at: string; found: number; approved: number; grabbed: number; release?: string; errors?: string[] };
  rejections?: { title: string; indexer?: string; reasons: { code: string; reason: string }[] }[];
}

export interface GrabRecord {
  kind?: string;
  id?: string;
  title?: string;
  client?: string;
  protocol?: string;
  ok?: boolean;
  status?: number | string;
  at?: string | number;
  state?: string;
  progress?: number;
  size?: number;
  eta?: number;
  importedPath?: string;
  failure?: string;
  category?: string;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDate(v: string | number | undefined | null): string {
  if (v === undefined || v === null || v === '') return '—';
  const d = typeof v === 'number' ? new Date(v < 1e12 ? v * 1000 : v) : new Date(v);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleString();
}
