import {
  type Capability,
  CLIENT_KINDS,
  type ClientAdapter,
  type ClientKind,
  type ClientProtocol,
  type ClientSettings,
  type DownloadClient,
  isClientKind,
} from './download-client.js';
import { nzbgetAdapter } from './nzbget.adapter.js';
import { qbitAdapter } from './qbittorrent.adapter.js';
import { sabAdapter } from './sabnzbd.adapter.js';

/** The one place that knows which adapter serves which client kind. */
const ADAPTERS: Record<ClientKind, ClientAdapter> = {
  qbittorrent: qbitAdapter,
  sabnzbd: sabAdapter,
  nzbget: nzbgetAdapter,
};

/** The setting `kind` is missing to be built from `s` (`baseUrl`, or e.g. SABnzbd's `apiKey`), if any. */
export function missingSetting(kind: ClientKind, s: Partial<ClientSettings>): keyof ClientSettings | undefined {
  if (!s.baseUrl) return 'baseUrl';
  const need = ADAPTERS[kind].requires;
  return need && !s[need] ? need : undefined;
}

/** The adapter for `kind`, or undefined when a setting it needs is missing. */
export function clientFor(kind: ClientKind, s: ClientSettings): DownloadClient | undefined {
  return missingSetting(kind, s) ? undefined : ADAPTERS[kind].create(s);
}

export function protocolOf(kind: ClientKind): ClientProtocol {
  return ADAPTERS[kind].protocol;
}

/** The client kinds of a protocol, in preference order. */
export function kindsFor(protocol: ClientProtocol): ClientKind[] {
  return CLIENT_KINDS.filter((k) => ADAPTERS[k].protocol === protocol);
}

/** Whether clients of `kind` make the optional call `cap` (false for an unknown kind). */
export function supports(kind: unknown, cap: Capability): kind is ClientKind {
  return isClientKind(kind) && ADAPTERS[kind].can.includes(cap);
}

/** The client kinds that make `cap`, in preference order. */
export function kindsThat(cap: Capability): ClientKind[] {
  return CLIENT_KINDS.filter((k) => ADAPTERS[k].can.includes(cap));
}
