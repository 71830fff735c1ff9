/**
 * The library in the legacy `library.json` (FORMATS.md §3.2), for the `files` and dual phases.
 * The file is read once and cached by createJsonFile; this module keeps derived indexes beside
 * it (id, kind+title, a stable insertion sequence, sorted views) so lookups are O(1) and a page
 * is a binary search plus a slice, like the database's keyset queries. The indexes belong to one
 * document object: when createJsonFile reloads the file (after a failed write) they are rebuilt.
 * Items keep their keys and key order as the legacy server would write them.
 */
import { join } from 'node:path';
import { createJsonFile, unchanged, type WriteChunk } from '../legacy/json-file.js';
import { applyPatch, titleKey } from './library.codec.js';
import { compareUtf8, foldForSearch, matchesTokens } from './library.search.js';
import type { LibraryCreateResult, LibraryCursor, LibraryItem, LibraryPage, LibraryPatch, LibraryPatchResult, LibraryQuery } from './library.types.js';

export interface LibraryDoc {
  items: unknown[];
  [key: string]: unknown;
}

interface Entry {
  item: LibraryItem;
  seq: number;
  lower: string;
}

interface State {
  doc: LibraryDoc;
  /** Valid items in array (= insertion) order. */
  entries: Entry[];
  byItem: Map<object, Entry>;
  byId: Map<string, Entry>;
  byKindTitle: Map<string, Entry>;
  nextSeq: number;
  views: Map<string, Entry[]>;
}

const isItem = (v: unknown): v is LibraryItem =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as LibraryItem).id === 'string' && typeof (v as LibraryItem).title === 'string';
const ktKey = (kind: string, lower: string) => `${kind}\u0000${lower}`;
const copy = (item: LibraryItem): LibraryItem => structuredClone(item);

export function createLibraryJson(opts: { configDir: string; onError?: (err: Error) => void; write?: WriteChunk }) {
  const file = createJsonFile<LibraryDoc>(join(opts.configDir, 'library.json'), {
    defaultValue: () => ({ items: [] }),
    onError: opts.onError,
    write: opts.write,
  });
  let state: State | undefined;
  const searchText = new WeakMap<object, string>();

  function build(doc: LibraryDoc): State {
    if (!Array.isArray(doc.items)) doc.items = [];
    const s: State = { doc, entries: [], byItem: new Map(), byId: new Map(), byKindTitle: new Map(), nextSeq: 0, views: new Map() };
    for (const v of doc.items) if (isItem(v)) add(s, v);
    return s;
  }

  function add(s: State, item: LibraryItem): Entry {
    const e: Entry = { item, seq: s.nextSeq++, lower: titleKey(item.title) };
    s.entries.push(e);
    s.byItem.set(item, e);
    if (!s.byId.has(item.id)) s.byId.set(item.id, e);
    const kt = ktKey(item.kind, e.lower);
    if (!s.byKindTitle.has(kt)) s.byKindTitle.set(kt, e);
    return e;
  }

  function unindex(s: State, e: Entry): void {
    s.byItem.delete(e.item);
    if (s.byId.get(e.item.id) === e) s.byId.delete(e.item.id);
    const kt = ktKey(e.item.kind, e.lower);
    if (s.byKindTitle.get(kt) === e) s.byKindTitle.delete(kt);
  }

  function stateOf(doc: LibraryDoc): State {
    if (!state || state.doc !== doc) state = build(doc);
    return state;
  }

  async function current(): Promise<State> {
    return stateOf(await file.read());
  }

  /** Entries of one kind (or all) in ascending order for the sort's key. Cached until a write. */
  function view(s: State, sort: LibraryQuery['sort'], kind: string | undefined): Entry[] {
    const byTitle = sort.endsWith('title');
    const name = `${byTitle ? 't' : 'c'}:${kind ?? ''}`;
    let v = s.views.get(name);
    if (!v) {
      v = kind ? s.entries.filter((e) => e.item.kind === kind) : s.entries.slice();
      if (byTitle) v.sort((a, b) => compareUtf8(a.lower, b.lower) || a.seq - b.seq);
      s.views.set(name, v);
    }
    return v;
  }

  function folded(item: LibraryItem): string {
    let t = searchText.get(item);
    if (t === undefined) {
      t = foldForSearch(item.title);
      searchText.set(item, t);
    }
    return t;
  }

  /** Index of the first entry strictly after the cursor in ascending order. */
  function upperBound(v: Entry[], byTitle: boolean, c: LibraryCursor): number {
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = v[mid];
      const cmp = byTitle ? compareUtf8(e.lower, c.key) || e.seq - c.seq : e.seq - c.seq;
      if (cmp <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function touched(s: State): void {
    s.views.clear();
  }

  return {
    file,

    async getById(id: string): Promise<LibraryItem | undefined> {
      const e = (await current()).byId.get(id);
      return e ? copy(e.item) : undefined;
    },

    async findByIdOrTitle(key: string): Promise<LibraryItem | undefined> {
      const s = await current();
      const byId = s.byId.get(key);
      const byTitle = s.entries.find((e) => e.item.title === key);
      const first = byId && byTitle ? (byId.seq < byTitle.seq ? byId : byTitle) : (byId ?? byTitle);
      return first ? copy(first.item) : undefined;
    },

    async findByTitle(title: string): Promise<LibraryItem | undefined> {
      const e = (await current()).entries.find((x) => x.item.title === title);
      return e ? copy(e.item) : undefined;
    },

    async count(): Promise<number> {
      return (await current()).entries.length;
    },

    /** Read-only items (not copies: the full list of a big library is only serialized). */
    async batchAfter(afterSeq: number, limit: number): Promise<{ items: LibraryItem[]; lastSeq: number }> {
      const s = await current();
      const start = upperBound(s.entries, false, { sort: 'createdAt', key: '', seq: afterSeq });
      const slice = s.entries.slice(start, start + limit);
      return { items: slice.map((e) => e.item), lastSeq: slice.length ? slice[slice.length - 1].seq : afterSeq };
    },

    async query(q: LibraryQuery): Promise<LibraryPage> {
      const s = await current();
      const byTitle = q.sort.endsWith('title');
      const desc = q.sort.startsWith('-');
      const v = view(s, q.sort, q.kind);
      const match = (e: Entry) => matchesTokens(folded(e.item), q.tokens);
      let i: number;
      if (!q.after) i = desc ? v.length - 1 : 0;
      else {
        const ub = upperBound(v, byTitle, q.after);
        // Descending: the last entry strictly before the cursor.
        i = desc ? (ub > 0 && cmpEntry(v[ub - 1], q.after, byTitle) === 0 ? ub - 2 : ub - 1) : ub;
      }
      const page: Entry[] = [];
      let more = false;
      for (; desc ? i >= 0 : i < v.length; desc ? i-- : i++) {
        if (!match(v[i])) continue;
        if (page.length === q.limit) {
          more = true;
          break;
        }
        page.push(v[i]);
      }
      const total = q.tokens.length === 0 ? v.length : v.reduce((n, e) => (match(e) ? n + 1 : n), 0);
      const last = page[page.length - 1];
      const next: LibraryCursor | null = more && last ? { sort: q.sort, key: byTitle ? last.lower : '', seq: last.seq } : null;
      return { items: page.map((e) => copy(e.item)), total, next };
    },

    async create(item: LibraryItem, _at: string): Promise<LibraryCreateResult> {
      return file.update((doc) => {
        const s = stateOf(doc);
        const existing = s.byKindTitle.get(ktKey(item.kind, titleKey(item.title)));
        if (existing) return unchanged<LibraryCreateResult>({ status: 'exists', item: copy(existing.item) });
        if (s.byId.has(item.id)) return unchanged<LibraryCreateResult>({ status: 'duplicate_id' });
        const stored = { ...item };
        doc.items.push(stored);
        add(s, stored);
        touched(s);
        return { status: 'created', item: copy(stored) };
      });
    },

    async patch(id: string, patch: LibraryPatch, _at: string): Promise<LibraryPatchResult> {
      return file.update((doc) => {
        const s = stateOf(doc);
        const e = s.byId.get(id);
        if (!e) return unchanged<LibraryPatchResult>({ status: 'not_found' });
        const next = applyPatch(e.item, patch);
        const lower = titleKey(next.title);
        const clash = s.byKindTitle.get(ktKey(next.kind, lower));
        if (clash && clash !== e) return unchanged<LibraryPatchResult>({ status: 'duplicate_title' });
        const at = doc.items.indexOf(e.item);
        unindex(s, e);
        doc.items[at] = next;
        const ne: Entry = { item: next, seq: e.seq, lower };
        s.entries[s.entries.indexOf(e)] = ne;
        s.byItem.set(next, ne);
        s.byId.set(next.id, ne);
        s.byKindTitle.set(ktKey(next.kind, lower), ne);
        touched(s);
        return { status: 'updated', item: copy(next) };
      });
    },

    async remove(id: string): Promise<LibraryItem | undefined> {
      return file.update((doc) => {
        const s = stateOf(doc);
        const e = s.byId.get(id);
        if (!e) return unchanged<LibraryItem | undefined>(undefined);
        doc.items.splice(doc.items.indexOf(e.item), 1);
        s.entries.splice(s.entries.indexOf(e), 1);
        unindex(s, e);
        touched(s);
        return copy(e.item);
      });
    },
  };
}

function cmpEntry(e: Entry, c: LibraryCursor, byTitle: boolean): number {
  return byTitle ? compareUtf8(e.lower, c.key) || e.seq - c.seq : e.seq - c.seq;
}

export type LibraryJson = ReturnType<typeof createLibraryJson>;
