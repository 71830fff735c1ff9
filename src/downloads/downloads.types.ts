import { z } from 'zod';

/**
 * POST /api/downloads/grab (JSON, or multipart with the same fields as text parts). `title` is
 * checked by the service (legacy answered `missing_params`), the link too (`missing_link`).
 */
export const grabBody = z.object({
  kind: z.string().optional(),
  id: z.string().optional(),
  title: z.string().optional(),
  link: z.string().nullable().optional(),
  protocol: z.enum(['torrent', 'usenet']).optional(),
});
export type GrabBody = z.infer<typeof grabBody>;

/** The file fields legacy accepted for an NZB upload. */
export const NZB_FILE_FIELDS = ['nzbUpload', 'nzb', 'nzbFile'] as const;

export interface UploadedNzb {
  filename?: string;
  mimetype?: string;
  data: Buffer;
}

export interface GrabInput extends GrabBody {
  upload?: UploadedNzb;
}

/** GET /api/downloads/last */
export const lastGrabQuery = z.object({
  kind: z.string().optional(),
  id: z.string().optional(),
});

/** The legacy reply of a grab: `{ok,queued}` or `{ok:true,queued:false,stored:true}`. */
export interface GrabReply {
  ok: boolean;
  queued: boolean;
  stored?: boolean;
}
