/**
 * `mediaos quarantine list|show|admit|drop` on both engines: a record quarantined for its kind is
 * refused as it is (400-style error naming the field, nothing changed), admitted with
 * `--set kind=movie` (then in the library), a duplicate is dropped on purpose, both are audited,
 * and export still gives back every record: the admitted one as a normal item, the dropped one gone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sqlEngines } from '../helpers/engines.js';
import { type MigrationEnv, migrationEnv } from '../migration/helpers.js';
import { fixtureWithBadKinds } from './fixture.js';

for (const engine of sqlEngines()) {
  describe(`mediaos quarantine (${engine})`, () => {
    let m: MigrationEnv | undefined;
    afterEach(async () => {
      await m?.cleanup();
      m = undefined;
    });

    it('normalizes kind spellings with a warning, admits a fixed record into the library, drops one, and export gives back every file', async () => {
      m = await migrationEnv(engine);
      const legacy = fixtureWithBadKinds(join(m.dir, 'legacy'));
      const imported = await m.cli('import', '--from', legacy);
      expect(imported.err).toBe('');
      expect(imported.code).toBe(3);
      expect(imported.out).toContain('2 record(s) imported with a normalized kind spelling:');
      expect(imported.out).toContain('library.json /items/1: kind " SERIES " imported as "series"');
      expect(imported.out).toContain('library.json /items/4: kind "Music" imported as "music"');
      // the normalized items still verify against the files
      const verify = await m.cli('verify-import', '--from', legacy);
      expect(verify.out).toContain('0 mismatches');

      const list = await m.cli('quarantine', 'list');
      expect(list.code).toBe(0);
      expect(list.out).toContain('2 quarantined record(s)');
      const lines = list.out.split('\n').filter((l) => l.includes('\tlibrary.json\t'));
      const film = lines.find((l) => l.includes('/items/6'))!.split('\t')[0]!;
      const dup = lines.find((l) => l.includes('/items/9'))!.split('\t')[0]!;
      expect(lines.find((l) => l.includes('/items/6'))).toContain('kind');

      const shown = await m.cli('quarantine', 'show', film);
      expect(shown.out).toContain('locator: /items/6');
      expect(shown.out).toContain('"kind": "film"');
      expect(shown.out).toContain('admit: possible once fixed');

      // as it is: refused with the field named, nothing changed
      const refused = await m.cli('quarantine', 'admit', film);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain('invalid record (kind: must be one of movie, series, music, book (any case, spaces around or plural are taken))');
      const bad = await m.cli('quarantine', 'admit', film, '--set', 'year=notjson', '--set', 'kind=cinema');
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('kind');
      expect((await m.cli('quarantine', 'list')).out).toContain('2 quarantined record(s)');

      const preview = await m.cli('quarantine', 'admit', film, '--set', 'kind=movie', '--dry-run');
      expect(preview.out).toMatch(/^will insert library\.json \/items\/6 into library_items as "mbdm3nfc"/);
      expect((await m.cli('quarantine', 'list')).out).toContain('2 quarantined record(s)');

      const admitted = await m.cli('quarantine', 'admit', film, '--set', 'kind=movie');
      expect(admitted.err).toBe('');
      expect(admitted.out).toMatch(/^inserted library\.json \/items\/6 into library_items as "mbdm3nfc"/);
      // admitting it again: gone from the quarantine
      expect((await m.cli('quarantine', 'admit', film)).err).toContain(`no quarantined record with id ${film}`);

      const dropPreview = await m.cli('quarantine', 'drop', dup, '--dry-run');
      expect(dropPreview.out).toContain('will delete the quarantined record library.json /items/9');
      const dropped = await m.cli('quarantine', 'drop', dup);
      expect(dropped.out).toContain('deleted the quarantined record library.json /items/9');
      expect((await m.cli('quarantine', 'list')).out).toBe('no quarantined records');

      const db = m.open();
      try {
        const item = await db.kysely.selectFrom('library_items').select(['kind', 'title']).where('id', '=', 'mbdm3nfc').executeTakeFirst();
        expect(item).toEqual({ kind: 'movie', title: 'Résumé' });
        // the library holds the normalized ones under their kind
        const wire = await db.kysely.selectFrom('library_items').select(['kind']).where('id', '=', 'the-wire').executeTakeFirst();
        expect(wire).toEqual({ kind: 'series' });
        const audit = await db.kysely.selectFrom('audit_log').select(['actor', 'entity', 'action']).where('entity', '=', 'quarantine').orderBy('seq').execute();
        expect(audit).toEqual([
          { actor: 'cli', entity: 'quarantine', action: 'admit' },
          { actor: 'cli', entity: 'quarantine', action: 'drop' },
        ]);
      } finally {
        await db.close();
      }

      const out = join(m.dir, 'exported');
      const exported = await m.cli('export', '--to', out);
      expect(exported.code).toBe(0);
      const original = JSON.parse(readFileSync(join(legacy, 'library.json'), 'utf8')) as { items: { id: string; kind: string }[] };
      const back = JSON.parse(readFileSync(join(out, 'library.json'), 'utf8')) as { items: { id: string; kind: string; title: string }[] };
      // every item but the dropped duplicate, the admitted one as a normal record
      expect(back.items).toHaveLength(original.items.length - 1);
      expect(back.items.find((i) => i.id === 'mbdm3nfc')?.kind).toBe('movie');
      expect(back.items.some((i) => i.title === 'Heat again')).toBe(false);
      // normalized spellings come back as the file had them
      expect(back.items.find((i) => i.id === 'the-wire')?.kind).toBe(' SERIES ');
      expect(back.items.find((i) => i.id === 'mbdm1x9y8z7w6v')?.kind).toBe('Music');
      for (const f of ['users.json', 'wanted.json', 'downloaders.json', 'indexers.json', 'settings.json', 'grabs.json'])
        expect(readFileSync(join(out, f)).length).toBeGreaterThan(2);
    });
  });
}
