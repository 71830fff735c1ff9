/**
 * Bounded memory on a realistic big directory: a grabs.json of ~100 MB (310k grabs, as a long-time
 * user who grabs a lot has) is imported by the built CLI in a child process, whose peak RSS (the
 * kernel's high-water mark, workers included) must stay under the bound. Before grabs, verify
 * results and wanted were read record by record, this import peaked at ~875 MB.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { type MigrationEnv, migrationEnv } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const built = existsSync(join(ROOT, 'dist', 'migration', 'keyed-stream.js'));
const run = promisify(execFile);
/**
 * Peak RSS bound for a 100 MB grabs.json (the whole-file reader needed ~875 MB; record by record
 * with V8's default heap growth 257-310 MB, over 320 MB in CI with the other run's workers busy).
 * With the import's small-heap V8 setting (import-memory.ts favorSmallHeap), on the shared 2-core
 * machine (load average 10-17, never quiet): 155-163 MB; 161 MB with `yes > /dev/null` running too.
 */
const BOUND_MB = 300;
/** Prints the process's peak RSS (kB) on exit (worker threads inherit it: each prints the figure at its own exit). */
const REPORT_PEAK = `data:text/javascript,process.on("exit",()=>process.stderr.write("peak-rss-kb:"+process.resourceUsage().maxRSS+"\\n"))`;

describe.skipIf(!built)('import memory (built CLI, child process)', () => {
  let m: MigrationEnv | undefined;
  afterEach(async () => {
    await m?.cleanup();
    m = undefined;
  });

  it('imports a dir whose grabs.json is 100 MB under the peak RSS bound (its read-back check passing)', async () => {
    m = await migrationEnv('sqlite');
    const dir = join(m.dir, 'legacy');
    await generateLegacyDir({ dir, items: 1000, seed: 11, extraGrabs: 310_000 });
    expect(statSync(join(dir, 'grabs.json')).size).toBeGreaterThan(100 * 10 ** 6);
    const r = await run(process.execPath, ['--import', REPORT_PEAK, join(ROOT, 'bin', 'mediaos'), 'import', '--from', dir], {
      env: { ...process.env, ...m.env },
      cwd: m.dir,
      maxBuffer: 1 << 24,
    });
    // the largest figure: a worker's exit prints the process's peak up to then, the main thread's comes last
    const peaks = [...r.stderr.matchAll(/peak-rss-kb:(\d+)/g)].map((x) => Number(x[1]) / 1024);
    expect(peaks.length).toBeGreaterThan(0);
    const peakMb = Math.max(...peaks);
    expect(r.stdout).toMatch(/grabs\.json\s+\d+\s+\d+\s+0\s+/);
    expect(peakMb).toBeGreaterThan(30); // the figure is real
    expect(peakMb).toBeLessThan(BOUND_MB);
  }, 600_000); // ~30 s on a quiet 2-core machine; minutes when it is shared
});
