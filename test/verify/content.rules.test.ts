import { describe, expect, it } from 'vitest';
import { parseProbe } from '../../src/media/ffprobe.js';
import { shiftCues } from '../../src/subtitles/subtitle-files.js';
import { judgeContent, unreadable } from '../../src/verify/content.rules.js';
import { extensions, nameIssues } from '../../src/verify/security.rules.js';
import { thresholdsFrom } from '../../src/verify/verify.rules.js';

const probe = parseProbe(
  JSON.stringify({
    format: { format_name: 'mov,mp4,m4a,3gp,3g2,mj2', duration: '5400.5', bit_rate: '900000', size: '1000' },
    streams: [
      { index: 0, codec_type: 'video', codec_name: 'hevc', width: 3840, height: 1000, r_frame_rate: '24000/1001', bit_rate: '800000' },
      { index: 1, codec_type: 'audio', codec_name: 'eac3', channels: 6, tags: { language: 'eng' }, disposition: { default: 1 } },
      { index: 2, codec_type: 'subtitle', codec_name: 'mov_text', tags: { language: 'fre', title: 'Forced' }, disposition: { forced: 1 } },
    ],
  }),
);

describe('content rules', () => {
  it('reads ffprobe output and judges it against the thresholds', () => {
    expect(probe.streams[0]).toMatchObject({ frameRate: 23.976, bitrateKbps: 800 });
    expect(probe.streams[2]).toMatchObject({ language: 'fre', title: 'Forced', forced: true, default: false });
    const r = judgeContent(probe, { expectedQuality: '2160p', checkAspectRatio: true, expectedDurationMax: 60 }, thresholdsFrom({}), { verifiedAt: 'now' });
    // A 3840-wide crop counts as 2160p; 3.84:1 is unusual; 90 minutes exceed 60; 1000 lines take the 720 rule (1500 kbps) and 900 is below.
    expect(r.checks).toMatchObject({
      qualityCheck: 'pass',
      aspectRatioCheck: 'fail',
      durationCheck: 'fail',
      bitrateCheck: 'fail',
      securityCheck: 'skip',
      corruptionCheck: 'skip',
    });
    expect(r.issues.map((i) => i.type).sort()).toEqual(['duration_too_long', 'low_bitrate', 'unusual_aspect_ratio']);
    expect(r.metadata).toMatchObject({ codec: 'hevc', audioTracks: 1, subtitleTracks: 1, fileSize: 1000, audioCodecs: ['eac3'] });
    const noStreams = judgeContent(parseProbe('{}'), {}, thresholdsFrom({}), { verifiedAt: 'now', decode: ['bad frame'], securityIssues: [] });
    expect(noStreams.issues.map((i) => i.type)).toEqual(['no_media_streams', 'corruption_detected']);
    expect(noStreams.checks.securityCheck).toBe('pass');
    expect(unreadable('probe_failed', 'x', 'now', [{ type: 'executable', severity: 'danger', message: 'm' }]).checks.securityCheck).toBe('fail');
    expect(unreadable('file_not_found', 'x', 'now').ok).toBe(false);
  });

  it('names executables and double extensions by name alone', () => {
    expect(extensions('.hidden.tar.gz')).toEqual(['gz', 'tar']);
    expect(nameIssues('Movie.mkv.scr')[0]).toMatchObject({ type: 'double_extension', severity: 'critical' });
    expect(nameIssues('notes.txt.exe', '/x')[0]).toMatchObject({ type: 'double_extension', file: '/x' });
    expect(nameIssues('run.sh')[0]).toMatchObject({ type: 'executable', severity: 'danger' });
    expect(nameIssues('Movie.2020.mkv')).toEqual([]);
    expect(nameIssues('README')).toEqual([]);
  });

  it('shifts cues without going below zero', () => {
    const cues = shiftCues([{ type: 'cue', data: { start: 500, end: 1500, text: 'a' } }], -1000);
    expect(cues[0]!.data).toEqual({ start: 0, end: 500, text: 'a' });
  });
});
