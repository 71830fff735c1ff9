import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Torznab / Newznab documents (RSS 2.0 items with `torznab:attr` / `newznab:attr`, the `t=caps`
 * document and `<error code=".." description=".."/>` replies) read with fast-xml-parser: CDATA,
 * comments and entities are the parser's business, not ours. A reply that is not well-formed XML
 * throws `TorznabParseError` (the caller reports it per indexer).
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

/** The search functions a caps document may declare (Newznab names). */
export const SEARCH_FUNCTIONS = ['search', 'tvsearch', 'movie', 'music', 'book'] as const;
export type SearchFunction = (typeof SEARCH_FUNCTIONS)[number];

/** What `t=caps` says, in the shape we cache in the indexer's row. */
export interface IndexerCaps {
  /** Available search functions -> their supported parameters (lowercased). */
  searching: Partial<Record<SearchFunction, string[]>>;
  categories: { id: string; name: string }[];
  limits?: { max?: number; default?: number };
}

export class TorznabParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TorznabParseError';
  }
}

const ARRAYS = new Set(['item', 'category', 'subcat', 'torznab:attr', 'newznab:attr', 'enclosure', 'jackettindexer']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  attributesGroupName: '@',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: true,
  processEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** The document, or TorznabParseError naming why it is not XML. */
export function parseXml(xml: string): Node {
  if (xml.trim() === '') throw new TorznabParseError('invalid_response: empty reply');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new TorznabParseError(`invalid_response: not XML (${valid.err.msg.slice(0, 80)}, line ${valid.err.line})`);
  return parser.parse(xml) as Node;
}

function attrsOf(v: unknown): Record<string, string> {
  return isNode(v) && isNode(v['@']) ? (v['@'] as Record<string, string>) : {};
}

function textOf(v: unknown): string | undefined {
  const first = Array.isArray(v) ? v[0] : v;
  const t = typeof first === 'string' ? first : isNode(first) && typeof first['#text'] === 'string' ? first['#text'] : undefined;
  return t === undefined || t === '' ? undefined : t;
}

function toNumber(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** The `<error>` of an error reply; undefined for any other document (or for non-XML). */
export function parseTorznabError(xml: string): TorznabError | undefined {
  let doc: Node;
  try {
    doc = parseXml(xml);
  } catch {
    return undefined;
  }
  if (!('error' in doc)) return undefined;
  const a = attrsOf(doc.error);
  return { code: a.code ?? '', description: a.description ?? '' };
}

function readItem(raw: unknown): TorznabItem {
  const node = isNode(raw) ? raw : {};
  const attrs: Record<string, string> = {};
  for (const tag of ['torznab:attr', 'newznab:attr']) {
    for (const e of listOf(node[tag])) {
      const a = attrsOf(e);
      if (a.name !== undefined && !(a.name in attrs) && a.value !== undefined) attrs[a.name] = a.value;
    }
  }
  const categories = listOf(node.category)
    .map(textOf)
    .filter((t): t is string => t !== undefined);
  const item: TorznabItem = { categories, attrs };
  for (const key of ['title', 'guid', 'link', 'pubDate'] as const) {
    const t = textOf(node[key]);
    if (t !== undefined) item[key] = t;
  }
  const enc = listOf(node.enclosure)[0];
  if (enc !== undefined) {
    const a = attrsOf(enc);
    item.enclosure = { url: a.url, length: toNumber(a.length), type: a.type };
  }
  const idx = listOf(node.jackettindexer)[0];
  if (idx !== undefined) {
    const name = textOf(idx);
    if (name !== undefined) item.indexer = name;
    const id = attrsOf(idx).id;
    if (id !== undefined) item.indexerId = id;
  }
  const size = toNumber(textOf(node.size)) ?? toNumber(attrs.size) ?? item.enclosure?.length;
  if (size !== undefined) item.size = size;
  return item;
}

/** The items of a Torznab/Newznab feed (a feed without items: an empty list). */
export function parseTorznab(xml: string): TorznabItem[] {
  const doc = parseXml(xml);
  const channel = isNode(doc.rss) ? doc.rss.channel : undefined;
  const items = isNode(channel) ? channel.item : undefined;
  return listOf(items).map(readItem);
}

/** Caps element names -> our search function names (`audio-search` is the older music name). */
const CAPS_ELEMENTS: [string, SearchFunction][] = [
  ['search', 'search'],
  ['tv-search', 'tvsearch'],
  ['movie-search', 'movie'],
  ['music-search', 'music'],
  ['audio-search', 'music'],
  ['book-search', 'book'],
];

/** The `t=caps` document; TorznabParseError when it is not one. */
export function parseCaps(xml: string): IndexerCaps {
  const doc = parseXml(xml);
  if (!isNode(doc.caps)) throw new TorznabParseError('invalid_response: not a caps document');
  const caps = doc.caps;
  const out: IndexerCaps = { searching: {}, categories: [] };
  const searching = isNode(caps.searching) ? caps.searching : {};
  for (const [element, fn] of CAPS_ELEMENTS) {
    const a = attrsOf(searching[element]);
    if (a.available !== 'yes' || out.searching[fn] !== undefined) continue;
    out.searching[fn] = (a.supportedParams ?? 'q')
      .split(',')
      .map((p) => p.trim().toLowerCase())
      .filter((p) => p !== '');
  }
  const cats = isNode(caps.categories) ? caps.categories.category : undefined;
  for (const c of listOf(cats)) {
    const a = attrsOf(c);
    if (a.id !== undefined) out.categories.push({ id: a.id, name: a.name ?? a.id });
    for (const s of listOf(isNode(c) ? c.subcat : undefined)) {
      const sa = attrsOf(s);
      if (sa.id !== undefined) out.categories.push({ id: sa.id, name: sa.name ?? sa.id });
    }
  }
  const limits = attrsOf(caps.limits);
  const max = toNumber(limits.max);
  const def = toNumber(limits.default);
  if (max !== undefined || def !== undefined) out.limits = { ...(max !== undefined ? { max } : {}), ...(def !== undefined ? { default: def } : {}) };
  return out;
}
