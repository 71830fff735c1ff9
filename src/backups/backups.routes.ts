import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { NotFound } from '../errors.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { findBackup } from './backup-catalog.js';
import { describeBackups, takeBackup } from './backups.service.js';

/**
 * Backups for admins:
 * - GET /api/system/backups: `{ backups: [{name, kind, format, size, createdAt, engine, schemaVersion}] }`, newest first;
 * - POST /api/system/backups: takes a `manual` archive now; 201 with its listing entry;
 * - GET /api/system/backups/:name: downloads one. Only names the catalog recognises, of files
 *   directly in `<data>/backups/`, are served; anything else is 404, so no path leaves that folder.
 */
export interface BackupsRoutesDeps {
  db: Database;
  config: Config;
  auth: RequestAuthenticator;
}

export async function backupsRoutes(app: FastifyInstance, ctx: BackupsRoutesDeps): Promise<void> {
  const admin = { preHandler: authenticate(ctx.auth, 'admin') };

  app.get('/api/system/backups', admin, async () => ({ backups: await describeBackups(ctx.config.dataDir) }));

  app.post('/api/system/backups', admin, async (_request, reply) => {
    const taken = await takeBackup(ctx.db, ctx.config, 'manual');
    const name = taken.file.slice(taken.file.lastIndexOf('/') + 1);
    const entry = (await describeBackups(ctx.config.dataDir)).find((b) => b.name === name);
    return reply.status(201).send({ backup: entry });
  });

  app.get<{ Params: { name: string } }>('/api/system/backups/:name', admin, async (request, reply) => {
    const found = findBackup(ctx.config.dataDir, request.params.name);
    if (!found) throw new NotFound();
    return reply
      .header('content-type', found.format === 'archive' ? 'application/gzip' : 'application/vnd.sqlite3')
      .header('content-disposition', `attachment; filename="${found.name}"`)
      .header('content-length', found.size)
      .send(createReadStream(found.path));
  });
}
