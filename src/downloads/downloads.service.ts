import type { ClientProtocol } from '../download-clients/download-client.js';
import { kindsFor } from '../download-clients/registry.js';
import { activeClient } from '../downloaders/downloaders.clients.js';
import type { DownloadersStore } from '../downloaders/downloaders.store.js';
import { AppError, Invalid, missingParams, UpstreamError } from '../errors.js';
import type { GrabsStore } from '../grabs/grabs.store.js';
import { type GrabRecord, grabKey } from '../grabs/grabs.types.js';
import type { ClientResult } from '../http-client/http.js';
import type { GrabInput, GrabReply } from './downloads.types.js';

/** The UI sends plural kinds on some calls and singular on others (FORMATS.md §0.5). */
const KIND_VARIANTS: Record<string, string> = { movies: 'movie', movie: 'movies', books: 'book', book: 'books' };

/** 409: no client is set up to take it (the request is fine; the server's state is not). */
export class NotConfigured extends AppError {
  constructor(code: string) {
    super(409, code);
  }
}

const isHttp = (link: string | undefined): link is string => !!link && /^https?:\/\//i.test(link);

/** The legacy code when no client of a protocol is set up. */
const NOT_CONFIGURED: Record<ClientProtocol, string> = { torrent: 'qbittorrent_not_configured', usenet: 'usenet_not_configured' };

export interface DownloadsDeps {
  downloaders: Pick<DownloadersStore, 'get'>;
  grabs: Pick<GrabsStore, 'get' | 'put'>;
  now: () => Date;
  /**
   * Puts indexer API keys back into a search-result link (search hands out links with a marker
   * instead of the key: src/indexers/indexers.links.ts). The grab record keeps the marked link.
   */
  resolveLink?: (link: string) => Promise<string>;
}

/**
 * Sends a release to a download client (API.md §6 "How a grab is dispatched") with the DECRYPTED
 * stored secrets (legacy sent the ciphertext: FORMATS.md §3.3), and records the last grab per
 * `<kind>:<id>` whenever a client was called or an upload was stored.
 *
 * Answers: `{ok:true,queued:true}`; `{ok:true,queued:false,stored:true}`; 400 for bad input
 * (`missing_params`, `missing_link`, `unsupported_link_or_protocol`); 409 when no client can take
 * it (`qbittorrent_not_configured`, `usenet_not_configured`); 502 `{ok:false,queued:false,error}`
 * when the client refused or could not be reached.
 */
export function createDownloadsService(deps: DownloadsDeps) {
  async function record(
    key: string,
    base: GrabRecord,
    client: string,
    r: ClientResult,
    extra: { category?: string; uploaded?: boolean; downloadId?: string },
  ): Promise<GrabReply> {
    const rec: GrabRecord = { ...base, client, ok: r.ok };
    if (r.status !== undefined) rec.status = r.ok && extra.uploaded ? 'uploaded' : r.status;
    rec.at = deps.now().toISOString();
    if (extra.category) rec.category = extra.category;
    // The client's own id (qBittorrent hash, SABnzbd nzo_id, NZBGet NZBID): how tracking finds it.
    if (r.ok && extra.downloadId) {
      rec.downloadId = extra.downloadId;
      rec.state = 'queued';
    }
    await deps.grabs.put(key, rec);
    if (r.ok) return { ok: true, queued: true };
    throw new UpstreamError(r.error, { queued: false });
  }

  return {
    async grab(input: GrabInput): Promise<GrabReply> {
      const kind = input.kind ?? '';
      const id = input.id ?? '';
      const title = input.title;
      if (!title) throw missingParams(['title']);
      const link = input.link || undefined;
      const upload = input.upload;
      if (!link && !upload) throw new Invalid('missing_link');
      const protocol = input.protocol ?? (link?.startsWith('magnet:') ? 'torrent' : 'usenet');
      const key = grabKey(kind, id);
      const base: GrabRecord = { kind, id, title, link: link ?? null, protocol };
      const settings = await deps.downloaders.get();
      const target = link && deps.resolveLink ? await deps.resolveLink(link) : link;

      // Torrents go by magnet or http(s) .torrent link (fetched and uploaded, so the hash is known); a stored upload is a usenet fallback.
      if (protocol === 'torrent' && !(link?.startsWith('magnet:') || isHttp(link))) throw new Invalid('unsupported_link_or_protocol');
      for (const clientKind of kindsFor(protocol)) {
        const client = activeClient(settings, clientKind);
        if (!client) continue;
        const category = client.notedCategory;
        if (target && client.accepts(target)) {
          const r = await client.addLink(target, { title });
          return record(key, base, clientKind, r, { category, downloadId: r.ok ? r.downloadId : undefined });
        }
        if (upload && client.addFile) {
          const r = await client.addFile(upload, { title });
          return record(key, base, clientKind, r, { category, uploaded: true, downloadId: r.ok ? r.downloadId : undefined });
        }
      }
      if (protocol === 'torrent') throw new NotConfigured(NOT_CONFIGURED.torrent);
      if (upload) {
        const rec: GrabRecord = {
          ...base,
          client: 'usenet',
          ok: false,
          status: 'stored',
          at: deps.now().toISOString(),
          nzbUpload: {
            ...(upload.filename ? { filename: upload.filename } : {}),
            ...(upload.mimetype ? { mimetype: upload.mimetype } : {}),
            base64: upload.data.toString('base64'),
            size: upload.data.length,
          },
        };
        await deps.grabs.put(key, rec);
        return { ok: true, queued: false, stored: true };
      }
      if (link && !isHttp(link)) throw new Invalid('unsupported_link_or_protocol');
      throw new NotConfigured(NOT_CONFIGURED.usenet);
    },

    /** The exact key first, then the plural/singular variant of the kind. */
    async last(kind: string | undefined, id: string | undefined): Promise<GrabRecord | null> {
      if (!kind || !id) throw missingParams([!kind && 'kind', !id && 'id'].filter((f): f is string => typeof f === 'string'));
      const exact = await deps.grabs.get(grabKey(kind, id));
      if (exact) return exact;
      const variant = KIND_VARIANTS[kind];
      return (variant && (await deps.grabs.get(grabKey(variant, id)))) || null;
    },
  };
}

export type DownloadsService = ReturnType<typeof createDownloadsService>;
