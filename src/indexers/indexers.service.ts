import { randomInt } from 'node:crypto';
import type { BlocklistSql } from '../automation/blocklist.sql.js';
import { type Decision, decide, decideAll } from '../automation/decisions.js';
import { resolveProfileRules } from '../automation/profile-rules.js';
import { isObject, setOwn } from '../db/json.js';
import { Invalid, NotFound, UpstreamError } from '../errors.js';
import { ClientError, scrub } from '../http-client/http.js';
import type { RawHit, SourceIndexer, SourceSettings } from '../indexer-clients/hits.js';
import { jackettIndexers, jackettSearch, jackettTest } from '../indexer-clients/jackett.js';
import { prowlarrIndexers, prowlarrSearch, prowlarrTest } from '../indexer-clients/prowlarr.js';
import type { QualityStore } from '../quality/quality.store.js';
import type { Logger } from '../storage/phased-store.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import { failedStatus, isBackedOff } from './indexers.backoff.js';
import { redactIndexerLink } from './indexers.links.js';
import { type IndexerQuery, isSearchable, type SearchIds, searchManual } from './indexers.manual.js';
import { type DecidedHit, filterAndSort } from './indexers.search.js';
import type { IndexersStore } from './indexers.store.js';
import type {
  CreateIndexerBody,
  IndexerConfig,
  IndexerPatch,
  IndexerSources,
  IndexersDocument,
  JackettSource,
  JackettView,
  ProwlarrSource,
  ProwlarrView,
  SaveJackettBody,
  SaveProwlarrBody,
  SearchBody,
  SearchResult,
  SyncSource,
  TestSourceBody,
} from './indexers.types.js';

const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';
const LABEL: Record<SyncSource, string> = { prowlarr: 'Prowlarr', jackett: 'Jackett' };

/** A manual indexer id: 11 random base36 chars (legacy: about 10-12). */
export function newIndexerId(): string {
  let id = '';
  for (let i = 0; i < 11; i++) id += B36[randomInt(36)];
  return id;
}

const secretOf = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function prowlarrView(p: ProwlarrSource): ProwlarrView {
  const out: Record<string, unknown> = { enabled: p.enabled === true };
  if (typeof p.baseUrl === 'string') out.baseUrl = p.baseUrl;
  out.hasApiKey = !!secretOf(p.apiKey);
  if (typeof p.syncEnabled === 'boolean') out.syncEnabled = p.syncEnabled;
  return out as unknown as ProwlarrView;
}

export function jackettView(j: JackettSource): JackettView {
  const out: Record<string, unknown> = { enabled: j.enabled === true };
  if (typeof j.baseUrl === 'string') out.baseUrl = j.baseUrl;
  out.hasApiKey = !!secretOf(j.apiKey);
  return out as unknown as JackettView;
}

/**
 * An entry as the API shows it: never an apiKey. Entries made by the Torznab/Newznab API (they
 * carry `implementation`) say `hasApiKey`; legacy entries keep their legacy shape.
 */
export function publicIndexer(i: IndexerConfig): Omit<IndexerConfig, 'apiKey'> {
  const { apiKey, ...rest } = i;
  if (rest.implementation !== undefined) (rest as Record<string, unknown>).hasApiKey = !!secretOf(apiKey);
  return rest;
}

/** One indexer (source or manual entry) that failed or was skipped in a search. */
export type SearchError = { source: SyncSource; error: string } | { source: 'indexer'; id: string; indexer: string; error: string; disabledUntil?: string };

/**
 * A source's settings after a save (FORMATS.md §3.4): `enabled` from the body; `baseUrl`
 * replaced (omitted -> removed); `apiKey` kept when omitted or "" (null clears it: our
 * addition); `syncEnabled` kept when omitted; other stored keys kept after the known ones.
 */
export function nextSource(stored: Record<string, unknown>, body: SaveProwlarrBody | SaveJackettBody, withSync: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { enabled: body.enabled };
  if (body.baseUrl !== undefined) out.baseUrl = body.baseUrl;
  const apiKey = body.apiKey === null ? undefined : (secretOf(body.apiKey) ?? secretOf(stored.apiKey));
  if (apiKey !== undefined) out.apiKey = apiKey;
  if (withSync) {
    const given = (body as SaveProwlarrBody).syncEnabled;
    const sync = given ?? stored.syncEnabled;
    if (sync !== undefined) out.syncEnabled = sync;
  }
  for (const [k, v] of Object.entries(stored)) if (!['enabled', 'baseUrl', 'apiKey', 'syncEnabled'].includes(k)) setOwn(out, k, v);
  return out;
}

/** The stored settings a sync or search may use (enabled not required for sync, as legacy). */
function settingsOf(sources: IndexerSources, source: SyncSource): SourceSettings | undefined {
  const s = sources[source];
  if (!isObject(s)) return undefined;
  const baseUrl = typeof s.baseUrl === 'string' && s.baseUrl.trim() !== '' ? s.baseUrl : undefined;
  const apiKey = secretOf(s.apiKey);
  return baseUrl && apiKey ? { baseUrl, apiKey } : undefined;
}

function safeMessage(err: unknown, secrets: string[]): string {
  if (err instanceof ClientError) return scrub(err.message, secrets);
  return 'client_error';
}

function toEntry(source: SyncSource, s: SourceIndexer): IndexerConfig {
  const e: IndexerConfig = { id: `${source}-${s.id}`, name: s.name, type: source, protocol: s.protocol, enabled: s.enabled };
  if (s.priority !== undefined) e.priority = s.priority;
  return e;
}

/** What the automation searches for: a wanted item's title and what narrows it. */
export interface WantedSearchTarget extends SearchIds {
  title: string;
  kind?: string;
  year?: number;
  season?: number;
  episode?: number;
  qualityProfileId?: string;
}

export interface IndexersServiceDeps {
  indexers: IndexersStore;
  quality: Pick<QualityStore, 'getMap' | 'listProfiles'>;
  log: Pick<Logger, 'warn'>;
  /** Per-call timeouts (ms); the legacy 10 s / 30 s when omitted. */
  timeouts?: { test?: number; sync?: number; search?: number };
  /** The clock of the backoff (ms since the epoch). */
  now?: () => number;
  /** The release blocklist (decisions reject what it matches). */
  blocklist?: Pick<BlocklistSql, 'matcher'>;
  /** Source settings and indexer changes are audited (API keys redacted by the recorder). */
  audit?: AuditRecorder;
}

export function createIndexersService(deps: IndexersServiceDeps) {
  const { indexers, log } = deps;
  const t = deps.timeouts ?? {};
  const now = deps.now ?? Date.now;
  const audit = (by: AuditActor, action: string, entityId: string, before?: unknown, after?: unknown) =>
    deps.audit?.record({ actor: by, entity: 'indexer', entityId, action, before, after });
  // Saves of the sources document are read-modify-write: one at a time.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <R>(fn: () => Promise<R>): Promise<R> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };

  /** Each hit with the decision for the wanted title the search names (the profile as resolveProfileRules says). */
  async function withDecisions(hits: RawHit[], body: SearchBody): Promise<DecidedHit[]> {
    const [profiles, map, blocked] = await Promise.all([deps.quality.listProfiles(), deps.quality.getMap(), deps.blocklist?.matcher(hits)]);
    const rules = resolveProfileRules({ kind: body.kind, qualityProfileId: body.qualityProfileId }, profiles, map);
    const wanted = { title: body.title as string, kind: body.kind, year: body.year, season: body.season, episode: body.episode };
    return hits.map((h) => {
      const d = decide(h, wanted, rules, blocked);
      return { ...h, decision: { approved: d.approved, rejections: d.rejections } };
    });
  }

  async function decideFor(hits: RawHit[], target: WantedSearchTarget): Promise<Decision<RawHit>[]> {
    const [profiles, map, blocked] = await Promise.all([deps.quality.listProfiles(), deps.quality.getMap(), deps.blocklist?.matcher(hits)]);
    const rules = resolveProfileRules({ kind: target.kind, qualityProfileId: target.qualityProfileId }, profiles, map);
    return decideAll(hits, target, rules, blocked);
  }

  /** Every enabled source and manual indexer queried at once; failures reported per indexer (and backed off). */
  async function gather(body: IndexerQuery): Promise<{ hits: RawHit[]; errors: SearchError[]; doc: IndexersDocument }> {
    const doc = await indexers.get();
    const jobs: { label: SearchError; run: Promise<RawHit[]>; key: string; after?: (error?: string) => Promise<void> }[] = [];
    for (const source of ['prowlarr', 'jackett'] as const) {
      const cfg = doc[source];
      const s = settingsOf(doc, source);
      if (!isObject(cfg) || cfg.enabled !== true || !s) continue;
      const fn = source === 'prowlarr' ? prowlarrSearch : jackettSearch;
      jobs.push({ label: { source, error: '' }, key: s.apiKey, run: fn({ ...s, timeoutMs: t.search }, body.q) });
    }
    const errors: SearchError[] = [];
    const at = now();
    for (const ix of doc.indexers.filter(isSearchable)) {
      const label = { source: 'indexer' as const, id: ix.id, indexer: ix.name, error: '' };
      if (isBackedOff(ix.status, at)) {
        const st = ix.status!;
        errors.push({ ...label, error: `disabled after ${st.failures} failures: ${st.lastError}`, disabledUntil: st.disabledUntil });
        continue;
      }
      const patch = (id: string, p: IndexerPatch) => indexers.patchIndexer(id, p);
      const after = async (error?: string) => {
        if (error !== undefined) await patch(ix.id, { status: failedStatus(ix.status, error, now()) });
        else if (ix.status !== undefined) await patch(ix.id, { status: null });
      };
      jobs.push({ label, key: ix.apiKey ?? '', after, run: searchManual(ix, body, { defaultTimeoutMs: t.search, patch }) });
    }
    const settled = await Promise.allSettled(jobs.map((j) => j.run));
    const hits: RawHit[] = [];
    for (const [i, r] of settled.entries()) {
      const job = jobs[i];
      const error = r.status === 'fulfilled' ? undefined : safeMessage(r.reason, [job.key]);
      await job.after?.(error);
      if (r.status === 'fulfilled') hits.push(...r.value);
      else {
        log.warn({ ...job.label, error }, 'indexer search failed');
        errors.push({ ...job.label, error: error as string });
      }
    }
    return { hits, errors, doc };
  }

  return {
    /** GET /api/indexers: the bare legacy view, `hasApiKey` instead of any key. */
    async view(): Promise<{ prowlarr?: ProwlarrView; jackett?: JackettView; indexers: Omit<IndexerConfig, 'apiKey'>[] }> {
      const doc = await indexers.get();
      const out: { prowlarr?: ProwlarrView; jackett?: JackettView; indexers: Omit<IndexerConfig, 'apiKey'>[] } = { indexers: [] };
      if (isObject(doc.prowlarr)) out.prowlarr = prowlarrView(doc.prowlarr);
      if (isObject(doc.jackett)) out.jackett = jackettView(doc.jackett);
      out.indexers = doc.indexers.map(publicIndexer);
      return out;
    },

    async saveSource(source: SyncSource, body: SaveProwlarrBody | SaveJackettBody, by: AuditActor = 'system'): Promise<ProwlarrView | JackettView> {
      return serial(async () => {
        const sources = await indexers.getSources();
        const stored = isObject(sources[source]) ? (sources[source] as Record<string, unknown>) : {};
        const next = nextSource(stored, body, source === 'prowlarr');
        await indexers.saveSources({ ...sources, [source]: next });
        await audit(by, 'update', source, stored, next);
        return source === 'prowlarr' ? prowlarrView(next) : jackettView(next);
      });
    },

    /** Probes with the BODY's url and key (legacy: stored values are not used). */
    async test(source: SyncSource, body: TestSourceBody): Promise<{ ok: true; version?: string } | { ok: false; error: string }> {
      const s: SourceSettings = { baseUrl: body.baseUrl, apiKey: body.apiKey, timeoutMs: t.test };
      const r = source === 'prowlarr' ? await prowlarrTest(s) : await jackettTest(s);
      if (!r.ok) log.warn({ source, error: r.error }, 'indexer source test failed');
      return r.ok ? (r.version === undefined ? { ok: true } : { ok: true, version: r.version }) : { ok: false, error: r.error };
    },

    /** Replaces the source's entries by what it reports now (FORMATS.md §3.4). */
    async sync(source: SyncSource, by: AuditActor = 'system'): Promise<{ ok: true; count: number }> {
      const s = settingsOf(await indexers.getSources(), source);
      if (!s) throw new Invalid(`${LABEL[source]} not configured`);
      let found: SourceIndexer[];
      try {
        found = await (source === 'prowlarr' ? prowlarrIndexers : jackettIndexers)({ ...s, timeoutMs: t.sync });
      } catch (err) {
        const error = safeMessage(err, [s.apiKey]);
        log.warn({ source, error }, 'indexer sync failed');
        throw new UpstreamError(error);
      }
      const seen = new Set<string>();
      const entries = found.map((f) => toEntry(source, f)).filter((e) => !seen.has(e.id) && seen.add(e.id));
      await indexers.syncIndexers(source, entries);
      await audit(by, 'sync', source, undefined, { count: entries.length, ids: entries.map((e) => e.id) });
      return { ok: true, count: entries.length };
    },

    async create(body: CreateIndexerBody, by: AuditActor = 'system'): Promise<Omit<IndexerConfig, 'apiKey'>> {
      const indexer: IndexerConfig = { id: newIndexerId(), name: body.name, type: 'manual', protocol: body.type, enabled: true };
      if (body.url !== undefined) indexer.baseUrl = body.url;
      if (body.apiKey !== undefined) indexer.apiKey = body.apiKey;
      indexer.implementation = body.implementation ?? (body.type === 'usenet' ? 'newznab' : 'torznab');
      if (body.categories !== undefined) indexer.categories = body.categories;
      if (body.timeoutSeconds !== undefined) indexer.timeoutSeconds = body.timeoutSeconds;
      await indexers.addIndexer(indexer);
      await audit(by, 'create', indexer.id, undefined, indexer);
      return publicIndexer(indexer);
    },

    async patch(id: string, patch: IndexerPatch, by: AuditActor = 'system'): Promise<Omit<IndexerConfig, 'apiKey'>> {
      const before = (await indexers.get()).indexers.find((i) => i.id === id);
      const next = await indexers.patchIndexer(id, patch);
      if (!next) throw new NotFound('not_found');
      await audit(by, 'update', id, before, next);
      return publicIndexer(next);
    },

    async remove(id: string, by: AuditActor = 'system'): Promise<Omit<IndexerConfig, 'apiKey'>> {
      const removed = await indexers.removeIndexer(id);
      if (!removed) throw new NotFound('not_found');
      await audit(by, 'delete', id, removed);
      return publicIndexer(removed);
    },

    /**
     * Queries every enabled, configured source and every enabled manual Torznab/Newznab indexer
     * with a URL, at once. A failing one is logged and reported in `errors` (a manual indexer is
     * also backed off: indexers.backoff.ts); the others still answer. Nothing found ->
     * `results: []` (legacy returned 3 fake magnets). Links never carry a key (indexers.links.ts).
     */
    async search(body: SearchBody): Promise<{ ok: true; results: SearchResult[]; errors?: SearchError[] }> {
      const { hits, errors, doc } = await gather(body);
      const wantsMap = body.serverFilter === true && body.kind !== undefined;
      const decided = body.title === undefined ? hits : await withDecisions(hits, body);
      const results = filterAndSort(decided, body, wantsMap ? await deps.quality.getMap() : undefined).map((r) => ({
        ...r,
        link: redactIndexerLink(r.link, doc),
      }));
      return errors.length > 0 ? { ok: true, results, errors } : { ok: true, results };
    },

    /**
     * The automation's search for one wanted item: every indexer queried with its title (and
     * year, season, episode), each hit decided against the item's profile, approved ones ranked
     * best first (decideAll). Links are redacted as in `search` (a grab puts the key back).
     */
    async searchWanted(target: WantedSearchTarget): Promise<{ decisions: Decision<RawHit>[]; errors: SearchError[] }> {
      const body: IndexerQuery = {
        q: target.title,
        title: target.title,
        kind: target.kind,
        year: target.year,
        season: target.season,
        episode: target.episode,
        qualityProfileId: target.qualityProfileId,
        imdbId: target.imdbId,
        tmdbId: target.tmdbId,
        tvdbId: target.tvdbId,
      };
      const { hits, errors, doc } = await gather(body);
      const redacted = hits.map((h) => ({ ...h, link: redactIndexerLink(h.link, doc) }));
      return { decisions: await decideFor(redacted, target), errors };
    },

    /**
     * Every enabled indexer's RSS feed (its newest releases: `t=search` without `q`, in its own
     * categories; Prowlarr and Jackett the same way), links redacted as in `search`. Failures are
     * reported per indexer (and backed off) as in a search.
     */
    async rssFeed(): Promise<{ hits: RawHit[]; errors: SearchError[] }> {
      const { hits, errors, doc } = await gather({ q: '' });
      return { hits: hits.map((h) => ({ ...h, link: redactIndexerLink(h.link, doc) })), errors };
    },

    /** The decisions on `hits` for one wanted item (approved ones ranked best first). */
    decideFor,

    /**
     * What a search would ask now: enabled sources (Prowlarr, Jackett) and enabled manual
     * indexers not in backoff (`ready`), and the manual ones skipped for their backoff. The
     * missing-items sweep queues nothing when none is ready.
     */
    async readiness(): Promise<{ ready: number; backedOff: number }> {
      const doc = await indexers.get();
      const at = now();
      let ready = 0;
      let backedOff = 0;
      for (const source of ['prowlarr', 'jackett'] as const) {
        const cfg = doc[source];
        if (isObject(cfg) && cfg.enabled === true && settingsOf(doc, source)) ready++;
      }
      for (const ix of doc.indexers.filter(isSearchable)) {
        if (isBackedOff(ix.status, at)) backedOff++;
        else ready++;
      }
      return { ready, backedOff };
    },
  };
}

export type IndexersService = ReturnType<typeof createIndexersService>;
