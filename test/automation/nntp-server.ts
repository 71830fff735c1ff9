import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { crc32 } from 'node:zlib';

/**
 * A small NNTP server on 127.0.0.1 (RFC 3977: greeting, ARTICLE / BODY / HEAD / STAT by
 * message-id, GROUP, MODE READER, DATE, QUIT; dot-stuffed multi-line replies) serving
 * yEnc-encoded articles (the yEnc 1.3 draft: `=ybegin` / `=ypart` / `=yend` with CRC32), so a
 * real news reader (NZBGet) downloads real files without the internet. An article it does not
 * hold answers 430, as a news server does.
 */

export interface NntpArticle {
  messageId: string;
  /** The raw article lines after the headers (already yEnc-encoded). */
  body: Buffer;
  subject: string;
}

export interface NntpServer {
  host: string;
  port: number;
  /** Commands received, in order (for the test to see what the reader asked). */
  commands: string[];
  close(): Promise<void>;
}

const CRLF = Buffer.from('\r\n');

/** yEnc-encodes one part of `file` (bytes `begin`..`end`, 1-based inclusive) in 128-character lines. */
export function yencPart(file: Buffer, name: string, part: number, total: number, begin: number, end: number): Buffer {
  const data = file.subarray(begin - 1, end);
  const lines: Buffer[] = [
    Buffer.from(`=ybegin part=${part} total=${total} line=128 size=${file.length} name=${name}\r\n=ypart begin=${begin} end=${end}\r\n`),
  ];
  let line: number[] = [];
  const flush = () => {
    lines.push(Buffer.from(line), CRLF);
    line = [];
  };
  for (const byte of data) {
    const c = (byte + 42) & 0xff;
    const atEdge = line.length === 0 || line.length >= 127;
    // NUL, LF, CR and '=' always; TAB, space and '.' where a line starts or ends
    if (c === 0 || c === 10 || c === 13 || c === 61 || (atEdge && (c === 9 || c === 32 || c === 46))) line.push(61, (c + 64) & 0xff);
    else line.push(c);
    if (line.length >= 128) flush();
  }
  if (line.length > 0) flush();
  const pcrc = crc32(data).toString(16).padStart(8, '0');
  lines.push(Buffer.from(`=yend size=${data.length} part=${part} pcrc32=${pcrc}\r\n`));
  return Buffer.concat(lines);
}

/** The articles of `file` split in parts of `partSize` bytes, with their message-ids. */
export function articlesOf(file: Buffer, name: string, partSize: number, idPrefix: string): NntpArticle[] {
  const total = Math.max(1, Math.ceil(file.length / partSize));
  const out: NntpArticle[] = [];
  for (let p = 1; p <= total; p++) {
    const begin = (p - 1) * partSize + 1;
    const end = Math.min(file.length, p * partSize);
    out.push({
      messageId: `${idPrefix}.part${p}@mediaos.test`,
      subject: `"${name}" yEnc (${p}/${total})`,
      body: yencPart(file, name, p, total, begin, end),
    });
  }
  return out;
}

/** The NZB (newzbin DTD 1.1) of a set of files' articles, as an indexer would serve it. */
export function nzbOf(files: { name: string; articles: NntpArticle[] }[], group = 'alt.binaries.test'): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const fileXml = files.map(
    (f) => `  <file poster="mediaos@test" date="1733050000" subject="${esc(f.articles[0]?.subject ?? `"${f.name}" yEnc (1/1)`)}">
    <groups><group>${group}</group></groups>
    <segments>
${f.articles.map((a, i) => `      <segment bytes="${a.body.length}" number="${i + 1}">${esc(a.messageId)}</segment>`).join('\n')}
    </segments>
  </file>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nzb PUBLIC "-//newzBin//DTD NZB 1.1//EN" "http://www.newzbin.com/DTD/nzb/nzb-1.1.dtd">
<nzb xmlns="http://www.newzbin.com/DTD/2003/nzb">
${fileXml.join('\n')}
</nzb>
`;
}

/** Multi-line data block: lines starting with "." get another "." (RFC 3977 §3.1.1), then the terminating ".". */
function dotStuffed(block: Buffer): Buffer {
  const text = block.toString('latin1').replace(/\r\n\./g, '\r\n..');
  return Buffer.concat([Buffer.from(text.startsWith('.') ? `.${text}` : text, 'latin1'), Buffer.from('.\r\n')]);
}

export async function startNntpServer(articles: NntpArticle[]): Promise<NntpServer> {
  const byId = new Map(articles.map((a) => [`<${a.messageId}>`, a]));
  const commands: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.write('200 mediaos test news server ready (posting not allowed)\r\n');
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      for (let i = pending.indexOf('\r\n'); i >= 0; i = pending.indexOf('\r\n')) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 2);
        commands.push(line);
        answer(socket, line);
      }
    });
  });

  function answer(socket: Socket, line: string): void {
    const [verb = '', arg = ''] = line.split(' ');
    const cmd = verb.toUpperCase();
    const article = byId.get(arg);
    const headers = (a: NntpArticle) =>
      Buffer.from(`Message-ID: <${a.messageId}>\r\nSubject: ${a.subject}\r\nFrom: mediaos@test\r\nNewsgroups: alt.binaries.test\r\n`);
    switch (cmd) {
      case 'MODE':
        return void socket.write('201 reader mode, posting not allowed\r\n');
      case 'AUTHINFO':
        return void socket.write(arg.toUpperCase() === 'USER' ? '381 password required\r\n' : '281 authentication accepted\r\n');
      case 'GROUP':
        return void socket.write(`211 ${articles.length} 1 ${articles.length} ${arg}\r\n`);
      case 'DATE':
        return void socket.write(`111 ${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}\r\n`);
      case 'QUIT':
        socket.end('205 bye\r\n');
        return;
      case 'ARTICLE':
      case 'BODY':
      case 'HEAD':
      case 'STAT': {
        if (!article) return void socket.write('430 no article with that message-id\r\n');
        const code = { ARTICLE: 220, HEAD: 221, BODY: 222, STAT: 223 }[cmd];
        socket.write(`${code} 0 ${arg}\r\n`);
        if (cmd === 'ARTICLE') socket.write(dotStuffed(Buffer.concat([headers(article), CRLF, article.body])));
        else if (cmd === 'HEAD') socket.write(dotStuffed(headers(article)));
        else if (cmd === 'BODY') socket.write(dotStuffed(article.body));
        return;
      }
      default:
        return void socket.write('500 unknown command\r\n');
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
