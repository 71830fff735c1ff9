import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeMedia, titleStubMetadata } from '../../src/verify/verify.probe.js';
import { evaluate, thresholdsFrom } from '../../src/verify/verify.rules.js';
import { tempDir } from '../helpers/engines.js';

const FFPROBE_JSON = {
  format: { format_name: 'matroska,webm', duration: '5400.5' },
  streams: [
    { codec_type: 'video', codec_name: 'h264', width: 1280, height: 720, bit_rate: '1200000', r_frame_rate: '24000/1001' },
    { codec_type: 'audio', codec_name: 'aac', channels: 2, tags: { language: 'eng' } },
    { codec_type: 'subtitle', tags: { language: 'fre' }, disposition: { forced: 1 } },
  ],
};

describe('verify probe (a fake ffprobe on PATH stands in for the real binary)', () => {
  let dir: string;
  let cleanup: () => void;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    writeFileSync(join(dir, 'movie.mkv'), 'not really a movie');
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    cleanup();
  });

  function fakeFfprobe(script: string) {
    const bin = join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'ffprobe'), `#!/bin/sh\n${script}\n`);
    chmodSync(join(bin, 'ffprobe'), 0o755);
    process.env.PATH = `${bin}:/usr/bin:/bin`;
  }

  it('reads ffprobe output; a matroska file passes the mkv container rule', async () => {
    fakeFfprobe(`cat <<'JSON'\n${JSON.stringify(FFPROBE_JSON)}\nJSON`);
    const r = await probeMedia({ title: 'x', path: join(dir, 'movie.mkv') });
    expect(r.issues).toEqual([]);
    expect(r.metadata).toMatchObject({ container: 'matroska,webm', durationSec: 5400, video: { codec: 'h264', width: 1280, height: 720, bitrateKbps: 1200 } });
    expect(r.metadata?.video?.framerate).toBeCloseTo(23.976, 2);
    expect(r.metadata?.audio).toEqual([{ codec: 'aac', channels: 2, language: 'eng' }]);
    expect(r.metadata?.subtitles).toEqual([{ language: 'fre', forced: true }]);
    const outcome = evaluate({ phase: 'all', title: 'Movie' }, r.metadata, r.issues, {}, '2025-01-01T00:00:00.000Z');
    expect(outcome.issues).toEqual([{ kind: 'encoding_low_bitrate', severity: 'warn', message: '1200kbps < 1500kbps for 720p' }]);
  });

  it('reports a missing ffprobe, a failing ffprobe, garbage output and a missing file as issues', async () => {
    process.env.PATH = join(dir, 'empty');
    expect((await probeMedia({ title: 'x', path: join(dir, 'movie.mkv') })).issues[0].kind).toBe('probe_unavailable');
    fakeFfprobe('exit 1');
    expect((await probeMedia({ title: 'x', path: join(dir, 'movie.mkv') })).issues[0].kind).toBe('probe_failed');
    fakeFfprobe('echo not-json');
    expect((await probeMedia({ title: 'x', path: join(dir, 'movie.mkv') })).issues[0]).toMatchObject({ kind: 'probe_failed' });
    expect((await probeMedia({ title: 'x', path: join(dir, 'nope.mkv') })).issues).toEqual([
      { kind: 'file_not_found', severity: 'error', message: 'File not found' },
    ]);
    expect((await probeMedia({ title: 'x', path: dir })).issues[0]).toMatchObject({ kind: 'file_not_found', message: 'Path is not a file' });
  });
});

describe('verify rules (legacy heuristics)', () => {
  it('derives the legacy stub from the title', () => {
    expect(titleStubMetadata('A.2160p')).toEqual({ container: 'mkv', durationSec: 45, video: { height: 2160, bitrateKbps: 6000 } });
    expect(titleStubMetadata('')).toEqual({ container: 'mkv', durationSec: 45 });
    expect(titleStubMetadata('plain')).toMatchObject({ video: { height: 480, bitrateKbps: 600 } });
  });

  it('applies defaults for absent or unusable thresholds', () => {
    expect(thresholdsFrom(undefined)).toEqual({
      minDurationSec: 60,
      minBitrateKbpsByHeight: { '720': 1500, '1080': 2500, '2160': 8000 },
      allowedContainers: ['mp4', 'mkv'],
    });
    expect(
      thresholdsFrom({
        minDurationSec: '5' as unknown as number,
        minBitrateKbpsByHeight: 'x' as unknown as Record<string, number>,
        allowedContainers: 'mkv' as unknown as string[],
      }).minDurationSec,
    ).toBe(60);
  });

  it('flags cam rips, unsupported containers, and ranks severities', () => {
    const md = { container: 'avi', durationSec: 4000, video: { height: 1080, bitrateKbps: 5000 } };
    const r = evaluate({ phase: 'arr', title: 'Film.CAMRip' }, md, [], { allowedContainers: ['mkv'] }, 'now');
    expect(r).toEqual({
      phase: 'arr',
      issues: [
        { kind: 'encoding_low_quality', severity: 'warn', message: 'Potential cam/TS rip' },
        { kind: 'container_unsupported', severity: 'warn', message: 'Container avi' },
      ],
      analyzedAt: 'now',
      topSeverity: 'warn',
    });
    expect(evaluate({ phase: 'all', title: 'x' }, undefined, [{ kind: 'probe_unavailable', severity: 'info' }], undefined, 'now').topSeverity).toBe('info');
  });
});
