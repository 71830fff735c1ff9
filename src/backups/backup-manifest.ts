/**
 * `manifest.json`, the first member of every backup archive: what the archive holds and how to
 * check it (the database, secrets.json, and the stored artwork files). Every other member is listed with its size and sha256; a restore refuses an archive
 * whose members do not match, or whose schema is newer than the running build.
 */
import { z } from 'zod';

export const BACKUP_FORMAT = 'mediaos-backup';
/** 2: the archive may hold `artwork/<sha256>.<ext>` members (1 never does; both are read). */
export const BACKUP_FORMAT_VERSION = 2;
export const MANIFEST_NAME = 'manifest.json';
/** SQLite: the online-backup copy of the database file. */
export const SQLITE_MEMBER = 'database.db';
/** PostgreSQL: the engine-neutral `mediaos dump` of the database. */
export const DUMP_MEMBER = 'database.dump.gz';
/** The data dir's secrets.json (the keys that decrypt stored secrets), when it exists. */
export const SECRETS_MEMBER = 'secrets.json';
export const MEMBER_NAMES = [SQLITE_MEMBER, DUMP_MEMBER, SECRETS_MEMBER] as const;
/** The artwork the server keeps (`<data>/artwork/<sha256>.<ext>`), one member each; the strict name leaves no way out of the folder. */
export const ARTWORK_MEMBER = /^artwork\/[0-9a-f]{64}\.(jpg|png|gif|webp)$/;

export function isMemberName(name: string): boolean {
  return (MEMBER_NAMES as readonly string[]).includes(name) || ARTWORK_MEMBER.test(name);
}

const member = z.object({
  name: z.union([z.enum(MEMBER_NAMES), z.string().regex(ARTWORK_MEMBER, { message: 'not a member name of a backup archive' })]),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const manifestSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(BACKUP_FORMAT_VERSION)]),
  mediaosVersion: z.string(),
  schemaVersion: z.number().int().nonnegative(),
  engine: z.enum(['sqlite', 'postgres']),
  kind: z.string(),
  createdAt: z.string(),
  tables: z.record(z.string(), z.number().int().nonnegative()),
  members: z.array(member).min(1),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type ManifestMember = z.infer<typeof member>;
