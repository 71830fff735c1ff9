import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { redactUrl, type Config } from './config.js';
import { buildApp } from './app.js';
import { createContext, prepareDatabase } from './runtime.js';
import { REDACT_PATHS } from './logging.js';
import { runStartupHooks } from './startup.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** `mediaos serve`: migrate (with a backup when needed), build the app, listen, shut down cleanly. */
export async function startServer(config: Config, opts: { print?: (line: string) => void } = {}): Promise<RunningServer> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const log = pino({ level: config.logLevel, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
  const prepared = await prepareDatabase(config);
  if (prepared.backup) print(`backup of the database before migrating: ${prepared.backup}`);
  for (const r of prepared.migrated) print(`migration ${r.name}: ${r.status}`);
  const { db } = prepared;
  let ctx;
  try {
    await runStartupHooks(config, db, print);
    ctx = await createContext(config, db, log);
  } catch (err) {
    await db.close();
    throw err;
  }
  const app = await buildApp(ctx);
  app.server.keepAliveTimeout = 65_000;
  app.server.requestTimeout = 120_000;
  const address = await app.listen({ host: config.host, port: config.port });
  const where = config.engine === 'sqlite' ? config.databaseLocation : redactUrl(config.databaseUrl);
  print(`MediaOS ${ctx.version} listening on ${address} (${config.engine}: ${where}; storage phase ${ctx.phase})`);
  let closing: Promise<void> | undefined;
  return {
    app,
    url: address,
    close() {
      closing ??= (async () => {
        await app.close();
        await db.close();
      })();
      return closing;
    },
  };
}
