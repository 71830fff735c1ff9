/**
 * The seed's storage phases (DESIGN.md): who is written and who is read. A leaf (no imports), so
 * config.ts can validate MEDIAOS_STORAGE_PHASE against it.
 */
export const STORAGE_PHASES = ['files', 'dual-read-files', 'dual-read-db', 'db'] as const;
export type StoragePhase = (typeof STORAGE_PHASES)[number];

export function isPhase(v: string): v is StoragePhase {
  return (STORAGE_PHASES as readonly string[]).includes(v);
}
