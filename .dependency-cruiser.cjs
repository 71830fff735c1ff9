/**
 * The layer rules of docs/design.md as code (run by test/architecture.test.ts, so `npm test`
 * fails on a wrong-way import or a cycle). A folder may import only what its rule allows;
 * nothing imports upward. Type-only imports count (tsPreCompilationDeps).
 */
const DOMAINS =
  'activity|auth|automation|backups|calendar|downloaders|downloads|events|grabs|housekeeping|indexers|jobs|library|media|metadata|onboarding|organizer|plugins|quality|sessions|settings|subtitles|system|users|verify|wanted';

const L = {
  entry: '^src/(cli[.]ts|server[.]ts|startup[.]ts|cli/)',
  root: '^src/(app|services|stores|routes|context)[.]ts$',
  http: '^src/http/',
  domains: `^src/(${DOMAINS})/`,
  migration: '^src/migration/',
  console: '^src/console/',
  storage: '^src/storage/',
  phaseList: '^src/storage/phase-list[.]ts$',
  adapters: '^src/(download-clients|indexer-clients|metadata-clients)/',
  httpClient: '^src/http-client/',
  db: '^src/db/',
  security: '^src/security/',
  legacy: '^src/legacy/',
  // foundation files at the top of src/
  base: '^src/(config|errors|logging|version|secrets-file)[.]ts$',
};

/** "files in `from` may import only `allowed` (and their own layer)". */
function layer(name, from, allowed, comment) {
  return {
    name: `layer-${name}`,
    comment,
    severity: 'error',
    from: { path: from },
    to: { path: '^src/', pathNot: [from, ...allowed] },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles, type-only edges included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    layer('entry', L.entry, ['^src/'], 'entry (cli/, cli.ts, server.ts, startup.ts): the composition root, config and anything below'),
    layer(
      'composition-root',
      L.root,
      [L.console, L.domains, L.storage, L.http, L.db, L.security, L.adapters, L.httpClient, L.base],
      'composition root: the migration console, domains, storage, http, db, foundations',
    ),
    layer(
      'http',
      L.http,
      [L.security, L.legacy, L.base],
      'http (auth hook, errors, transport): security and foundations (the legacy file error it maps); never a domain',
    ),
    layer(
      'domains',
      L.domains,
      [L.domains, L.storage, L.db, L.security, L.adapters, L.httpClient, L.http, L.legacy, L.base],
      'domains: storage, db, security, adapters, the http helpers, legacy formats (json stores), foundations',
    ),
    layer(
      'console',
      L.console,
      [L.migration, L.domains, L.storage, L.http, L.db, L.security, L.legacy, L.base],
      'migration console (console/: its routes, import job, quarantine review over HTTP): migration and everything it may use, the http helpers',
    ),
    layer(
      'migration',
      L.migration,
      [L.domains, L.storage, L.db, L.legacy, L.security, L.base],
      'migration: domains (stores, codecs, types), storage, db, legacy, security, foundations; never cli/',
    ),
    layer(
      'storage',
      L.storage,
      [L.db, L.legacy, L.security, L.base],
      'storage (phases, phased store, store context): db, legacy, security, foundations; never a domain',
    ),
    layer(
      'adapters',
      L.adapters,
      [L.httpClient, L.security, L.base],
      'adapters (download-clients/, indexer-clients/, metadata-clients/): the shared http client, security, foundations',
    ),
    layer('http-client', L.httpClient, [L.security, L.base], 'the outbound HTTP client the adapters share: security, foundations'),
    layer('db', L.db, [L.base], 'db: config, errors and itself'),
    layer('security', L.security, [L.base], 'security: foundations only'),
    layer('legacy', L.legacy, [L.security], 'legacy formats: a leaf (security for the legacy ciphers only)'),
    layer('base', L.base, [L.db, L.phaseList], 'config/errors/logging: one another, db types (Engine) and the phase list'),
    {
      name: 'phase-list-is-a-leaf',
      comment: 'storage/phase-list.ts is read by config.ts, so it imports nothing.',
      severity: 'error',
      from: { path: L.phaseList },
      to: { path: '^src/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
  },
};
