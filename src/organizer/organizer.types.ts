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
