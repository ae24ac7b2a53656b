// `npm run station`: the station headless under plain Node, UI served to a browser on loopback.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { resetAdmin } from './auth/auth-service';
import { ClientSession } from './client-session';
import { acquireInstanceLock } from './instance-lock';
import { startLoopbackServer } from './server/loopback-server';
import type { DiscoveryPlace } from './sites/station-discovery';
import { createStation, type Station } from './station';
import { openDatabase } from './storage/db';
import { nodeSecretStore } from './storage/secrets';

const USAGE = `usage: npm run station -- [--data-dir DIR] [--host 127.0.0.1] [--port 8434]
  --data-dir  where the database, secrets and logs live (default $WATCHPOST_DATA_DIR or ~/.local/share/watchpost)
  --host      address to bind; anything but loopback is an explicit choice (default 127.0.0.1)
  --port      TCP port, 0 for any free one (default 8434)
  --demo      also start a simulated LAN of cameras (camsim) and show them (data folder defaults to …/watchpost-demo)
  --cloud-url the account & privacy-settings service to sync with (default $WATCHPOST_CLOUD_URL; none: nothing is sent);
              https://, or http:// only on this computer (127.0.0.1, ::1, localhost)
  --cloud-ca FILE
              trust exactly the certificate authorities in FILE (PEM) for the cloud, not the system's (default $WATCHPOST_CLOUD_CA)
  --admin-password-file FILE
              on a station without accounts, create the administrator "admin" with the password in FILE
  --reset-admin
              recovery: give the first administrator a new password (printed once, to change at sign-in), then exit`;

/** A device the station probes by unicast: its address and discovery ports (WS-Discovery, DHIP). */
type UnicastTarget = { address: string; wsdPort?: number; dhipPort?: number };

/**
 * The built-in demo's simulated cameras; `npm run demo` (scripts/demo.ts) hands it in, the core never loads scripts/.
 * `unicast`: where its devices answer discovery now, so the Devices page's scan finds them on loopback, where multicast does not go.
 */
export type StartDemo = (station: Station, opts: { subnet?: string }) => Promise<{
  fleet: { manifest: { devices: { initialized: boolean }[]; subnet: string } };
  unicast(): UnicastTarget[];
  /** Lines printed after the demo's own (where its other parts are). */
  notes: string[];
  close(): Promise<void>;
}>;

/** Where the station hears WS-Discovery Hello/Bye: the multicast group by default, a loopback port ("127.0.0.1:PORT"), or "off". */
export function announcementListener(spec: string | undefined): { announcePort?: number; listenMulticast?: boolean } {
  if (spec === 'off') return {};
  const m = /^127\.0\.0\.1:(\d{1,5})$/.exec(spec ?? '');
  if (m && Number(m[1]) > 0 && Number(m[1]) < 65536) return { announcePort: Number(m[1]) };
  if (spec) throw new Error(`WATCHPOST_WSD_LISTEN: ${spec} is not "off" or "127.0.0.1:PORT"`);
  return { listenMulticast: true };
}

/** Where stations find each other on the LAN: the WS-Discovery group by default, one loopback port ("127.0.0.1:PORT", tests), or "off". */
export function sitesDiscovery(spec: string | undefined): DiscoveryPlace | undefined {
  if (spec === 'off') return undefined;
  const m = /^127\.0\.0\.1:(\d{1,5})$/.exec(spec ?? '');
  if (m && Number(m[1]) > 0 && Number(m[1]) < 65536) return { address: '127.0.0.1', port: Number(m[1]) };
  if (spec) throw new Error(`WATCHPOST_SITES_DISCOVERY: ${spec} is not "off" or "127.0.0.1:PORT"`);
  return { group: true };
}

/** The data folder: --data-dir, else $WATCHPOST_DATA_DIR, else the user's data folder (…/watchpost, …/watchpost-demo for the demo). */
export function dataDirOf(dir: string | undefined, demo: boolean): string {
  return resolve(dir ?? process.env.WATCHPOST_DATA_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), demo ? 'watchpost-demo' : 'watchpost'));
}

/** The built renderer the station serves (`npm run build:renderer`); the demo's second station serves it too. */
export const RENDERER_DIR = resolve(fileURLToPath(import.meta.url), '../../../dist/renderer');

export async function runStation(args: string[], startDemo?: StartDemo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8434' },
      'cloud-url': { type: 'string' },
      'cloud-ca': { type: 'string' },
      demo: { type: 'boolean', default: false },
      'admin-password-file': { type: 'string' },
      'reset-admin': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: ${values.port} is not a port number (0-65535)`);
  const dataDir = dataDirOf(values['data-dir'], values.demo);
  if (values['reset-admin']) {
    mkdirSync(dataDir, { recursive: true });
    // Only while the station is stopped: the instance lock says if it runs.
    const held = acquireInstanceLock(dataDir);
    const db = openDatabase(join(dataDir, 'station.db'));
    try {
      const { name, password } = await resetAdmin(db);
      console.log(`administrator "${name}": new password ${password} (to be changed at the next sign-in; this reset is in the operation log)`);
    } finally {
      db.close();
      held.release();
    }
    return;
  }
  const firstAdmin = values['admin-password-file'] ? { name: 'admin', password: readFileSync(values['admin-password-file'], 'utf8').trim() } : undefined;
  if (values.demo && !startDemo) throw new Error('--demo: the demo is started by `npm run demo` (scripts/demo.ts)');
  const rendererDir = RENDERER_DIR;
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error(`no built renderer in ${rendererDir}; run: npm run build:renderer`);

  mkdirSync(dataDir, { recursive: true });
  const lock = acquireInstanceLock(dataDir);
  const cloudUrl = values['cloud-url'] ?? process.env.WATCHPOST_CLOUD_URL;
  if (cloudUrl !== undefined && !/^https?:\/\/[^/]+$/.test(cloudUrl.replace(/\/$/, ''))) throw new Error(`--cloud-url: ${cloudUrl} is not an http(s) origin like http://127.0.0.1:8435`);
  const cloudCaFile = values['cloud-ca'] ?? process.env.WATCHPOST_CLOUD_CA;
  const cloudCa = cloudCaFile === undefined ? undefined : readFileSync(cloudCaFile, 'utf8');
  if (cloudCa !== undefined && !cloudCa.includes('-----BEGIN CERTIFICATE-----')) throw new Error(`--cloud-ca: ${cloudCaFile} holds no PEM certificate`);
  // Tests and installers with a known address list probe by unicast ("ip:wsdPort:dhipPort,…") instead of multicasting on every interface.
  const unicast = process.env.WATCHPOST_DISCOVER_UNICAST?.split(',').filter(Boolean).map((t): UnicastTarget => {
    const [address = '', wsd, dhip] = t.split(':');
    return { address, wsdPort: Number(wsd) || undefined, dhipPort: Number(dhip) || undefined };
  });
  let demo: Awaited<ReturnType<StartDemo>> | undefined;
  const station = await createStation({
    dataDir, mode: 'browser', secrets: nodeSecretStore(dataDir), cloudUrl: cloudUrl?.replace(/\/$/, ''), cloudCa, auth: { firstAdmin },
    devices: {
      // The demo's devices are probed where they are at each scan (their addresses move when configured).
      ...(unicast || values.demo ? { unicast: () => [...(unicast ?? []), ...(demo?.unicast() ?? [])] } : {}),
      // Hello/Bye: the WS-Discovery group on 3702 (every interface) unless WATCHPOST_WSD_LISTEN is "off" or "127.0.0.1:PORT" (tests).
      ...announcementListener(process.env.WATCHPOST_WSD_LISTEN),
      // Tests shorten the heartbeat and how long a device may be unreachable before it counts as offline.
      ...(process.env.WATCHPOST_DEVICE_GRACE_MS ? { graceMs: Number(process.env.WATCHPOST_DEVICE_GRACE_MS), heartbeatMs: 250 } : {}),
    },
    // Other stations answer and are asked in the WS-Discovery group unless WATCHPOST_SITES_DISCOVERY is "off" or "127.0.0.1:PORT" (tests).
    sites: {
      discovery: sitesDiscovery(process.env.WATCHPOST_SITES_DISCOVERY),
      // Tests shorten how long a connected station may answer nothing before it counts as not answering.
      ...(process.env.WATCHPOST_SITE_NO_ANSWER_MS ? { noAnswerMs: Number(process.env.WATCHPOST_SITE_NO_ANSWER_MS) } : {}),
    },
    // Tests shorten how long a device may be gone before 'device_offline'.
    eventsOptions: process.env.WATCHPOST_EVENT_OFFLINE_GRACE_MS ? { offlineGraceMs: Number(process.env.WATCHPOST_EVENT_OFFLINE_GRACE_MS), sourceRetryMs: 300 } : undefined,
  });
  const server = await startLoopbackServer({ station, rendererDir, host: values.host, port });
  demo = values.demo ? await startDemo!(station, { subnet: process.env.WATCHPOST_DEMO_SUBNET }) : undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await station.dispose();
    await demo?.close();
    lock.release();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  lock.update({ pid: process.pid, url: server.url.replace(/\?.*/, '') });
  if (!values.host.startsWith('127.') && values.host !== '::1') {
    console.warn(`warning: serving on ${values.host}, reachable from other machines (token still required)`);
  }
  console.log(`Watchpost station ${server.url}`);
  console.log(`data: ${dataDir}  logs: ${station.logDir}`);
  if (demo) {
    const fresh = demo.fleet.manifest.devices.filter((d) => !d.initialized).length;
    console.log(`demo: ${demo.fleet.manifest.devices.length - fresh} simulated cameras${fresh ? ` and ${fresh} factory-new (to activate on the Devices page)` : ''} on ${demo.fleet.manifest.subnet}.x`);
    for (const line of demo.notes) console.log(line);
  }
  const auth = await station.dispatch('auth.state', {}, new ClientSession('cli'));
  if (auth.ok && (auth.value as { setupNeeded: boolean }).setupNeeded) console.log('first run: open the address above and create the first administrator (nothing else works until then)');
}

export function exitOnError(err: Error): never {
  console.error(`watchpost: ${err.message}`);
  process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runStation(process.argv.slice(2)).catch(exitOnError);
