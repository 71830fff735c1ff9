import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Invalid } from '../errors.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { assertSafeInput } from '../http/input-guard.js';
import type { DownloadsService } from './downloads.service.js';
import { type GrabInput, grabBody, lastGrabQuery, NZB_FILE_FIELDS, type UploadedNzb } from './downloads.types.js';

/** Legacy per-route limit: 20 grabs a minute per client IP (API.md §0.3). */
const GRAB_RATE_LIMIT = {
  max: 20,
  timeWindow: 60_000,
  errorResponseBuilder: () => ({ statusCode: 429, error: 'Too Many Requests', message: 'Too many download requests. Please wait a moment.' }),
};

/** Reads a multipart grab: text fields plus at most one NZB file (nzbUpload | nzb | nzbFile). */
async function readMultipart(request: FastifyRequest): Promise<GrabInput> {
  const fields: Record<string, string> = {};
  let upload: UploadedNzb | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        const file = part as MultipartFile;
        const data = await file.toBuffer(); // throws 413 past uploadMaxBytes
        if ((NZB_FILE_FIELDS as readonly string[]).includes(file.fieldname) && !upload) {
          upload = { filename: file.filename || undefined, mimetype: file.mimetype || undefined, data };
        }
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    // The parser's own limits are 4xx already (413 files/size); a body it cannot read
    // (no boundary, cut short) is the client's error, not a 500.
    const status = (err as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status < 500) throw err;
    throw new Invalid('invalid_multipart_body');
  }
  // Parsed by hand, so the JSON-body guard (NUL, lone surrogates) is applied here.
  assertSafeInput({ ...fields, filename: upload?.filename, mimetype: upload?.mimetype });
  return { ...parseInput(grabBody, fields), upload };
}

export interface DownloadsRoutesDeps {
  downloads: DownloadsService;
  auth: RequestAuthenticator;
  /** UPLOAD_MAX_BYTES: the largest NZB file a grab may upload. */
  uploadMaxBytes: number;
}

export async function downloadsRoutes(app: FastifyInstance, deps: DownloadsRoutesDeps): Promise<void> {
  // Scoped to this plugin: only the grab route takes multipart bodies.
  await app.register(multipart, { limits: { fileSize: deps.uploadMaxBytes, files: 1, fields: 20 } });
  const service = deps.downloads;
  const user = { preHandler: authenticate(deps.auth, 'user') };

  // The one route with a large body: an NZB upload up to UPLOAD_MAX_BYTES plus its multipart framing.
  const bodyLimit = deps.uploadMaxBytes * 2;
  app.post('/api/downloads/grab', { ...user, bodyLimit, config: { rateLimit: GRAB_RATE_LIMIT } }, async (request) => {
    const input = request.isMultipart() ? await readMultipart(request) : parseInput(grabBody, request.body);
    return service.grab(input);
  });

  app.get('/api/downloads/last', user, async (request) => {
    const q = parseInput(lastGrabQuery, request.query);
    return { ok: true, last: await service.last(q.kind, q.id) };
  });
}
