/**
 * A small, careful Torznab (RSS 2.0 + `torznab:attr`) reader for Jackett search replies. Not a
 * general XML parser: it reads `<item>` elements and the few children Torznab defines, after
 * removing comments and turning CDATA sections into escaped text, so markup inside a CDATA
 * title cannot break the item boundaries. Entities (named and numeric) are decoded once.
 */

export interface TorznabItem {
  title?: string;
  guid?: string;
  link?: string;
  pubDate?: string;
  /** `<size>`, else the `size` attr, else the enclosure length (bytes). */
  size?: number;
  categories: string[];
  /** Jackett's `<jackettindexer id="...">Name</jackettindexer>`. */
  indexer?: string;
  indexerId?: string;
  enclosure?: { url?: string; length?: number; type?: string };
  /** Every `torznab:attr` / `newznab:attr` name -> value (first occurrence wins). */
  attrs: Record<string, string>;
}

/** A Torznab `<error code=".." description=".."/>` reply. */
export interface TorznabError {
  code: string;
  description: string;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
    }
    return NAMED[ref] ?? whole;
  });
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Comments removed, CDATA turned into escaped text: afterwards `<` always starts markup. */
export function normalizeXml(xml: string): string {
  return xml.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_m, c: string) => escapeText(c));
}

/** Attributes of one start tag's attribute text. */
export function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!(m[1] in out)) out[m[1]] = decodeEntities(m[2] ?? m[3] ?? '');
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every occurrence of element `name` directly or deeper in `body`: attributes and inner text. */
function elements(body: string, name: string): { attrs: Record<string, string>; text: string }[] {
  const n = escapeRe(name);
  const re = new RegExp(`<${n}(\\s[^>]*?)?(?:/>|>([\\s\\S]*?)</${n}\\s*>)`, 'g');
  const out: { attrs: Record<string, string>; text: string }[] = [];
  for (let m = re.exec(body); m; m = re.exec(body)) {
    out.push({ attrs: parseAttributes(m[1] ?? ''), text: decodeEntities((m[2] ?? '').trim()) });
  }
  return out;
}

function firstText(body: string, name: string): string | undefined {
  const e = elements(body, name)[0];
  return e && e.text !== '' ? e.text : undefined;
}

function toNumber(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export function parseTorznabError(xml: string): TorznabError | undefined {
  const doc = normalizeXml(xml);
  const m = /^\s*(?:<\?xml[^>]*\?>\s*)?<error(\s[^>]*?)?\/?>/.exec(doc);
  if (!m) return undefined;
  const a = parseAttributes(m[1] ?? '');
  return { code: a.code ?? '', description: a.description ?? '' };
}

/** The items of a Torznab reply (no `<item>`: an empty list). */
export function parseTorznab(xml: string): TorznabItem[] {
  const doc = normalizeXml(xml);
  const items: TorznabItem[] = [];
  const itemRe = /<item(?:\s[^>]*)?>([\s\S]*?)<\/item\s*>/g;
  for (let m = itemRe.exec(doc); m; m = itemRe.exec(doc)) {
    const body = m[1];
    const attrs: Record<string, string> = {};
    for (const tag of ['torznab:attr', 'newznab:attr']) {
      for (const e of elements(body, tag)) {
        const name = e.attrs.name;
        if (name !== undefined && !(name in attrs) && e.attrs.value !== undefined) attrs[name] = e.attrs.value;
      }
    }
    const enc = elements(body, 'enclosure')[0];
    const idx = elements(body, 'jackettindexer')[0];
    const item: TorznabItem = { categories: elements(body, 'category').map((e) => e.text).filter((t) => t !== ''), attrs };
    const title = firstText(body, 'title');
    if (title !== undefined) item.title = title;
    const guid = firstText(body, 'guid');
    if (guid !== undefined) item.guid = guid;
    const link = firstText(body, 'link');
    if (link !== undefined) item.link = link;
    const pubDate = firstText(body, 'pubDate');
    if (pubDate !== undefined) item.pubDate = pubDate;
    if (enc) item.enclosure = { url: enc.attrs.url, length: toNumber(enc.attrs.length), type: enc.attrs.type };
    if (idx) {
      if (idx.text !== '') item.indexer = idx.text;
      if (idx.attrs.id !== undefined) item.indexerId = idx.attrs.id;
    }
    const size = toNumber(firstText(body, 'size')) ?? toNumber(attrs.size) ?? item.enclosure?.length;
    if (size !== undefined) item.size = size;
    items.push(item);
  }
  return items;
}
