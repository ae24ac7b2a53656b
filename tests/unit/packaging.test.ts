// What the installers carry: every file the app loads at run time (read from the built bundles, not a hand list)
// is matched by electron-builder.json's patterns, with electron-builder's own matchers; native code is unpacked
// from the asar; the packages the bundles import are production dependencies; `npm run package` stops in one
// line where Electron's binary cannot be had.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import config from '../../electron-builder.json' with { type: 'json' };
import pkg from '../../package.json' with { type: 'json' };
import { outsideAsar } from '../../electron/core/media/ffmpeg';
import { electronCacheRoot, findCachedZip, installedElectron, targetFlag } from '../../scripts/package';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
type Filter = (file: string, stat: { isDirectory(): boolean; moduleFullFilePath?: string }) => boolean;
interface Matcher { createFilter(): Filter }
const fileMatcher = require('app-builder-lib/out/fileMatcher') as {
  getMainFileMatchers(appDir: string, to: string, expand: (s: string) => string, platformOptions: object, packager: object, outDir: string, compile: boolean): Matcher[];
  getNodeModuleFileMatcher(appDir: string, to: string, expand: (s: string) => string, platformOptions: object, packager: object): { patterns: string[] };
  getFileMatchers(config: object, name: string, to: string, options: object): Matcher[] | null;
  FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => Matcher;
};
// The minimatch electron-builder itself uses (its own copy, not the project's).
const { minimatch } = createRequire(require.resolve('app-builder-lib/package.json'))('minimatch') as { minimatch(p: string, g: string, o?: object): boolean };

type BuilderConfig = typeof config & { files: string[] };
const same = (s: string) => s;
const stat = (dir: boolean) => ({ isDirectory: () => dir });

/** Whether electron-builder copies `rel` (a path from the project root) into the app: every folder on the way and the file pass. */
function packagedBy(cfg: BuilderConfig): (rel: string) => boolean {
  const info = { projectDir: ROOT, buildResourcesDir: cfg.directories.buildResources, isPrepackedAppAsar: false, config: cfg, debugLogger: { isEnabled: false } };
  const matchers = fileMatcher.getMainFileMatchers(ROOT, '/app', same, cfg.linux, { info }, join(ROOT, cfg.directories.output), false);
  expect(matchers).toHaveLength(1);
  const filter = matchers[0]!.createFilter();
  return (rel) => rel.split('/').every((_, i, parts) => filter(join(ROOT, ...parts.slice(0, i + 1)), stat(i < parts.length - 1)));
}

/** Whether a file of a production dependency (node_modules/<name>/…) is copied. */
function nodeModulePackaged(rel: string): boolean {
  const { patterns } = fileMatcher.getNodeModuleFileMatcher(ROOT, '/app', same, config.linux, { config, debugLogger: { isEnabled: false } });
  const dep = rel.split('/').slice(0, 2).join('/');
  const filter = new fileMatcher.FileMatcher(join(ROOT, dep), '/app', same, patterns).createFilter();
  return filter(join(ROOT, rel), { ...stat(false), moduleFullFilePath: rel });
}

function unpacked(rel: string): boolean {
  const [matcher] = fileMatcher.getFileMatchers(config, 'asarUnpack', '/app', { macroExpander: same, customBuildOptions: {}, globalOutDir: join(ROOT, 'dist/package'), defaultSrc: ROOT }) ?? [];
  return matcher!.createFilter()(join(ROOT, rel), { ...stat(false), moduleFullFilePath: rel.startsWith('node_modules/') ? rel : undefined });
}

function filesUnder(rel: string): string[] {
  return readdirSync(join(ROOT, rel), { recursive: true, encoding: 'utf8' })
    .map((f) => posix.join(rel, f.split('\\').join('/')))
    .filter((f) => statSync(join(ROOT, f)).isFile());
}

/** One argument of a join(): a string literal as is, a template's `${…}` and anything computed as `*`. */
function argGlob(arg: string): string {
  const a = arg.trim();
  if (/^"[^"]*"$/.test(a)) return JSON.parse(a) as string;
  if (/^`[^`]*`$/.test(a)) return a.slice(1, -1).replace(/\$\{[^}]*\}/g, '*');
  return '*';
}

/**
 * The paths the main bundle builds from its own location (`here` = fileURLToPath(new URL('.', import.meta.url)))
 * with join(here, …) — directly or through a variable that holds such a join — as globs from the project root.
 * A folder that only serves as the base of further joins is not itself a run-time path.
 */
function runtimePaths(bundleRel: string): string[] {
  const src = readFileSync(join(ROOT, bundleRel), 'utf8');
  const dirs = new Map<string, string>();
  for (const m of src.matchAll(/(?:var|let|const) (\w+) = fileURLToPath\w*\(new URL\("\.", import\.meta\.url\)\)/g)) dirs.set(m[1]!, posix.dirname(bundleRel));
  const joins = [...src.matchAll(/(?:(?:var|let|const) (\w+) = )?\bjoin\d*\(\s*(\w+)\s*,([^()]*)\)/g)];
  const paths = new Map<string, string>();
  for (let changed = true; changed;) {
    changed = false;
    for (const [text, name, base, args] of joins) {
      const from = dirs.get(base!);
      if (from === undefined || paths.has(text)) continue;
      const path = posix.join(from, ...args!.split(',').map(argGlob));
      paths.set(text, path);
      if (name) dirs.set(name, path);
      changed = true;
    }
  }
  const all = [...paths.values()];
  return [...new Set(all)].filter((p) => !all.some((q) => q !== p && q.startsWith(`${p}/`)));
}

/** The bare package names a bundle imports or requires at run time (node built-ins left out). */
function importedPackages(bundle: string): string[] {
  const specs = [...bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\b(?:__)?require\s*\(\s*|\bcreateRequire\w*\([^)]*\)\s*\(\s*)"(@?[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9._-]+)*)"/g)].map((m) => m[1]!);
  const names = specs.map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!));
  return [...new Set(names)].filter((n) => !n.startsWith('node:') && !builtinModules.includes(n)).sort();
}

const included = packagedBy(config);
let runtime: string[] = [];

beforeAll(() => {
  execFileSync('npm', ['run', '-s', 'build:electron'], { cwd: ROOT, stdio: 'pipe' });
  if (!existsSync(join(ROOT, 'dist/renderer/index.html'))) execFileSync('npm', ['run', '-s', 'build:renderer'], { cwd: ROOT, stdio: 'pipe' });
  runtime = runtimePaths(pkg.main);
}, 180_000);

describe('the files electron-builder packs', () => {
  it('finds the run-time paths in the main bundle (the scan really reads it)', () => {
    expect(pkg.main).toBe('dist/electron/main.mjs');
    expect(runtime).toEqual(expect.arrayContaining([
      'dist/electron/preload.cjs', 'dist/renderer', 'dist/native/better-sqlite3/build/Release/better_sqlite3.node',
    ]));
  });

  it('includes every file the app loads at run time', () => {
    const missing: string[] = [];
    const check = (rel: string) => { if (!included(rel)) missing.push(rel); };
    check('package.json');
    check(pkg.main);
    for (const path of runtime) {
      if (path.includes('*')) {
        const base = path.slice(0, path.indexOf('*')).replace(/\/[^/]*$/, '');
        const found = filesUnder(base).filter((f) => minimatch(f, path, { dot: true }));
        expect(found, `${path} matches no file`).not.toHaveLength(0);
        found.forEach(check);
      } else if (existsSync(join(ROOT, path)) && statSync(join(ROOT, path)).isDirectory()) {
        filesUnder(path).filter((f) => !f.endsWith('.map')).forEach(check);
      } else {
        check(path); // the Electron-built binding exists only where scripts/electron-native.ts ran; its path is checked
      }
    }
    const html = readFileSync(join(ROOT, 'dist/renderer/index.html'), 'utf8');
    const refs = [...html.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => `dist/renderer/${m[1]}`);
    expect(refs.length).toBeGreaterThan(1);
    for (const ref of refs) expect(existsSync(join(ROOT, ref)), ref).toBe(true);
    refs.forEach(check);
    expect(missing).toEqual([]);
  });

  it('a pattern list without dist/renderer misses index.html (the check can fail)', () => {
    const without = packagedBy({ ...config, files: config.files.filter((f) => !f.startsWith('dist/renderer')) });
    expect(without('dist/renderer/index.html')).toBe(false);
    expect(without('dist/electron/preload.cjs')).toBe(true);
    expect(included('dist/renderer/index.html')).toBe(true);
  });

  it('leaves out what the app does not load: sources, source maps, the build resources, the icon sources', () => {
    for (const rel of ['electron/main/index.ts', 'dist/electron/main.mjs.map', 'resources/icon.svg', 'resources/icon.png', 'scripts/package.ts', 'node_modules/vite/package.json']) {
      expect(included(rel), rel).toBe(false);
    }
    expect(included('resources/tray/tray.png')).toBe(true);
  });

  it('unpacks native code from the asar: the Electron-built better-sqlite3 and ffmpeg-static', () => {
    expect(unpacked('dist/native/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    expect(unpacked('node_modules/ffmpeg-static/ffmpeg')).toBe(true);
    expect(unpacked('dist/electron/main.mjs')).toBe(false); // onlyLoadAppFromAsar: the code stays in the archive
  });

  it("ships better-sqlite3's JavaScript but not its Node-ABI build or its C sources", () => {
    expect(nodeModulePackaged('node_modules/better-sqlite3/lib/database.js')).toBe(true);
    expect(nodeModulePackaged('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(false);
    expect(nodeModulePackaged('node_modules/better-sqlite3/deps/sqlite3/sqlite3.c')).toBe(false);
    expect(nodeModulePackaged('node_modules/ffmpeg-static/index.js')).toBe(true);
  });

  it('finds ffmpeg-static outside the asar in an installed app', () => {
    expect(outsideAsar('/opt/Watchpost/resources/app.asar/node_modules/ffmpeg-static/ffmpeg')).toBe('/opt/Watchpost/resources/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg');
    expect(outsideAsar('C:\\Watchpost\\resources\\app.asar\\node_modules\\ffmpeg-static\\ffmpeg.exe')).toBe('C:\\Watchpost\\resources\\app.asar.unpacked\\node_modules\\ffmpeg-static\\ffmpeg.exe');
    expect(outsideAsar('/work/node_modules/ffmpeg-static/ffmpeg')).toBe('/work/node_modules/ffmpeg-static/ffmpeg');
  });
});

describe('the packages the bundles import', () => {
  const deps = { ...pkg.dependencies, ...pkg.optionalDependencies } as Record<string, string>;

  it('are production dependencies, so electron-builder ships them', () => {
    const main = importedPackages(readFileSync(join(ROOT, 'dist/electron/main.mjs'), 'utf8'));
    const preload = importedPackages(readFileSync(join(ROOT, 'dist/electron/preload.cjs'), 'utf8'));
    expect(main).toEqual(expect.arrayContaining(['better-sqlite3', 'electron', 'ffmpeg-static', 'pino', 'ws', 'zod']));
    expect(preload).toEqual(['electron']);
    const notShipped = [...main, ...preload].filter((n) => n !== 'electron' && !deps[n]);
    expect(notShipped).toEqual([]);
    expect(pkg.devDependencies.electron).toBeDefined(); // electron-builder takes Electron's version from devDependencies
  });

  it('the scan catches a development-only import', () => {
    const names = importedPackages('import { build } from "vite";\nconst x = createRequire(import.meta.url)("ffmpeg-static");\nimport "node:fs";\nimport "./local.js";');
    expect(names).toEqual(['ffmpeg-static', 'vite']);
    expect(names.filter((n) => !deps[n])).toEqual(['vite']);
  });
});

describe('npm run package without an Electron binary', () => {
  const temps: string[] = [];
  const temp = () => { const d = mkdtempSync(join(tmpdir(), 'wp-pkg-')); temps.push(d); return d; };
  afterAll(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });
  const tsx = join(ROOT, 'node_modules/.bin/tsx');
  const zip = `electron-v${pkg.devDependencies.electron}-${process.platform}-${process.arch}.zip`;

  it('stops in one line naming the missing binary and the version to download, and exits 1', () => {
    // The script in a project whose node_modules/electron has no dist/, with an empty download cache.
    const project = temp();
    mkdirSync(join(project, 'scripts'));
    cpSync(join(ROOT, 'scripts/package.ts'), join(project, 'scripts/package.ts'));
    mkdirSync(join(project, 'node_modules/electron'), { recursive: true });
    writeFileSync(join(project, 'node_modules/electron/package.json'), JSON.stringify({ version: pkg.devDependencies.electron }));
    const r = spawnSync(tsx, [join(project, 'scripts/package.ts')], { cwd: project, encoding: 'utf8', env: { ...process.env, electron_config_cache: temp() } });
    expect(r.status).toBe(1);
    const lines = `${r.stdout}${r.stderr}`.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`no Electron ${pkg.devDependencies.electron} binary \\(none in node_modules/electron/dist, no ${zip.replaceAll('.', '\\.')} in `));
    expect(lines[0]).toContain(`packaging needs a machine that can download Electron ${pkg.devDependencies.electron}`);
    expect(existsSync(join(project, 'dist'))).toBe(false); // nothing was built
  });

  it.skipIf(installedElectron(join(ROOT, 'node_modules/electron')) !== undefined)('npm run package here says the same', () => {
    const r = spawnSync('npm', ['run', '-s', 'package'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const lines = `${r.stdout}${r.stderr}`.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`no Electron ${pkg.devDependencies.electron} binary`);
  });

  it("finds Electron's zip in @electron/get's cache (a folder per download URL) and its binary in node_modules", () => {
    const cache = temp();
    expect(findCachedZip(cache, zip)).toBeUndefined();
    mkdirSync(join(cache, 'a1b2c3'));
    writeFileSync(join(cache, 'a1b2c3', zip), '');
    expect(findCachedZip(cache, zip)).toBe(join(cache, 'a1b2c3', zip));
    expect(electronCacheRoot({ electron_config_cache: '/c' })).toBe('/c');
    expect(electronCacheRoot({}, 'linux', '/home/u')).toBe('/home/u/.cache/electron');
    expect(electronCacheRoot({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Caches/electron');
    const electronDir = temp();
    expect(installedElectron(electronDir)).toBeUndefined();
    mkdirSync(join(electronDir, 'dist'));
    writeFileSync(join(electronDir, 'path.txt'), 'electron');
    writeFileSync(join(electronDir, 'dist', 'electron'), '');
    expect(installedElectron(electronDir)).toBe(join(electronDir, 'dist', 'electron'));
  });

  it('builds the host platform, and says why another one cannot be built here', () => {
    expect(targetFlag([], 'linux')).toEqual({ flag: '--linux' });
    expect(targetFlag(['--mac'], 'darwin')).toEqual({ flag: '--mac' });
    expect(targetFlag(['--win'], 'linux').why).toMatch(/--win installers are built on Windows .*this one builds Linux/);
    expect(targetFlag([], 'aix').why).toMatch(/no installer target for this platform \(aix\)/);
  });
});
