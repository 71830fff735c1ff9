import type { ClientResult } from '../http-client/http.js';

/**
 * One interface for every download client. The domains (grab, activity, the settings test) ask
 * `clientFor(kind, settings)` (registry.ts) for an adapter and call it; only the adapters know which product
 * they talk to. A call a client cannot make is absent (`addFile`, `list`, `history`, `act` are
 * optional): callers branch on what a client can do, never on its name.
 *
 * The loose functions in qbittorrent.ts, sabnzbd.ts and nzbget.ts stay exported; the adapters
 * wrap them.
 */

/** In preference order: a grab tries the clients of its protocol in this order. */
export const CLIENT_KINDS = ['qbittorrent', 'sabnzbd', 'nzbget'] as const;
export type ClientKind = (typeof CLIENT_KINDS)[number];
export type ClientProtocol = 'torrent' | 'usenet';

export function isClientKind(value: unknown): value is ClientKind {
  return typeof value === 'string' && (CLIENT_KINDS as readonly string[]).includes(value);
}

/** What an adapter is built from; each adapter uses the members its client knows. */
export interface ClientSettings {
  baseUrl: string;
  username?: string;
  password?: string;
  apiKey?: string;
  category?: string;
  timeoutMs: number;
}

export interface NzbFile {
  filename?: string;
  mimetype?: string;
  data: Buffer;
}

export interface AddOptions {
  /** The release title (NZBGet names the job after it). */
  title?: string;
  /** Overrides the configured category for this add. */
  category?: string;
}

/**
 * Where a download stands, in one vocabulary for every client (each adapter maps its client's own
 * state words): `completed` means the client is done with it (checked, post-processed, moved) and
 * `contentPath` names its data; `failed` means it will not finish (`failure` says why).
 */
export type DownloadState = 'queued' | 'paused' | 'downloading' | 'processing' | 'completed' | 'failed';

/** A job in the client's queue. */
export interface ClientJob {
  /** The client's id (torrent hash, SABnzbd nzo_id, NZBGet NZBID). */
  id: string;
  title: string;
  state: DownloadState;
  /** 0..1 */
  progress?: number;
  /** The client's own state word. */
  status?: string;
  /** Bytes of the whole download. */
  sizeBytes?: number;
  speedBps?: number;
  etaSec?: number;
  /** The client's own time-left text, when it gives no seconds. */
  eta?: string;
  category?: string;
  /** Where the client saves the job, when it says. */
  savePath?: string;
  /** The finished download's data (its single file or its folder), when `state` is `completed`. */
  contentPath?: string;
  /** Why it failed, when `state` is `failed`. */
  failure?: string;
}

export interface ListQuery {
  /** Only these ids (client-side filter); all jobs when omitted. */
  ids?: readonly string[];
}

/** A finished (or post-processing) job in the client's history. */
export interface ClientHistoryEntry {
  id?: string;
  title: string;
  /** The client's own status word. */
  status?: string;
  state: Extract<DownloadState, 'processing' | 'completed' | 'failed'>;
  /** As the client gives it (SABnzbd: epoch seconds). */
  at?: number | string;
  category?: string;
  /** Where the finished job's files are. */
  contentPath?: string;
  sizeBytes?: number;
  failure?: string;
}

export type JobOp = 'pause' | 'resume' | 'delete';
export const JOB_OPS: readonly JobOp[] = ['pause', 'resume', 'delete'];

export interface DownloadClient {
  readonly kind: ClientKind;
  readonly protocol: ClientProtocol;
  readonly baseUrl: string;
  /** The category a grab record notes (legacy noted SABnzbd's only; the others send theirs without noting it). */
  readonly notedCategory?: string;
  /** The settings test: reachable, logged in, and the version when the client tells it. */
  test(): Promise<ClientResult<{ version?: string }>>;
  /** Whether `addLink` takes this link (a magnet or http(s) .torrent for qBittorrent, an http(s) URL for the usenet clients). */
  accepts(link: string): boolean;
  /** Adds a release; `downloadId` is the client's own id for it (torrent hash, nzo_id, NZBID) when known: how tracking finds it. */
  addLink(link: string, opts?: AddOptions): Promise<ClientResult<{ downloadId?: string }>>;
  /** Uploads an NZB. */
  addFile?(file: NzbFile, opts?: AddOptions): Promise<ClientResult<{ downloadId?: string }>>;
  /** The queue, with progress and state. */
  list?(query?: ListQuery): Promise<ClientResult<{ jobs: ClientJob[] }>>;
  history?(limit: number): Promise<ClientResult<{ entries: ClientHistoryEntry[] }>>;
  /** pause / resume / delete one job (delete keeps the files). */
  act?(op: JobOp, id: string): Promise<ClientResult>;
}

export type Capability = 'addFile' | 'list' | 'history' | 'act';

export interface ClientAdapter {
  readonly protocol: ClientProtocol;
  /** The optional calls its clients make (known without settings, for input checks). */
  readonly can: readonly Capability[];
  /** The setting it cannot work without, beyond baseUrl. */
  readonly requires?: keyof ClientSettings;
  create(s: ClientSettings): DownloadClient;
}
