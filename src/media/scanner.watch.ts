/**
 * Watch mode (MEDIAOS_SCAN_WATCH, off by default): `fs.watch` (recursive; on Linux Node keeps one
 * inotify watch per folder, so a large tree may need a higher `fs.inotify.max_user_watches`) on
 * every accessible media root. A change queues a rescan of just the folder it happened in, once
 * the root has been quiet for `debounceMs` (a burst of writes gives one scan; a steady stream
 * still gets one every `maxWaitMs`). A folder that was removed is rescanned through its nearest
 * existing parent, so its files are marked missing. While a scan runs, the folders wait for it.
 * The roots are read again every `rootsCheckMs`, so a changed `mediaFolders` applies.
 */
import { type FSWatcher, watch } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { MEDIA_ROOTS_DOCUMENT, type MediaFolderType, mediaRootProblem, mediaRoots } from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import type { ScanFolder } from './media.types.js';
import type { ScannerService } from './scanner.service.js';

export interface ScanWatchDeps {
  settings: Pick<SettingsDocumentStore, 'get'>;
  scanner: Pick<ScannerService, 'start' | 'status'>;
  debounceMs: number;
  /** Longest a change waits while events keep coming (default 10 × debounceMs). */
  maxWaitMs?: number;
  /** How often the configured roots are read again (default 60 s). */
  rootsCheckMs?: number;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

export interface ScanWatch {
  /** Resolves once the roots configured at start are watched. */
  ready: Promise<void>;
  /** The real paths of the roots watched now. */
  watched(): string[];
  /** Reads the roots again (watches new ones, drops removed ones). */
  refresh(): Promise<void>;
  stop(): void;
}

interface Watched {
  watcher: FSWatcher;
  type: MediaFolderType;
}

const isDir = (p: string) =>
  stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );

function inside(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..');
}

export function startScanWatch(deps: ScanWatchDeps): ScanWatch {
  const watchers = new Map<string, Watched>();
  /** Changed paths by root real path, waiting for the quiet time. */
  const pending = new Map<string, Set<string>>();
  let timer: NodeJS.Timeout | undefined;
  let firstPendingAt = 0;
  let stopped = false;
  const maxWait = deps.maxWaitMs ?? deps.debounceMs * 10;

  /** The folder to rescan for a changed path: itself when it is a folder, else its nearest existing parent inside the root. */
  async function folderFor(root: string, changed: string): Promise<string> {
    if (await isDir(changed)) return changed;
    let cur = dirname(changed);
    while (cur !== root && inside(root, cur) && !(await isDir(cur))) cur = dirname(cur);
    return inside(root, cur) ? cur : root;
  }

  async function flush(): Promise<void> {
    timer = undefined;
    if (stopped || pending.size === 0) return;
    if (deps.scanner.status().status === 'scanning') return schedule(deps.debounceMs);
    const batch = new Map(pending);
    pending.clear();
    firstPendingAt = 0;
    const folders: ScanFolder[] = [];
    for (const [root, paths] of batch) {
      const w = watchers.get(root);
      if (!w) continue;
      const found = new Set<string>();
      for (const p of paths) found.add(await folderFor(root, p));
      // A folder inside another one on the list is covered by it.
      const sorted = [...found].sort();
      const kept = sorted.filter((f) => !sorted.some((o) => o !== f && inside(o, f)));
      for (const f of kept) folders.push({ path: f, type: w.type });
    }
    if (folders.length === 0) return;
    try {
      await deps.scanner.start({ folders });
      deps.log.info({ folders: folders.map((f) => f.path) }, 'watch: rescan queued');
    } catch (err) {
      if ((err as { status?: number }).status === 409) {
        // A scan started meanwhile: the folders wait for the next turn.
        for (const [root, paths] of batch) for (const p of paths) addPending(root, p);
        return schedule(deps.debounceMs);
      }
      deps.log.warn({ err, folders: folders.map((f) => f.path) }, 'watch: rescan could not be queued');
    }
  }

  function schedule(ms: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void flush(), ms);
    timer.unref();
  }

  function addPending(root: string, path: string): void {
    const set = pending.get(root) ?? new Set<string>();
    pending.set(root, set);
    set.add(path);
    if (firstPendingAt === 0) firstPendingAt = Date.now();
  }

  function changed(root: string, filename: string | Buffer | null): void {
    addPending(root, filename === null ? root : join(root, String(filename)));
    const waited = Date.now() - firstPendingAt;
    schedule(Math.max(0, Math.min(deps.debounceMs, maxWait - waited)));
  }

  async function refresh(): Promise<void> {
    if (stopped) return;
    const wanted = new Map<string, MediaFolderType>();
    for (const r of mediaRoots(await deps.settings.get(MEDIA_ROOTS_DOCUMENT))) {
      if ((await mediaRootProblem(r.path)) !== undefined) continue;
      const real = await realpath(r.path).catch(() => undefined);
      if (real !== undefined && !wanted.has(real)) wanted.set(real, r.type);
    }
    for (const [root, w] of watchers)
      if (wanted.get(root) !== w.type) {
        w.watcher.close();
        watchers.delete(root);
      }
    for (const [root, type] of wanted) {
      if (watchers.has(root) || stopped) continue;
      try {
        const watcher = watch(root, { recursive: true, persistent: false }, (_event, filename) => changed(root, filename));
        watcher.on('error', (err) => {
          deps.log.warn({ err, root }, 'watch: stopped watching a media folder (checked again at the next roots check)');
          watcher.close();
          if (watchers.get(root)?.watcher === watcher) watchers.delete(root);
        });
        watchers.set(root, { watcher, type });
      } catch (err) {
        deps.log.warn({ err, root }, 'watch: cannot watch a media folder');
      }
    }
  }

  const guardedRefresh = () => refresh().catch((err: unknown) => deps.log.warn({ err }, 'watch: could not read the media folders'));
  const rootsTimer = setInterval(() => void guardedRefresh(), deps.rootsCheckMs ?? 60_000);
  rootsTimer.unref();
  return {
    ready: guardedRefresh(),
    watched: () => [...watchers.keys()],
    refresh,
    stop() {
      stopped = true;
      clearInterval(rootsTimer);
      if (timer) clearTimeout(timer);
      for (const w of watchers.values()) w.watcher.close();
      watchers.clear();
      pending.clear();
    },
  };
}
