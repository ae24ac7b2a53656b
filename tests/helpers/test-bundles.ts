// The processes tests start (a station, camsim) run from one file each, bundled by esbuild once per test run (vitest's
// global set-up), as the desktop app bundles the core (scripts/build-electron.ts). Under tsx a process loads its few
// hundred modules one by one: a station was up about 1.5 s later on 2 cores, and the e2e suite starts some fifty.
import { renameSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
/** Three folders down from the root, like electron/core/cli.ts, which finds dist/renderer from where it is. */
const DIR = join(ROOT, 'dist/test');
const ENTRIES = { station: 'electron/core/cli.ts', camsim: 'scripts/camsim/cli.ts' } as const;
/** Set once this run's bundles are made; scripts (the benches) that start these processes run the sources. */
const BUILT = 'WATCHPOST_TEST_BUNDLES';

/** Bundles every entry, each written aside and renamed, so a process starting meanwhile (another run) reads a whole file. */
export async function buildTestBundles(): Promise<void> {
  const { build } = await import('esbuild');
  await Promise.all(Object.entries(ENTRIES).map(async ([name, entry]) => {
    const out = join(DIR, `${name}.mjs`);
    const tmp = `${out}.${process.pid}.tmp`;
    await build({
      entryPoints: [join(ROOT, entry)], outfile: tmp, bundle: true, platform: 'node', format: 'esm', target: 'node22',
      packages: 'external', sourcemap: 'inline', logLevel: 'warning',
    });
    renameSync(tmp, out);
  }));
  process.env[BUILT] = DIR;
}

/** node's arguments that run `name`: its bundle when this run made one, else its sources under tsx. */
export function entryArgs(name: keyof typeof ENTRIES): string[] {
  return process.env[BUILT] === DIR ? ['--enable-source-maps', join(DIR, `${name}.mjs`)] : ['--import', 'tsx', join(ROOT, ENTRIES[name])];
}
