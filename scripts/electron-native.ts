// Builds better-sqlite3 for Electron's ABI into dist/native/, beside (never over) the Node build the tests use.
// Needs Electron's headers (network) and an Electron binary; verifies the result by loading it in Electron.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const out = join(root, 'dist/native/better-sqlite3');
export const ELECTRON_SQLITE_BINDING = join(out, 'build/Release/better_sqlite3.node');
const electronVersion = (createRequire(import.meta.url)('electron/package.json') as { version: string }).version;
const stamp = join(out, 'electron-version.txt');

if (existsSync(ELECTRON_SQLITE_BINDING) && existsSync(stamp) && readFileSync(stamp, 'utf8') === electronVersion) process.exit(0);

rmSync(out, { recursive: true, force: true });
cpSync(join(root, 'node_modules/better-sqlite3'), out, { recursive: true, filter: (p) => !p.includes('/build/') });
// A global nodedir (npm config) makes node-gyp build for Node's ABI while reporting success: clear it.
const env = { ...process.env, npm_config_nodedir: '', NPM_CONFIG_NODEDIR: '' };
execFileSync(join(root, 'node_modules/.bin/node-gyp'),
  ['rebuild', '--release', `--target=${electronVersion}`, '--dist-url=https://electronjs.org/headers', `--directory=${out}`],
  { stdio: 'inherit', env });
const electron = createRequire(import.meta.url)('electron') as string;
execFileSync(electron, ['-e', `require(${JSON.stringify(ELECTRON_SQLITE_BINDING)})`], { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'inherit' });
execFileSync('sh', ['-c', `printf %s ${electronVersion} > ${stamp}`]);
console.log(`better-sqlite3 built for Electron ${electronVersion}: ${ELECTRON_SQLITE_BINDING}`);
