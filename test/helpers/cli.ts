import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `mediaos <args>` in-process with the given env; returns exit code and output. */
export async function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
  opts: { stdin?: string; prompts?: string[]; freeSpace?: (path: string) => number } = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  const io: CliIo = {
    env,
    cwd,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    setExitCode: (c) => {
      code = c;
    },
    isTty: false,
    ...(opts.freeSpace ? { freeSpace: opts.freeSpace } : {}),
    ...(opts.stdin !== undefined ? { readStdin: async () => opts.stdin! } : {}),
    // answers typed at the terminal, one per prompt, in order
    ...(opts.prompts ? { promptHidden: async () => opts.prompts!.shift() ?? '' } : {}),
  };
  await main(['node', 'mediaos', ...args], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
