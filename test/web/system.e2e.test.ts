/**
 * The admin's operations pages in Debian's chromium against the real server: quality profiles
 * created, edited and removed in Settings; a backup made from the System page (keyboard only),
 * listed, downloaded byte for byte, a restore at the next start previewed, asked for and
 * withdrawn; a failed job retried; the audit log showing the edits this test made. Every System
 * page also at phone width. Screenshots under test-results/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/system/audit.types.js';
import { browserSkipReason, launchBrowser, screenshot, startWebServer, type WebServer, watchPage } from './browser.js';

const skip = browserSkipReason();
if (skip) console.warn(`skipped: ${skip}`);

describe.skipIf(skip !== undefined)('the System and quality pages in chromium', () => {
  let server: WebServer;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startWebServer(), launchBrowser()]);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
    page.setDefaultTimeout(15_000);
    problems = watchPage(page);
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const systemTab = (name: string) => page.getByRole('navigation', { name: 'System sections' }).getByRole('link', { name });

  it('first run, then a quality profile is created, edited and removed in Settings', async () => {
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Welcome to MediaOS' }).waitFor();
    await page.getByLabel('Email').fill('admin@example.test');
    await page.getByLabel('Password').fill('Admin#Pass-2024');
    await page.getByRole('button', { name: 'Create admin account' }).click();
    await page.getByRole('heading', { name: 'Library' }).waitFor();

    await page.goto(`${server.url}/settings/quality`);
    await page.getByRole('button', { name: 'New profile' }).click();
    const form = page.getByRole('form', { name: 'New quality profile' });
    await form.getByLabel('Name').fill('Compact');
    await form.getByLabel('Allow 2160p').uncheck();
    await form.getByLabel('Allow 1080p').uncheck();
    // the cutoff must be allowed: said under the button, nothing sent
    await form.getByLabel('Cutoff').selectOption('720p');
    await form.getByLabel('Allow 720p').uncheck();
    await form.getByRole('button', { name: 'Create profile' }).click();
    await form
      .getByRole('alert')
      .getByText(/^Cutoff: "720p" is not one of the allowed qualities \(480p\)$/)
      .waitFor();
    await form.getByLabel('Allow 720p').check();
    await form.getByLabel('Prefer 720p').check();
    await form.getByRole('button', { name: 'Create profile' }).click();
    const row = page.getByRole('row', { name: /^Compact/ });
    await row.getByRole('cell', { name: '720p, 480p' }).waitFor();
    const created = (await server.t.ctx.services.quality.list()).find((p) => p.name === 'Compact');
    expect(created).toMatchObject({ cutoff: '720p', upgradeAllowed: true });
    expect(created?.qualities?.filter((q) => q.allowed).map((q) => q.quality)).toEqual(['720p', '480p']);

    await row.getByRole('button', { name: 'Edit Compact' }).click();
    const edit = page.getByRole('form', { name: 'Edit Compact' });
    await edit.getByLabel('Name').fill('Compact SD');
    await edit.getByLabel('Upgrade to better releases').uncheck();
    await edit.getByRole('button', { name: 'Save profile' }).click();
    await page
      .getByRole('row', { name: /^Compact SD/ })
      .getByRole('cell', { name: 'No', exact: true })
      .waitFor();
    await screenshot(page, 'system-01-quality-profiles');
    const edited = (await server.t.ctx.services.quality.list()).find((p) => p.id === created?.id);
    expect(edited).toMatchObject({ name: 'Compact SD', upgradeAllowed: false, cutoff: '720p' });

    // remove says what it will do first; Cancel changes nothing, Confirm removes
    const sdRow = page.getByRole('row', { name: /^Compact SD/ });
    await sdRow.getByRole('button', { name: 'Remove Compact SD…' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove Compact SD: what it will do' });
    await dialog.getByText(`Removes the quality profile "Compact SD" (${created?.id}).`).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await server.t.ctx.services.quality.list()).some((p) => p.id === created?.id)).toBe(true);
    await sdRow.getByRole('button', { name: 'Remove Compact SD…' }).click();
    await dialog.getByRole('button', { name: 'Remove Compact SD' }).click();
    await page.getByRole('row', { name: /^Compact SD/ }).waitFor({ state: 'detached' });
    expect((await server.t.ctx.services.quality.list()).some((p) => p.id === created?.id)).toBe(false);
  });

  it('makes a backup from the keyboard, lists it, downloads it byte for byte; a restore is previewed, asked for and withdrawn', async () => {
    await page.goto(`${server.url}/system`);
    await systemTab('Backups').click();
    await page.getByRole('heading', { name: 'Backups' }).waitFor();
    await page.getByText('No backups yet.').waitFor();
    await page.getByRole('button', { name: 'Make a backup now' }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(/^Backup made: mediaos-backup-manual-.*\.tar\.gz \(/)
      .waitFor();
    const row = page.getByTestId('backup-row');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const name = (await row.first().getAttribute('data-name')) as string;
    expect(name).toMatch(/^mediaos-backup-manual-.*\.tar\.gz$/);
    await row.first().getByRole('cell', { name: 'made by hand' }).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row
        .first()
        .getByRole('button', { name: `Download ${name}` })
        .click(),
    ]);
    expect(download.suggestedFilename()).toBe(name);
    const saved = await download.path();
    expect(readFileSync(saved).equals(readFileSync(join(server.t.dir, 'backups', name)))).toBe(true);
    await row
      .first()
      .getByRole('status')
      .getByText(/^Downloaded \(/)
      .waitFor();

    // restore: the server's preview first; confirmed, it waits for the next start and can be withdrawn
    await row
      .first()
      .getByRole('button', { name: `Restore ${name}…` })
      .click();
    const dialog = page.getByRole('alertdialog', { name: `Restore ${name}: what it will do` });
    await dialog.getByText(new RegExp(`^will restore ${name} at the next start of MediaOS: .*keep the current database as a pre-restore backup`)).waitFor();
    await screenshot(page, 'system-02-backups');
    await dialog.getByRole('button', { name: 'Restore at the next start' }).click();
    const pending = page.getByRole('region', { name: 'Restore at the next start' });
    await pending.getByText(`${name} (the database of`, { exact: false }).waitFor();
    expect(JSON.parse(readFileSync(join(server.t.dir, 'restore-on-start.json'), 'utf8'))).toMatchObject({ name });
    await pending.getByRole('button', { name: 'Withdraw the restore' }).click();
    await page.getByText('The restore will not happen.').waitFor();
    expect(existsSync(join(server.t.dir, 'restore-on-start.json'))).toBe(false);
  });

  it('retries a failed job from the Jobs page, which follows the queue live', async () => {
    await page.goto(`${server.url}/system/jobs`);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByTestId('jobs-live').getByText('Live').waitFor();
    // the worker fails it at once (no handler); the page shows it without a Refresh
    const id = await server.t.ctx.stores.jobs.enqueue('no-such-handler', { note: 'made by the test' });
    const row = page.locator(`[data-testid="job-row"][data-id="${id}"]`);
    await row.getByText(`no handler for job type "no-such-handler"`).waitFor();
    await screenshot(page, 'system-03-jobs');
    await row.getByRole('button', { name: `Retry no-such-handler job ${id}` }).click();
    await page
      .getByRole('status')
      .getByText(new RegExp(`^no-such-handler job ${id} queued again \\(now (queued|running|failed)\\)\\.$`))
      .waitFor();
    const audit = await server.t.ctx.services.audit.page({ entity: 'job', limit: 10 });
    expect(audit.items.map((e) => [e.entityId, e.action])).toEqual([[id, 'retry']]);
  });

  it('the audit log shows the edits made above, filtered by kind, with before and after', async () => {
    await page.goto(`${server.url}/system/audit`);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByLabel('What').selectOption('quality_profile');
    const entries = page.getByTestId('audit-entry');
    // The unfiltered list (shown before the filtered answer arrives) holds these entries too: wait
    // until every entry shown is of the chosen kind.
    await page.waitForFunction(() => {
      const shown = [...document.querySelectorAll('[data-testid="audit-entry"]')].map((e) => e.textContent ?? '');
      return shown.length > 0 && shown.every((t) => t.startsWith('quality profile'));
    });
    expect(await entries.allTextContents()).toEqual([
      expect.stringMatching(/^quality profile delete .* — admin@example\.test, /),
      expect.stringMatching(/^quality profile update .* — admin@example\.test, /),
      expect.stringMatching(/^quality profile create .* — admin@example\.test, /),
    ]);
    const update = entries.filter({ hasText: 'quality profile update' });
    await update.getByText('Before and after').click();
    await update.getByText('"name": "Compact SD"').waitFor();
    await update.getByText('"name": "Compact"').waitFor();
    await screenshot(page, 'system-04-audit');
    await page.getByLabel('What').selectOption('job');
    await page.waitForFunction(() => {
      const shown = [...document.querySelectorAll('[data-testid="audit-entry"]')].map((e) => e.textContent ?? '');
      return shown.length > 0 && shown.every((t) => t.startsWith('job '));
    });
    await entries.getByText('job retry').waitFor();
    const rows: AuditEntry[] = (await server.t.ctx.services.audit.page({ entity: 'quality_profile', limit: 10 })).items;
    expect(rows.map((r) => r.action)).toEqual(['delete', 'update', 'create']);
  });

  it('every System page works at phone width; no page error and no CSP violation happened', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [tab, heading, shot] of [
      ['Backups', 'Backups', 'system-05-backups-phone'],
      ['Jobs', 'Jobs', 'system-06-jobs-phone'],
      ['Audit log', 'Audit log', 'system-07-audit-phone'],
    ] as const) {
      await systemTab(tab).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      // nothing wider than the screen but the tables' own scrolling boxes
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, tab).toBeLessThanOrEqual(0);
      await screenshot(page, shot);
    }
    expect(problems).toEqual([]);
  });
});
