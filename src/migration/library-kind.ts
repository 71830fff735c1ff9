/** The import report's warning for a library item whose kind spelling was normalized (library/library.kinds.ts). */
import type { LibraryKind } from '../library/library.types.js';

export interface KindWarning {
  file: string;
  locator: string;
  /** The spelling found in the file (JSON text, so white space stays visible). */
  from: string;
  to: LibraryKind;
}

/** The report's line for one normalized item. */
export function kindWarningLine(w: KindWarning): string {
  return `${w.file} ${w.locator}: kind ${w.from} imported as "${w.to}"`;
}
