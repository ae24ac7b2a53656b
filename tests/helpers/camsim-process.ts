// camsim as its own process (the way an installer runs it), with its manifest and control endpoint.
import { spawn } from 'node:child_process';
import { readManifest } from '../../scripts/camsim/cli-process';
import type { FleetManifest } from '../../scripts/camsim/fleet';
import type { RtspServerStats } from '../../scripts/camsim/rtsp/rtsp-server';
import { endProcess } from './child-process';
import { ROOT } from './station-process';
import { entryArgs } from './test-bundles';
import type { TalkRecord } from '../../scripts/camsim/talk';

export interface CamsimProcess {
  manifest: FleetManifest;
  fault(device: string, fault: Record<string, unknown>): Promise<void>;
  /** Raises an event on the device through camsim's control endpoint. */
  event(device: string, event: { kind: string; channel?: number; state?: boolean; value?: number }): Promise<void>;
  /** POST /devices/:id/scene: hold the picture still and/or draw motion in a region (see scripts/camsim/README.md). */
  scene(device: string, scene: { channel?: number; still?: boolean; motion?: { x: number; y: number; w: number; h: number } | null }): Promise<void>;
  /** GET /stats: the fleet's RTSP counters added up (frames sent, frames dropped to slow clients). */
  stats(): Promise<RtspServerStats>;
  /** GET /devices/:id/talk: what clients said to each channel's speaker (scripts/camsim/talk.ts). */
  talks(device: string): Promise<{ channel: number; speaker: boolean; talks: TalkRecord[] }[]>;
  stop(): Promise<void>;
}

export async function startCamsim(args: string[]): Promise<CamsimProcess> {
  const p = spawn(process.execPath, [...entryArgs('camsim'), '--subnet', 'random', '--control-port', '0', ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A camsim that never came up is killed, not left running.
  const manifest = await readManifest(p, 60_000).catch((err: unknown) => { p.kill('SIGKILL'); throw err; });
  /** POSTs to the device's control endpoint `path`; `what` names the request in an error. */
  const post = async (device: string, path: string, what: string, body: object) => {
    const r = await fetch(`${manifest.control!}/devices/${device}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`camsim ${what} ${JSON.stringify(body)} on ${device}: ${r.status} ${await r.text()}`);
  };
  return {
    manifest,
    fault: (device, fault) => post(device, 'fault', 'fault', fault),
    event: (device, event) => post(device, 'events', 'event', event),
    scene: (device, scene) => post(device, 'scene', 'scene', scene),
    stats: async () => (await (await fetch(`${manifest.control!}/stats`)).json()) as RtspServerStats,
    talks: async (device) => (await (await fetch(`${manifest.control!}/devices/${device}/talk`)).json()) as { channel: number; speaker: boolean; talks: TalkRecord[] }[],
    stop: async () => void (await endProcess(p, 'SIGTERM')),
  };
}
