/** The NZB kept in a grab record when no client could take the upload (FORMATS.md §3.8). */
export interface NzbUpload {
  filename?: string;
  mimetype?: string;
  base64: string;
  size: number;
  [key: string]: unknown;
}

/**
 * One value of legacy `grabs.json` (the last grab per `<kind>:<id>` key), with the legacy key
 * names. `link` is `null` for NZB uploads without a URL; `status` is the client's HTTP status,
 * `"uploaded"`, `"stored"`, or absent when the client call failed before an HTTP reply.
 */
export interface GrabRecord {
  kind?: string;
  id?: string;
  title?: string;
  link?: string | null;
  protocol?: 'torrent' | 'usenet' | string;
  client?: 'qbittorrent' | 'sabnzbd' | 'nzbget' | 'usenet' | string;
  ok?: boolean;
  status?: number | string;
  at?: string;
  category?: string;
  nzbUpload?: NzbUpload;
  /** Ours, additive: the client's id (qBittorrent hash, SABnzbd nzo_id, NZBGet NZBID) and the tracking and import that follow. */
  downloadId?: string;
  state?: 'queued' | 'downloading' | 'importPending' | 'imported' | 'failed' | string;
  progress?: number;
  importedAt?: string;
  importedPath?: string;
  [key: string]: unknown;
}

export interface GrabEntry {
  key: string;
  record: GrabRecord;
}

/**
 * Where a history page ends: the last record's `at` (null for the records without one, which come
 * after every timed record) and its key. The history runs newest first: `at`, then key, descending.
 */
export interface GrabTimeCursor {
  at: string | null;
  key: string;
}

/** Where a queue page ends: the last record's place in file order and its key. */
export interface GrabOrderCursor {
  position: number;
  key: string;
}

/** One keyset page of grab records and where the next one starts (null: this was the last). */
export interface GrabsPage<C> {
  entries: GrabEntry[];
  next: C | null;
}

/** `<kind>:<id>` split on the FIRST ':' (ids may contain ':'; a key without one is all kind). */
/** The states after which a client no longer works on a grab's download. */
export const FINAL_GRAB_STATES: ReadonlySet<string> = new Set(['imported', 'failed']);

/** Sent to a download client under an id and not finished: the download tracker's work. */
export function isInFlight(r: GrabRecord): boolean {
  return r.ok === true && typeof r.downloadId === 'string' && typeof r.client === 'string' && !FINAL_GRAB_STATES.has(String(r.state));
}

export function splitGrabKey(key: string): { kind: string; itemId: string } {
  const at = key.indexOf(':');
  return at < 0 ? { kind: key, itemId: '' } : { kind: key.slice(0, at), itemId: key.slice(at + 1) };
}

export function grabKey(kind: string, id: string): string {
  return `${kind}:${id}`;
}
