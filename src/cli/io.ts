import type { FreeSpaceProbe } from '../db/free-space.js';

/** The CLI's outside world, passed in so commands run the same from bin/mediaos and from tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  cwd: string;
  out(line: string): void;
  err(line: string): void;
  setExitCode(code: number): void;
  /** True when stdout is a terminal (progress bars only then). */
  isTty: boolean;
  /** All of standard input as text (`--password-stdin`); absent: nothing to read. */
  readStdin?(): Promise<string>;
  /** Asks on the terminal without echoing the answer; absent when stdin is not a terminal. */
  promptHidden?(question: string): Promise<string>;
  /** Free bytes of the file system holding a path (default: statfs); tests inject a full disk. */
  freeSpace?: FreeSpaceProbe;
  /** True when the CLI is this whole process (bin/mediaos), which ends with the command: it may tune the process (V8 heap). */
  ownsProcess?: boolean;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal with echo off (raw mode), for passwords. */
function promptHiddenOnTty(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let answer = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else answer += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export function processIo(): CliIo {
  return {
    ownsProcess: true,
    env: process.env,
    cwd: process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    setExitCode: (code) => {
      process.exitCode = code;
    },
    isTty: Boolean(process.stdout.isTTY),
    readStdin: readAllStdin,
    ...(process.stdin.isTTY ? { promptHidden: promptHiddenOnTty } : {}),
  };
}
