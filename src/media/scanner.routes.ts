import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { indexedOverflow, indexedOverflowMessage } from '../db/indexed-limit.js';
import type { ScannerService } from './scanner.service.js';

const folderPath = z.string({ error: 'must be a string' }).min(1, { message: 'must not be empty' }).superRefine((v, ctx) => {
  const bytes = indexedOverflow(v);
  if (bytes !== undefined) ctx.addIssue({ code: 'custom', message: indexedOverflowMessage(bytes) });
});

/** POST /api/scanner/start (legacy schema). */
export const scanStartBody = z.object({
  folders: z.array(z.object({ path: folderPath, type: z.enum(['movies', 'series', 'music', 'books'], { message: 'must be one of movies, series, music, books' }) })).optional(),
});

export interface ScannerRoutesDeps {
  scanner: ScannerService;
  auth: RequestAuthenticator;
}

/**
 * The library scanner (API.md §2). Status: any user; start/stop: admin. Legacy answered its
 * refusals with 200 `{ok:false,...}`; here they keep that body with a status: 409 "Scan already
 * in progress" (+progress) / "No scan in progress", 400 "No folders configured for scanning" /
 * "Folder not accessible: <path>", 403 `path_not_allowed` for a folder outside the media roots.
 */
export async function scannerRoutes(app: FastifyInstance, deps: ScannerRoutesDeps): Promise<void> {
  const { scanner } = deps;
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  app.get('/api/scanner/status', { preHandler: authenticate(deps.auth, 'user') }, async () => ({ ok: true, ...scanner.status() }));
  app.post('/api/scanner/start', admin, async (request) => {
    const body = parseInput(scanStartBody, request.body);
    const progress = await scanner.start(body.folders !== undefined ? { folders: body.folders } : {});
    return { ok: true, message: 'Scan started', progress };
  });
  app.post('/api/scanner/stop', admin, async () => {
    scanner.stop();
    return { ok: true, message: 'Scan abort requested' };
  });
}
