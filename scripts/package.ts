// `npm run package [-- --linux|--win|--mac]`: installers in dist/package (electron-builder.json says which).
// Before anything heavy it checks that Electron's binary is here; where it cannot be downloaded it says so in one line.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const TARGETS = { linux: '--linux', win32: '--win', darwin: '--mac' } as const;
type HostPlatform = keyof typeof TARGETS;
const OS: Record<string, string> = { '--linux': 'Linux', '--win': 'Windows', '--mac': 'macOS' };

/** Where @electron/get (electron's postinstall) keeps downloaded zips, one folder per download URL below it. */
export function electronCacheRoot(env: NodeJS.ProcessEnv = process.env, platform = process.platform, home = homedir()): string {
  if (env.electron_config_cache) return env.electron_config_cache;
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'electron');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'electron', 'Cache');
  return join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'electron');
}

/** The cached zip named `zipName` in the cache root or one of its folders, if any. */
export function findCachedZip(cacheRoot: string, zipName: string): string | undefined {
  if (existsSync(join(cacheRoot, zipName))) return join(cacheRoot, zipName);
  let dirs: string[] = [];
  try { dirs = readdirSync(cacheRoot); } catch { return undefined; }
  return dirs.map((d) => join(cacheRoot, d, zipName)).find((p) => existsSync(p));
}

/** Electron's binary as electron's own index.js finds it: node_modules/electron/path.txt names it inside dist/. */
export function installedElectron(electronDir: string): string | undefined {
  try {
    const bin = join(electronDir, 'dist', readFileSync(join(electronDir, 'path.txt'), 'utf8').trim());
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** The target flag for this host, or a sentence saying why the one asked for cannot be built here. */
export function targetFlag(args: string[], host: string): { flag?: string; why?: string } {
  const own = TARGETS[host as HostPlatform];
  if (!own) return { why: `npm run package: no installer target for this platform (${host})` };
  const asked = args.find((a) => Object.values(TARGETS).includes(a as never));
  // better-sqlite3 is compiled for Electron here, so an installer for another OS would carry this OS's binding.
  if (asked && asked !== own) return { why: `npm run package: ${asked} installers are built on ${OS[asked]} (better-sqlite3 is compiled for Electron on the machine that packages); this one builds ${OS[own]} (${own})` };
  return { flag: own };
}

function run(root: string, what: string, file: string, args: string[]): void {
  try {
    execFileSync(file, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' }); // .cmd shims need a shell on Windows
  } catch (err) {
    console.error(`npm run package: ${what} failed (exit ${(err as { status?: number }).status ?? '?'})`);
    process.exit(1);
  }
}

function main(): void {
  const root = resolve(import.meta.dirname, '..');
  const electronDir = join(root, 'node_modules', 'electron');
  const version = (JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string }).version;
  const target = targetFlag(process.argv.slice(2), process.platform);
  if (!target.flag) {
    console.error(target.why);
    process.exit(1);
  }

  if (!installedElectron(electronDir)) {
    const zipName = `electron-v${version}-${process.platform}-${process.arch}.zip`;
    const cache = electronCacheRoot();
    if (!findCachedZip(cache, zipName)) {
      console.error(`npm run package: no Electron ${version} binary (none in node_modules/electron/dist, no ${zipName} in ${cache}); packaging needs a machine that can download Electron ${version}.`);
      process.exit(1);
    }
    run(root, 'unpacking the cached Electron zip', process.execPath, [join(electronDir, 'install.js')]);
  }
  if (!existsSync(join(root, 'node_modules', 'ffmpeg-static', 'package.json'))) {
    console.warn('npm run package: ffmpeg-static is not installed, so the installer carries no ffmpeg (the app then looks for ffmpeg on PATH).');
  }

  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const bin = (name: string) => join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
  run(root, 'the build (npm run build)', npm, ['run', '-s', 'build']);
  run(root, 'better-sqlite3 for Electron (scripts/electron-native.ts)', bin('tsx'), ['scripts/electron-native.ts']);
  run(root, 'electron-builder', bin('electron-builder'), [target.flag, '--publish', 'never']);
  const out = join(root, 'dist', 'package');
  const made = readdirSync(out).filter((f) => /\.(AppImage|deb|exe|dmg)$/.test(f));
  console.log(`npm run package: ${made.map((f) => join('dist', 'package', f)).join(', ')}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
