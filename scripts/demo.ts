// `npm run demo`: the station (electron/core/cli.ts) with a camsim fleet on loopback whose cameras it registers, so a newcomer sees video at once.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { makeDevCertificate } from '../cloud/dev-certificate';
import { startCloud, type CloudHandle } from '../cloud/service';
import { sameStream, type Channel, type Result } from '../electron/contract';
import { dataDirOf, exitOnError, RENDERER_DIR, runStation } from '../electron/core/cli';
import { ClientSession } from '../electron/core/client-session';
import { startLoopbackServer } from '../electron/core/server/loopback-server';
import { createStation, type Station } from '../electron/core/station';
import { nodeSecretStore } from '../electron/core/storage/secrets';
import { startFleet, withCredentials, type Fleet } from './camsim/fleet';

export interface Demo {
  fleet: Fleet;
  /** Where each device answers discovery now (the station's scan probes these by unicast: multicast stays off loopback). */
  unicast(): { address: string; wsdPort: number; dhipPort: number }[];
  /** Lines for the console: where the demo's other parts are. */
  notes: string[];
  close(): Promise<void>;
}

/** The cloud the demo's stations use: its origin and the CA its certificate comes from (PEM). */
export interface DemoCloud { url: string; ca?: string }

/**
 * Starts 4 cameras with 2 channels each and registers every channel that the station does not have yet, plus one factory-new
 * camera, left for the Devices page to find by a scan and activate. The last of the 4 has a fisheye lens: its channels get
 * their lens set, so the Live page shows them de-warped.
 */
export async function startDemo(station: Station, opts: { devices?: number; channels?: number; subnet?: string; cloud?: DemoCloud } = {}): Promise<Demo> {
  const cameras = opts.devices ?? 4;
  const fleet = await startFleet({ devices: cameras + 1, uninitialized: 1, channels: opts.channels ?? 2, subnet: opts.subnet, fisheye: [cameras] });
  const session = new ClientSession('demo');
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const r: Result<unknown> = await station.dispatch(name, input, session);
    if (!r.ok) throw new Error(`demo: ${name} failed: ${r.error.message}`);
    return r.value as T;
  };
  const have = await call<Channel[]>('channels.list', {});
  for (const device of fleet.manifest.devices.filter((d) => d.initialized)) {
    for (const ch of device.channels) {
      const mainUrl = new URL(ch.main.rtsp).toString();
      const known = have.find((c) => c.name === ch.name);
      if (known && known.mainUrl === mainUrl) continue;
      if (known) await call('channels.remove', { id: known.id });
      // Already there by another name (the user added its device from the Devices page): not a second time.
      if (have.some((c) => c !== known && sameStream(c.mainUrl, mainUrl))) continue;
      await call('channels.addRtsp', { name: ch.name, mainUrl: withCredentials(ch.main.rtsp), subUrl: withCredentials(ch.sub.rtsp) });
    }
  }
  const lenses = fleet.manifest.devices.filter((d) => d.initialized).flatMap((d) => d.channels).filter((c) => c.lens);
  for (const c of (await call<Channel[]>('channels.list', {})).filter((c) => !c.lens)) {
    const lens = lenses.find((l) => l.name === c.name)?.lens;
    if (lens) await call('channels.setLens', { id: c.id, lens });
  }
  await recordByDefault(call, fleet.manifest.devices.filter((d) => d.initialized).flatMap((d) => d.channels.map((c) => c.name)));
  const unicast = () => fleet.manifest.devices.map((d) => ({ address: d.ip, wsdPort: d.ports.wsDiscovery, dhipPort: d.ports.dhip }));
  // A second station, as a larger site has, whose cameras this one shows (Devices → Other stations); the demo goes on without it.
  const site = await startDemoSite(station, call, opts.subnet).catch((err: Error) => {
    console.warn(`demo: no second station (${err.message})`);
    return undefined;
  });
  const home = opts.cloud ? await startDemoHome(station, call, opts.cloud).catch((err: Error) => {
    console.warn(`demo: no station for a second account (${err.message})`);
    return undefined;
  }) : undefined;
  return {
    fleet, unicast, notes: home ? [home.note] : [],
    close: async () => { await home?.close(); await site?.close(); await fleet.close(); },
  };
}

/**
 * Hardware Share needs two accounts on two stations: this one shares, another receives. The demo starts that other
 * station ("Home", no cameras, its own page on 127.0.0.3, data in `demo-home/`, the same cloud) and has this one serve
 * desks on loopback (127.0.0.1, port 7448 when free), so a share made here can be added and played there. Its first
 * administrator is made on its page, as on a new station.
 */
async function startDemoHome(desk: Station, deskCall: Call, cloud: DemoCloud): Promise<{ note: string; close(): Promise<void> }> {
  const serving = await deskCall<{ enabled: boolean }>('sites.serving', {});
  if (!serving.enabled) await deskCall('sites.setServing', { enabled: true, host: '127.0.0.1', port: await freePort('127.0.0.1', 7448).catch(() => freePort('127.0.0.1', 0)) });
  const dataDir = join(dirname(desk.logDir), 'demo-home');
  const home = await createStation({ dataDir, mode: 'browser', secrets: nodeSecretStore(dataDir), cloudUrl: cloud.url, cloudCa: cloud.ca });
  try {
    const port = await freePort('127.0.0.3', 8436).catch(() => freePort('127.0.0.3', 0));
    const server = await startLoopbackServer({ station: home, rendererDir: RENDERER_DIR, host: '127.0.0.3', port });
    return {
      note: `demo: a second station, for a second account to receive shares (Devices → Shared cameras): ${server.url}`,
      close: async () => { await server.close(); await home.dispose(); },
    };
  } catch (err) {
    await home.dispose();
    throw err;
  }
}

/**
 * "North yard": a second station in this process with its own camsim camera (two channels), recording them and serving
 * desks on 127.0.0.2 over TLS; the demo station adds it as a remote station, its certificate trusted because the demo made
 * both. Its data lives in `demo-site/` of the demo's folder; the account the demo station signs in with there (`desk`) is
 * made on its first start with a random password, kept in both stations' secret stores.
 */
async function startDemoSite(desk: Station, deskCall: Call, subnet: string | undefined): Promise<{ close(): Promise<void> }> {
  const dataDir = join(dirname(desk.logDir), 'demo-site');
  // The password stays the same across runs (the account is made once), kept encrypted in that station's own secret store.
  const secrets = nodeSecretStore(dataDir);
  const password = (await secrets.get('demo:deskAccount')) ?? randomBytes(18).toString('base64url');
  await secrets.set('demo:deskAccount', password);
  const remote = await createStation({
    dataDir, mode: 'browser', secrets, auth: { firstAdmin: { name: 'desk', password } },
  });
  const fleet = await startFleet({ devices: 1, channels: 2, subnet: subnet ? 'random' : '127.0.2' }).catch(async (err: unknown) => { await remote.dispose(); throw err; });
  const close = async () => { await remote.dispose(); await fleet.close(); };
  try {
    const session = new ClientSession('demo-site');
    const call = async <T>(name: string, input: unknown): Promise<T> => {
      const r: Result<unknown> = await remote.dispatch(name, input, session);
      if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
      return r.value as T;
    };
    const have = await call<Channel[]>('channels.list', {});
    for (const ch of fleet.manifest.devices[0]!.channels) {
      const known = have.find((c) => c.name === `North yard ${ch.name}`);
      if (known) await call('channels.remove', { id: known.id });
      await call('channels.addRtsp', { name: `North yard ${ch.name}`, mainUrl: withCredentials(ch.main.rtsp), subUrl: withCredentials(ch.sub.rtsp) });
    }
    await recordByDefault(call, fleet.manifest.devices[0]!.channels.map((c) => `North yard ${c.name}`));
    // Port 7447 when free (the site then stays the same from run to run, layouts with its cameras too), else any.
    const port = await freePort('127.0.0.2', 7447).catch(() => freePort('127.0.0.2', 0));
    const serving = await call<{ fingerprint: string; port: number }>('sites.setServing', { enabled: true, host: '127.0.0.2', port });
    const sites = await deskCall<{ id: number; host: string; port: number; fingerprint: string | null }[]>('sites.list', {});
    if (sites.some((x) => x.host === '127.0.0.2' && x.port === port && x.fingerprint === serving.fingerprint)) return { close };
    for (const x of sites.filter((y) => y.host === '127.0.0.2')) await deskCall('sites.remove', { id: x.id });
    const added = await deskCall<{ id: number }>('sites.add', { name: 'North yard', host: '127.0.0.2', port, username: 'desk', password });
    await deskCall('sites.trust', { id: added.id, fingerprint: serving.fingerprint });
    return { close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `want` if free on `host` at the moment (0: any free port). */
function freePort(host: string, want: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(want, host, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

type Call = <T>(name: string, input: unknown) => Promise<T>;

/**
 * The demo records from its first start, so Playback has video within a minute: each of its cameras' channels that has
 * no recording settings yet records its sub stream continuously, kept three days, in an archive of at most 4 GiB unless
 * a quota is set. A channel whose recording the user has set (off included) is left as it is.
 */
export async function recordByDefault(call: Call, names: string[]): Promise<number[]> {
  const config = await call<{ channels: { channelId: number }[]; archive: { segmentSeconds: number; quotaBytes: number | null; freeFloorBytes: number } }>('recording.config', {});
  const set = new Set(config.channels.map((c) => c.channelId));
  const fresh = (await call<Channel[]>('channels.list', {})).filter((c) => names.includes(c.name) && !set.has(c.id)).map((c) => c.id);
  if (fresh.length === 0) return [];
  if (config.archive.quotaBytes === null) await call('recording.setArchive', { ...config.archive, quotaBytes: 4 * 1024 ** 3 });
  await call('recording.setChannels', { channelIds: fresh, mode: 'continuous', stream: 'sub', retentionDays: 3 });
  return fresh;
}

/**
 * The demo's own cloud account service on loopback (SQLite in the demo's data folder), so the Privacy page has a cloud to
 * sign up with, consents to record, feedback to send; its controller is the demo deployment's. It serves HTTPS with a
 * certificate from a CA made for this demo folder (kept in demo-cloud-tls/), which the station then trusts, and only it.
 */
export async function startDemoCloud(dataDir: string): Promise<CloudHandle & { caPath: string }> {
  mkdirSync(dataDir, { recursive: true });
  const tls = makeDevCertificate(join(dataDir, 'demo-cloud-tls'), { caName: 'Watchpost demo cloud CA', reuse: true });
  const controller = { name: 'Watchpost demo deployment (this computer)', contact: 'privacy@watchpost.example', authority: 'the data protection authority of your country' };
  // Two regions of one deployment, a database each (Germany, the station's; the United States), so sign-up offers a choice
  // with the notice on international transfers, and an account can move between them. Their peer key lives as long as the demo.
  const peer = { peerKey: randomBytes(24).toString('base64url'), peerCa: readFileSync(tls.caPath) };
  const [cloud, us] = await Promise.all([
    startCloud({ region: 'de', db: { kind: 'sqlite', path: join(dataDir, 'demo-cloud.db') }, tls, controller, ...peer }),
    startCloud({ region: 'us', db: { kind: 'sqlite', path: join(dataDir, 'demo-cloud-us.db') }, tls, controller, ...peer }),
  ]);
  cloud.setDirectory({ us: us.url });
  us.setDirectory({ de: cloud.url });
  const close = cloud.close.bind(cloud);
  return Object.assign(cloud, { caPath: tls.caPath, close: async () => { await Promise.all([close(), us.close()]); } });
}

async function main(): Promise<void> {
  const args = [...process.argv.slice(2), '--demo'];
  const { values } = parseArgs({ args, strict: false, options: { 'data-dir': { type: 'string' }, 'cloud-url': { type: 'string' } } });
  // A cloud named on the command line or in the environment is used as it is; otherwise the demo brings its own.
  const own = values['cloud-url'] === undefined && !process.env.WATCHPOST_CLOUD_URL;
  const cloud = own ? await startDemoCloud(dataDirOf(values['data-dir'] as string | undefined, true)) : undefined;
  if (cloud) console.log(`demo: cloud account service on ${cloud.url}`);
  const shared: DemoCloud | undefined = cloud ? { url: cloud.url, ca: readFileSync(cloud.caPath, 'utf8') } : undefined;
  await runStation(cloud ? [...args, '--cloud-url', cloud.url, '--cloud-ca', cloud.caPath] : args, (station, o) => startDemo(station, { ...o, cloud: shared }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main().catch(exitOnError);
