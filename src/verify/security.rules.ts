/**
 * What makes a file suspicious in a media library, judged by name and by content: executables,
 * scripts, double extensions that hide one (`movie.mkv.exe`), and contents whose magic bytes
 * contradict the extension (file-type reads the signature). Pure data and small predicates; the
 * scan that reads files is security.scan.ts.
 */
import { extname } from 'node:path';

export type SecuritySeverity = 'warning' | 'danger' | 'critical';

/** One finding (legacy ContentVerifyResult.securityIssues item). */
export interface SecurityIssue {
  type: string;
  severity: SecuritySeverity;
  message: string;
  file?: string;
  details?: Record<string, unknown>;
}

/** Extensions that run code when opened on some system. */
export const EXECUTABLE_EXTENSIONS: ReadonlySet<string> = new Set([
  'exe',
  'com',
  'bat',
  'cmd',
  'scr',
  'pif',
  'msi',
  'msp',
  'cpl',
  'dll',
  'sys',
  'ps1',
  'psm1',
  'vbs',
  'vbe',
  'js',
  'jse',
  'wsf',
  'wsh',
  'hta',
  'jar',
  'lnk',
  'reg',
  'inf',
  'scf',
  'gadget',
  'sh',
  'bash',
  'zsh',
  'run',
  'bin',
  'elf',
  'app',
  'command',
  'apk',
  'deb',
  'rpm',
  'appimage',
  'dmg',
]);

/** Content types (file-type's names) that are programs. */
export const EXECUTABLE_CONTENT: ReadonlySet<string> = new Set([
  'exe',
  'elf',
  'macho',
  'class',
  'wasm',
  'dex',
  'apk',
  'jar',
  'deb',
  'rpm',
  'crx',
  'lnk',
  'swf',
  'msi',
  'cab',
]);

/** Archive content types whose entries are listed. */
export const LISTED_ARCHIVES: ReadonlySet<string> = new Set(['zip', 'epub', 'tar', 'tar.gz', 'gz']);
/** Archive content types that are flagged but not opened. */
export const UNLISTED_ARCHIVES: ReadonlySet<string> = new Set(['rar', '7z', 'xz', 'bz2', 'dmg', 'cab']);

const SAME = (...types: string[]) => new Set(types);
const MATROSKA = SAME('mkv', 'webm');
const ISO_MEDIA = SAME('mp4', 'm4v', 'm4a', 'm4b', 'm4p', 'mov', '3gp', '3g2');

/** For a name's extension, the content types that agree with it (unknown extensions are not judged). */
export const EXPECTED_CONTENT: Readonly<Record<string, ReadonlySet<string>>> = {
  mkv: MATROSKA,
  webm: MATROSKA,
  mka: MATROSKA,
  mks: MATROSKA,
  mp4: ISO_MEDIA,
  m4v: ISO_MEDIA,
  m4a: ISO_MEDIA,
  m4b: ISO_MEDIA,
  mov: ISO_MEDIA,
  '3gp': ISO_MEDIA,
  avi: SAME('avi'),
  ts: SAME('mts', 'mpg'),
  m2ts: SAME('mts', 'mpg'),
  mts: SAME('mts', 'mpg'),
  mpg: SAME('mpg', 'mts', 'mp2', 'mp1'),
  mpeg: SAME('mpg', 'mts', 'mp2', 'mp1'),
  wmv: SAME('asf'),
  wma: SAME('asf'),
  asf: SAME('asf'),
  flac: SAME('flac'),
  mp3: SAME('mp3', 'mp2', 'mp1'),
  ogg: SAME('ogg', 'opus'),
  opus: SAME('opus', 'ogg'),
  wav: SAME('wav'),
  aac: SAME('aac', 'm4a'),
  epub: SAME('epub', 'zip'),
  pdf: SAME('pdf'),
  mobi: SAME('mobi'),
  azw3: SAME('mobi'),
  cbz: SAME('zip'),
  cbr: SAME('rar'),
  jpg: SAME('jpg'),
  jpeg: SAME('jpg'),
  png: SAME('png'),
  gif: SAME('gif'),
  webp: SAME('webp'),
  bmp: SAME('bmp'),
  zip: SAME('zip'),
  rar: SAME('rar'),
  '7z': SAME('7z'),
};

/** Extensions a library holds on purpose (media, subtitles, artwork, metadata). */
export const LIBRARY_EXTENSIONS: ReadonlySet<string> = new Set([
  ...Object.keys(EXPECTED_CONTENT),
  'srt',
  'vtt',
  'ass',
  'ssa',
  'sub',
  'idx',
  'sup',
  'nfo',
  'txt',
  'xml',
  'jpg',
  'jpeg',
  'png',
  'm2ts',
  'alac',
  'aiff',
]);

/** Lower-case extensions of a file name, last first: `a.mkv.exe` -> ['exe', 'mkv']. */
export function extensions(name: string): string[] {
  const out: string[] = [];
  let rest = name.replace(/^\.+/, '');
  for (let i = 0; i < 3; i++) {
    const ext = extname(rest);
    if (ext === '' || ext === '.') break;
    out.push(ext.slice(1).toLowerCase());
    rest = rest.slice(0, -ext.length);
  }
  return out;
}

/** Findings from the name alone (POST /api/verify/security/quick and every scanned file). */
export function nameIssues(name: string, file?: string): SecurityIssue[] {
  const [last, before] = extensions(name);
  if (last === undefined || !EXECUTABLE_EXTENSIONS.has(last)) return [];
  const at = file !== undefined ? { file } : {};
  if (before !== undefined && LIBRARY_EXTENSIONS.has(before)) {
    return [{ type: 'double_extension', severity: 'critical', message: `Double extension hides an executable: .${before}.${last}`, ...at }];
  }
  return [{ type: 'executable', severity: 'danger', message: `Executable file type (.${last})`, ...at }];
}
