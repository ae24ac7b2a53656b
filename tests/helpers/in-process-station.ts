// A station in the test's own process (createStation), for integration tests: on a temp data folder, optionally served
// on loopback with a stub renderer, and a client that keeps what the station sends a renderer. All closed after the file.
import dgram from 'node:dgram';
import net from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { decodeMediaFrame, type MediaFrame } from '../../electron/contract';
import { startLoopbackServer, type LoopbackServer } from '../../electron/core/server/loopback-server';
import { createStation, type Station, type StationOptions } from '../../electron/core/station';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import type { Fleet } from '../../scripts/camsim/fleet';
import { originOf, rememberSignIn, signInAsTestAdmin, TEST_ADMIN } from './auth';
import type { FileScope } from './fixtures';

export type InProcessOptions = Omit<StationOptions, 'dataDir' | 'mode' | 'secrets'>;

/** A browser-mode station keeping its data and secrets in `dataDir`, not yet closed by any scope. */
export function openStation(dataDir: string, options: InProcessOptions = {}): Promise<Station> {
  return createStation({ dataDir, mode: 'browser', secrets: nodeSecretStore(dataDir), ...options });
}

/** A station on `dataDir` (e.g. scope.tempDir(…)), disposed after the file. */
export async function startStationIn(scope: FileScope, dataDir: string, options: InProcessOptions = {}): Promise<{ st: Station; dataDir: string }> {
  return { st: scope.add(await openStation(dataDir, options)), dataDir };
}

/** A station syncing privacy with the cloud at `cloudUrl`, retries capped at 400 ms; disposed after the file unless a test did. */
export async function privacyStation(scope: FileScope, cloudUrl: string, dataDir: string): Promise<Station> {
  const st = await openStation(dataDir, { cloudUrl, heartbeatMs: 60_000, privacy: { retryCapMs: 400, syncEveryMs: 60_000 } });
  scope.defer(() => st.dispose().catch(() => {}));
  return st;
}

export interface ServedStation {
  station: Station;
  server: LoopbackServer;
  close(): Promise<void>;
}

/** A temp folder with a stub renderer in r/, for serveStation; removed after the file. */
export function servedStationDir(scope: FileScope, prefix: string): string {
  const dir = scope.tempDir(prefix);
  mkdirSync(join(dir, 'r'));
  writeFileSync(join(dir, 'r', 'index.html'), '<!doctype html>');
  return dir;
}

/** A station on `dir`/data served on loopback with `dir`/r as its renderer (see servedStationDir). */
export async function serveStation(dir: string, options: InProcessOptions = {}): Promise<ServedStation> {
  const station = await openStation(join(dir, 'data'), options);
  const server = await startLoopbackServer({ station, rendererDir: join(dir, 'r') });
  return {
    station, server,
    async close() {
      await server.close();
      await station.dispose();
    },
  };
}

export interface MediaClient {
  ws: WebSocket;
  /** The station's raw Result. */
  call(name: string, input: unknown): Promise<any>;
  frames: MediaFrame[];
  events: { name: string; payload: any }[];
  /** Every text message received, results and events alike. */
  texts: string[];
}

/**
 * A renderer-like connection to a served station that keeps every media frame, event and text message (in `texts`, which
 * clients may share), signed in as the test administrator unless `signIn` is false (see auth.ts); closed after the file.
 */
export async function mediaClient(scope: FileScope, server: LoopbackServer, texts: string[] = [], opts: { signIn?: boolean } = {}): Promise<MediaClient> {
  const ws = scope.add(new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`));
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  const pending = new Map<number, (v: unknown) => void>();
  let id = 1;
  const c: MediaClient = {
    ws, frames: [], events: [], texts,
    call: (name, input) => new Promise((res) => { const n = id++; pending.set(n, res); ws.send(JSON.stringify({ t: 'call', id: n, name, input })); }),
  };
  ws.on('message', (data, isBinary) => {
    if (isBinary) return void c.frames.push(decodeMediaFrame(new Uint8Array(data as Buffer)));
    const text = data.toString();
    c.texts.push(text);
    const f = JSON.parse(text);
    if (f.t === 'result') pending.get(f.id)?.(f.result);
    else c.events.push(f);
  });
  if (opts.signIn !== false) await signInAsTestAdmin(originOf(server), c.call);
  return c;
}

/** A renderer-like connection signed in as `name`; throws when the station refuses the sign-in. */
export async function signedInClient(scope: FileScope, server: LoopbackServer, name: string, password: string): Promise<MediaClient> {
  const c = await mediaClient(scope, server, [], { signIn: false });
  const r = await c.call('auth.signIn', { name, password });
  if (!r.ok) throw new Error(`sign-in as ${name} refused: ${r.error.message}`);
  return c;
}

/** The first administrator made over a fresh connection, which stays signed in as them (and later connections resume it). */
export async function firstAdminClient(scope: FileScope, server: LoopbackServer): Promise<MediaClient> {
  const c = await mediaClient(scope, server, [], { signIn: false });
  const r = await c.call('auth.setup', TEST_ADMIN);
  if (!r.ok) throw new Error(`auth.setup refused: ${r.error.message}`);
  await rememberSignIn(originOf(server), r.value.sessionId);
  return c;
}

/** A loopback UDP port free at the moment (for camsim's Hello/Bye to a station that listens there). */
export async function freeUdpPort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const port = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

/** A loopback TCP port nothing listens on at the moment (a closed port for refusals). */
export async function freeTcpPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Where a station probes each camsim device by unicast (WS-Discovery and DHIP), at their addresses now. */
export function unicastTargets(fleet: Fleet): { address: string; wsdPort: number; dhipPort: number }[] {
  return fleet.manifest.devices.map((d) => ({ address: d.ip, wsdPort: d.ports.wsDiscovery, dhipPort: d.ports.dhip }));
}
