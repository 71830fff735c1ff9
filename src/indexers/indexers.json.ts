import { join } from 'node:path';
import { isObject, setOwn } from '../db/json.js';
import { createJsonFile, unchanged } from '../legacy/json-file.js';
import { legacyEncryptAsync, readLegacySecretAsync } from '../security/legacy-crypto.js';
import type { Logger } from '../storage/phased-store.js';
import { openLegacyIndexerSources, sealLegacyIndexerSources } from './indexers.codec.js';
import {
  applyIndexerPatch,
  type IndexerConfig,
  type IndexerPatch,
  type IndexerSources,
  type IndexersDocument,
  keptBySync,
  type SyncSource,
} from './indexers.types.js';

type Doc = Record<string, unknown>;

/** The entries of a document: `indexers` when it is an array (created on the draft if needed). */
function entriesOf(draft: Doc): unknown[] {
  if (!Array.isArray(draft.indexers)) draft.indexers = [];
  return draft.indexers as unknown[];
}

const isEntry = (v: unknown): v is IndexerConfig => isObject(v) && typeof v.id === 'string';

/**
 * `indexers.json` as the legacy server wrote it (FORMATS.md §3.4): apiKeys of `prowlarr` and
 * `jackett` in the legacy ciphertext (plaintext legacy keys are read as they are and encrypted on
 * the next save), entries in array order, unknown keys kept. Legacy dropped the whole file when
 * a key did not decrypt; here the raw value is kept and a warning (never the value) logged.
 */
export function createIndexersJson(opts: { configDir: string; legacyKey: string; log: Logger }) {
  const file = createJsonFile<Doc>(join(opts.configDir, 'indexers.json'), { defaultValue: () => ({ indexers: [] }) });
  // ciphertext -> plaintext: each legacy value costs a 100k-round PBKDF2 to open; do it once.
  const cache = new Map<string, string>();

  async function readDoc(): Promise<Doc> {
    const doc = await file.read();
    return isObject(doc) ? doc : {};
  }

  async function sources(doc: Doc): Promise<IndexerSources> {
    const r = await openLegacyIndexerSources(structuredClone(doc), opts.legacyKey, cache);
    for (const p of r.problems) {
      opts.log.warn({ store: 'indexers', source: p.source, reason: p.reason }, 'indexers.json: apiKey kept as stored');
    }
    if (cache.size > 64) cache.clear();
    return r.sources;
  }

  function entries(doc: Doc): IndexerConfig[] {
    return Array.isArray(doc.indexers) ? (structuredClone(doc.indexers.filter(isEntry)) as IndexerConfig[]) : [];
  }

  /** A manual indexer's apiKey in the legacy ciphertext -> plaintext (plaintext and undecryptable values stay). */
  async function opened(entry: IndexerConfig): Promise<IndexerConfig> {
    if (typeof entry.apiKey !== 'string' || entry.apiKey === '') return entry;
    const hit = cache.get(entry.apiKey);
    if (hit !== undefined) return { ...entry, apiKey: hit };
    const r = await readLegacySecretAsync(entry.apiKey, opts.legacyKey);
    if (r.kind !== 'decrypted') return entry;
    cache.set(entry.apiKey, r.value);
    return { ...entry, apiKey: r.value };
  }

  async function openedAll(list: IndexerConfig[]): Promise<IndexerConfig[]> {
    return Promise.all(list.map(opened));
  }

  /** The entry as the file holds it: its apiKey in the legacy ciphertext (reused when unchanged). */
  async function sealed(entry: IndexerConfig, previous?: unknown): Promise<IndexerConfig> {
    if (typeof entry.apiKey !== 'string' || entry.apiKey === '') return entry;
    const prev = isObject(previous) && typeof previous.apiKey === 'string' ? previous.apiKey : undefined;
    if (prev !== undefined && (prev === entry.apiKey || cache.get(prev) === entry.apiKey)) return { ...entry, apiKey: prev };
    const apiKey = await legacyEncryptAsync(entry.apiKey, opts.legacyKey);
    cache.set(apiKey, entry.apiKey);
    return { ...entry, apiKey };
  }

  /** Mutates the file's document (replacing a document that is not an object). */
  async function mutate<R>(fn: (draft: Doc) => R): Promise<R> {
    const current = await file.read();
    if (!isObject(current)) await file.replace({ indexers: [] });
    return file.update(fn);
  }

  return {
    async get(): Promise<IndexersDocument> {
      const doc = await readDoc();
      return { ...(await sources(doc)), indexers: await openedAll(entries(doc)) };
    },

    async getSources(): Promise<IndexerSources> {
      return sources(await readDoc());
    },

    async listIndexers(): Promise<IndexerConfig[]> {
      return openedAll(entries(await readDoc()));
    },

    /** Replaces every top-level key but `indexers`; keys already in the file keep their place. */
    async saveSources(next: IndexerSources): Promise<void> {
      const current = await readDoc();
      const sealed = await sealLegacyIndexerSources(next, opts.legacyKey, current, cache);
      await mutate((draft) => {
        for (const k of Object.keys(draft)) if (k !== 'indexers' && !(k in sealed)) delete draft[k];
        for (const [k, v] of Object.entries(sealed)) if (k !== 'indexers') setOwn(draft, k, v);
        entriesOf(draft);
      });
    },

    async addIndexer(indexer: IndexerConfig): Promise<void> {
      const copy = await sealed(structuredClone(indexer));
      await mutate((draft) => {
        entriesOf(draft).push(copy);
      });
    },

    async patchIndexer(id: string, patch: IndexerPatch): Promise<IndexerConfig | undefined> {
      const next = await mutate((draft) => {
        const list = entriesOf(draft);
        const i = list.findIndex((e) => isEntry(e) && e.id === id);
        if (i < 0) return unchanged(undefined);
        const next = applyIndexerPatch(list[i] as IndexerConfig, patch);
        list[i] = next;
        return structuredClone(next);
      });
      return next === undefined ? undefined : opened(next);
    },

    async removeIndexer(id: string): Promise<IndexerConfig | undefined> {
      return mutate((draft) => {
        const list = entriesOf(draft);
        const i = list.findIndex((e) => isEntry(e) && e.id === id);
        if (i < 0) return unchanged(undefined);
        const [removed] = list.splice(i, 1);
        return structuredClone(removed) as IndexerConfig;
      }).then((removed) => (removed === undefined ? undefined : opened(removed)));
    },

    async syncIndexers(source: SyncSource, next: IndexerConfig[]): Promise<void> {
      const copies = structuredClone(next);
      const newIds = new Set(copies.map((e) => e.id));
      await mutate((draft) => {
        const kept = entriesOf(draft).filter((e) => isObject(e) && keptBySync(source, e as { id: unknown; type: unknown }, newIds));
        draft.indexers = [...kept, ...copies];
      });
    },

    async replaceDocument(doc: IndexersDocument): Promise<void> {
      const { indexers, ...rest } = structuredClone(doc);
      const current = await readDoc();
      const sealedSources = await sealLegacyIndexerSources(rest, opts.legacyKey, current, cache);
      const before = new Map(entries(current).map((e) => [e.id, e]));
      const sealedEntries = await Promise.all(indexers.map((e) => (isEntry(e) ? sealed(e, before.get(e.id)) : e)));
      await file.replace({ ...sealedSources, indexers: sealedEntries });
    },
  };
}

export type IndexersJson = ReturnType<typeof createIndexersJson>;
