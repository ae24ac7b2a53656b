// Builds better-sqlite3 for Electron's ABI into dist/native/, beside (never over) the Node build the tests use.
// Needs Electron's headers (network) and an Electron binary; verifies the result by loading it in Electron.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve, sep } from 'node:path';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '..');
const source = join(root, 'node_modules/better-sqlite3');
const out = join(root, 'dist/native/better-sqlite3');
const binding = join(out, 'build/Release/better_sqlite3.node');
const electronVersion = (require('electron/package.json') as { version: string }).version;
const stamp = join(out, 'electron-version.txt');

if (existsSync(binding) && existsSync(stamp) && readFileSync(stamp, 'utf8') === electronVersion) process.exit(0);

rmSync(out, { recursive: true, force: true });
// The sources only: not the Node build (build/), which node-gyp would otherwise reuse.
cpSync(source, out, { recursive: true, filter: (p) => relative(source, p).split(sep)[0] !== 'build' });
// A global nodedir (npm config) makes node-gyp build for Node's ABI while reporting success: clear it.
const env = { ...process.env, npm_config_nodedir: '', NPM_CONFIG_NODEDIR: '' };
execFileSync(process.execPath,
  [require.resolve('node-gyp/bin/node-gyp.js'), 'rebuild', '--release', `--target=${electronVersion}`,
    '--dist-url=https://electronjs.org/headers', `--directory=${out}`],
  { stdio: 'inherit', env });
const electron = require('electron') as string;
execFileSync(electron, ['-e', `require(${JSON.stringify(binding)})`], { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, stdio: 'inherit' });
writeFileSync(stamp, electronVersion);
console.log(`better-sqlite3 built for Electron ${electronVersion}: ${binding}`);
