import { z } from 'zod';

/** POST /api/activity/action; checked by hand for the legacy error codes. */
export const activityActionBody = z.object({
  client: z.unknown().optional(),
  op: z.unknown().optional(),
  id: z.unknown().optional(),
});
export type ActivityActionBody = z.infer<typeof activityActionBody>;

/** A grab record as the queue and history show it. */
export interface GrabActivityItem {
  kind?: string;
  id?: string;
  title?: string;
  client?: string;
  protocol?: string;
  ok?: boolean;
  status?: number | string;
  at?: string;
  /** Tracking (additive, when the grab recorded the client's id): the id, where it is, how far. */
  downloadId?: string;
  state?: string;
  progress?: number;
  size?: number;
  eta?: number;
  /** The import: when and where the file went; or why the download failed. */
  importedAt?: string;
  importedPath?: string;
  failure?: string;
}

/** A finished job from a client's history (today SABnzbd's). */
export interface ClientHistoryItem {
  client: string;
  protocol: 'torrent' | 'usenet';
  title: string;
  status?: string;
  /** SAB `completed`: epoch SECONDS (legacy passed it through). */
  at?: number | string;
  category?: string;
}
/** @deprecated the old name of ClientHistoryItem. */
export type SabHistoryItem = ClientHistoryItem;

export interface LiveItem {
  client: string;
  protocol: 'torrent' | 'usenet';
  clientId: string;
  title: string;
  progress?: number;
  status?: string;
  speedBps?: number;
  etaSec?: number;
  eta?: string;
  category?: string;
  clientUrl: string;
}
