import { describe, expect, it } from 'vitest';
import {
  legacyVerifyResultSchema,
  splitVerifyKey,
  verifyJobFromRow,
  verifyJobToRow,
  verifyResultFromRow,
  verifyResultToRow,
} from '../../src/verify/verify.codec.js';
import type { VerifyJob, VerifyResultRecord } from '../../src/verify/verify.types.js';

function roundTrip(key: string, record: VerifyResultRecord): VerifyResultRecord {
  const row = verifyResultToRow(key, record, undefined, 3);
  return verifyResultFromRow({
    key: row.key,
    kind: row.kind,
    item_id: row.item_id,
    title: row.title ?? null,
    phase: row.phase ?? null,
    top_severity: row.top_severity ?? null,
    analyzed_at: row.analyzed_at ?? null,
    path: row.path ?? null,
    issues: (row.issues as string | null | undefined) ?? null,
    extra: (row.extra as string | null | undefined) ?? null,
  });
}

const typical: VerifyResultRecord = {
  phase: 'all',
  issues: [{ kind: 'encoding_low_bitrate', severity: 'warn', message: '900kbps < 1500kbps for 720p' }],
  analyzedAt: '2024-12-01T11:00:00.000Z',
  topSeverity: 'warn',
  kind: 'movie',
  id: 'm3x8k2p1q9z4fa',
  title: 'Heat 720p',
};

const cases: [string, string, VerifyResultRecord][] = [
  ['typical legacy record', 'movie:m3x8k2p1q9z4fa', typical],
  ['job result with path', 'movies:abc', { ...typical, kind: 'movies', id: 'abc', path: '/media/a.mkv' }],
  ['id with colons', 'series:a:b:c', { ...typical, kind: 'series', id: 'a:b:c' }],
  ['empty kind and id', ':', { ...typical, kind: '', id: '', title: '' }],
  ['record kind differs from key', 'movie:x', { ...typical, kind: 'movies', id: 'y' }],
  ['kind and id absent', 'movie:x', { phase: 'all', issues: [] }],
  [
    'values that do not fit columns',
    'book:1',
    { phase: 3, issues: null, analyzedAt: null, topSeverity: ['x'], kind: 'book', id: '1', title: 42, path: false } as unknown as VerifyResultRecord,
  ],
  ['unknown keys', 'music:9', { ...typical, kind: 'music', id: '9', probe: { container: 'mkv' }, note: 'kept' }],
];

describe('verify result codec', () => {
  it.each(cases)('%s round-trips', (_name, key, record) => {
    expect(roundTrip(key, record)).toEqual(record);
  });

  it('keeps titles byte for byte and the key verbatim', () => {
    const title = '  Amélie\u0301 (2001) ';
    const row = verifyResultToRow('movie:x', { ...typical, kind: 'movie', id: 'x', title });
    expect(row.title).toBe(title);
    expect(row.key).toBe('movie:x');
    expect(row.extra).toBeNull();
  });

  it('rebuilds the legacy key order', () => {
    expect(
      Object.keys(roundTrip('movie:x', { title: 't', path: '/p', kind: 'movie', id: 'x', topSeverity: 'none', analyzedAt: 'a', issues: [], phase: 'all' })),
    ).toEqual(['phase', 'issues', 'analyzedAt', 'topSeverity', 'kind', 'id', 'title', 'path']);
  });

  it('keeps a __proto__ key as data', () => {
    const record = JSON.parse('{"phase":"all","kind":"movie","id":"x","__proto__":{"polluted":true}}') as VerifyResultRecord;
    const back = roundTrip('movie:x', record);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('splits keys on the first colon', () => {
    expect(splitVerifyKey('movie:a:b')).toEqual({ kind: 'movie', itemId: 'a:b' });
    expect(splitVerifyKey('nocolon')).toEqual({ kind: 'nocolon', itemId: '' });
  });

  it('accepts objects and rejects other values as legacy records', () => {
    expect(legacyVerifyResultSchema.safeParse({ a: 1 }).success).toBe(true);
    expect(legacyVerifyResultSchema.safeParse('x').success).toBe(false);
    expect(legacyVerifyResultSchema.safeParse(null).success).toBe(false);
  });
});

describe('verify job codec', () => {
  it('maps the API status queued to the row status pending and back', () => {
    const job: VerifyJob = { id: 'j1', status: 'queued', input: { phase: 'all', kind: 'movie', id: 'x', title: 'T' }, enqueuedAt: '2025-01-01T00:00:00.000Z' };
    const row = verifyJobToRow(job);
    expect(row.status).toBe('pending');
    const back = verifyJobFromRow({
      id: row.id,
      item_id: row.item_id,
      kind: row.kind,
      title: row.title,
      phase: row.phase,
      status: 'pending',
      path: null,
      result: null,
      error: null,
      started_at: null,
      completed_at: null,
      created_at: row.created_at as string,
    });
    expect(back).toEqual(job);
  });

  it('round-trips a finished job with path, result and error', () => {
    const job: VerifyJob = {
      id: 'j2',
      status: 'completed',
      input: { phase: 'player', kind: 'series', id: 'y', title: '', path: '/m/y.mkv' },
      enqueuedAt: '2025-01-01T00:00:00.000Z',
      result: { phase: 'player', issues: [], analyzedAt: '2025-01-01T00:00:01.000Z', topSeverity: 'none' },
      error: 'earlier failure',
      finishedAt: '2025-01-01T00:00:02.000Z',
    };
    const row = verifyJobToRow(job);
    const back = verifyJobFromRow({
      id: row.id,
      item_id: row.item_id,
      kind: row.kind,
      title: row.title,
      phase: row.phase,
      status: 'completed',
      path: row.path ?? null,
      result: (row.result as string) ?? null,
      error: row.error ?? null,
      started_at: null,
      completed_at: row.completed_at ?? null,
      created_at: row.created_at as string,
    });
    expect(back).toEqual(job);
  });
});
