// camsim in each vendor's dialect (--flavour: identity, scopes, DHIP framing, event topics, digest) against a real station:
// the scan finds the device and names its vendor, it is added, its main stream plays, and one of its own events arrives.
import { describe, expect, it } from 'vitest';
import { ClientSession } from '../../electron/core/client-session';
import { digestFetch } from '../../electron/core/net/http-auth';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, startFleet } from '../../scripts/camsim/fleet';
import type { Flavour } from '../../scripts/camsim/flavours';
import { fileScope } from '../helpers/fixtures';
import { mediaClient, serveStation, servedStationDir, unicastTargets } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const scope = fileScope();
const session = new ClientSession('flavours');

const WANT: Record<Flavour, { vendor: string; model: string; driver?: 'dahua' }> = {
  generic: { vendor: 'Camsim', model: 'CS-IPC4M-Z' },
  hikvision: { vendor: 'Hikvision', model: 'DS-2CD2143G2-I' },
  dahua: { vendor: 'Dahua', model: 'IPC-HDW2431T-AS-S2', driver: 'dahua' },
  axis: { vendor: 'Axis', model: 'M3085-V' },
};

describe.each(Object.keys(WANT) as Flavour[])('camsim --flavour %s', (flavour) => {
  it('is found with its vendor, added, plays, and its motion reaches the event list', async () => {
    const fleet = scope.add(await startFleet({ devices: 1, channels: 1, subnet: 'random', flavour, gopSeconds: 1 }));
    const cam = fleet.device(0);
    const { station, server } = scope.add(await serveStation(servedStationDir(scope, `wp-flav-${flavour}-`), {
      heartbeatMs: 60_000, devices: { unicast: () => unicastTargets(fleet), scanMs: 1000, heartbeatMs: 60_000 }, eventsOptions: { sourceRetryMs: 200 },
    }));
    const call = (name: Parameters<typeof stationCall>[2], input: unknown = {}) => stationCall(station, session, name, input);

    const found = (await call('devices.scan', {})) as { address: string; vendor: string; model: string; httpPort: number; sources: string[] }[];
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ address: cam.ip, vendor: WANT[flavour].vendor, model: WANT[flavour].model });
    // Hikvision and Axis do not speak DHIP; Dahua does, answering with request id 0 and a NUL.
    expect(found[0]!.sources.includes('dhip')).toBe(flavour === 'generic' || flavour === 'dahua');

    const dev = (await call('devices.add', {
      address: cam.ip, httpPort: found[0]!.httpPort, username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, ...(WANT[flavour].driver ? { driver: WANT[flavour].driver } : {}),
    })) as { channels: { channelId: number }[] };
    const channelId = dev.channels[0]!.channelId;

    // The device's HTTP digest as the vendor offers it (Axis: SHA-256 before MD5); the station's answer is accepted.
    const snapshot = `${cam.baseUrl}/onvif/snapshot?channel=1&subtype=1`;
    const challenge = (await fetch(snapshot).then(async (r) => { await r.arrayBuffer(); return r.headers.get('www-authenticate'); })) ?? '';
    expect(challenge.startsWith(flavour === 'axis' ? 'Digest realm="Login to' : 'Digest ') && /algorithm=SHA-256/.test(challenge)).toBe(flavour === 'axis');
    const snap = await digestFetch(snapshot, { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD });
    await snap.arrayBuffer();
    expect(snap.status).toBe(200);

    const c = await mediaClient(scope, server);
    const opened = await c.call('live.open', { streamId: `${channelId}/main` });
    expect(opened.ok, JSON.stringify(opened)).toBe(true);
    await expect.poll(() => c.frames.filter((f) => f.kind === 'fragment').length, { timeout: 30_000 }).toBeGreaterThan(3);
    expect(c.frames[0]!.kind).toBe('init');

    // The station subscribes once the device is added; motion raised until the event list shows it.
    let on = false;
    await expect.poll(async () => {
      on = !on;
      cam.raiseEvent({ kind: 'motion', channel: 1, state: on });
      const events = (await call('events.list', { limit: 20, types: ['motion'] })) as { channelId: number | null; source: string }[];
      return events.filter((e) => e.channelId === channelId && e.source === (WANT[flavour].driver ?? 'onvif')).length;
    }, { timeout: 30_000, interval: 700 }).toBeGreaterThan(0);
    c.ws.close();
  }, 90_000);
});
