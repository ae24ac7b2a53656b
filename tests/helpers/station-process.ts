// Starts the real `npm run station` entry (electron/core/cli.ts, bundled in a test run: test-bundles.ts; scripts/demo.ts
// under tsx for --demo) on a temp data folder and port 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { endProcess } from './child-process';
import { entryArgs } from './test-bundles';
import { wsClient } from './ws-client';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface StationProcess {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

export function requireBuiltRenderer(): void {
  if (!existsSync(join(ROOT, 'dist/renderer/index.html'))) throw new Error('no built renderer: run `npm run build` first (npm test does)');
}

export function runStationCli(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): ChildProcess {
  // One process (no tsx wrapper), so signals and the pid are the station's own; --demo is `npm run demo`'s entry, from
  // its sources: bundled with cli.ts, both files' "am I the entry" checks would see the one file and start two stations.
  const entry = args.includes('--demo') ? ['--import', 'tsx', join(ROOT, 'scripts/demo.ts')] : entryArgs('station');
  return spawn(process.execPath, [...nodeArgs, ...entry, ...args.filter((a) => a !== '--demo')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * `nodeArgs` go to node itself, e.g. ['--cpu-prof'] for a profile of the station. The station is signed in to as the test
 * administrator (made on its first start, see auth.ts), so connections and pages the helpers open need no sign-in;
 * `signIn: false` leaves a new station at its first-administrator page.
 */
export async function startStation(opts: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv; nodeArgs?: string[]; signIn?: boolean } = {}): Promise<StationProcess> {
  requireBuiltRenderer();
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wp-station-'));
  const proc = runStationCli(['--data-dir', dataDir, '--port', '0', ...(opts.args ?? [])], opts.env, opts.nodeArgs);
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`station did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /Watchpost station (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); res(m[1]!); }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => { clearTimeout(timer); rej(new Error(`station exited ${code}:\n${out}`)); });
  }).catch((err: unknown) => { proc.kill('SIGKILL'); throw err; });
  const u = new URL(url);
  // One connection signs in (see auth.ts) and closes; the sign-in stays for later ones.
  if (opts.signIn !== false) await wsClient(url).then((ws) => ws.close(), (err: unknown) => { proc.kill('SIGKILL'); throw err; });
  return {
    url, dataDir, proc,
    origin: u.origin,
    token: u.searchParams.get('token')!,
    output: () => out,
    stop: () => endProcess(proc, 'SIGTERM'),
  };
}

export function exitOf(proc: ChildProcess): Promise<{ code: number | null; out: string }> {
  let out = '';
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (out += d));
  return new Promise((res) => proc.once('exit', (code) => res({ code, out })));
}
