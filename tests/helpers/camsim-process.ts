// camsim as its own process (the way an installer runs it), with its manifest and control endpoint.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { FleetManifest } from '../../scripts/camsim/fleet';
import { ROOT } from './station-process';

export interface CamsimProcess {
  manifest: FleetManifest;
  fault(device: string, fault: Record<string, unknown>): Promise<void>;
  /** Raises an event on the device through camsim's control endpoint. */
  event(device: string, event: { kind: string; channel?: number; state?: boolean; value?: number }): Promise<void>;
  /** POST /devices/:id/scene: hold the picture still and/or draw motion in a region (see scripts/camsim/README.md). */
  scene(device: string, scene: { channel?: number; still?: boolean; motion?: { x: number; y: number; w: number; h: number } | null }): Promise<void>;
  stop(): Promise<void>;
}

export async function startCamsim(args: string[]): Promise<CamsimProcess> {
  const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/camsim/cli.ts'), '--subnet', 'random', '--control-port', '0', ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  const manifest = await new Promise<FleetManifest>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`camsim did not start:\n${err}`)), 60_000);
    p.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && out.includes('\n')) { clearTimeout(t); res(JSON.parse(line) as FleetManifest); }
    });
    p.once('exit', (c) => { clearTimeout(t); rej(new Error(`camsim exited ${c}:\n${err}`)); });
  });
  return {
    manifest,
    async fault(device, fault) {
      const r = await fetch(`${manifest.control!}/devices/${device}/fault`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
      if (!r.ok) throw new Error(`camsim fault ${JSON.stringify(fault)} on ${device}: ${r.status} ${await r.text()}`);
    },
    async event(device, event) {
      const r = await fetch(`${manifest.control!}/devices/${device}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
      if (!r.ok) throw new Error(`camsim event ${JSON.stringify(event)} on ${device}: ${r.status} ${await r.text()}`);
    },
    async scene(device, scene) {
      const r = await fetch(`${manifest.control!}/devices/${device}/scene`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(scene) });
      if (!r.ok) throw new Error(`camsim scene ${JSON.stringify(scene)} on ${device}: ${r.status} ${await r.text()}`);
    },
    stop: () => new Promise((res) => { if (p.exitCode !== null) return res(); p.once('exit', () => res()); p.kill('SIGTERM'); }),
  };
}

/** rtsp://admin:…@… for a manifest stream URL. */
export function withCredentials(url: string, c: { username: string; password: string }): string {
  const u = new URL(url);
  u.username = c.username;
  u.password = c.password;
  return u.toString();
}
