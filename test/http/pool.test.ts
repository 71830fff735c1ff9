import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { sqlEngines } from '../helpers/engines.js';

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

for (const engine of sqlEngines()) {
  describe(`1,000 concurrent connections on ${engine}`, () => {
    let t: TestApp;
    afterEach(async () => t?.close());

    it('queue for the database and all succeed; health shows the pool wait', async () => {
      t = await createTestApp({ engine, env: { MEDIAOS_PG_POOL_MAX: '10' } });
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (t.app.server.address() as { port: number }).port;
      const agent = new Agent({ keepAlive: true, maxSockets: 1000 });
      const statuses = await Promise.all(Array.from({ length: 1000 }, () => get(agent, port, '/api/health')));
      agent.destroy();
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      const health = (await t.app.inject({ method: 'GET', url: '/api/health' })).json();
      if (engine === 'postgres') {
        // test databases use a pool of 5 (engines.ts); more requests than connections had to wait
        expect(health.db.pool.acquired).toBeGreaterThanOrEqual(1000);
        expect(health.db.pool.waitMsTotal).toBeGreaterThan(0);
        expect(health.db.pool.size).toBeLessThanOrEqual(health.db.pool.max);
      } else {
        expect(health.db.engine).toBe('sqlite');
      }
    });
  });
}
