// Bundles the Electron main process (ESM) and the sandboxed preload (one CommonJS file, only 'electron' external).
import { build } from 'esbuild';

await Promise.all([
  build({
    entryPoints: ['electron/main/index.ts'],
    outfile: 'dist/electron/main.mjs',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  }),
  build({
    entryPoints: ['electron/preload/index.ts'],
    outfile: 'dist/electron/preload.cjs',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
  }),
]);
