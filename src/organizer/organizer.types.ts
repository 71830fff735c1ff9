import { z } from 'zod';

/** Naming templates per media type (FORMATS.md §3.13). Not validated on save (legacy `z.any()`). */
export interface NamingConfig {
  series: { folderFormat: string; seasonFolderFormat: string; fileFormat: string };
  movies: { folderFormat: string; fileFormat: string };
  music: { artistFolderFormat: string; albumFolderFormat: string; fileFormat: string };
  books: { authorFolderFormat: string; fileFormat: string };
  [key: string]: unknown;
}

export type FileOperation = 'move' | 'copy' | 'hardlink';
export type ConflictResolution = 'skip' | 'overwrite' | 'rename';

/** `organizer.json` (FORMATS.md §3.13); unknown keys survive. */
export interface OrganizerConfig {
  destinations: { series?: string; movies?: string; music?: string; books?: string; [key: string]: unknown };
  defaultOperation: FileOperation | string;
  conflictResolution: ConflictResolution | string;
  cleanupEmptyFolders: boolean;
  namingConfig: NamingConfig | Record<string, unknown>;
  [key: string]: unknown;
}

export function defaultNamingConfig(): NamingConfig {
  return {
    series: {
      folderFormat: '{Series.CleanTitle}',
      seasonFolderFormat: 'Season {Season:00}',
      fileFormat: '{Series.CleanTitle} - S{Season:00}E{Episode:00} - {Episode.Title}{Quality}{Extension}',
    },
    movies: { folderFormat: '{Movie.CleanTitle} ({Year})', fileFormat: '{Movie.CleanTitle} ({Year}){Quality}{Extension}' },
    music: { artistFolderFormat: '{Artist.CleanName}', albumFolderFormat: '{Album.CleanName}', fileFormat: '{Track:00} - {Title}{Extension}' },
    books: { authorFolderFormat: '{Author.CleanName}', fileFormat: '{Title.CleanTitle}{Extension}' },
  };
}

export function defaultOrganizerConfig(): OrganizerConfig {
  return { destinations: {}, defaultOperation: 'hardlink', conflictResolution: 'skip', cleanupEmptyFolders: true, namingConfig: defaultNamingConfig() };
}

/** POST /api/organizer/config: a partial config (legacy schema; unknown keys are dropped). */
export const organizerConfigBody = z.object({
  destinations: z
    .object({ series: z.string().optional(), movies: z.string().optional(), music: z.string().optional(), books: z.string().optional() })
    .optional(),
  defaultOperation: z.enum(['move', 'copy', 'hardlink']).optional(),
  conflictResolution: z.enum(['skip', 'overwrite', 'rename']).optional(),
  cleanupEmptyFolders: z.boolean().optional(),
  // Legacy accepted anything here (z.any()) and spread it; only an object makes sense to merge.
  namingConfig: z.record(z.string(), z.unknown()).optional(),
});
export type OrganizerConfigUpdate = z.infer<typeof organizerConfigBody>;

const destinationPath = z.string({ error: 'must be a string' }).min(1, { message: 'must not be empty' });

/**
 * POST /api/organizer/preview and /start (legacy schema; `destinations` required). Files are never
 * overwritten: `conflictResolution` "overwrite" is refused (a taken destination is a conflict).
 */
export const organizeBody = z.object({
  destinations: z.object(
    { series: destinationPath.optional(), movies: destinationPath.optional(), music: destinationPath.optional(), books: destinationPath.optional() },
    { error: 'is required (an object of folder paths by movies, series, music, books)' },
  ),
  operation: z.enum(['move', 'copy', 'hardlink'], { message: 'must be one of move, copy, hardlink' }).optional(),
  conflictResolution: z
    .enum(['skip', 'rename'], { message: 'must be skip or rename (files are never overwritten; a taken destination is reported as a conflict)' })
    .optional(),
  dryRun: z.boolean({ error: 'must be a boolean' }).optional(),
  cleanupEmptyFolders: z.boolean({ error: 'must be a boolean' }).optional(),
  namingConfig: z.record(z.string(), z.unknown()).optional(),
});
export type OrganizeRequest = z.infer<typeof organizeBody>;

/** POST /api/organizer/undo. */
export const undoBody = z.object({
  runId: z
    .string()
    .regex(/^[0-9a-f]{32}$/, { message: 'must be a run id (32 hex characters)' })
    .optional(),
});

const sampleNumber = z.number({ error: 'must be a number' }).int({ message: 'must be an integer' }).min(0, { message: 'must be 0 or more' });

/** POST /api/organizer/test-naming (legacy). */
export const testNamingBody = z.object({
  type: z.enum(['series', 'movie', 'music', 'book'], { message: 'must be one of series, movie, music, book' }),
  sampleData: z.object(
    {
      title: z.string({ error: 'must be a string' }).min(1, { message: 'must not be empty' }),
      year: sampleNumber.optional(),
      quality: z.string().optional(),
      season: sampleNumber.optional(),
      episode: sampleNumber.optional(),
      episodeTitle: z.string().optional(),
      artist: z.string().optional(),
      album: z.string().optional(),
      track: sampleNumber.optional(),
      author: z.string().optional(),
      extension: z.string().optional(),
    },
    { error: 'is required (an object with at least title)' },
  ),
  destinationRoot: z.string().min(1, { message: 'must not be empty' }).optional(),
  namingConfig: z.record(z.string(), z.unknown()).optional(),
});
