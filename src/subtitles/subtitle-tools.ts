/**
 * Optional subtitle tools, used only when found on this machine: Whisper (speech to subtitles:
 * `whisper` from openai-whisper, or whisper.cpp's `whisper-cli`) and an automatic sync tool
 * (`ffsubsync`, or `alass-cli`). Without one, the routes answer `available:false` with how to
 * install it; no result is ever made up.
 */
import { runTool } from '../media/ffprobe.js';

export interface ToolAvailability {
  available: boolean;
  tool?: string;
  installInstructions?: string;
}

export const WHISPER_INSTALL =
  'Install Whisper on the server: `pipx install openai-whisper` (needs ffmpeg), or build whisper.cpp and put `whisper-cli` on PATH; then retry.';
export const SYNC_INSTALL = 'Install a subtitle sync tool on the server: `pipx install ffsubsync` (needs ffmpeg), or put `alass-cli` on PATH; then retry.';

async function firstFound(programs: readonly string[], install: string): Promise<ToolAvailability> {
  for (const p of programs) {
    const r = await runTool(p, ['--help'], { timeoutMs: 20_000 });
    if (!r.missing) return { available: true, tool: p };
  }
  return { available: false, installInstructions: install };
}

export const detectWhisper = () => firstFound(['whisper', 'whisper-cli'], WHISPER_INSTALL);
export const detectSyncTool = () => firstFound(['ffsubsync', 'alass-cli'], SYNC_INSTALL);

/** Runs the sync tool: `subtitle` aligned to the audio of `video`, written to `output`. */
export async function runSync(tool: string, video: string, subtitle: string, output: string, signal?: AbortSignal): Promise<void> {
  const args = tool === 'ffsubsync' ? [video, '-i', subtitle, '-o', output] : [video, subtitle, output];
  const r = await runTool(tool, args, { timeoutMs: 30 * 60_000, signal });
  if (!r.ok) throw new Error(`${tool} failed: ${r.stderr.trim().split('\n').pop() ?? 'no output'}`);
}

/** Runs Whisper on `video`, writing `<stem>.srt` into `outputDir`. */
export async function runWhisper(
  tool: string,
  video: string,
  outputDir: string,
  opts: { model: string; language?: string },
  signal?: AbortSignal,
): Promise<void> {
  const args =
    tool === 'whisper'
      ? [video, '--model', opts.model, '--output_format', 'srt', '--output_dir', outputDir, ...(opts.language ? ['--language', opts.language] : [])]
      : ['-f', video, '-osrt', '-of', outputDir, ...(opts.language ? ['-l', opts.language] : [])];
  const r = await runTool(tool, args, { timeoutMs: 6 * 60 * 60_000, signal });
  if (!r.ok) throw new Error(`${tool} failed: ${r.stderr.trim().split('\n').pop() ?? 'no output'}`);
}
