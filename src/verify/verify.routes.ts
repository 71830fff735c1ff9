import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseDocumentInput, parseInput } from '../http/errors.js';
import { documentBody } from '../settings/settings.types.js';
import type { VerifyService } from './verify.service.js';
import { type VerifySettings, verifyLastQuery, verifyRequestBody } from './verify.types.js';

const jobParams = z.object({ id: z.string() });

export interface VerifyRoutesDeps {
  verify: VerifyService;
  auth: RequestAuthenticator;
}

/**
 * Legacy heuristic verify (API.md §8). Every route needs a user token (legacy had none);
 * replacing the thresholds needs admin. Bad input: 400 `{ok:false,error:"missing_params"}`;
 * unknown job: 404 `{ok:false,error:"not_found"}` (legacy answered both with 200). A `path` outside
 * the media folders: 403 `{ok:false,error:"path_not_allowed"}` for a non-admin (legacy probed any path).
 */
export async function verifyRoutes(app: FastifyInstance, deps: VerifyRoutesDeps): Promise<void> {
  const verify = deps.verify;
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };

  app.post('/api/verify/check', user, async (request) => {
    const result = await verify.check(parseInput(verifyRequestBody, request.body), requireUser(request));
    return { ok: true, result };
  });

  app.get('/api/verify/last', user, async (request) => {
    const q = parseInput(verifyLastQuery, request.query);
    return { ok: true, result: await verify.last(q.kind, q.id) };
  });

  app.post('/api/verify/jobs', user, async (request) => {
    const jobId = await verify.enqueue(parseInput(verifyRequestBody, request.body), requireUser(request));
    return { ok: true, jobId };
  });

  app.get('/api/verify/jobs/:id', user, async (request) => {
    const { id } = parseInput(jobParams, request.params);
    return { ok: true, job: await verify.job(id) };
  });

  app.get('/api/settings/verify', user, async () => ({ ok: true, settings: await verify.getSettings() }));

  app.post('/api/settings/verify', admin, async (request) => {
    const settings = await verify.saveSettings(parseDocumentInput(documentBody, request.body) as VerifySettings, requireUser(request).id);
    return { ok: true, settings };
  });
}
