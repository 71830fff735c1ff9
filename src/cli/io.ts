/** The CLI's outside world, passed in so commands run the same from bin/mediaos and from tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  /** True when stdout is a terminal (progress bars only then). */
  isTty: boolean;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    setExitCode: (code) => {
      process.exitCode = code;
    },
    isTty: Boolean(process.stdout.isTTY),
  };
}
