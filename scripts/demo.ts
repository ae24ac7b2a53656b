// `npm run demo`: the station (electron/core/cli.ts) with a camsim fleet on loopback whose cameras it registers, so a newcomer sees video at once.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { makeDevCertificate } from '../cloud/dev-certificate';
import { startCloud, type CloudHandle } from '../cloud/service';
import { sameStream, type Channel, type Result } from '../electron/contract';
import { dataDirOf, exitOnError, runStation } from '../electron/core/cli';
import { ClientSession } from '../electron/core/client-session';
import type { Station } from '../electron/core/station';
import { startFleet, withCredentials, type Fleet } from './camsim/fleet';

export interface Demo {
  fleet: Fleet;
  /** Where each device answers discovery now (the station's scan probes these by unicast: multicast stays off loopback). */
  unicast(): { address: string; wsdPort: number; dhipPort: number }[];
  close(): Promise<void>;
}

/**
 * Starts 4 cameras with 2 channels each and registers every channel that the station does not have yet, plus one factory-new
 * camera, left for the Devices page to find by a scan and activate.
 */
export async function startDemo(station: Station, opts: { devices?: number; channels?: number; subnet?: string } = {}): Promise<Demo> {
  const cameras = opts.devices ?? 4;
  const fleet = await startFleet({ devices: cameras + 1, uninitialized: 1, channels: opts.channels ?? 2, subnet: opts.subnet });
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
  await recordByDefault(call, fleet.manifest.devices.filter((d) => d.initialized).flatMap((d) => d.channels.map((c) => c.name)));
  const unicast = () => fleet.manifest.devices.map((d) => ({ address: d.ip, wsdPort: d.ports.wsDiscovery, dhipPort: d.ports.dhip }));
  return { fleet, unicast, close: () => fleet.close() };
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
  const cloud = await startCloud({
    region: 'de', db: { kind: 'sqlite', path: join(dataDir, 'demo-cloud.db') }, tls,
    controller: { name: 'Watchpost demo deployment (this computer)', contact: 'privacy@watchpost.example', authority: 'the data protection authority of your country' },
  });
  return Object.assign(cloud, { caPath: tls.caPath });
}

async function main(): Promise<void> {
  const args = [...process.argv.slice(2), '--demo'];
  const { values } = parseArgs({ args, strict: false, options: { 'data-dir': { type: 'string' }, 'cloud-url': { type: 'string' } } });
  // A cloud named on the command line or in the environment is used as it is; otherwise the demo brings its own.
  const own = values['cloud-url'] === undefined && !process.env.WATCHPOST_CLOUD_URL;
  const cloud = own ? await startDemoCloud(dataDirOf(values['data-dir'] as string | undefined, true)) : undefined;
  if (cloud) console.log(`demo: cloud account service on ${cloud.url}`);
  await runStation(cloud ? [...args, '--cloud-url', cloud.url, '--cloud-ca', cloud.caPath] : args, startDemo);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main().catch(exitOnError);
