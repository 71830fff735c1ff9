import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import type { SettingsDocumentStore } from './settings.store.js';

// Read-modify-write of one document is serialised per store and key in this process, so two
// concurrent merges (organizer, subtitle config, onboarding) never lose each other's change.
const chains = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Runs `mutate(current)` and stores what it returns, one call at a time per document.
 * `current` is undefined when the document does not exist. Returns the stored document.
 * With `audited`, the change is recorded (entity `settings`, id = the key, before/after; secrets
 * redacted by the recorder).
 */
export async function updateDocument<T>(
  store: Pick<SettingsDocumentStore, 'get' | 'put'>,
  key: string,
  mutate: (current: unknown) => T | Promise<T>,
  audited?: { audit: AuditRecorder; by: AuditActor },
): Promise<T> {
  let perKey = chains.get(store);
  if (!perKey) {
    perKey = new Map();
    chains.set(store, perKey);
  }
  const previous = perKey.get(key) ?? Promise.resolve();
  const run = previous.then(async () => {
    const current = await store.get<unknown>(key);
    const next = await mutate(current);
    await store.put(key, next);
    await audited?.audit.record({ actor: audited.by, entity: 'settings', entityId: key, action: 'update', before: current, after: next });
    return next;
  });
  const settled = run.catch(() => undefined);
  perKey.set(key, settled);
  void settled.then(() => {
    if (perKey.get(key) === settled) perKey.delete(key);
  });
  return run;
}
