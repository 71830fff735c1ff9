import type { Command } from 'commander';
import { announcedDrops, withSessionDrops } from '../auth/session-cache.js';
import { publishSignalOnce } from '../db/cluster-signals.js';
import { AppError } from '../errors.js';
import { createSessionsStore } from '../sessions/sessions.store.js';
import { openStorage } from '../storage/store-context.js';
import { createAuditService } from '../system/audit.service.js';
import { createAuditSql } from '../system/audit.sql.js';
import { createUsersService, type UsersService } from '../users/users.service.js';
import { createUsersStore } from '../users/users.store.js';
import type { UserResponse } from '../users/users.types.js';
import type { CliIo } from './io.js';
import { guarded, type MigrationContext, openMigrationContext } from './migration-context.js';

/**
 * `mediaos user add|list|passwd|role|disable|enable`: user management on the database (and, in
 * the phases that keep them, users.json) directly, for the console: no server, no token. The
 * same rules as the API (users.service.ts): password policy, last enabled admin, sessions
 * revoked on disable and on a password reset. Passwords are read from the terminal without echo
 * or, with `--password-stdin`, from standard input; never from the command line.
 */
export function registerUserCommand(program: Command, io: CliIo): void {
  const user = program.command('user').description('add users, reset passwords, change roles, disable accounts (works on the database directly)');

  async function withUsers(body: (users: UsersService, ctx: MigrationContext) => Promise<void>): Promise<void> {
    await guarded(io, 1, async () => {
      const ctx = await openMigrationContext(io);
      try {
        const log = { warn: (o: object, m: string) => io.err(`warning: ${m}`), info() {}, error: (o: object, m: string) => io.err(`error: ${m}`) };
        // The same store context as the server (phase, secrets, the dual phases' file-sync record).
        const { store } = await openStorage(ctx.config, ctx.db, log);
        const now = () => new Date();
        const audit = createAuditService({ audit: createAuditSql(ctx.db.kysely), log, now });
        // Servers on PostgreSQL keep checked sessions for a moment (auth/session-cache.ts): they are told what this ends.
        const drops = announcedDrops(
          (topic, payload) => publishSignalOnce(ctx.db, topic, payload),
          (err) =>
            io.err(
              `warning: running servers were not told at once (they notice within MEDIAOS_SESSION_CACHE_MS): ${err instanceof Error ? err.message : String(err)}`,
            ),
        );
        const stores = withSessionDrops({ users: createUsersStore(store), sessions: createSessionsStore(store) }, drops);
        const users = createUsersService({ users: stores.users, sessions: stores.sessions, phase: store.phase, audit, now });
        try {
          await body(users, ctx);
        } finally {
          await drops.flush();
        }
      } catch (err) {
        // Domain errors carry a code and (often) a sentence: print both.
        if (err instanceof AppError) {
          const detail =
            typeof err.extra.message === 'string' ? `: ${err.extra.message}` : Array.isArray(err.extra.errors) ? `: ${err.extra.errors.join('; ')}` : '';
          throw new Error(`${err.code}${detail}`);
        }
        throw err;
      } finally {
        await ctx.close();
      }
    });
  }

  async function readPassword(fromStdin: boolean | undefined): Promise<string> {
    if (fromStdin) {
      if (!io.readStdin) throw new Error('--password-stdin: standard input cannot be read here');
      const text = await io.readStdin();
      return text.replace(/\r?\n$/, '');
    }
    if (!io.promptHidden) throw new Error('no terminal to ask for the password: pipe it in with --password-stdin');
    const first = await io.promptHidden('New password: ');
    const again = await io.promptHidden('Repeat the password: ');
    if (first !== again) throw new Error('the passwords differ; nothing was changed');
    return first;
  }

  const show = (u: UserResponse) => `${u.id}  ${u.email}  ${u.role}${u.disabled ? '  disabled' : ''}`;
  const stdinOption = ['--password-stdin', 'read the password from standard input (one line) instead of the terminal'] as const;

  user
    .command('add')
    .description('create a user (the password is asked for, or read with --password-stdin)')
    .argument('<email>')
    .option('--role <role>', 'admin | user', 'user')
    .option(...stdinOption)
    .action(async (email: string, opts: { role: string; passwordStdin?: boolean }) =>
      withUsers(async (users) => {
        if (opts.role !== 'admin' && opts.role !== 'user') throw new Error(`--role: "${opts.role}" is not admin or user`);
        const created = await users.add({ email, password: await readPassword(opts.passwordStdin), role: opts.role });
        io.out(`created ${show(created)}`);
      }),
    );

  user
    .command('list')
    .description('list users (id, email, role, disabled)')
    .action(async () =>
      withUsers(async (users) => {
        for (const u of await users.list()) io.out(show(u));
      }),
    );

  user
    .command('passwd')
    .description("set a user's password (asked for, or --password-stdin); ends all of that user's sessions")
    .argument('<user>', 'email or id')
    .option(...stdinOption)
    .action(async (who: string, opts: { passwordStdin?: boolean }) =>
      withUsers(async (users) => {
        const target = await users.get(who);
        const updated = await users.setPassword(target.id, await readPassword(opts.passwordStdin), { requireCurrent: false });
        io.out(`password changed for ${show(updated)}; the user's sessions were ended`);
      }),
    );

  user
    .command('role')
    .description("set a user's role (the last enabled admin cannot be demoted)")
    .argument('<user>', 'email or id')
    .argument('<role>', 'admin | user')
    .action(async (who: string, role: string) =>
      withUsers(async (users) => {
        if (role !== 'admin' && role !== 'user') throw new Error(`role "${role}" is not admin or user`);
        const target = await users.get(who);
        io.out(`updated ${show(await users.update(target.id, { role }))}`);
      }),
    );

  user
    .command('disable')
    .description('disable a user: no login, every session ended (the last enabled admin cannot be disabled)')
    .argument('<user>', 'email or id')
    .action(async (who: string) =>
      withUsers(async (users) => {
        const target = await users.get(who);
        io.out(`updated ${show(await users.update(target.id, { disabled: true }))}`);
      }),
    );

  user
    .command('enable')
    .description('enable a disabled user again')
    .argument('<user>', 'email or id')
    .action(async (who: string) =>
      withUsers(async (users) => {
        const target = await users.get(who);
        io.out(`updated ${show(await users.update(target.id, { disabled: false }))}`);
      }),
    );
}
