import { existsSync, readFileSync } from 'node:fs';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import type { TestEngine } from '../helpers/engines.js';

export const QB_PASS = 'qb-Pa55word-unique-7781';
export const SAB_KEY = 'sabkey0123456789abcdef0123456789';
export const NZB_PASS = 'nzb-Pa55-unique-4410';
export const SECRETS = [QB_PASS, SAB_KEY, NZB_PASS];

export interface RouteCtx {
  t: TestApp;
  engine: TestEngine;
  phase: StoragePhase;
  admin: string;
  user: string;
  /** Every response body seen, to check that no secret ever left the server. */
  bodies: string[];
  call(opts: InjectOptions & { token?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export const FIXED_NOW = new Date('2025-01-02T03:04:05.678Z');

export async function routeCtx(engine: TestEngine, phase: StoragePhase): Promise<RouteCtx> {
  const t = await createTestApp({ engine, phase, now: () => FIXED_NOW });
  const admin = (await registerAdmin(t.app)).accessToken;
  const user = (await registerUser(t.app, admin)).accessToken;
  const bodies: string[] = [];
  return {
    t,
    engine,
    phase,
    admin,
    user,
    bodies,
    async call(opts) {
      const { token, ...rest } = opts;
      const res = await t.app.inject({ ...rest, headers: { ...(rest.headers ?? {}), ...(token ? bearer(token) : {}) } } as InjectOptions);
      bodies.push(res.body);
      return res;
    },
    close: () => t.close(),
  };
}

/** Saves download-client settings through the API (as the admin). */
export async function saveDownloaders(c: RouteCtx, body: object): Promise<LightMyRequestResponse> {
  const res = await c.call({ method: 'POST', url: '/api/settings/downloaders', payload: body, token: c.admin });
  expect(res.statusCode).toBe(200);
  return res;
}

/** No secret in any response body, log line, or (SQLite) database file byte. */
export function expectNoSecretLeak(c: RouteCtx, secrets: string[] = SECRETS): void {
  const logs = c.t.logs.join('\n');
  for (const s of secrets) {
    for (const b of c.bodies) expect(b).not.toContain(s);
    expect(logs).not.toContain(s);
  }
  if (c.engine === 'sqlite' && c.t.ctx.db.sqlite) {
    c.t.ctx.db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const file = c.t.ctx.db.target.location;
    for (const path of [file, `${file}-wal`]) {
      if (!existsSync(path)) continue;
      const bytes = readFileSync(path).toString('latin1');
      for (const s of secrets) expect(bytes).not.toContain(s);
    }
  }
}
