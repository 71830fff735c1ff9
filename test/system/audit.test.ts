import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../src/housekeeping/housekeeping.service.js';
import { redactSecrets } from '../../src/system/audit.redact.js';
import type { AuditEntry } from '../../src/system/audit.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

const QB_PASSWORD = 'qb-secret-Pa55word-audit';
const SAB_KEY = 'sab0123456789abcdef0123456789abcd';

/** An entry as the API answers it (before/after are the JSON the test reads into). */
type Entry = Omit<AuditEntry, 'before' | 'after'> & { before?: any; after?: any };

for (const engine of sqlEngines()) {
  describe(`audit log (${engine})`, () => {
    let t: TestApp;
    let admin: string;
    let adminId: string;
    let user: string;
    beforeAll(async () => {
      t = await createTestApp({ engine });
      const a = await registerAdmin(t.app);
      admin = a.accessToken;
      adminId = a.user.id;
      user = (await registerUser(t.app, admin)).accessToken;
    });
    afterAll(async () => t?.close());

    const audit = async (query = '', token = admin) => t.app.inject({ method: 'GET', url: `/api/system/audit${query}`, headers: bearer(token) });

    it('records a downloader change with its password and api key redacted, in the row and in the API answer', async () => {
      const save = await t.app.inject({
        method: 'POST',
        url: '/api/settings/downloaders',
        headers: bearer(admin),
        payload: {
          qbittorrent: { enabled: true, baseUrl: 'http://127.0.0.1:9', username: 'qb', password: QB_PASSWORD },
          sabnzbd: { enabled: true, baseUrl: 'http://127.0.0.1:9', apiKey: SAB_KEY },
        },
      });
      expect(save.statusCode).toBe(200);

      // the stored row: redacted before it was written
      const rows = await sql<{
        actor: string;
        entity: string;
        action: string;
        before: string | null;
        after: string;
      }>`select actor, entity, action, before, after from audit_log where entity = 'downloaders'`.execute(t.ctx.db.kysely);
      expect(rows.rows).toHaveLength(1);
      const row = rows.rows[0];
      expect(row.actor).toBe(adminId);
      expect(row.action).toBe('update');
      expect(JSON.stringify(row)).not.toContain(QB_PASSWORD);
      expect(JSON.stringify(row)).not.toContain(SAB_KEY);
      const after = JSON.parse(row.after);
      expect(after.qbittorrent).toMatchObject({ enabled: true, baseUrl: 'http://127.0.0.1:9', username: 'qb', password: '[redacted]' });
      expect(after.sabnzbd.apiKey).toBe('[redacted]');

      // the API answer
      const res = await audit('?entity=downloaders');
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(QB_PASSWORD);
      expect(res.body).not.toContain(SAB_KEY);
      const body = res.json() as { ok: boolean; items: Entry[] };
      expect(body.ok).toBe(true);
      expect(body.items).toHaveLength(1);
      expect(body.items[0]).toMatchObject({ actor: adminId, entity: 'downloaders', action: 'update' });
      expect(body.items[0].after.qbittorrent.password).toBe('[redacted]');
      expect(body.items[0].before).toEqual({});
      // no secret reached a log line either
      expect(t.logs.join('\n')).not.toContain(QB_PASSWORD);
    });

    it('is admin-only and refuses bad filters naming the field', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/system/audit' })).statusCode).toBe(401);
      expect((await audit('', user)).statusCode).toBe(403);
      for (const [q, field] of [
        ['?entity=nope', 'entity'],
        ['?from=yesterday', 'from'],
        ['?limit=0', 'limit'],
        ['?cursor=xyz', 'cursor'],
      ] as const) {
        const res = await audit(q);
        expect(res.statusCode, q).toBe(400);
        expect(res.json().error, q).toContain(field);
      }
    });

    it('pages newest first by (time, id) and filters by user and time range', async () => {
      for (let i = 0; i < 5; i++) {
        await t.ctx.services.audit.record({ actor: 'cli', entity: 'settings', entityId: `k${i}`, action: 'update', after: { i, token: 'tok' } });
      }
      const seen: Entry[] = [];
      let cursor: string | undefined;
      do {
        const res = await audit(`?entity=settings&user=cli&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode).toBe(200);
        const page = res.json() as { items: Entry[]; nextCursor?: string };
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.map((e) => e.entityId)).toEqual(['k4', 'k3', 'k2', 'k1', 'k0']);
      expect(seen.every((e) => e.after.token === '[redacted]')).toBe(true);
      const future = await audit(`?from=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
      expect(future.json().items).toEqual([]);
      const past = await audit(`?to=${encodeURIComponent('2000-01-01T00:00:00Z')}`);
      expect(past.json().items).toEqual([]);
    });

    it('housekeeping purges rows older than the retention', async () => {
      await sql`insert into audit_log (at, actor, entity, action) values ('2001-01-01T00:00:00.000Z', 'system', 'settings', 'update')`.execute(t.ctx.db.kysely);
      const report = await runHousekeeping({ ...t.ctx, audit: t.ctx.services.audit });
      expect(report.auditRows).toBe(1);
      const left = await sql<{ n: number }>`select count(*) as n from audit_log where at < '2002-01-01'`.execute(t.ctx.db.kysely);
      expect(Number(left.rows[0].n)).toBe(0);
    });
  });
}

describe('redactSecrets', () => {
  it('replaces secret-named members at any depth and keeps the rest', () => {
    const out = redactSecrets({
      password: 'p',
      nested: [{ apiKey: 'k', api_key: 'k2', accessToken: 't', passwordHash: 'h', name: 'n' }],
      hasPassword: true,
      url: 'u',
    });
    expect(out).toEqual({
      password: '[redacted]',
      nested: [{ apiKey: '[redacted]', api_key: '[redacted]', accessToken: '[redacted]', passwordHash: '[redacted]', name: 'n' }],
      hasPassword: true,
      url: 'u',
    });
  });
});
