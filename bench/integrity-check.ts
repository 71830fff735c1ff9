/**
 * The SQLite integrity check and the event loop: how long the main thread is held while a
 * large-ish database is checked, in the worker thread `serve` uses (src/db/integrity-worker.ts)
 * and, for comparison, on the server's own connection (how it ran before).
 *
 *   npx tsx bench/integrity-check.ts [--rows 800000]
 *
 * Prints the file size, each check's duration, the longest the event loop went without turning
 * (a 10 ms timer's longest gap), and how many turns that timer got (a server answers requests on
 * those turns).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/connect.js';
import { runIntegrityCheck } from '../src/db/maintenance.js';

const at = process.argv.indexOf('--rows');
const rows = at > 0 ? Number(process.argv[at + 1]) : 800_000;
const dir = mkdtempSync(join(tmpdir(), 'mediaos-integrity-'));
const file = join(dir, 'big.db');
const db = openDatabase({ engine: 'sqlite', location: file });
try {
  const raw = db.sqlite!;
  raw.exec('CREATE TABLE bulk (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL)');
  raw.exec('CREATE INDEX idx_bulk_name ON bulk(name)');
  const insert = raw.prepare('INSERT INTO bulk (name, body) VALUES (?, ?)');
  raw.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`name-${(i * 7919) % rows}`, `body-${i}-${'x'.repeat(200)}`);
  })();
  raw.pragma('wal_checkpoint(TRUNCATE)');
  console.log(`${rows} rows, ${(statSync(file).size / 1048576).toFixed(0)} MB`);

  const measure = async (label: string, run: () => Promise<unknown>) => {
    let turns = 0;
    let done = false;
    let last = performance.now();
    let longest = 0;
    const tick = () => {
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
      if (done) return;
      turns++;
      setTimeout(tick, 10);
    };
    tick();
    const started = performance.now();
    await run();
    const ms = performance.now() - started;
    longest = Math.max(longest, performance.now() - last);
    done = true;
    console.log(`${label}: ${ms.toFixed(0)} ms; longest gap between turns of a 10 ms timer ${longest.toFixed(0)} ms; turns during it: ${turns}`);
  };
  // (the result cannot be stored: this file has no app_state table; the check runs all the same)
  await measure('worker thread (serve)', () => runIntegrityCheck(db));
  await measure('main thread (before)', async () => raw.pragma('integrity_check(20)'));
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
