import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/security/passwords.js';
import { createSessionsSql } from '../../src/sessions/sessions.sql.js';
import { createUsersSql } from '../../src/users/users.sql.js';
import { runCli } from '../helpers/cli.js';
import { sqlEngines } from '../helpers/engines.js';
import { type MigrationEnv, migrationEnv } from '../migration/helpers.js';

const PW = 'Console#Pass-2024';
const PW2 = 'Changed#Pass-2025';

for (const engine of sqlEngines()) {
  for (const phase of ['db', 'files'] as const) {
    if (engine === 'postgres' && phase === 'files') continue; // the users store is the same files store
    describe(`mediaos user (${engine}, ${phase})`, () => {
      let m: MigrationEnv | undefined;
      afterEach(async () => {
        await m?.cleanup();
        m = undefined;
      });
      const cli = (args: string[], opts: { stdin?: string; prompts?: string[] } = {}) => runCli(['user', ...args], m!.env, m!.dir, opts);

      async function readUser(email: string) {
        if (phase === 'files') {
          const all = JSON.parse(readFileSync(join(m!.env.MEDIAOS_CONFIG_DIR, 'users.json'), 'utf8')) as Record<string, Record<string, unknown>>;
          return Object.values(all).find((u) => u.email === email);
        }
        const db = m!.open();
        try {
          return await createUsersSql(db.kysely).getByEmail(email);
        } finally {
          await db.close();
        }
      }

      it('add, passwd, role, disable, enable with passwords from stdin or the terminal, never argv', async () => {
        m = await migrationEnv(engine, { MEDIAOS_STORAGE_PHASE: phase });
        mkdirSync(m.env.MEDIAOS_CONFIG_DIR, { recursive: true });
        let r = await cli(['add', 'Boss@Example.org', '--role', 'admin', '--password-stdin'], { stdin: `${PW}\n` });
        expect([r.code, r.err]).toEqual([0, '']);
        expect(r.out).toMatch(/^created user_\d+_[0-9a-z]+ {2}Boss@Example\.org {2}admin$/m);
        const boss = await readUser('Boss@Example.org');
        expect(boss?.role).toBe('admin');
        expect(await verifyPassword(PW, boss?.passwordHash)).toBe(true);
        if (phase === 'files') expect(boss?.passwordHash).toMatch(/^[0-9a-f]{32}:[0-9a-f]{128}$/); // the old server can verify it

        // prompted twice without echo; a mismatch changes nothing
        r = await cli(['add', 'member@example.org'], { prompts: [PW, 'typo'] });
        expect([r.code, r.err]).toEqual([1, 'error: the passwords differ; nothing was changed']);
        expect(await readUser('member@example.org')).toBeUndefined();
        r = await cli(['add', 'member@example.org'], { prompts: [PW, PW] });
        expect(r.code).toBe(0);
        // no terminal and no --password-stdin: a clear refusal
        r = await cli(['add', 'third@example.org']);
        expect([r.code, r.err]).toEqual([1, 'error: no terminal to ask for the password: pipe it in with --password-stdin']);
        r = await cli(['add', 'weak@example.org', '--password-stdin'], { stdin: 'short' });
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/^error: Password must be/);
        r = await cli(['add', 'member@EXAMPLE.org', '--password-stdin'], { stdin: PW });
        expect([r.code, r.err]).toEqual([1, 'error: Email already exists']);
        r = await cli(['add', 'x@example.org', '--role', 'root', '--password-stdin'], { stdin: PW });
        expect([r.code, r.err]).toEqual([1, 'error: --role: "root" is not admin or user']);

        r = await cli(['list']);
        expect(
          r.out
            .split('\n')
            .map((l) => l.split('  ').slice(1))
            .sort(),
        ).toEqual([
          ['Boss@Example.org', 'admin'],
          ['member@example.org', 'user'],
        ]);

        // the last enabled admin stays
        r = await cli(['role', 'boss@example.org', 'user']);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/^error: last_admin: /);
        r = await cli(['disable', 'boss@example.org']);
        expect(r.err).toMatch(/^error: last_admin: /);
        r = await cli(['role', 'nobody@example.org', 'admin']);
        expect([r.code, r.err]).toEqual([1, 'error: not_found: no user "nobody@example.org"']);

        r = await cli(['role', 'member@example.org', 'admin']);
        expect(r.out).toMatch(/member@example\.org {2}admin$/);
        r = await cli(['disable', 'boss@example.org']);
        expect(r.out).toMatch(/Boss@Example\.org {2}admin {2}disabled$/);
        expect((await readUser('Boss@Example.org'))?.disabled).toBe(true);
        r = await cli(['enable', 'boss@example.org']);
        expect(r.out).toMatch(/Boss@Example\.org {2}admin$/);
        expect(await readUser('Boss@Example.org')).not.toHaveProperty('disabled');

        r = await cli(['passwd', 'member@example.org', '--password-stdin'], { stdin: `${PW2}\r\n` });
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/password changed for .*member@example\.org/);
        expect(await verifyPassword(PW2, (await readUser('member@example.org'))?.passwordHash)).toBe(true);
        expect(`${r.out}${r.err}`).not.toContain(PW2);
      });
    });
  }
}

describe('mediaos user passwd and disable end sessions', () => {
  let m: MigrationEnv | undefined;
  afterEach(async () => {
    await m?.cleanup();
    m = undefined;
  });
  it('revokes every session of the user', async () => {
    m = await migrationEnv('sqlite');
    expect((await runCli(['user', 'add', 'a@example.org', '--role', 'admin', '--password-stdin'], m.env, m.dir, { stdin: PW })).code).toBe(0);
    expect((await runCli(['user', 'add', 'b@example.org', '--password-stdin'], m.env, m.dir, { stdin: PW })).code).toBe(0);
    const db = m.open();
    try {
      const b = (await createUsersSql(db.kysely).getByEmail('b@example.org'))!;
      const sessions = createSessionsSql(db.kysely);
      const s = { userId: b.id, tokenHash: 'h', expiresAt: '2999-01-01T00:00:00.000Z', createdAt: '2025-01-01T00:00:00.000Z' };
      await sessions.create({ id: 's1', ...s });
      expect((await runCli(['user', 'passwd', 'b@example.org', '--password-stdin'], m.env, m.dir, { stdin: PW2 })).code).toBe(0);
      expect(await sessions.get('s1')).toMatchObject({ revokeReason: 'password_changed' });
      await sessions.create({ id: 's2', ...s });
      expect((await runCli(['user', 'disable', b.id], m.env, m.dir)).code).toBe(0);
      expect(await sessions.get('s2')).toMatchObject({ revokeReason: 'user_disabled' });
    } finally {
      await db.close();
    }
  });
});
