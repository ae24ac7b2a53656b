// MQTT's last will: a station process killed with SIGKILL says nothing on its way out, so the broker (a real Mosquitto)
// publishes the will the station left at connect: `<prefix>/available` = `offline`, retained, for Home Assistant to see.
import { connect } from 'mqtt';
import { beforeAll, describe, expect, it } from 'vitest';
import { fileScope } from '../helpers/fixtures';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto';
import { startStation, type StationProcess } from '../helpers/station-process';
import { wsClient } from '../helpers/ws-client';

const USER = 'watchpost';
const PASSWORD = 'Mq7-will-Secret-4k';
const scope = fileScope();
let broker: Mosquitto, station: StationProcess;

beforeAll(async () => {
  const dir = scope.tempDir('wp-mqtt-will-');
  [broker, station] = await scope.all([startMosquitto(dir, USER, PASSWORD), startStation({ env: { WATCHPOST_WSD_LISTEN: 'off' } })] as const);
}, 60_000);

describe('MQTT last will', () => {
  it('the broker publishes availability offline, retained, when the station process is killed (kill -9)', async () => {
    const ws = await wsClient(station.url);
    await ws.call('mqtt.set', { enabled: true, brokerUrl: broker.url, username: USER, password: PASSWORD, topicPrefix: 'wp' });
    ws.close();
    const client = connect(broker.url, { username: USER, password: PASSWORD, reconnectPeriod: 200 });
    scope.defer(() => client.endAsync(true));
    const seen: { payload: string; retain: boolean }[] = [];
    client.on('message', (topic, payload, packet) => { if (topic === 'wp/available') seen.push({ payload: payload.toString(), retain: packet.retain }); });
    client.on('error', () => {});
    await new Promise((r) => client.once('connect', r));
    await client.subscribeAsync('wp/available');
    await expect.poll(() => seen.at(-1)?.payload, { timeout: 10_000 }).toBe('online');
    const n = seen.length;

    station.proc.kill('SIGKILL');
    await new Promise((r) => station.proc.once('exit', r));
    // Not the station's own 'offline' (it had no chance to send one): the broker's, on the lost connection.
    await expect.poll(() => seen.slice(n).map((m) => m.payload), { timeout: 10_000 }).toEqual(['offline']);
    // Retained: a client that connects later still reads offline.
    const later = connect(broker.url, { username: USER, password: PASSWORD });
    scope.defer(() => later.endAsync(true));
    const retained = new Promise<{ payload: string; retain: boolean }>((r) => later.on('message', (_t, payload, packet) => r({ payload: payload.toString(), retain: packet.retain })));
    await new Promise((r) => later.once('connect', r));
    await later.subscribeAsync('wp/available');
    expect(await retained).toEqual({ payload: 'offline', retain: true });
  }, 30_000);
});
