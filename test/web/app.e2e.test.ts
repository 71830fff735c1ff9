import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fake, fakeQbit } from '../download-clients/fakes.js';
import { browserSkipReason, launchBrowser, screenshot, startWebServer, type WebServer, watchPage } from './browser.js';

const skip = browserSkipReason();
if (skip) console.warn(`skipped: ${skip}`);

const EMAIL = 'owner@example.test';
const PASSWORD = 'Owner#Pass-2024';

describe.skipIf(skip !== undefined)('the web app in chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let qbit: Fake;

  beforeAll(async () => {
    [server, browser, qbit] = await Promise.all([startWebServer(), launchBrowser(), fakeQbit({ username: 'admin', password: 'qb-secret' })]);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchPage(page);
    // CSP violations are reported as console errors by chromium; make them explicit too.
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([server?.close(), qbit?.close()]);
  });

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });

  it('first run: creates the admin account, then the library shows', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Welcome to MediaOS' }).waitFor(); // rendered once /api/auth/status answered
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await screenshot(page, '01-first-run');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    await page.getByTestId('library-total').getByText('0 items').waitFor();
    const users = (await server.t.ctx.stores.users.list()).map((u) => [u.email, u.role]);
    expect(users).toEqual([[EMAIL, 'admin']]);
  });

  it('logs out (revoking the session on the server) and logs back in', async () => {
    const stored = await page.evaluate(() => localStorage.getItem('mediaos.refreshToken'));
    expect(stored).toBeTruthy();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to MediaOS' }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem('mediaos.refreshToken'))).toBeNull();
    const reuse = await fetch(`${server.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: stored }),
    });
    expect(reuse.status).toBe(401);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText('Invalid credentials').waitFor();
    await screenshot(page, '02-login-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();
  });

  it('adds an item, finds it by search as you type, edits it and adds it to wanted', async () => {
    await page.getByRole('button', { name: 'Add item' }).click();
    await page.getByRole('form', { name: 'Add a library item' }).getByLabel('Title').fill('Amélie');
    await page.getByRole('button', { name: 'Add to library' }).click();
    await page.getByRole('heading', { name: 'Amélie' }).waitFor();
    await nav('Library').click();
    await page.getByTestId('library-total').getByText('1 item').waitFor();
    await page.getByLabel('Search').fill('amel');
    await page.getByRole('link', { name: 'Amélie' }).waitFor();
    await screenshot(page, '03-library-search');
    await page.getByRole('link', { name: 'Amélie' }).click();
    const edit = page.getByRole('form', { name: 'Edit item' });
    await edit.getByLabel('Title').fill('Amélie (director’s cut)');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { name: 'Amélie (director’s cut)' }).waitFor();
    await page.getByRole('button', { name: 'Add to wanted' }).click();
    await page.getByTestId('wanted-status').getByText('wanted').waitFor();
    await screenshot(page, '04-item');
    const item = await server.t.ctx.stores.library.findByTitle('Amélie (director’s cut)');
    expect(item).toBeDefined();
    expect((await server.t.ctx.stores.wanted.list()).map((w) => w.id)).toEqual([item!.id]);
    await nav('Wanted').click();
    await page.getByRole('cell', { name: 'Amélie (director’s cut)', exact: true }).waitFor();
    await screenshot(page, '05-wanted');
  });

  it('configures a download client and tests it: a clear error, then connected; saved', async () => {
    await nav('Settings').click();
    const qb = page.getByTestId('client-qbittorrent');
    await qb.getByLabel('Enabled').check();
    await qb.getByLabel('URL').fill(qbit.url);
    await qb.getByLabel('Username').fill('admin');
    await qb.getByLabel('Password').fill('not-the-password');
    await qb.getByRole('button', { name: 'Test qBittorrent' }).click();
    await qb.getByRole('alert').waitFor();
    expect(await qb.getByRole('alert').textContent()).toMatch(/login_failed/);
    await qb.getByLabel('Password').fill('qb-secret');
    await qb.getByRole('button', { name: 'Test qBittorrent' }).click();
    await qb
      .getByRole('status')
      .getByText(/Connected/)
      .waitFor();
    await page.getByRole('button', { name: 'Save download clients' }).click();
    await page.getByText('Saved.').waitFor();
    await screenshot(page, '06-settings-clients');
    const view = await server.t.ctx.services.downloaders.view();
    expect(view.qbittorrent).toMatchObject({ enabled: true, baseUrl: qbit.url, username: 'admin', hasPassword: true });
  });

  it('keeps the user signed in across a reload; every page renders', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    for (const [name, heading, shot] of [
      ['Library', 'Library', '07-library-grid'],
      ['Activity', 'Activity', '08-activity'],
      ['Calendar', 'Calendar', '09-calendar'],
      ['Users', 'Users', '10-users'],
      ['System', 'System', '11-system'],
    ] as const) {
      await nav(name).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await screenshot(page, shot);
    }
    await nav('Settings').click();
    for (const [tab, ready, shot] of [
      ['Indexers', 'Prowlarr', '12-settings-indexers'],
      ['Quality profiles', 'New profile', '13-settings-quality'],
      ['Media folders', 'Add a folder', '14-settings-folders'],
      ['Metadata', 'TMDB', '15-settings-metadata'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: tab }).click();
      await page.getByText(ready, { exact: true }).first().waitFor();
      await screenshot(page, shot);
    }
    await page.goto(`${server.url}/library?view=list`);
    await page.getByRole('link', { name: /Amélie/ }).waitFor();
    await screenshot(page, '16-library-list');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/library`);
    await page.getByRole('link', { name: /Amélie/ }).waitFor();
    await screenshot(page, '17-library-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('the activity page goes live over /api/events', async () => {
    await page.goto(`${server.url}/activity`);
    await page.getByTestId('live-state').getByText('Live').waitFor();
  });

  it('logs out for good; no page error and no CSP violation happened', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Sign in to MediaOS' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in to MediaOS' }).waitFor();
    // Chromium logs every failed fetch; the expected ones: the wrong password (401), the refused client test (502).
    expect(problems.filter((p) => !/Failed to load resource: the server responded with a status of (401|502)/.test(p))).toEqual([]);
  });
});
