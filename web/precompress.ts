import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|map)$/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

/**
 * Writes NAME.br and NAME.gz next to each text file of the build, once, at build time: the
 * server (@fastify/static preCompressed) sends them to browsers that accept them, so no
 * response is compressed per request. Prints the bundle's total sizes.
 */
export function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'mediaos-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      let raw = 0;
      let br = 0;
      let gz = 0;
      for (const path of files(outDir)) {
        if (!COMPRESSIBLE.test(path)) continue;
        const data = readFileSync(path);
        const b = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
        const g = gzipSync(data, { level: 9 });
        writeFileSync(`${path}.br`, b);
        writeFileSync(`${path}.gz`, g);
        raw += data.length;
        br += b.length;
        gz += g.length;
      }
      const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
      console.log(`web app bundle (${relative(process.cwd(), outDir)}): ${kb(raw)} raw, ${kb(gz)} gzip, ${kb(br)} brotli`);
    },
  };
}
