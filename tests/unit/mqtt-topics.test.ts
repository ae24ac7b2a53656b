// MQTT topic mapping: channel names to topic levels (slug, collisions, reserved levels), a channel's online state, the
// broker address and prefix rules, and a failed connection in the user's words.
import { describe, expect, it } from 'vitest';
import { BrokerUrl, TopicPrefix } from '../../electron/contract';
import { refusalOf } from '../../electron/core/mqtt/mqtt-publisher';
import { cameraLevels, channelOnline, slug } from '../../electron/core/mqtt/topics';

describe('MQTT topics', () => {
  it('slugs a channel name: lowercase, each run of other characters one _, none at the ends', () => {
    expect(slug('Front Door')).toBe('front_door');
    expect(slug('  Hof / Einfahrt (Nord) ')).toBe('hof_einfahrt_nord');
    expect(slug('Cam-02.main')).toBe('cam_02_main');
    expect(slug('Garage#1+')).toBe('garage_1');
    expect(slug('Küche')).toBe('k_che');
    expect(slug('大门')).toBe('camera');
  });

  it('gives a later channel whose slug is taken, or reserved, its id appended; the older one keeps its level', () => {
    const levels = cameraLevels([
      { id: 7, name: 'front door' },
      { id: 3, name: 'Front Door' },
      { id: 9, name: 'Stats' },
      { id: 4, name: 'events' },
      { id: 5, name: 'Yard' },
      { id: 11, name: 'front_door_7' },
    ]);
    expect(Object.fromEntries(levels)).toEqual({ 3: 'front_door', 7: 'front_door_7', 4: 'events_4', 5: 'yard', 9: 'stats_9', 11: 'front_door_7_11' });
    expect(new Set(levels.values()).size).toBe(levels.size);
  });

  it('says a channel is online from a live stream, offline from a failed one, else from its device, else not at all', () => {
    expect(channelOnline([{ state: 'offline' }, { state: 'live' }], 'offline')).toBe(true);
    expect(channelOnline([{ state: 'auth_failed' }], 'online')).toBe(false);
    expect(channelOnline([{ state: 'stalled' }], undefined)).toBe(false);
    expect(channelOnline([{ state: 'idle' }], 'online')).toBe(true);
    expect(channelOnline([], 'locked')).toBe(false);
    expect(channelOnline([{ state: 'connecting' }], 'unknown')).toBeUndefined();
    expect(channelOnline([], undefined)).toBeUndefined();
  });

  it('takes mqtt:// and mqtts:// brokers without credentials in the URL, and prefixes without wildcards or empty levels', () => {
    const urlReason = (u: string) => BrokerUrl.safeParse(u).error?.issues[0]?.message;
    expect(urlReason('mqtt://192.168.1.10:1883')).toBeUndefined();
    expect(urlReason('mqtts://broker.example.org')).toBeUndefined();
    for (const bad of ['http://broker:1883', 'ws://broker', 'mqtt://', 'broker:1883', 'tcp://broker']) expect(urlReason(bad)).toBe('field.notMqttUrl');
    expect(urlReason('mqtt://user:pw@broker')).toBe('field.credentialsInUrl');
    const prefixOk = (p: string) => TopicPrefix.safeParse(p).success;
    expect(['watchpost', 'home/watchpost', 'site-1'].every(prefixOk)).toBe(true);
    expect(['wp/#', 'a/+/b', '/wp', 'wp/', 'a//b', 'my cams', ''].some(prefixOk)).toBe(false);
  });

  it('words a failed connection: wrong credentials, refused, unknown host, not a broker, timed out, TLS', () => {
    const url = 'mqtt://broker.lan';
    const reason = (code: string | number | undefined) => refusalOf(Object.assign(new Error('x'), { code }), url, 5000);
    for (const code of [4, 5, 134, 135]) expect(reason(code).reason).toBe('mqtt.wrongCredentials');
    expect(reason(2)).toMatchObject({ reason: 'mqtt.refused', params: { code: 2 } });
    expect(reason('ECONNREFUSED')).toMatchObject({ reason: 'mqtt.connectionRefused', params: { address: 'broker.lan:1883' } });
    expect(reason('ENOTFOUND')).toMatchObject({ reason: 'mqtt.hostNotFound', params: { host: 'broker.lan' } });
    expect(reason(undefined)).toMatchObject({ reason: 'mqtt.notBroker' });
    expect(reason('timeout')).toMatchObject({ reason: 'mqtt.timeout', params: { seconds: 5 } });
    expect(refusalOf(Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'mqtts://broker.lan', 5000))
      .toMatchObject({ reason: 'mqtt.tls', params: { address: 'broker.lan:8883' } });
    expect(reason('EPIPE')).toMatchObject({ reason: 'mqtt.failed', params: { error: 'EPIPE' } });
  });
});
