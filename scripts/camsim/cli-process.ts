// camsim's CLI run as a child process, the way an installer runs it (tests, benchmarks): the manifest line it prints.
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { FleetManifest } from './fleet';

/** Resolves with the manifest once the fleet is up; rejects, with the end of camsim's stderr, if it exits first or takes longer than `timeoutMs`. */
export function readManifest(p: ChildProcessByStdio<null, Readable, Readable>, timeoutMs: number): Promise<FleetManifest> {
  let out = '';
  let err = '';
  p.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  return new Promise<FleetManifest>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`camsim did not start:\n${err}`)), timeoutMs);
    p.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) { clearTimeout(t); res(JSON.parse(line) as FleetManifest); }
    });
    p.once('exit', (c) => { clearTimeout(t); rej(new Error(`camsim exited ${c}:\n${err}`)); });
  });
}
