/**
 * The migration console in Debian's chromium against the real server: the admin points it at a
 * legacy dir (the full fixture with kind spellings and bad records), reads the dry-run report,
 * sees what the import will do, imports it (a queued job; the directory's users replace ours, so
 * the session ends), signs in as the directory's owner, reads the last import's report and a
 * quarantined record with its reason and raw text. Screenshots under test-results/.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureWithBadKinds } from '../console/fixture.js';
import { FIXTURE_PASSWORD } from '../migration/helpers.js';
import { browserSkipReason, launchBrowser, screenshot, startWebServer, type WebServer, watchPage } from './browser.js';

const skip = browserSkipReason();
if (skip) console.warn(`skipped: ${skip}`);

describe.skipIf(skip !== undefined)('the migration console in chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let legacy: string;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    legacy = fixtureWithBadKinds(join(server.t.dir, 'legacy'));
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    problems = watchPage(page);
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('dry-runs, previews and imports a legacy dir, then shows its report and a quarantined record', async () => {
    await page.goto(server.url);
    await page.getByLabel('Email').fill('admin@example.test');
    await page.getByLabel('Password').fill('Admin#Pass-2024');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();

    await page.goto(`${server.url}/system`);
    await page.getByRole('heading', { name: 'Migration console' }).waitFor();
    await page.getByLabel('Legacy config directory (on the server)').fill(legacy);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByText('Dry run: what an import would do').waitFor();
    await page.getByText('library.json /items/1: kind " SERIES " imported as "series"').waitFor();
    await screenshot(page, 'console-01-dry-run');

    await page.getByLabel(/prune/).check();
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Import: what it will do' });
    await dialog.getByText(/^will back up the database and .* 2 quarantined; then read it back and compare$/).waitFor();
    await screenshot(page, 'console-02-import-preview');
    expect(
      Number(
        (
          await server.t.ctx.db.kysely
            .selectFrom('library_items')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    ).toBe(0);
    await dialog.getByRole('button', { name: 'Confirm: import' }).click();

    // the directory's users replace ours: the session ends, and its owner signs in
    await page.getByRole('heading', { name: 'Sign in to MediaOS' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Email').fill('owner@example.org');
    await page.getByLabel('Password').fill(FIXTURE_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // back where the session ended
    await page.getByRole('heading', { name: 'Migration console' }).waitFor();
    await page.getByText('Last import').first().waitFor();
    await page.getByRole('table').getByRole('rowheader', { name: 'library.json' }).waitFor();
    await page.getByText('2 quarantined record(s)').waitFor();
    await page.getByRole('button', { name: 'library.json /items/6' }).click();
    await page.getByText('Raw text, as found in library.json').waitFor();
    await page.getByText('"kind": "film"').waitFor();
    await screenshot(page, 'console-03-report-and-quarantine');
    // only the calls answered 401 when the import ended the session
    expect(problems.filter((p) => !/status of 401 \(Unauthorized\)/.test(p))).toEqual([]);
  }, 120_000);
});
