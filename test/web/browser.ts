import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { CHROMIUM, chromiumInstalled } from './chromium.js';

/**
 * The browser harness of the web app's end-to-end tests: Debian's chromium driven by
 * playwright-core (chromium.ts), against the real server listening on 127.0.0.1 (random port,
 * temp data dir). bench/web.ts uses chromium.ts with a server of its own.
 */
export { CHROMIUM, CHROMIUM_ARGS, launchBrowser } from './chromium.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_DIST = join(root, 'web', 'dist');
export const RESULTS_DIR = join(root, 'test-results');

/**
 * Why the browser tests cannot run here, or undefined when they can. Without chromium they skip
 * only outside CI (.ci/run installs it, so in CI its absence fails the run instead).
 */
export function browserSkipReason(): string | undefined {
  if (chromiumInstalled()) return undefined;
  if (process.env.CI) return undefined;
  return `${CHROMIUM} is not installed (apt-get install chromium); the web app's browser tests are skipped`;
}

export interface WebServer {
  url: string;
  t: TestApp;
  close(): Promise<void>;
}

/** The server with the built web app, listening on 127.0.0.1 at a random port. */
export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error(`${WEB_DIST}/index.html is missing: run \`npm run build:web\` first (npm ci does it)`);
  const t = await createTestApp({ env: { MEDIAOS_WEB_DIR: WEB_DIST, ...env } });
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { url: address, t, close: () => t.close() };
}

/** Everything that went wrong in the page: uncaught errors, console errors, CSP violations. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`), fullPage: true });
}
