/**
 * The record-level nasty cases (see nasty-cases.ts): keys, strings, numbers, ids, kinds, titles,
 * references and timestamps that a lossless import must keep or quarantine verbatim.
 */
import {
  addItems,
  addWanted,
  DupKeys,
  firstUser,
  grab,
  grabsOf,
  type Item,
  items,
  type LegacyDir,
  libraryId,
  type NastyCase,
  own,
  q,
  RawJson,
  render,
  result,
  resultsOf,
  rngFrom,
  usersOf,
  wantedItem,
  wantedOf,
} from './nasty-legacy.js';

export function recordCases(base: () => LegacyDir): NastyCase[] {
  const out: NastyCase[] = [];
  const add = (c: NastyCase) => out.push(c);

  // ---- prototype keys ----
  {
    const dir = base();
    const it = items(dir)[0]!;
    const withProto = own([
      ['id', 'proto-item'],
      ['kind', 'movie'],
      ['title', 'Prototype'],
      ['__proto__', { polluted: true }],
      ['constructor', 'x'],
      ['toString', 1],
      ['hasOwnProperty', null],
      [
        'metadata',
        own([
          ['__proto__', { deep: [1] }],
          ['prototype', {}],
        ]),
      ],
    ]);
    addItems(
      dir,
      withProto as Item,
      own([
        ['id', '__proto__'],
        ['kind', 'series'],
        ['title', 'constructor'],
        ['__proto__', 'primitive'],
      ]) as Item,
    );
    Object.defineProperty(it, '__proto__', { value: [], enumerable: true, writable: true, configurable: true });
    const users = usersOf(dir);
    const u = firstUser(dir);
    Object.defineProperty(users, '__proto__', {
      value: { ...u, id: '__proto__', email: 'proto@example.org' },
      enumerable: true,
      writable: true,
      configurable: true,
    });
    Object.defineProperty(u, '__proto__', { value: { admin: true }, enumerable: true, writable: true, configurable: true });
    (u as Record<string, unknown>)['constructor'] = 'user';
    const grabs = grabsOf(dir);
    Object.defineProperty(grabs, '__proto__', {
      value: own([
        ['kind', 'movie'],
        ['id', 'x'],
        ['__proto__', { a: 1 }],
        ['constructor', 2],
      ]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
    resultsOf(dir)['constructor:prototype'] = result('constructor', 'prototype', { toString: 'x', __proto__x: 1 });
    addWanted(
      dir,
      own([
        ['id', '__proto__'],
        ['title', 'hasOwnProperty'],
        ['kind', 'constructor'],
        ['__proto__', { x: 1 }],
      ]),
    );
    dir['quality.json'] = own([
      ['__proto__', { allowed: ['1080p'], cutoff: '1080p' }],
      ['movie', { allowed: [], cutoff: '' }],
    ]);
    dir['settings.json'] = own([
      ['setupCompleted', true],
      ['__proto__', { isAdmin: true }],
      ['constructor', { prototype: 1 }],
    ]);
    (dir['indexers.json'] as { indexers: unknown[] }).indexers.push(
      own([
        ['id', 'constructor'],
        ['name', '__proto__'],
        ['__proto__', 5],
      ]),
    );
    Object.defineProperty(dir['indexers.json'] as object, '__proto__', { value: { enabled: 1 }, enumerable: true, writable: true, configurable: true });
    const dl = dir['downloaders.json'] as Record<string, Record<string, unknown>>;
    Object.defineProperty(dl.nzbget!, '__proto__', { value: { timeoutMs: 1 }, enumerable: true, writable: true, configurable: true });
    (dir['quality-profiles.json'] as { profiles: unknown[] }).profiles.push(
      own([
        ['id', 'p1'],
        ['name', 'P'],
        ['constructor', []],
        ['__proto__', { qualities: 1 }],
      ]),
    );
    Object.defineProperty(dir['quality-profiles.json'] as object, '__proto__', { value: 'top', enumerable: true, writable: true, configurable: true });
    add({ name: '__proto__, constructor and friends as keys of records, maps and documents', files: render(dir), code: 0, quarantined: [] });
  }

  // ---- duplicate keys: JSON.parse keeps the last ----
  {
    const dir = base();
    const it = items(dir)[1]!;
    items(dir)[1] = new DupKeys([...Object.entries(it), ['title', `${it.title} (last wins)`], ['year', 1999], ['year', 2001]]) as unknown as Item;
    const users = usersOf(dir);
    const [uid, u] = Object.entries(users)[0]!;
    dir['users.json'] = new DupKeys([[uid, { ...u, email: 'first@example.org' }], ...Object.entries(users)]);
    dir['settings.json'] = new DupKeys([...Object.entries(dir['settings.json'] as object), ['theme', 'light'], ['setupCompleted', false]]);
    dir['verify.json'] = new DupKeys([['minDurationSec', 60], ...Object.entries(dir['verify.json'] as object)]);
    const w = wantedOf(dir);
    dir['wanted.json'] = new DupKeys([
      ['items', w.slice(0, 1)],
      ['items', w],
    ]);
    const ix = dir['indexers.json'] as Record<string, unknown>;
    dir['indexers.json'] = new DupKeys([['indexers', []], ...Object.entries(ix)]);
    const grabs = grabsOf(dir);
    const [gk, g] = Object.entries(grabs)[0] ?? ['movie:x', grab('movie', 'x')];
    grabs[gk] = new DupKeys([...Object.entries(g as object), ['status', 500], ['status', 200]]);
    add({ name: 'duplicate keys in records, maps and documents (the last one wins, as in JSON.parse)', files: render(dir), code: 0, quarantined: [] });
  }

  // ---- strings a UTF-8 database cannot hold: lone surrogates and NUL ----
  for (const [label, bad] of [
    ['lone surrogates', '\ud800'],
    ['lone low surrogates', '\udfff'],
    ['NUL characters', '\u0000'],
  ] as const) {
    const dir = base();
    const lib = addItems(
      dir,
      { id: libraryId(rngFrom(1), Date.UTC(2025, 0, 1)), kind: 'movie', title: `Broken ${bad} title` },
      { id: `id-${bad}`, kind: 'series', title: 'Fine title, bad id' },
      { id: 'bad-extra', kind: 'book', title: 'Fine title, bad unknown key', note: `x${bad}` },
      { id: 'bad-key-name', kind: 'music', title: 'Bad key name', metadata: { [`k${bad}`]: 1 } },
      { id: 'pair-ok', kind: 'movie', title: 'A valid pair \ud83c\udfac is fine' },
    );
    const wanted = addWanted(
      dir,
      wantedItem('movies', 'w1', { title: `Wanted ${bad}` }),
      wantedItem('movie', 'w2', { lastScan: { at: `2025${bad}`, found: 1, grabbed: 0 } }),
    );
    grabsOf(dir)[`movie:${bad}`] = grab('movie', bad);
    grabsOf(dir)['movie:bad-title'] = grab('movie', 'bad-title', { title: `T${bad}` });
    resultsOf(dir)['movie:bad-path'] = result('movie', 'bad-path', { path: `/x/${bad}` });
    const u = firstUser(dir);
    u.displayName = `Me${bad}`;
    (dir['settings.json'] as Record<string, unknown>).theme = `dark${bad}`;
    dir['quality.json'] = { [`movie${bad}`]: { allowed: [], cutoff: '' } };
    (dir['indexers.json'] as Record<string, unknown>).note = bad;
    const sab = (dir['downloaders.json'] as Record<string, Record<string, unknown>>).sabnzbd!;
    sab.category = `tv${bad}`;
    add({
      name: `${label} in titles, ids, keys, unknown fields and documents: quarantined, written back verbatim`,
      files: render(dir),
      code: 3,
      quarantined: [
        ...q('library.json', ...lib.slice(0, 4)),
        ...q('wanted.json', ...wanted),
        ...q('grabs.json', `/movie:${bad}`, '/movie:bad-title'),
        ...q('verify-results.json', '/movie:bad-path'),
        ...q('users.json', `/${Object.keys(usersOf(dir))[0]}`),
        ...q('settings.json', ''),
        ...q('quality.json', ''),
        ...q('indexers.json', '/note'),
        ...q('downloaders.json', '/sabnzbd'),
      ].map((l) => l.replace(bad, bad === '\u0000' ? '~u0000' : `~u${bad.charCodeAt(0).toString(16)}`)),
    });
  }

  // ---- big strings: fine where nothing indexes them; a longer id, key, email or title than an index takes is quarantined ----
  {
    const dir = base();
    const rng = rngFrom(99);
    // incompressible: PostgreSQL could not squeeze these into a b-tree entry (2704 bytes at most) by compressing
    const noise = (chars: number) => Array.from({ length: chars }, () => String.fromCodePoint(0x4e00 + Math.floor(rng() * 0x5000))).join('');
    const ascii = 'A'.repeat(100 * 1024);
    const cjk = '語'.repeat(34_200);
    const emoji = '🎬'.repeat(25_600);
    const [t100k, t1900] = [noise(34_000), noise(633)]; // 102 000 and 1 899 bytes
    const long = addItems(
      dir,
      { id: 'long-ascii', kind: 'movie', title: ascii },
      { id: 'long-cjk', kind: 'movie', title: cjk },
      { id: 'long-emoji', kind: 'book', title: emoji, metadata: { blurb: ascii } },
      { id: 'long-noise', kind: 'movie', title: t100k },
      { id: noise(700), kind: 'music', title: 'A 2100-byte id' },
    );
    addItems(dir, { id: 'just-fits', kind: 'series', title: t1900, metadata: { blurb: t100k } });
    const w = addWanted(dir, wantedItem('movies', noise(700)));
    addWanted(dir, wantedItem('movies', 'long-ascii', { title: ascii }), wantedItem('movies', 'long-noise', { title: t100k }));
    grabsOf(dir)['movie:long-ascii'] = grab('movie', 'long-ascii', {
      title: t100k,
      ok: false,
      status: 'stored',
      nzbUpload: { filename: 'big.nzb', mimetype: 'application/x-nzb', base64: Buffer.alloc(768 * 1024, 7).toString('base64'), size: 768 * 1024 },
    });
    grabsOf(dir)['movie:long-at'] = grab('movie', 'long-at', { at: noise(700) });
    resultsOf(dir)['movie:long-noise'] = result('movie', 'long-noise', { title: t100k, path: `/x/${t100k}` });
    usersOf(dir).user_long_email = { ...firstUser(dir), id: 'user_long_email', email: `${noise(700)}@example.org` };
    (dir['settings.json'] as Record<string, unknown>).motd = emoji + t100k;
    add({
      name: '100 KB titles of wanted items, grabs, results and settings and a 1 MB NZB import; library titles, ids, emails over 2000 bytes are quarantined',
      files: render(dir),
      code: 3,
      quarantined: [...q('library.json', ...long), ...q('wanted.json', ...w), ...q('grabs.json', '/movie:long-at'), ...q('users.json', '/user_long_email')],
    });
    const keys = base();
    grabsOf(keys)[`movie:${noise(700)}`] = grab('movie', 'x');
    add({ name: 'a 2100-byte key in grabs.json: the whole file is quarantined', files: render(keys), code: 3, quarantined: q('grabs.json', '') });
  }

  // ---- numbers ----
  {
    const dir = base();
    const n = (t: string) => new RawJson(t);
    const lossy = addItems(
      dir,
      { id: 'n-inf', kind: 'movie', title: 'Overflow', year: n('1e400') },
      { id: 'n-big', kind: 'movie', title: 'Too many digits', fileSize: n('12345678901234567890') },
      { id: 'n-negzero', kind: 'series', title: 'Negative zero', metadata: { season: n('-0') } },
      { id: 'n-pi', kind: 'book', title: 'Pi', metadata: { pi: n('3.141592653589793238462643383279') } },
    );
    addItems(
      dir,
      { id: 'n-ok1', kind: 'movie', title: 'One point oh', fileSize: n('1.0'), year: n('2.0e3') },
      { id: 'n-ok2', kind: 'music', title: 'Small', metadata: { tiny: n('1e-7'), neg: n('-1.5E+3'), safe: n('9007199254740991'), float: n('0.1') } },
    );
    grabsOf(dir)['movie:n-inf'] = grab('movie', 'n-inf', { status: n('1e400') });
    grabsOf(dir)['movie:n-ok1'] = grab('movie', 'n-ok1', { status: n('200.0') });
    const w = addWanted(dir, wantedItem('movie', 'n-big', { lastScan: { at: '2025-06-01T12:15:00.000Z', found: n('12345678901234567890'), grabbed: 0 } }));
    const profiles = (dir['quality-profiles.json'] as { profiles: unknown[] }).profiles;
    profiles.push({ id: 'n-p1', name: 'Lossy', maxSize: n('-0') }, { id: 'n-p2', name: 'Fine', minSize: n('1E3'), maxSize: n('4000.50') });
    (dir['settings.json'] as Record<string, unknown>).counter = n('9007199254740993');
    (dir['indexers.json'] as { indexers: Record<string, unknown>[] }).indexers[0]!.priority = n('1e2');
    (dir['downloaders.json'] as Record<string, Record<string, unknown>>).qbittorrent!.timeoutMs = n('5000.0');
    (dir['verify.json'] as Record<string, unknown>).minDurationSec = n('300.00');
    (dir['monitor.json'] as Record<string, unknown>).lastId = n('-1e400');
    add({
      name: 'numbers: 1e400, 20 digits, -0, 30-digit pi are quarantined verbatim; 1.0, 2.0e3, 1e-7 are not',
      files: render(dir),
      code: 3,
      quarantined: [
        ...q('library.json', ...lossy),
        ...q('grabs.json', '/movie:n-inf'),
        ...q('wanted.json', ...w),
        ...q('quality-profiles.json', `/profiles/${profiles.length - 2}`),
        ...q('settings.json', ''),
        ...q('monitor.json', ''),
      ],
    });
  }

  // ---- null where a string is expected ----
  {
    const dir = base();
    const bad = addItems(
      dir,
      { id: 'null-title', kind: 'movie', title: null } as unknown as Item,
      { id: 'null-kind', kind: null, title: 'K' } as unknown as Item,
      { id: null, kind: 'movie', title: 'Null id' } as unknown as Item,
    );
    addItems(dir, {
      id: 'null-fields',
      kind: 'movie',
      title: 'Null fields',
      posterUrl: null,
      year: null,
      quality: null,
      fileSize: null,
      metadata: null,
      filePath: null,
    });
    const u = firstUser(dir);
    const users = usersOf(dir);
    users.user_null_email = { ...u, id: 'user_null_email', email: null };
    users.user_null_dates = { ...u, id: 'user_null_dates', email: 'dates@example.org', createdAt: null, updatedAt: null, lastLoginAt: null };
    const w = addWanted(dir, wantedItem('movie', 'null-title', { title: null }), wantedItem('movie', 'null-added', { addedAt: null, lastScan: null }));
    grabsOf(dir)['movie:nulls'] = grab('movie', 'nulls', {
      title: null,
      link: null,
      status: null,
      protocol: null,
      client: null,
      ok: null,
      at: null,
      category: null,
      nzbUpload: null,
    });
    grabsOf(dir)['movie:null-kind'] = { kind: null, id: null, title: 'x' };
    resultsOf(dir)['movie:nulls'] = result('movie', 'nulls', { title: null, phase: null, issues: null, analyzedAt: null, topSeverity: null, path: null });
    (dir['indexers.json'] as { indexers: unknown[] }).indexers.push({
      id: 'null-ix',
      name: null,
      type: null,
      protocol: null,
      enabled: null,
      baseUrl: null,
      priority: null,
    });
    (dir['quality-profiles.json'] as { profiles: unknown[] }).profiles.push({
      id: 'null-p',
      name: null,
      upgradeAllowed: null,
      cutoff: null,
      qualities: null,
      minSize: null,
    });
    const dl = dir['downloaders.json'] as Record<string, Record<string, unknown>>;
    Object.assign(dl.nzbget!, { baseUrl: null, username: null, password: null, enabled: null, timeoutMs: null, category: null });
    (dir['settings.json'] as Record<string, unknown>).mediaFolders = null;
    (dir['metadata.json'] as Record<string, Record<string, unknown>>).musicbrainz = null as never;
    // records that are not objects at all
    const notItems = addItems(dir, ...([null, 42, 'a string', [], true] as unknown as Item[]));
    const notWanted = addWanted(dir, ...([null, [1]] as unknown as Record<string, unknown>[]));
    users.user_string = 'not a user' as never;
    grabsOf(dir)['movie:array'] = [1, 2];
    resultsOf(dir)['movie:number'] = 5;
    dl.sabnzbd = 'off' as never;
    const ix = (dir['indexers.json'] as { indexers: unknown[] }).indexers;
    ix.push(null);
    const profiles = (dir['quality-profiles.json'] as { profiles: unknown[] }).profiles;
    profiles.push('hd');
    add({
      name: 'null where a string is expected, and records that are null, numbers, strings or arrays',
      files: render(dir),
      code: 3,
      quarantined: [
        ...q('library.json', ...bad, ...notItems),
        ...q('users.json', '/user_null_email', '/user_string'),
        ...q('wanted.json', w[0]!, ...notWanted),
        ...q('grabs.json', '/movie:array'),
        ...q('verify-results.json', '/movie:number'),
        ...q('downloaders.json', '/sabnzbd'),
        ...q('indexers.json', `/indexers/${ix.length - 1}`),
        ...q('quality-profiles.json', `/profiles/${profiles.length - 1}`),
      ],
    });
  }

  // ---- nested unknown keys ----
  {
    const dir = base();
    const deep = (d: number): unknown =>
      d === 0 ? [null, true, 0, '', [], {}] : { [`level${d}`]: deep(d - 1), list: [d, { d: [d] }], '': 'empty key', ' ': ' ' };
    for (const it of items(dir).slice(0, 5)) it.extraInfo = deep(12);
    firstUser(dir).prefs = deep(8);
    for (const w of wantedOf(dir)) w.extra = deep(4);
    for (const g of Object.values(grabsOf(dir))) (g as Record<string, unknown>).debug = deep(5);
    for (const r of Object.values(resultsOf(dir))) (r as Record<string, unknown>).raw = { ffprobe: deep(6) };
    for (const f of ['settings.json', 'verify.json', 'organizer.json', 'subtitle-automation.json', 'monitor.json', 'metadata.json'] as const)
      (dir[f] as Record<string, unknown>).plugin = deep(7);
    (dir['downloaders.json'] as Record<string, Record<string, unknown>>).qbittorrent!.advanced = deep(5);
    (dir['indexers.json'] as Record<string, unknown>).history = [deep(3), deep(2)];
    (dir['quality-profiles.json'] as Record<string, unknown>).meta = deep(3);
    add({ name: 'unknown keys nested 12 deep with arrays, empty containers and empty keys', files: render(dir), code: 0, quarantined: [] });
  }

  // ---- nesting deeper than JSON.stringify, SQLite's JSON (1000 levels) or our comparisons go ----
  {
    const dir = base();
    const deep = (n: number) => new RawJson(`${'['.repeat(n)}${']'.repeat(n)}`);
    const lib = addItems(
      dir,
      { id: 'deep-600', kind: 'movie', title: 'Deep 600', extra: deep(600) },
      { id: 'deep-20k', kind: 'movie', title: 'Deep 20k', metadata: { x: deep(20_000) } },
    );
    addItems(dir, { id: 'deep-400', kind: 'movie', title: 'Deep 400 is fine', extra: deep(400) });
    grabsOf(dir)['movie:deep'] = grab('movie', 'deep', { debug: deep(1500) });
    const w = addWanted(dir, wantedItem('movie', 'deep', { trace: { a: deep(6000) } }));
    (dir['indexers.json'] as Record<string, unknown>).history = deep(3000);
    (dir['monitor.json'] as Record<string, unknown>).log = deep(1200);
    add({
      name: 'values nested 600, 1500, 3000, 6000 and 20000 levels deep are quarantined verbatim; 400 is not',
      files: render(dir),
      code: 3,
      quarantined: [
        ...q('library.json', ...lib),
        ...q('grabs.json', '/movie:deep'),
        ...q('wanted.json', ...w),
        ...q('indexers.json', '/history'),
        ...q('monitor.json', ''),
      ],
    });
  }

  // ---- ids ----
  {
    const dir = base();
    const ids = [
      'imdb:tt0113277',
      'a:b:c',
      'movies/2024/heat',
      '100%',
      '%2F',
      'with space',
      ' ',
      '',
      '.',
      '..',
      'ünïcødé',
      '🎬',
      '~0~1',
      '~',
      '/',
      'x\ty',
      'a'.repeat(1900),
    ];
    ids.forEach((id, k) => {
      addItems(dir, { id, kind: (['movie', 'series', 'music', 'book'] as const)[k % 4]!, title: `Odd id ${k}` });
    });
    for (const id of ids) {
      grabsOf(dir)[`movies:${id}`] = grab('movies', id);
      resultsOf(dir)[`movie:${id}`] = result('movie', id);
    }
    grabsOf(dir)['nocolon'] = grab('', 'nocolon');
    grabsOf(dir)['::'] = grab(':', ':');
    grabsOf(dir)[':'] = grab('', '');
    addWanted(dir, ...ids.map((id) => wantedItem('movies', id)));
    const users = usersOf(dir);
    for (const id of ['user/with/slash', 'user%20pct', 'user:colon', '~', 'ユーザー'])
      users[id] = { ...firstUser(dir), id, email: `${encodeURIComponent(id)}@example.org` };
    add({ name: 'ids with :, /, %, ~, spaces, unicode, empty and 1900 chars', files: render(dir), code: 0, quarantined: [] });
  }

  // ---- kinds ----
  {
    const dir = base();
    const added = addItems(
      dir,
      { id: 'k1', kind: 'movies', title: 'Plural kind' },
      { id: 'k2', kind: 'tv', title: 'Unknown kind' },
      { id: 'k3', kind: 'Movie', title: 'Capital kind' },
      { id: 'k4', kind: '', title: 'Empty kind' },
    );
    // "movies" and "Movie" are spellings of movie (imported as movie with a warning, written back as spelled)
    const bad = [added[1]!, added[3]!];
    addWanted(dir, wantedItem('movies', 'k5'), wantedItem('books', 'k5'), wantedItem('anime', 'k5'), wantedItem('', 'k5'), wantedItem('MOVIES', 'k5'));
    for (const key of ['anime:x', 'tv:y', 'books:z', 'movies:k1']) grabsOf(dir)[key] = grab(key.split(':')[0]!, key.split(':')[1]!);
    grabsOf(dir)['movies:mismatch'] = grab('movie', 'other-id');
    resultsOf(dir)['books:mismatch'] = result('book', 'another');
    resultsOf(dir)['anime:1'] = result('anime', '1');
    (dir['quality.json'] as Record<string, unknown>).anime = { allowed: ['720p'], cutoff: '720p' };
    ((dir['settings.json'] as Record<string, unknown>).mediaFolders as unknown[]).push(
      { path: '/m', type: 'music', enabled: true },
      { path: '/a', type: 'anime', enabled: false },
    );
    add({ name: 'kinds in both vocabularies and unknown kinds', files: render(dir), code: 3, quarantined: q('library.json', ...bad) });
  }

  // ---- titles equal or not under legacy's toLowerCase ----
  {
    const dir = base();
    dir['library.json'] = { items: [] };
    const nfc = 'Amélie'.normalize('NFC');
    const nfd = 'Amélie'.normalize('NFD');
    const list: [string, string][] = [
      ['movie', 'Heat'],
      ['movie', 'HEAT'],
      ['series', 'heat'],
      ['movie', nfc],
      ['movie', nfd],
      ['movie', nfc.toUpperCase()],
      ['movie', 'İstanbul'],
      ['movie', 'i̇stanbul'],
      ['movie', 'ΟΔΟΣ'],
      ['movie', 'οδος'],
      ['movie', 'Straße'],
      ['movie', 'STRASSE'],
      ['movie', 'ǅemal'],
      ['movie', 'ǆemal'],
      ['movie', 'Heat '],
      ['book', 'ﬁsh'],
      ['book', 'fish'],
    ];
    const seen = new Set<string>();
    const dups: string[] = [];
    list.forEach(([kind, title], k) => {
      const key = `${kind}\u0000${title.toLowerCase()}`;
      if (seen.has(key)) dups.push(`/items/${k}`);
      seen.add(key);
      items(dir).push({ id: `case-${k}`, kind, title });
    });
    const users = usersOf(dir);
    users.user_case = { ...firstUser(dir), id: 'user_case', email: String(firstUser(dir).email).toUpperCase() };
    users.user_nfd = { ...firstUser(dir), id: 'user_nfd', email: `${nfd}@example.org` };
    users.user_nfc = { ...firstUser(dir), id: 'user_nfc', email: `${nfc}@example.org` };
    add({
      name: 'titles differing by case or normalisation (legacy toLowerCase decides)',
      files: render(dir),
      code: 3,
      quarantined: [...q('library.json', ...dups), ...q('users.json', '/user_case')],
    });
  }

  // ---- dangling references ----
  {
    const dir = base();
    const gone = items(dir).splice(0, 3);
    const k = addItems(dir, { id: 'quarantined-target', kind: 'podcast', title: 'Not a kind' });
    for (const it of [...gone, { id: 'quarantined-target', kind: 'movie' }, { id: gone[0]!.id.toUpperCase(), kind: 'movie' }]) {
      grabsOf(dir)[`movies:${it.id}`] = grab('movies', it.id);
      resultsOf(dir)[`movie:${it.id}`] = result('movie', it.id);
      addWanted(dir, wantedItem(`${it.kind}s`, it.id));
    }
    add({ name: 'wanted items, grabs and verify results of deleted or quarantined items', files: render(dir), code: 3, quarantined: q('library.json', ...k) });
  }

  // ---- timestamps ----
  {
    const dir = base();
    const u = firstUser(dir);
    Object.assign(u, { createdAt: '2024-11-30T20:53:20Z', updatedAt: '2024-11-30T20:53:20.000+00:00', lastLoginAt: '2024-11-30 20:53:20' });
    const users = usersOf(dir);
    users.user_epoch = { ...u, id: 'user_epoch', email: 'epoch@example.org', createdAt: 1733000000000, updatedAt: '', lastLoginAt: 0 };
    const bare: Record<string, unknown> = { id: 'user_bare', email: 'bare@example.org', passwordHash: u.passwordHash, role: 'user' };
    users.user_bare = bare;
    addWanted(
      dir,
      wantedItem('movies', 't1', { addedAt: 'Sat Nov 30 2024 20:53:20 GMT+0000 (Coordinated Universal Time)' }),
      wantedItem('movies', 't2', { addedAt: 1733000000000 }),
      wantedItem('movies', 't3', { addedAt: '' }),
    );
    const t4 = wantedItem('movies', 't4');
    delete (t4 as Record<string, unknown>).addedAt;
    addWanted(dir, t4);
    grabsOf(dir)['movie:t1'] = grab('movie', 't1', { at: '2024-11-30T20:53:20.123456Z' });
    grabsOf(dir)['movie:t2'] = grab('movie', 't2', { at: '+020000-01-01T00:00:00.000Z' });
    grabsOf(dir)['movie:t3'] = grab('movie', 't3', { at: 1733000000 });
    const noAt = grab('movie', 't4');
    delete (noAt as Record<string, unknown>).at;
    grabsOf(dir)['movie:t4'] = noAt;
    resultsOf(dir)['movie:t1'] = result('movie', 't1', { analyzedAt: '' });
    resultsOf(dir)['movie:t2'] = result('movie', 't2', { analyzedAt: '1970-01-01T00:00:00.000Z' });
    (dir['settings.json'] as Record<string, unknown>).lastScanDate = 1733000000000;
    add({ name: 'timestamps without milliseconds, with offsets, as epoch numbers, empty or absent', files: render(dir), code: 0, quarantined: [] });
  }

  // ---- keys our own codecs use as markers ($absent, ...): a legacy file may hold them too ----
  {
    const dir = base();
    const markers = { $absent: ['title'], '$mediaos.absent': ['createdAt'], $profiles: 1, $document: 2 };
    addItems(dir, { id: 'marker-item', kind: 'movie', title: 'Markers', ...markers });
    Object.assign(firstUser(dir), markers);
    grabsOf(dir)['movie:marker'] = grab('movie', 'marker', markers);
    resultsOf(dir)['movie:marker'] = result('movie', 'marker', markers);
    addWanted(dir, wantedItem('movie', 'marker', markers));
    const ix = (dir['indexers.json'] as { indexers: unknown[] }).indexers;
    ix.push({ id: 'marker-ix', name: 'M', ...markers });
    Object.assign(dir['indexers.json'] as object, markers);
    const profiles = (dir['quality-profiles.json'] as { profiles: unknown[] }).profiles;
    profiles.push({ id: 'marker-p', name: 'M', ...markers });
    Object.assign(dir['quality-profiles.json'] as object, markers);
    Object.assign((dir['downloaders.json'] as Record<string, object>).nzbget!, markers);
    Object.assign(dir['settings.json'] as object, markers);
    add({
      name: 'records holding the keys the codecs reserve ($absent, $mediaos.absent, $profiles, $document)',
      files: render(dir),
      code: 3,
      quarantined: [
        ...q('users.json', `/${Object.keys(usersOf(dir))[0]}`),
        ...q('grabs.json', '/movie:marker'),
        ...q('verify-results.json', '/movie:marker'),
        ...q('downloaders.json', '/nzbget'),
        ...q('indexers.json', `/indexers/${ix.length - 1}`),
        ...q('quality-profiles.json', `/profiles/${profiles.length - 1}`, '/$absent', '/$profiles', '/$document'),
      ],
    });
  }

  return out;
}
