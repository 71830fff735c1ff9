import { type IndexerSources, SYNC_SOURCES, type SyncSource } from './indexers.types.js';

/**
 * Prowlarr download URLs (`...?apikey=<key>`) and Jackett links (`...?jackett_apikey=<key>`)
 * embed the source's API key, and legacy handed them to every user in search results. We replace
 * the key by a marker in every result, and whoever fetches the link on the server side (the grab)
 * restores it with `resolveIndexerLink`. Users never see a key; grabs still work.
 */

export function keyMarker(source: SyncSource): string {
  return `{mediaos:${source}-apikey}`;
}

function keyOf(sources: IndexerSources, source: SyncSource): string | undefined {
  const s = sources[source];
  const k = s && typeof s === 'object' ? (s as { apiKey?: unknown }).apiKey : undefined;
  // Very short keys are not searched for: they would match unrelated parts of a URL.
  return typeof k === 'string' && k.length >= 8 ? k : undefined;
}

/** True when a link carries a key marker (a link that came out of our search). */
export function hasKeyMarker(link: string): boolean {
  return link.includes('{mediaos:');
}

/** `link` with every stored source key (raw or URL-encoded) replaced by its marker. */
export function redactIndexerLink(link: string, sources: IndexerSources): string {
  let out = link;
  for (const source of SYNC_SOURCES) {
    const key = keyOf(sources, source);
    if (!key) continue;
    for (const form of new Set([key, encodeURIComponent(key)])) out = out.split(form).join(keyMarker(source));
  }
  return out;
}

/** The inverse for the server side: markers replaced by the stored (decrypted) keys, URL-encoded. */
export function resolveIndexerLink(link: string, sources: IndexerSources): string {
  let out = link;
  for (const source of SYNC_SOURCES) {
    const key = keyOf(sources, source);
    if (key) out = out.split(keyMarker(source)).join(encodeURIComponent(key));
  }
  return out;
}

/** The marker of a manual indexer's key in links handed to users. */
export function manualKeyMarker(indexerId: string): string {
  return `{mediaos:indexer-${indexerId}-apikey}`;
}

/** `link` with a manual indexer's key (raw or URL-encoded) replaced by its marker. */
export function redactManualLink(link: string, indexerId: string, apiKey: string | undefined): string {
  if (typeof apiKey !== 'string' || apiKey.length < 8) return link;
  let out = link;
  for (const form of new Set([apiKey, encodeURIComponent(apiKey)])) out = out.split(form).join(manualKeyMarker(indexerId));
  return out;
}

/** The inverse for the server side (the grab): each manual indexer's marker -> its key, URL-encoded. */
export function resolveManualLink(link: string, indexers: readonly { id: string; apiKey?: string }[]): string {
  let out = link;
  for (const ix of indexers) if (typeof ix.apiKey === 'string' && ix.apiKey !== '') out = out.split(manualKeyMarker(ix.id)).join(encodeURIComponent(ix.apiKey));
  return out;
}

/** Both kinds of marker put back: a source's (Prowlarr/Jackett) and a manual indexer's. */
export function resolveAnyIndexerLink(link: string, doc: IndexerSources & { indexers: readonly { id: string; apiKey?: string }[] }): string {
  return resolveManualLink(resolveIndexerLink(link, doc), doc.indexers);
}
