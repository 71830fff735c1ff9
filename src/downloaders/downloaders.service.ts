import { missingSetting } from '../download-clients/registry.js';
import { Invalid } from '../errors.js';
import type { ClientResult } from '../http-client/http.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import { clientSettings, secretOf, sectionClient } from './downloaders.clients.js';
import type { DownloadersStore } from './downloaders.store.js';
import {
  type ClientType,
  type DownloaderSection,
  type DownloadersSettings,
  type DownloadersView,
  isClientType,
  type SaveDownloadersBody,
  type TestDownloaderBody,
} from './downloaders.types.js';

/** The settings test has a fixed 4 s budget (API.md §3). */
export const TEST_TIMEOUT_MS = 4000;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Drops undefined members, so the JSON keeps the legacy key order and no `undefined`s. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** API.md §0.5: `enabled = enabled || !!baseUrl`; `has*` instead of any secret. */
export function toView(settings: DownloadersSettings): DownloadersView {
  const q = settings.qbittorrent ?? {};
  const n = settings.nzbget ?? {};
  const s = settings.sabnzbd ?? {};
  return {
    qbittorrent: compact({
      enabled: q.enabled === true || !!q.baseUrl,
      hasPassword: !!q.password,
      baseUrl: q.baseUrl,
      username: q.username,
      category: q.category,
      timeoutMs: q.timeoutMs,
    }),
    nzbget: compact({
      enabled: n.enabled === true || !!n.baseUrl,
      hasPassword: !!n.password,
      baseUrl: n.baseUrl,
      username: n.username,
      timeoutMs: n.timeoutMs,
    }),
    sabnzbd: compact({
      enabled: s.enabled === true || !!s.baseUrl,
      hasApiKey: !!s.apiKey,
      baseUrl: s.baseUrl,
      category: s.category,
      timeoutMs: s.timeoutMs,
    }),
  };
}

/** `Math.trunc(Number(x))` when finite (numeric strings too); undefined, null and "" mean "not given". */
export function normalizeTimeout(x: unknown): number | undefined {
  if (x === undefined || x === null || (typeof x === 'string' && x.trim() === '')) return undefined;
  const n = Number(x);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

/**
 * A secret after a save: a non-empty value replaces it, `null` clears it, omitted or "" keeps
 * the stored one. Legacy kept qBittorrent/NZBGet passwords this way but dropped the SABnzbd
 * apiKey when omitted (FORMATS.md §3.3); the legacy UI sends it only when changed, so every
 * save without it silently broke SABnzbd. We keep it, like the passwords.
 */
function nextSecret(given: string | null | undefined, stored: unknown): string | undefined {
  if (given === null) return undefined;
  if (typeof given === 'string' && given !== '') return given;
  return secretOf(stored);
}

type SectionInput = NonNullable<SaveDownloadersBody[ClientType]>;

/** One section rebuilt from the body (FORMATS.md §3.3): omitted keys go, a missing section is `{enabled:false}`. */
export function buildSection(client: ClientType, input: SectionInput | null | undefined, stored: DownloaderSection | undefined): DownloaderSection {
  if (!input) return { enabled: false };
  const i = input as Record<string, unknown>;
  const out: DownloaderSection = { enabled: input.enabled === true };
  if (typeof i.baseUrl === 'string') out.baseUrl = i.baseUrl;
  if (client !== 'sabnzbd' && typeof i.username === 'string') out.username = i.username;
  if (client === 'sabnzbd') out.apiKey = nextSecret(i.apiKey as string | null | undefined, stored?.apiKey);
  else out.password = nextSecret(i.password as string | null | undefined, stored?.password);
  out.timeoutMs = normalizeTimeout(i.timeoutMs);
  if (client !== 'nzbget' && typeof i.category === 'string') out.category = i.category;
  return compact(out);
}

// The adapter settings moved to downloaders.clients.ts; re-exported for existing importers.
export { isActive } from './downloaders.clients.js';

function originOf(url: unknown): string | undefined {
  try {
    return typeof url === 'string' ? new URL(url.trim()).origin : undefined;
  } catch {
    return undefined;
  }
}

export type TestResult = ClientResult<{ version?: string }>;

export function createDownloadersService(deps: { downloaders: DownloadersStore; audit: AuditRecorder }) {
  return {
    async view(): Promise<DownloadersView> {
      return toView(await deps.downloaders.get());
    },

    /** Replaces the settings; the audit row holds before/after with every secret redacted. */
    async save(body: SaveDownloadersBody, actor: AuditActor = 'system'): Promise<DownloadersView> {
      const stored = await deps.downloaders.get();
      const next: DownloadersSettings = {
        qbittorrent: buildSection('qbittorrent', body.qbittorrent, stored.qbittorrent),
        nzbget: buildSection('nzbget', body.nzbget, stored.nzbget),
        sabnzbd: buildSection('sabnzbd', body.sabnzbd, stored.sabnzbd),
      };
      await deps.downloaders.save(next);
      await deps.audit.record({ actor, entity: 'downloaders', entityId: 'downloaders', action: 'update', before: stored, after: next });
      return toView(next);
    },

    /**
     * Probes a client with the STORED settings (secrets decrypted) overlaid with the body's
     * overrides; legacy merged the secret-free view, so a stored secret was never sent. A stored
     * secret goes only to the stored server's origin: overriding baseUrl with another host needs
     * the secret in the body too (else the test could hand it to any server).
     */
    async test(body: TestDownloaderBody): Promise<TestResult> {
      if (body.client === undefined || body.client === null || body.client === '') throw new Invalid('client_required');
      if (!isClientType(body.client)) throw new Invalid('invalid_client');
      const client = body.client;
      const stored: DownloaderSection = { ...((await deps.downloaders.get())[client] ?? {}) };
      const o = body.settings ?? {};
      const sameServer = o.baseUrl === undefined || originOf(o.baseUrl) === originOf(stored.baseUrl);
      if (!sameServer) {
        delete stored.password;
        delete stored.apiKey;
      }
      const merged: DownloaderSection = { ...stored };
      if (o.baseUrl !== undefined) merged.baseUrl = o.baseUrl;
      if (o.username !== undefined) merged.username = o.username;
      if (secretOf(o.password)) merged.password = o.password;
      if (secretOf(o.apiKey)) merged.apiKey = o.apiKey;
      if (o.category !== undefined) merged.category = o.category;

      if (!str(merged.baseUrl)) return { ok: false, error: 'missing_baseUrl' };
      const adapter = sectionClient(client, merged, TEST_TIMEOUT_MS);
      if (!adapter) return { ok: false, error: `missing_${missingSetting(client, clientSettings(merged, TEST_TIMEOUT_MS) ?? {})}` };
      return adapter.test();
    },
  };
}

export type DownloadersService = ReturnType<typeof createDownloadersService>;
