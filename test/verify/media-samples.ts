import { spawnSync } from 'node:child_process';

/** ffmpeg and ffprobe are on this machine (CI installs Debian's ffmpeg: .ci/run). */
export const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0 && spawnSync('ffprobe', ['-version']).status === 0;

/** Tests that need ffmpeg are skipped only outside CI; in CI a missing ffmpeg fails them. */
export const skipWithoutFfmpeg = !hasFfmpeg && !process.env.CI;
if (skipWithoutFfmpeg) console.warn('ffmpeg/ffprobe not installed: media tests are skipped (apt-get install ffmpeg)');

/** A small real media file made by ffmpeg from lavfi sources (video test pattern, a tone, optional subtitles). */
export function makeSample(path: string, opts: { seconds?: number; size?: string; subtitles?: string[] } = {}): void {
  const seconds = String(opts.seconds ?? 1);
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=duration=${seconds}:size=${opts.size ?? '320x240'}:rate=10`,
    '-f',
    'lavfi',
    '-i',
    `sine=duration=${seconds}`,
  ];
  for (const s of opts.subtitles ?? []) args.push('-i', s);
  args.push('-map', '0:v', '-map', '1:a');
  (opts.subtitles ?? []).forEach((_s, i) => {
    args.push('-map', `${i + 2}:s`);
  });
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest');
  if (opts.subtitles?.length) args.push('-c:s', path.endsWith('.mp4') ? 'mov_text' : 'srt');
  (opts.subtitles ?? []).forEach((_s, i) => {
    args.push(`-metadata:s:s:${i}`, `language=${i === 0 ? 'eng' : 'fre'}`);
  });
  args.push(path);
  const r = spawnSync('ffmpeg', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}
