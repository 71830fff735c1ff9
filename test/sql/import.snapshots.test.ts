/**
 * The SQL of the import/export pipeline (createImportSql), checked in as
 * test/sql/import.<engine>.sql like the stores' SQL (snapshots.test.ts, STYLE.md §8).
 */
import { describe, expect, it } from 'vitest';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import { createImportSql, LIBRARY_DATA_COLUMNS } from '../../src/migration/import.sql.js';
import { userToRow } from '../../src/users/users.codec.js';
import { sqlEngines } from '../helpers/engines.js';
import { openRecorder, type SqlRecorder } from './sql-recorder.js';

const T0 = '2024-01-01T00:00:00.000Z';

function stageRow(pos: number, id: string, title: string) {
  return { pos, ...libraryItemToRow({ id, kind: 'movie', title }), created_at: T0 };
}

async function exercise(rec: SqlRecorder): Promise<void> {
  const imp = createImportSql(rec.db.kysely, rec.engine);
  const call = rec.call.bind(rec);
  const user = { id: 'user_1', email: 'ada@example.org', passwordHash: 's:h', role: 'admin' as const, createdAt: T0, updatedAt: T0 };

  expect(await call('import.hasData (empty database)', () => imp.hasData())).toBe(false);
  await call('import.insertRows', () => imp.insertRows('users', [userToRow(user)]));
  await call('import.selectRows', () => imp.selectRows('users', ['id', 'email'], undefined, 'id'));
  await call('import.selectRows (settings key)', () => imp.selectRows('settings', ['key', 'value'], 'metadata'));
  await call('import.createdAt', () => imp.createdAt('users', 'id', ['user_1']));
  expect(await call('import.countRows', () => imp.countRows('users'))).toBe(1);
  expect(await call('import.hasRows', () => imp.hasRows('users'))).toBe(true);
  const grab = { key: 'g1', kind: 'movie', item_id: 'c', position: 0 };
  await call('import.insertRows (a linked table)', () => imp.insertRows('grabs', [{ ...grab }]));
  await call('import.insertRows (a linked table, library known empty: no look-up)', () =>
    imp.insertRows('grabs', [{ ...grab, key: 'g2' }], { libraryEmpty: true }),
  );
  await call('import.deleteKeys', () => imp.deleteKeys('users', 'id', ['user_1']));
  await call('import.relink', () => imp.relink());

  await call('import.createStage', () => imp.createStage());
  await call('import.insertStage', () => imp.insertStage([stageRow(1, 'a', 'Alien'), stageRow(2, 'a', 'Aliens'), stageRow(3, 'b', 'alien')]));
  await call('import.indexStage', () => imp.indexStage());
  expect(await call('import.stageSuspects', () => imp.stageSuspects())).toHaveLength(3);
  await call('import.deleteStagePositions', () => imp.deleteStagePositions([2, 3]));
  expect(await call('import.stageCount', () => imp.stageCount())).toBe(1);
  expect(await call('import.mergeStage', () => imp.mergeStage())).toMatchObject({ inserted: 1 });
  await call('import.dropStage', () => imp.dropStage());
  const fresh = libraryItemToRow({ id: 'c', kind: 'movie', title: 'Coma' });
  const params = [...LIBRARY_DATA_COLUMNS].map((col) => (fresh as Record<string, unknown>)[col] ?? null).concat([T0]);
  expect(await call('import.maxLibrarySeq', () => imp.maxLibrarySeq())).toBeGreaterThan(0);
  expect(await call('import.insertLibraryParams', () => imp.insertLibraryParams(params, 1))).toBe(1);
  expect(await call('import.insertLibraryParams (conflict skipped)', () => imp.insertLibraryParams(params, 1))).toBe(0);
  await call('import.libraryKeysAfter', () => imp.libraryKeysAfter(0));
  expect(await call('import.libraryHolder', () => imp.libraryHolder({ id: 'z', kind: 'movie', title_lower: 'coma' }))).toEqual({ by: 'title', id: 'c' });
  expect(await call('import.libraryHolder (up to a seq)', () => imp.libraryHolder({ id: 'z', kind: 'movie', title_lower: 'coma' }, 0))).toBeUndefined();
  const indexes = await call('import.suspendLibraryIndexes', () => imp.suspendLibraryIndexes());
  await call('import.suspendLibraryIndexes (set aside the rest)', () => indexes.setAsideRest());
  await call('import.suspendLibraryIndexes (restore)', () => indexes.restore());
  await call('import.libraryRowsByIds', () => imp.libraryRowsByIds(LIBRARY_DATA_COLUMNS, ['a']));
  await call('import.libraryPage', () => imp.libraryPage(LIBRARY_DATA_COLUMNS, 0, 100));

  const run = { id: 'run_1', source_dir: '/config', started_at: T0, finished_at: T0, status: 'completed' as const, dry_run: false, exit_code: 0, report: '{}' };
  await call('import.insertRun', () => imp.insertRun(run));
  await call('import.finishRun', () => imp.finishRun('run_1', T0, 0, '{"ok":true}'));
  await call('import.lastRuns', () => imp.lastRuns(5));
  const quarantined = {
    id: 'q_1',
    import_id: 'run_1',
    file: 'users.json',
    locator: '$[3]',
    reason: 'invalid email',
    raw: '{}',
    raw_encoding: 'json',
    created_at: T0,
  };
  await call('import.insertQuarantine', () => imp.insertQuarantine([quarantined]));
  await call('import.selectQuarantine', () => imp.selectQuarantine());
  await call('import.selectQuarantine (one file)', () => imp.selectQuarantine('users.json'));
  await call('import.deleteQuarantine', () => imp.deleteQuarantine(['q_1']));
}

describe.each(sqlEngines())('import SQL on %s', (engine) => {
  it(`matches test/sql/import.${engine}.sql`, async () => {
    const rec = await openRecorder(engine);
    try {
      await exercise(rec);
    } finally {
      await rec.close();
    }
    await expect(rec.text()).toMatchFileSnapshot(`./import.${engine}.sql`);
  });
});
