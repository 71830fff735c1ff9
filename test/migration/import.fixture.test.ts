/**
 * The fixture dir test/fixtures/legacy-full covers every legacy file and the quirks of FORMATS.md:
 * both kinds vocabularies (`movies:`/`movie:` keys and wanted kinds for the same item), legacy ids
 * (base36 timestamps, client-sent ids, an id containing ':'), PBKDF2 users, encrypted secrets
 * (qBittorrent, SABnzbd, Prowlarr, TMDB) next to plaintext ones (nzbget from v0.3.1, Jackett,
 * settings.openSubtitlesApiKey), unknown keys everywhere, values that do not fit their column
 * (`year: "1995"`, `timeoutMs: "5000"`, `fileSize: 1.5`, explicit nulls), byte-exact titles
 * (padded, NFC/NFD twins, Turkish İ), the empty grab key ":", stored NZB uploads, and wanted
 * items / grabs / verify results whose library item was deleted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, createContext } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createImportSql } from '../../src/migration/import.sql.js';
import { sqlEngines } from '../helpers/engines.js';
import { FIXTURE_DIR, FIXTURE_PASSWORD, LEGACY_KEY, type MigrationEnv, migrationEnv, readDirValues, withDb } from './helpers.js';

for (const engine of sqlEngines()) {
  describe(`import of the full fixture (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('imports clean, verifies clean, exports the originals as JSON values, and is a fixed point', async () => {
      m = await migrationEnv(engine);
      const first = await m.cli('import', '--from', FIXTURE_DIR);
      expect(first.err).toBe('');
      expect(first.code).toBe(0);
      expect(first.out).toMatch(/backup of the legacy directory: .*config-import-.*\.tar\.gz/);
      expect(first.out).toContain('the database now equals the legacy files');
      expect(first.out).toMatch(/library\.json\s+9\s+9\s+0\s+9/);
      // the columns are explained under the table (indexers.json: its sources row makes new one more than imported)
      expect(first.out).toContain('read: records found in the file; imported: records accepted;');
      expect(first.out).toContain('new / changed / removed / unchanged: database rows this import inserted / rewrote / deleted / left as they were.');

      const verify = await m.cli('verify-import', '--from', FIXTURE_DIR);
      expect(verify.code).toBe(0);
      expect(verify.out).toMatch(/0 mismatches/);

      const second = await m.cli('import', '--from', FIXTURE_DIR);
      expect(second.code).toBe(0);
      expect(second.out).toContain('no changes: the database already equals the legacy files');

      const out = join(m.dir, 'exported');
      const exp = await m.cli('export', '--to', out);
      expect(exp.code).toBe(0);
      expect(readDirValues(out, LEGACY_KEY)).toEqual(readDirValues(FIXTURE_DIR, LEGACY_KEY));

      // import -> export -> import: nothing changes
      const again = await m.cli('import', '--from', out);
      expect(again.code).toBe(0);
      expect(again.out).toContain('no changes');
      const out2 = join(m.dir, 'exported-2');
      await m.cli('export', '--to', out2);
      expect(readDirValues(out2, LEGACY_KEY)).toEqual(readDirValues(out, LEGACY_KEY));
    });

    it('links plural and singular keys to the same library item, keeps the keys, and seals secrets', async () => {
      m = await migrationEnv(engine);
      expect((await m.cli('import', '--from', FIXTURE_DIR)).code).toBe(0);
      await withDb(m, async (db) => {
        const q = createImportSql(db.kysely, db.engine);
        const grabs = await q.selectRows('grabs', ['key', 'kind', 'item_id', 'library_item_id'], undefined, 'key');
        const byKey = Object.fromEntries(grabs.map((g) => [g.key, g]));
        expect(byKey['movies:mbdlzeo0k3p9q1']).toMatchObject({ kind: 'movies', library_item_id: 'mbdlzeo0k3p9q1' });
        expect(byKey['movie:mbdlzeo0k3p9q1']).toMatchObject({ kind: 'movie', library_item_id: 'mbdlzeo0k3p9q1' });
        expect(byKey['movie:imdb:tt0113277']).toMatchObject({ item_id: 'imdb:tt0113277', library_item_id: 'imdb:tt0113277' });
        expect(byKey['movie:nzbtest']!.library_item_id).toBeNull();
        const wanted = await q.selectRows('wanted_items', ['kind', 'item_id', 'library_item_id'], undefined, 'position');
        expect(wanted.map((w) => [w.kind, w.library_item_id])).toEqual([
          ['movies', 'mbdlzeo0k3p9q1'],
          ['movie', 'mbdlzeo0k3p9q1'],
          ['movies', null],
          ['series', 'the-wire'],
        ]);
        const dl = await q.selectRows('downloaders', ['client_type', 'encrypted_password', 'encrypted_api_key'], undefined, 'client_type');
        for (const d of dl) for (const v of [d.encrypted_password, d.encrypted_api_key]) if (v !== null) expect(String(v)).toMatch(/^enc:v1:/);
        const lib = await q.selectRows('library_items', ['id', 'title', 'created_at'], undefined, 'seq');
        expect(lib.map((l) => l.title)).toContain("  Heat (Director's Cut)  ");
        expect(lib.find((l) => l.id === 'mbdlzeo0k3p9q1')!.created_at).toBe(new Date(parseInt('mbdlzeo0', 36)).toISOString());
      });
    });

    it('lets the PBKDF2 users of users.json log in', async () => {
      m = await migrationEnv(engine);
      expect((await m.cli('import', '--from', FIXTURE_DIR)).code).toBe(0);
      const db = m.open();
      mkdirSync(join(m.dir, 'config'), { recursive: true });
      const config = loadConfig({ ...m.env, RATE_LIMIT_MAX: '0' }, m.dir);
      const log = { warn() {}, info() {}, error() {} };
      const ctx = await createContext(config, db, log, { phase: 'db' });
      const app = await buildApp(ctx);
      try {
        const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'owner@example.org', password: FIXTURE_PASSWORD } });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ ok: true, user: { id: 'user_1733000000000_k3j9x0abc', role: 'admin' } });
        const bad = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'owner@example.org', password: 'wrong' } });
        expect(bad.statusCode).toBe(401);
      } finally {
        await app.close();
        await db.close();
      }
    });
  });
}
