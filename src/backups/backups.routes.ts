import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { Invalid, NotFound } from '../errors.js';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { AuditRecorder } from '../system/audit.types.js';
import { findBackup } from './backup-catalog.js';
import { describeBackups, takeBackup } from './backups.service.js';
import { cancelRestore, describeRestore, lastRestoreOutcome, pendingRestore, RestoreRequestError, requestRestore } from './restore-on-start.js';

/**
 * Backups for admins:
 * - GET /api/system/backups: `{ backups: [{name, kind, format, size, createdAt, engine, schemaVersion}],
 *   restoreOnStart, lastRestore }`, newest first (restoreOnStart: the restore asked for, or null;
 *   lastRestore: what the last start did with one, or null);
 * - POST /api/system/backups: takes a `manual` archive now; 201 with its listing entry;
 * - GET /api/system/backups/:name: downloads one. Only names the catalog recognises, of files
 *   directly in `<data>/backups/`, are served; anything else is 404, so no path leaves that folder;
 * - POST /api/system/backups/:name/restore `{confirm?}`: without confirm, says what the restore
 *   will do; confirmed, asks for it at the next start (202). DELETE /api/system/backups/restore
 *   withdraws the request. Both audited (entity `backup`).
 */
export interface BackupsRoutesDeps {
  db: Database;
  config: Config;
  auth: RequestAuthenticator;
  audit: AuditRecorder;
  now: () => Date;
}

const restoreBody = z.object({ confirm: z.boolean().optional() });

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RestoreRequestError) throw err.reason === 'not_found' ? new NotFound(err.message) : new Invalid(err.message);
    throw err;
  }
}

export async function backupsRoutes(app: FastifyInstance, ctx: BackupsRoutesDeps): Promise<void> {
  const admin = { preHandler: authenticate(ctx.auth, 'admin') };
  const { dataDir } = ctx.config;

  app.get('/api/system/backups', admin, async () => ({
    backups: await describeBackups(dataDir),
    restoreOnStart: pendingRestore(dataDir),
    lastRestore: lastRestoreOutcome(dataDir),
  }));

  app.post('/api/system/backups', admin, async (_request, reply) => {
    const taken = await takeBackup(ctx.db, ctx.config, 'manual');
    const name = taken.file.slice(taken.file.lastIndexOf('/') + 1);
    const entry = (await describeBackups(dataDir)).find((b) => b.name === name);
    return reply.status(201).send({ backup: entry });
  });

  app.delete('/api/system/backups/restore', admin, async (request) => {
    const withdrawn = cancelRestore(dataDir);
    if (withdrawn)
      await ctx.audit.record({ actor: requireUser(request).id, entity: 'backup', entityId: withdrawn.name, action: 'restore-cancel', before: withdrawn });
    return { ok: true, cancelled: withdrawn !== null, summary: withdrawn ? `the restore of ${withdrawn.name} will not happen` : 'no restore was asked for' };
  });

  app.post<{ Params: { name: string } }>('/api/system/backups/:name/restore', admin, async (request, reply) => {
    const body = parseInput(restoreBody, request.body);
    const { name } = request.params;
    if (!body.confirm) {
      const { summary } = await mapped(() => describeRestore(ctx.config, name));
      return { ok: true, preview: true, summary };
    }
    const before = pendingRestore(dataDir);
    const asked = await mapped(() => requestRestore(ctx.config, name, requireUser(request).id, ctx.now()));
    const { summary, ...restoreOnStart } = asked;
    await ctx.audit.record({ actor: restoreOnStart.requestedBy, entity: 'backup', entityId: name, action: 'restore-request', before, after: restoreOnStart });
    return reply.status(202).send({ ok: true, preview: false, restoreOnStart, summary: summary.replace(/^will restore/, 'MediaOS will restore') });
  });

  app.get<{ Params: { name: string } }>('/api/system/backups/:name', admin, async (request, reply) => {
    const found = findBackup(dataDir, request.params.name);
    if (!found) throw new NotFound();
    return reply
      .header('content-type', found.format === 'archive' ? 'application/gzip' : 'application/vnd.sqlite3')
      .header('content-disposition', `attachment; filename="${found.name}"`)
      .header('content-length', found.size)
      .send(createReadStream(found.path));
  });
}
