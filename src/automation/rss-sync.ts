/**
 * RSS sync: every enabled indexer's newest releases (its RSS feed: `t=search` without `q`) are
 * fetched once and decided against every wanted item that has no release yet (the decision
 * engine matches title, year, season/episode and the item's quality profile); the best approved
 * release of each item is grabbed. `serve` queues it every MEDIAOS_RSS_SYNC_MINUTES as a job.
 */
import type { DownloadsService } from '../downloads/downloads.service.js';
import type { IndexersService } from '../indexers/indexers.service.js';
import type { WantedStore } from '../wanted/wanted.store.js';
import { wantedKey } from '../wanted/wanted.types.js';
import { HAS_RELEASE, statusOf, targetOf } from './wanted-search.js';

export const RSS_SYNC_JOB_TYPE = 'indexers.rss-sync';

export interface RssSyncReport {
  /** Releases the feeds held. */
  releases: number;
  /** Wanted items the releases were decided against. */
  checked: number;
  /** `kind:id` -> the release grabbed for it. */
  grabbed: Record<string, string>;
  errors: string[];
}

export interface RssSyncDeps {
  indexers: Pick<IndexersService, 'rssFeed' | 'decideFor'>;
  wanted: Pick<WantedStore, 'list' | 'update'>;
  downloads: Pick<DownloadsService, 'grab'>;
  now: () => Date;
}

export function createRssSync(deps: RssSyncDeps) {
  return {
    async runOnce(): Promise<RssSyncReport> {
      const feed = await deps.indexers.rssFeed();
      const errors = feed.errors.map((e) => ('indexer' in e ? `${e.indexer}: ${e.error}` : `${e.source}: ${e.error}`));
      const report: RssSyncReport = { releases: feed.hits.length, checked: 0, grabbed: {}, errors };
      if (feed.hits.length === 0) return report;
      for (const item of await deps.wanted.list()) {
        if (HAS_RELEASE.includes(statusOf(item))) continue;
        report.checked++;
        const best = (await deps.indexers.decideFor(feed.hits, targetOf(item))).find((d) => d.approved);
        if (!best) continue;
        const c = best.candidate;
        try {
          await deps.downloads.grab({ kind: item.kind, id: item.id, title: c.title, link: c.link, protocol: c.protocol });
        } catch (err) {
          errors.push(`${wantedKey(item)}: grab of "${c.title}" failed: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
        const at = deps.now().toISOString();
        await deps.wanted.update(item.kind, item.id, { status: 'grabbed', lastRssGrab: { at, release: c.title } });
        report.grabbed[wantedKey(item)] = c.title;
      }
      return report;
    },
  };
}

export type RssSync = ReturnType<typeof createRssSync>;
