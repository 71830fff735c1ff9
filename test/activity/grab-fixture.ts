import type { GrabRecord } from '../../src/grabs/grabs.types.js';

/**
 * 25 grab records for the paging tests, in file order: pairs share an `at` (ties broken by key),
 * every seventh has no `at`, a fifth are refused by the client (not in the queue) except the
 * ones whose status is "queued".
 */
export function grabFixture(): [string, GrabRecord][] {
  return Array.from({ length: 25 }, (_, i) => {
    const id = `m${String(i).padStart(2, '0')}`;
    const refused = i % 5 === 3;
    const record: GrabRecord = {
      kind: 'movie',
      id,
      title: `Film ${i}`,
      link: `magnet:?xt=urn:btih:${id}`,
      protocol: 'torrent',
      client: 'qbittorrent',
      ok: !refused,
      status: refused ? (i % 10 === 3 ? 'queued' : 500) : 200,
    };
    // out of file order on purpose: the history sorts by time
    if (i % 7 !== 6) record.at = new Date(Date.UTC(2025, 0, 1 + Math.floor(((i * 7) % 25) / 2), 12)).toISOString();
    return [`movie:${id}`, record];
  });
}
