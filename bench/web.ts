/**
 * The web app in Debian's chromium against a large library (printed, not asserted):
 * time to the first library page, search-as-you-type latency, and scrolling 10,000 rows of the
 * virtualized list (frames dropped). Usage (after `npm run build` and `npm run build:web`):
 *   npx tsx bench/web.ts [--items 1000000] [--scroll-rows 10000] [--cache DIR] [--fresh]
 * The library is generated as a legacy config dir (seed 7, as bench/run.ts) and imported with
 * `mediaos import` (1M items: ~25 s on an idle machine, many minutes under load), then
 * `mediaos serve` runs as its own process on 127.0.0.1. The imported database is kept in the
 * cache dir (default: <tmpdir>/mediaos-bench-web-<items>) and reused by the next run of the same
 * size; `--fresh` rebuilds it.
 */

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'playwright-core';
import { CHROMIUM, launchBrowser } from '../test/web/chromium.js';
import { generateLegacyDir, TEST_PASSWORD } from './generate-legacy.js';
import { ROOT, runCli, startServer } from './lib/server.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const ITEMS = arg('items', 1_000_000);
const SCROLL_ROWS = arg('scroll-rows', 10_000);
const SEED = 7;
const cacheAt = process.argv.indexOf('--cache');
const CACHE = cacheAt > 0 ? process.argv[cacheAt + 1] : join(tmpdir(), `mediaos-bench-web-${ITEMS}`);
const FRESH = process.argv.includes('--fresh');
const LIST_ROW_PX = 56; // .list-row height in web/src/pages/library/LibraryPage.tsx

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs: number[]) => Math.max(...xs);
const ms = (n: number) => `${n.toFixed(0)} ms`;
/** Request sent -> first byte of the answer, from the browser's own timing. */
const firstByteMs = (r: Response) => {
  const t = r.request().timing();
  return t.responseStart - t.requestStart;
};

function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'chromium (version unknown)';
  }
}

/** What a finished cache holds; a dir without it (an interrupted import) is rebuilt. */
interface CacheStamp {
  items: number;
  seed: number;
  importedAt: string;
  importMs: number;
}

/**
 * The imported library: the cached one when it matches, else generated and imported into the
 * cache dir (the legacy dir is removed after the import; the database and its config dir stay).
 */
async function preparedLibrary(): Promise<Record<string, string>> {
  const data = join(CACHE, 'data');
  const configDir = join(CACHE, 'config');
  const stampFile = join(CACHE, 'stamp.json');
  const env = { MEDIAOS_DATA_DIR: data, MEDIAOS_CONFIG_DIR: configDir, MEDIAOS_AUTO_IMPORT: 'false', MEDIAOS_STORAGE_PHASE: 'db' };
  const stamp = existsSync(stampFile) ? (JSON.parse(readFileSync(stampFile, 'utf8')) as CacheStamp) : undefined;
  if (!FRESH && stamp?.items === ITEMS && stamp.seed === SEED) {
    console.log(`library: ${ITEMS.toLocaleString()} items from the cache ${CACHE} (imported ${stamp.importedAt} in ${ms(stamp.importMs)})`);
    return env;
  }
  rmSync(CACHE, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const legacy = join(CACHE, 'legacy');
  const t0 = performance.now();
  await generateLegacyDir({ dir: legacy, items: ITEMS, seed: SEED });
  cpSync(legacy, configDir, { recursive: true });
  rmSync(legacy, { recursive: true, force: true });
  const generatedMs = performance.now() - t0;
  const imp = await runCli(['import', '--from', configDir], env);
  if (imp.code !== 0 && imp.code !== 3) throw new Error(`import failed (${imp.code}):\n${imp.out}`);
  writeFileSync(stampFile, JSON.stringify({ items: ITEMS, seed: SEED, importedAt: new Date().toISOString(), importMs: imp.ms } satisfies CacheStamp));
  console.log(
    `library: ${ITEMS.toLocaleString()} items generated in ${ms(generatedMs)}, imported in ${ms(imp.ms)}${Number.isFinite(imp.peakRssMb) ? ` (peak RSS ${imp.peakRssMb} MB)` : ''}; cached in ${CACHE}`,
  );
  return env;
}

async function main(): Promise<void> {
  const env = await preparedLibrary();
  let t0: number;
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`;
  console.log(`${new Date().toISOString()} · ${machine} · Node ${process.version} · ${chromiumVersion()}`);
  // The app is measured, not what the schedules start beside it: on the first start after the
  // import the missing-items search queues ~52k searches (at the generated indexers' hosts) and a
  // backup of the whole database begins; both are off here.
  const server = await startServer({
    ...env,
    MEDIAOS_WEB_DIR: join(ROOT, 'web', 'dist'),
    MEDIAOS_MISSING_SEARCH_HOURS: '0',
    MEDIAOS_RSS_SYNC_MINUTES: '0',
    MEDIAOS_TRACK_SECONDS: '0',
    MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
  });
  console.log(`server: healthy ${ms(server.coldStartMs)} after spawn, RSS ${server.rssMb()} MB`);
  const browser = await launchBrowser();
  try {
    const res = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.org', password: TEST_PASSWORD }),
    });
    if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
    const { refreshToken } = (await res.json()) as { refreshToken: string };
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // The app reads the stored refresh token at start (as after a reload).
    await context.addInitScript((token) => {
      if (!localStorage.getItem('mediaos.refreshToken')) localStorage.setItem('mediaos.refreshToken', token);
    }, refreshToken);
    const page = await context.newPage();

    // 1. Time to the first library page: navigation to the first poster on screen (5 loads, the first cold).
    // The API's share: request sent -> first byte of the page's answer (server time plus loopback).
    const loads: number[] = [];
    const pageApi: number[] = [];
    for (let i = 0; i < 5; i++) {
      t0 = performance.now();
      const listed = page.waitForResponse((r) => r.url().includes('/api/library?'));
      await page.goto(`${server.url}/library`);
      await page.locator('.poster-card').first().waitFor();
      loads.push(performance.now() - t0);
      pageApi.push(firstByteMs(await listed));
    }
    console.log(
      `first library page: cold ${ms(loads[0])}, warm median ${ms(median(loads.slice(1)))}, max ${ms(max(loads))}; its API answer: median ${ms(median(pageApi))} to first byte`,
    );

    // 2. Search as you type: each keystroke until its results are on screen (includes the app's 120 ms debounce).
    const word = 'midnight';
    const search = page.getByLabel('Search');
    const perKey: number[] = [];
    const keyApi: number[] = [];
    for (let n = 2; n <= word.length; n++) {
      const prefix = word.slice(0, n);
      t0 = performance.now();
      const answered = page.waitForResponse((r) => r.url().includes('/api/library?') && new URL(r.url()).searchParams.get('q') === prefix);
      if (n === 2) await search.fill(prefix);
      else await search.pressSequentially(word[n - 1]);
      keyApi.push(firstByteMs(await answered));
      await page.waitForFunction(() => document.querySelector('.busy[data-active="true"]') === null);
      perKey.push(performance.now() - t0);
    }
    const total = await page.getByTestId('library-total').textContent();
    console.log(
      `search as you type "${word}": median ${ms(median(perKey))}, max ${ms(max(perKey))} per keystroke (incl. 120 ms debounce); its API answer: median ${ms(median(keyApi))}, max ${ms(max(keyApi))} to first byte; ${total}`,
    );

    // 3. Scroll 10,000 rows of the list view, 10 rows a frame, loading pages as it goes; count frames over 1.5x 16.7 ms.
    await page.goto(`${server.url}/library?view=list`);
    await page.locator('.list-row').first().waitFor();
    const scroll = await page.evaluate(
      async ({ rows, rowPx }) => {
        const el = document.querySelector('[data-testid="library-scroller"]') as HTMLElement;
        const target = rows * rowPx;
        const gaps: number[] = [];
        let last = performance.now();
        const start = last;
        while (el.scrollTop < target - el.clientHeight) {
          await new Promise(requestAnimationFrame);
          const now = performance.now();
          gaps.push(now - last);
          last = now;
          el.scrollTop += rowPx * 10;
          if (now - start > 120_000) break;
        }
        const frame = 1000 / 60;
        const dropped = gaps.reduce((sum, g) => sum + (g > frame * 1.5 ? Math.round(g / frame) - 1 : 0), 0);
        return {
          frames: gaps.length,
          dropped,
          ms: last - start,
          reached: Math.round(el.scrollTop / rowPx),
          rendered: el.querySelectorAll('.list-row').length,
        };
      },
      { rows: SCROLL_ROWS, rowPx: LIST_ROW_PX },
    );
    console.log(
      `scroll ${scroll.reached.toLocaleString()} rows: ${ms(scroll.ms)}, ${scroll.frames} frames, ${scroll.dropped} dropped (${((100 * scroll.dropped) / (scroll.frames + scroll.dropped)).toFixed(1)}%), ${scroll.rendered} rows in the DOM`,
    );
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
