import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, type DatabaseTarget, openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createJobQueue } from '../../src/jobs/jobs.queue.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import { createTestTarget, sqlEngines } from '../helpers/engines.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'queue-worker.child.ts');

async function until(cond: () => Promise<boolean>, what: string, tries = 6000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Starts a queue worker in its own Node process; resolves once it prints `ready`. */
function startWorker(target: DatabaseTarget, name: string, leaseMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, QUEUE_TARGET: JSON.stringify({ ...target, pgPoolMax: 3 }), QUEUE_WORKER: name, QUEUE_LEASE_MS: String(leaseMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      if (out.includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited (${code}) before it was ready`)));
  });
}

function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

for (const engine of sqlEngines()) {
  describe(`job queue across processes (${engine})`, () => {
    const children: ChildProcess[] = [];
    let db: Database | undefined;
    let drop: (() => Promise<void>) | undefined;
    afterEach(async () => {
      for (const c of children.splice(0)) {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }
      await db?.close();
      await drop?.();
      db = undefined;
      drop = undefined;
    });

    async function setup() {
      const t = await createTestTarget(engine);
      drop = t.drop;
      db = openDatabase(t.target);
      const { error } = await migrateToLatest(db);
      if (error) throw new Error(error);
      await sql`create table job_runs (job_id text not null, worker text not null)`.execute(db.kysely);
      const jobsSql = createJobsSql(db.kysely, engine);
      return { target: t.target, jobsSql, queue: createJobQueue({ sql: jobsSql }), d: db };
    }

    async function runs(d: Database): Promise<{ job_id: string; worker: string }[]> {
      const r = await sql<{ job_id: string; worker: string }>`select job_id, worker from job_runs`.execute(d.kysely);
      return r.rows;
    }

    it('two worker processes on one database run each of 500 jobs exactly once', async () => {
      const { target, jobsSql, queue, d } = await setup();
      children.push(...(await Promise.all([startWorker(target, 'one', 60_000), startWorker(target, 'two', 60_000)])));
      const ids = new Set<string>();
      for (let i = 0; i < 500; i++) ids.add(await queue.enqueue('count', { i }));
      await until(async () => (await jobsSql.countByStatus()).completed === 500, '500 completed jobs');
      await Promise.all(children.map(stopWorker));
      const rows = await runs(d);
      expect(rows).toHaveLength(500);
      expect(new Set(rows.map((r) => r.job_id))).toEqual(ids);
      // both processes took part
      expect(new Set(rows.map((r) => r.worker))).toEqual(new Set(['one', 'two']));
      expect(await jobsSql.countByStatus()).toEqual({ queued: 0, running: 0, completed: 500, failed: 0 });
    }, 180_000);

    it('a job whose process was killed mid-run is re-run by the other process once its lease expired', async () => {
      const { target, jobsSql, queue, d } = await setup();
      const leaseMs = 1500;
      const victim = await startWorker(target, 'victim', leaseMs);
      children.push(victim);
      const id = await queue.enqueue('hang', { hangIn: 'victim' });
      await until(async () => (await runs(d)).length === 1, 'the victim to start the job');
      // the survivor starts while the victim holds the job: the victim's heartbeats keep it
      const survivor = await startWorker(target, 'survivor', leaseMs);
      children.push(survivor);
      let beats = 0;
      let last = (await jobsSql.get(id))?.lockedAt;
      await until(async () => {
        const now = (await jobsSql.get(id))?.lockedAt;
        if (now !== last) beats += 1;
        last = now;
        return beats >= 3;
      }, 'three heartbeats of the victim');
      expect(await jobsSql.get(id)).toMatchObject({ status: 'running', lockedBy: 'victim', attempts: 1 });
      expect((await runs(d)).map((r) => r.worker)).toEqual(['victim']);

      victim.kill('SIGKILL');
      await until(async () => (await jobsSql.get(id))?.status === 'completed', 'the survivor to re-run the job');
      expect(await jobsSql.get(id)).toMatchObject({ status: 'completed', attempts: 2, result: 'done' });
      expect((await runs(d)).map((r) => r.worker)).toEqual(['victim', 'survivor']);
    }, 180_000);
  });
}
