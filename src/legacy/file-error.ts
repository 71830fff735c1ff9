// The one error for a legacy file that cannot be read, parsed or written: names the file and the
// place, never its content.
import { basename } from 'node:path';

export type LegacyFileErrorCode = 'invalid_json' | 'invalid_shape' | 'io';

export interface LegacyFileErrorInit {
  file: string;
  code: LegacyFileErrorCode;
  /** Short reason, e.g. "Unexpected end of JSON input". Never holds file content. */
  detail: string;
  line?: number;
  column?: number;
  /** Byte offset in the file, when line:column could not be computed. */
  offset?: number;
  cause?: unknown;
}

export class LegacyFileError extends Error {
  readonly file: string;
  readonly code: LegacyFileErrorCode;
  readonly detail: string;
  readonly line?: number;
  readonly column?: number;
  readonly offset?: number;

  constructor(init: LegacyFileErrorInit) {
    super(formatMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'LegacyFileError';
    this.file = init.file;
    this.code = init.code;
    this.detail = init.detail;
    if (init.line !== undefined) this.line = init.line;
    if (init.column !== undefined) this.column = init.column;
    if (init.offset !== undefined) this.offset = init.offset;
  }
}

/** The fields a LegacyFileError is built from: what a worker thread posts so the import can build it again. */
export function fileErrorInit({ file, code, detail, line, column, offset }: LegacyFileError): LegacyFileErrorInit {
  return { file, code, detail, line, column, offset };
}

function formatMessage(init: LegacyFileErrorInit): string {
  const name = basename(init.file);
  if (init.code === 'io') return `${name}: cannot read or write file (${init.detail})`;
  if (init.code === 'invalid_shape') return `${name}: unexpected shape (${init.detail})`;
  if (init.line !== undefined && init.column !== undefined) {
    return `${name}: invalid JSON at line ${init.line}, column ${init.column} (${init.detail})`;
  }
  if (init.offset !== undefined) return `${name}: invalid JSON at byte ${init.offset} (${init.detail})`;
  return `${name}: invalid JSON (${init.detail})`;
}

export function ioError(path: string, err: unknown): LegacyFileError {
  const e = err as NodeJS.ErrnoException;
  const detail = typeof e?.code === 'string' ? e.code : e instanceof Error ? e.message : String(err);
  return new LegacyFileError({ file: path, code: 'io', detail, cause: err });
}
