import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { indexedOverflow, indexedOverflowMessage } from '../db/indexed-limit.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { IMPORT_MAX_FILES, importBody, type ScannerImport } from './scanner.import.js';
import type { ScannerService } from './scanner.service.js';

const folderPath = z
  .string({ error: 'must be a string' })
  .min(1, { message: 'must not be empty' })
  .superRefine((v, ctx) => {
    const bytes = indexedOverflow(v);
    if (bytes !== undefined) ctx.addIssue({ code: 'custom', message: indexedOverflowMessage(bytes) });
  });

const folderType = z.enum(['movies', 'series', 'music', 'books'], { message: 'must be one of movies, series, music, books' });

/** POST /api/scanner/start (legacy schema). */
export const scanStartBody = z.object({
  folders: z.array(z.object({ path: folderPath, type: folderType })).optional(),
});

/** POST /api/scanner/preview. */
export const previewBody = z.object({ path: folderPath, kind: folderType.optional() });
/** POST /api/scanner/rescan. */
export const rescanBody = z.object({ path: folderPath, type: folderType });

/** The body limit of POST /api/scanner/import: room for IMPORT_MAX_FILES entries of ~320 bytes. */
const IMPORT_BODY_LIMIT = IMPORT_MAX_FILES * 320;

export interface ScannerRoutesDeps {
  scanner: ScannerService;
  scannerImport: ScannerImport;
  auth: RequestAuthenticator;
}

/**
 * The library scanner (API.md §2). Status: any user; start/stop: admin. Legacy answered its
 * refusals with 200 `{ok:false,...}`; here they keep that body with a status: 409 "Scan already
 * in progress" (+progress) / "No scan in progress", 400 "No folders configured for scanning" /
 * "Folder not accessible: <path>", 403 `path_not_allowed` for a folder outside the media roots.
 * Preview (any user) reads only; rescan scans one folder and, unlike legacy (which dropped the
 * result), records it like start does. Import (admin) writes picked files onto existing items
 * (scanner.import.ts): `{ok:true,count,total,skipped}` at once for up to IMPORT_INLINE_MAX files,
 * else 202 `{ok:true,queued:true,jobId,total,progress}` with progress at GET
 * /api/scanner/import/status; 400 "No files to import", 403 `path_not_allowed` when any path lies
 * outside the media roots (nothing written), 409 while a scan or another import runs.
 */
export async function scannerRoutes(app: FastifyInstance, deps: ScannerRoutesDeps): Promise<void> {
  const { scanner } = deps;
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  const user = { preHandler: authenticate(deps.auth, 'user') };
  app.get('/api/scanner/status', user, async () => ({ ok: true, ...scanner.status() }));
  app.post('/api/scanner/start', admin, async (request) => {
    const body = parseInput(scanStartBody, request.body);
    const progress = await scanner.start(body.folders !== undefined ? { folders: body.folders } : {});
    return { ok: true, message: 'Scan started', progress };
  });
  app.post('/api/scanner/rescan', admin, async (request) => {
    const body = parseInput(rescanBody, request.body);
    const progress = await scanner.start({ folders: [{ path: body.path, type: body.type }] });
    return { ok: true, message: 'Rescan started', progress };
  });
  app.get('/api/scanner/preview', user, async () => {
    const items = await scanner.previewItems();
    return { ok: true, items, count: items.length };
  });
  app.post('/api/scanner/preview', user, async (request) => {
    const body = parseInput(previewBody, request.body);
    const files = await scanner.previewFolder(body.path, body.kind);
    return { ok: true, files, count: files.length };
  });
  // A library-wide list is larger than the default 1 MiB body (about 300 bytes a file).
  app.post('/api/scanner/import', { ...admin, bodyLimit: IMPORT_BODY_LIMIT }, async (request, reply) => {
    const r = await deps.scannerImport.start(parseInput(importBody, request.body));
    if (!r.queued) return { ok: true, count: r.count, total: r.total, skipped: r.skipped };
    reply.status(202);
    return { ok: true, queued: true, message: 'Import queued', jobId: r.jobId, total: r.total, progress: r.progress };
  });
  app.get('/api/scanner/import/status', user, async () => {
    await deps.scannerImport.settle();
    return { ok: true, ...deps.scannerImport.status() };
  });
  app.post('/api/scanner/stop', admin, async () => {
    scanner.stop();
    return { ok: true, message: 'Scan abort requested' };
  });
}
