import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';

export interface InstanceSecrets {
  jwtSecret: string;
  encryptionKey: string;
}

/**
 * JWT_SECRET and ENCRYPTION_KEY from the environment, or else from `<data>/secrets.json`
 * (mode 0600), generated on first start so `npm start` works with no setup. Losing that file
 * means stored secrets cannot be decrypted: backups include it.
 */
export function ensureInstanceSecrets(config: Config): InstanceSecrets & { generated: boolean; file: string } {
  const file = join(config.dataDir, 'secrets.json');
  let stored: Partial<InstanceSecrets> = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<InstanceSecrets>;
    } catch {
      throw new Error(`${file} is not valid JSON; restore it from a backup (it holds the keys that decrypt stored secrets)`);
    }
  }
  let generated = false;
  const next: InstanceSecrets = {
    jwtSecret: stored.jwtSecret ?? '',
    encryptionKey: stored.encryptionKey ?? '',
  };
  if (!config.jwtSecret && !next.jwtSecret) {
    next.jwtSecret = randomBytes(48).toString('base64url');
    generated = true;
  }
  if (!config.encryptionKey && !next.encryptionKey) {
    next.encryptionKey = randomBytes(48).toString('base64url');
    generated = true;
  }
  if (generated) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(next, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return {
    jwtSecret: config.jwtSecret ?? next.jwtSecret,
    encryptionKey: config.encryptionKey ?? next.encryptionKey,
    generated,
    file,
  };
}
