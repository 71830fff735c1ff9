import { createReadStream, createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { createContext } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { targetEnv } from '../db/transfer/transfer-fixtures.js';
import { createTestDatabase, type TestDatabase, type TestEngine } from '../helpers/engines.js';

export const T0 = '2025-01-02T03:04:05.678Z';
const quiet = { warn() {}, info() {}, error() {} };

export interface BackupWorld {
  tdb: TestDatabase;
  config: Config;
  ctx: AppContext;
  env: Record<string, string>;
}

/** A migrated database of `engine`, a config pointing at it (data dir = its temp dir) and the stores over it. */
export async function backupWorld(engine: TestEngine, extraEnv: Record<string, string> = {}): Promise<BackupWorld> {
  const tdb = await createTestDatabase(engine);
  const env = { ...targetEnv(tdb.target, tdb.dir), JWT_SECRET: 'j'.repeat(40), ...extraEnv };
  const config = loadConfig(env, tdb.dir);
  const ctx = await createContext(config, tdb.db, quiet, { phase: 'db' });
  await ctx.stores.users.insert({ id: 'u1', email: 'u1@example.test', passwordHash: 'x', role: 'user', createdAt: T0, updatedAt: T0 });
  return { tdb, config, ctx, env };
}

export function newSession(id: string) {
  return { id, userId: 'u1', tokenHash: `h-${id}`, createdAt: T0, expiresAt: '2999-01-01T00:00:00.000Z' };
}

/** Rewrites an archive member by member: `change` gets each member's name and bytes and returns new bytes (or null to drop it). */
export async function repack(from: string, to: string, change: (name: string, data: Buffer) => Buffer | null): Promise<void> {
  const extract = tar.extract();
  const reading = pipeline(createReadStream(from), createGunzip(), extract);
  const members: { name: string; data: Buffer }[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const data = change(entry.header.name, Buffer.concat(chunks));
    if (data) members.push({ name: entry.header.name, data });
  }
  await reading;
  const pack = tar.pack();
  for (const m of members) pack.entry({ name: m.name }, m.data);
  pack.finalize();
  await pipeline(pack, createGzip(), createWriteStream(to));
}

/** A copy of `data` with one byte flipped at `at`. */
export function flipByte(data: Buffer, at: number): Buffer {
  const out = Buffer.from(data);
  out[at] ^= 0xff;
  return out;
}

export function fileBytes(path: string): Buffer {
  return readFileSync(path);
}
