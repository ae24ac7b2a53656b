// MQTT publishing against a real Mosquitto started here: availability (retained, last will), a channel's status, an event on
// its kind's topic and on <prefix>/events, an alarm, a snapshot on request, a broker killed and started again, the test
// connection's answers in the user's words, and the broker's password kept in the SecretStore alone.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';
import { StationError, type CallName } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { startGstCamera, type GstCamera } from '../helpers/gst-rtsp';
import { freeTcpPort, startStationIn } from '../helpers/in-process-station';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto';
import { stationCall } from '../helpers/station-call';

const USER = 'watchpost';
const PASSWORD = 'Mq7-broker-Secret-9x';
const scope = fileScope();
const session = new ClientSession('mqtt-test');
let dir: string, broker: Mosquitto, cam: GstCamera, fleet: Fleet, st: Station, channelId: number;

interface Seen { topic: string; payload: Buffer; retain: boolean }

/** A client of the broker, as Home Assistant would be, keeping every message under wp/. */
async function watcher(): Promise<{ client: MqttClient; seen: Seen[]; last(topic: string): string | undefined }> {
  const client = connect(broker.url, { username: USER, password: PASSWORD, reconnectPeriod: 200 });
  scope.defer(() => client.endAsync(true));
  const seen: Seen[] = [];
  client.on('message', (topic, payload, packet) => seen.push({ topic, payload, retain: packet.retain }));
  client.on('error', () => {});
  await new Promise((r) => client.once('connect', r));
  await client.subscribeAsync('wp/#');
  return { client, seen, last: (topic) => seen.findLast((m) => m.topic === topic)?.payload.toString() };
}

const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);
const json = (seen: Seen[], topic: string) => seen.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload.toString()));

beforeAll(async () => {
  dir = scope.tempDir('wp-mqtt-');
  [broker, cam, fleet] = await scope.all([
    startMosquitto(dir, USER, PASSWORD),
    startGstCamera(),
    startFleet({ devices: 1, channels: 1, subnet: 'random', media: placeholderMedia }),
  ] as const);
  ({ st } = await startStationIn(scope, join(dir, 'data'), { mqtt: { reconnectMs: 250, connectTimeoutMs: 1500 }, media: { graceMs: 3000 }, heartbeatMs: 60_000 }));
  channelId = (await call('channels.addRtsp', { name: 'Front Door', mainUrl: cam.url(), subUrl: null })).id;
}, 30_000);

describe('MQTT publishing', () => {
  it('is off by default, refuses a broker address that is not mqtt(s)://, and tests a connection in the user\'s words', async () => {
    expect(await call('mqtt.get')).toEqual({
      settings: { enabled: false, brokerUrl: 'mqtt://127.0.0.1:1883', username: '', topicPrefix: 'watchpost', hasPassword: false },
      status: { state: 'off', lastMessageAt: null, messagesSent: 0 },
    });
    const refused = async (input: object) => (await call('mqtt.set', { enabled: true, username: USER, topicPrefix: 'wp', ...input }).catch((e: StationError) => e)) as StationError;
    expect(await refused({ brokerUrl: 'http://127.0.0.1:1883' })).toMatchObject({ reason: 'field.notMqttUrl', params: { field: 'brokerUrl' } });
    expect(await refused({ brokerUrl: `mqtt://u:${PASSWORD}@127.0.0.1:1883` })).toMatchObject({ reason: 'field.credentialsInUrl' });
    expect(await refused({ brokerUrl: broker.url, topicPrefix: 'wp/#' })).toMatchObject({ reason: 'field.notTopicPrefix', params: { field: 'topicPrefix' } });

    const test = (input: object) => call('mqtt.test', { brokerUrl: broker.url, username: USER, ...input });
    expect(await test({ password: PASSWORD })).toEqual({ ok: true });
    expect(await test({ password: 'wrong' })).toMatchObject({ ok: false, error: { reason: 'mqtt.wrongCredentials' } });
    const closed = await freeTcpPort();
    expect(await test({ brokerUrl: `mqtt://127.0.0.1:${closed}`, password: PASSWORD })).toMatchObject({ ok: false, error: { reason: 'mqtt.connectionRefused', params: { address: `127.0.0.1:${closed}` } } });
    // An HTTP server answering the CONNECT, and one that takes the connection and says nothing.
    const http = net.createServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    const silent = net.createServer(() => {});
    for (const srv of [http, silent]) {
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      scope.defer(() => srv.close());
    }
    const portOf = (s: net.Server) => (s.address() as net.AddressInfo).port;
    expect(await test({ brokerUrl: `mqtt://127.0.0.1:${portOf(http)}`, password: PASSWORD })).toMatchObject({ ok: false, error: { reason: 'mqtt.notBroker' } });
    expect(await test({ brokerUrl: `mqtt://127.0.0.1:${portOf(silent)}`, password: PASSWORD })).toMatchObject({ ok: false, error: { reason: 'mqtt.timeout', params: { seconds: 2 } } });
  });

  it('publishes availability, the channel\'s status, its events and alarms, and stats', async () => {
    const w = await watcher();
    const set = await call('mqtt.set', { enabled: true, brokerUrl: broker.url, username: USER, password: PASSWORD, topicPrefix: 'wp' });
    expect(set.settings).toEqual({ enabled: true, brokerUrl: broker.url, username: USER, topicPrefix: 'wp', hasPassword: true });
    await expect.poll(() => w.last('wp/available'), { timeout: 5000 }).toBe('online');
    expect((await call('mqtt.get')).status).toMatchObject({ state: 'connected', messagesSent: expect.any(Number) });
    const stats = json(w.seen, 'wp/stats')[0];
    // The Health page's figures of this station (health.get).
    expect(stats).toMatchObject({ version: expect.any(String), uptimeS: expect.any(Number), channels: [expect.objectContaining({ name: 'Front Door' })] });

    // The channel's stream runs (a snapshot holds it open): online, retained, under the name's slug.
    await call('live.snapshot', { channelId });
    await expect.poll(() => w.last('wp/front_door/status'), { timeout: 10_000 }).toBe('online');

    // A motion event from a camera's event source (camsim, an ONVIF pull point), mapped to this channel, raising an alarm.
    await call('alarms.saveRule', { name: 'Door motion', enabled: true, types: ['motion'], channelIds: [channelId], schedule: '1'.repeat(336), actions: ['mark'] });
    await call('eventSources.add', { driver: 'onvif', url: `${fleet.device(0).baseUrl}/onvif/events_service`, username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, channelMap: { 1: channelId } });
    await expect.poll(async () => (await call('eventSources.list'))[0]?.state, { timeout: 10_000 }).toBe('connected');
    fleet.device(0).raiseEvent({ kind: 'motion', channel: 1, state: true });
    await expect.poll(() => w.last('wp/front_door/motion'), { timeout: 5000 }).toBe('ON');
    const started = json(w.seen, 'wp/events').find((e) => e.kind === 'motion');
    expect(started).toMatchObject({ type: 'new', kind: 'motion', channelId, channel: 'Front Door', camera: 'front_door', end: null, alarm: true });
    await expect.poll(() => json(w.seen, 'wp/alarms').map((a) => a.state), { timeout: 5000 }).toEqual(['raised']);
    expect(json(w.seen, 'wp/alarms')[0]).toMatchObject({ eventId: started.id, rule: 'Door motion', channelId, camera: 'front_door' });

    fleet.device(0).raiseEvent({ kind: 'motion', channel: 1, state: false });
    await expect.poll(() => w.last('wp/front_door/motion'), { timeout: 5000 }).toBe('OFF');
    expect(json(w.seen, 'wp/events').find((e) => e.type === 'end')).toMatchObject({ id: started.id, end: expect.any(Number) });
    await call('events.acknowledge', { ids: [started.id], note: 'checked' });
    await expect.poll(() => json(w.seen, 'wp/alarms').map((a) => a.state), { timeout: 5000 }).toEqual(['raised', 'cleared', 'acknowledged']);
  }, 30_000);

  it('answers a snapshot request with the picture as JPEG bytes', async () => {
    const w = await watcher();
    await w.client.publishAsync('wp/front_door/snapshot/get', '');
    await expect.poll(() => w.seen.find((m) => m.topic === 'wp/front_door/snapshot'), { timeout: 10_000 }).toBeTruthy();
    const jpeg = w.seen.find((m) => m.topic === 'wp/front_door/snapshot')!.payload;
    expect([...jpeg.subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(jpeg.length).toBeGreaterThan(1000);
    // Sent, not kept in the snapshots folder (only the one live.snapshot above took is there).
    expect(readdirSync(join(dir, 'data', 'snapshots'))).toHaveLength(1);
  });

  it('survives a broker restart: the retained state is published again without restarting the station', async () => {
    await broker.kill();
    await expect.poll(async () => (await call('mqtt.get')).status.state, { timeout: 5000 }).not.toBe('connected');
    await broker.start();
    await expect.poll(async () => (await call('mqtt.get')).status.state, { timeout: 5000 }).toBe('connected');
    // A client new to the restarted broker (which kept nothing) finds the state retained.
    const w = await watcher();
    await expect.poll(() => w.seen.filter((m) => m.retain).map((m) => `${m.topic}=${m.payload}`).sort(), { timeout: 5000 })
      .toEqual(['wp/available=online', 'wp/front_door/motion=OFF', 'wp/front_door/status=online']);
  }, 20_000);

  it('keeps the password in the SecretStore only, for its own host; saving without one keeps it; turned off, the station says offline', async () => {
    const w = await watcher();
    const kept = await call('mqtt.set', { enabled: true, brokerUrl: broker.url, username: USER, topicPrefix: 'wp' });
    expect(kept.settings.hasPassword).toBe(true);
    expect(JSON.stringify(kept)).not.toContain(PASSWORD);
    await expect.poll(async () => (await call('mqtt.get')).status.state, { timeout: 5000 }).toBe('connected');
    const off = await call('mqtt.set', { enabled: false, brokerUrl: broker.url, username: USER, topicPrefix: 'wp' });
    expect(off.status.state).toBe('off');
    await expect.poll(() => w.last('wp/available'), { timeout: 5000 }).toBe('offline');

    // The kept password goes only to the host it was given for: the same broker at another address gets none.
    const sameBroker = { username: USER, password: undefined };
    expect(await call('mqtt.test', { ...sameBroker, brokerUrl: broker.url })).toEqual({ ok: true });
    expect(await call('mqtt.test', { ...sameBroker, brokerUrl: `mqtt://127.0.0.2:${broker.port}` })).toMatchObject({ ok: false, error: { reason: 'mqtt.wrongCredentials' } });
    const moved = await call('mqtt.set', { enabled: false, brokerUrl: `mqtt://127.0.0.2:${broker.port}`, username: USER, topicPrefix: 'wp' });
    expect(moved.settings.hasPassword).toBe(false);

    st.logger.flush();
    await new Promise((r) => setTimeout(r, 200));
    const files = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]));
    const all = files(join(dir, 'data'));
    expect(all.some((f) => f.endsWith('station.log'))).toBe(true);
    expect(all.filter((f) => readFileSync(f).includes(PASSWORD))).toEqual([]);
  });
});
