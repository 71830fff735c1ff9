// Writers that produce exactly what JSON.stringify(value, null, 2) gives for a top-level object
// with one big member (a map of records, or `{ "items": [...] }`), one record at a time, so the
// generator never holds a whole file (1M items: ~109k grabs, ~79k verify results, ~52k wanted).
import { createWriteStream, type WriteStream } from 'node:fs';

const indent = (text: string, by: string): string => text.replace(/\n/g, `\n${by}`);

abstract class StreamedJson {
  private readonly out: WriteStream;
  private readonly done: Promise<void>;
  private buf = '';
  protected count = 0;

  constructor(path: string) {
    this.out = createWriteStream(path);
    this.done = new Promise<void>((resolve, reject) => {
      this.out.on('finish', resolve);
      this.out.on('error', reject);
    });
  }

  protected async push(text: string): Promise<void> {
    this.buf += text;
    this.count++;
    if (this.buf.length < 1 << 20) return;
    const flushed = this.out.write(this.buf);
    this.buf = '';
    if (!flushed) await new Promise<void>((resolve) => this.out.once('drain', () => resolve()));
  }

  protected async finish(tail: string): Promise<void> {
    this.out.end(this.buf + tail);
    await this.done;
  }
}

/** `{ "<key>": <record>, ... }` as JSON.stringify(map, null, 2) writes it. */
export class JsonMapWriter extends StreamedJson {
  constructor(path: string) {
    super(path);
  }

  add(key: string, record: unknown): Promise<void> {
    return this.push(`${this.count === 0 ? '{\n  ' : ',\n  '}${JSON.stringify(key)}: ${indent(JSON.stringify(record, null, 2), '  ')}`);
  }

  close(): Promise<void> {
    return this.finish(this.count === 0 ? '{}' : '\n}');
  }
}

/** `{ "<arrayKey>": [ <element>, ... ] }` as JSON.stringify(file, null, 2) writes it. */
export class JsonArrayFileWriter extends StreamedJson {
  constructor(
    path: string,
    private readonly arrayKey: string,
  ) {
    super(path);
  }

  add(element: unknown): Promise<void> {
    const head = this.count === 0 ? `{\n  ${JSON.stringify(this.arrayKey)}: [\n    ` : ',\n    ';
    return this.push(head + indent(JSON.stringify(element, null, 2), '    '));
  }

  close(): Promise<void> {
    return this.finish(this.count === 0 ? `{\n  ${JSON.stringify(this.arrayKey)}: []\n}` : '\n  ]\n}');
  }
}
