// The station's drivers, digest auth and scan against a loopback server that answers with the real-device corpus
// (tests/fixtures/devices): what an installer's Hikvision, Dahua, Axis, Uniview, Reolink or Amcrest would say.
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StationError } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { DahuaDriver } from '../../electron/core/devices/drivers/dahua';
import { OnvifDriver } from '../../electron/core/devices/drivers/onvif';
import { DahuaAttachSource } from '../../electron/core/events/dahua-attach';
import type { DeviceEvent } from '../../electron/core/events/device-event-source';
import { digestFetch } from '../../electron/core/net/http-auth';
import { brokenForms, challenges, dhipPacket, fixture, type Vendor } from '../helpers/device-fixtures';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const USER = 'admin';
const PASSWORD = 'Kx9!real-Pass';
const scope = fileScope();

/** The Authorization a device would accept for this challenge, checked independently of the station's code. */
function digestValid(auth: string, method: string, realm: string): { ok: boolean; algorithm: string } {
  const p: Record<string, string> = {};
  for (const m of auth.replace(/^Digest\s+/i, '').matchAll(/([\w-]+)\s*=\s*(?:"([^"]*)"|([^,\s]+))/g)) p[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  const algorithm = p.algorithm ?? 'MD5';
  const h = (s: string) => createHash(/sha-256/i.test(algorithm) ? 'sha256' : 'md5').update(s).digest('hex');
  const ha1 = h(`${p.username}:${realm}:${PASSWORD}`);
  const ha2 = h(`${method}:${p.uri}`);
  const want = p.qop ? h(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : h(`${ha1}:${p.nonce}:${ha2}`);
  return { ok: p.username === USER && p.realm === realm && p.response === want, algorithm };
}

interface Replay { url: string; algorithms: string[]; close(): Promise<void> }

/** A device on loopback answering from `vendor`'s fixtures behind the digest challenge recorded in `challengeFile`. */
async function replayDevice(vendor: Vendor, challengeFile: string, attach?: string, mutate: (op: string, xml: string) => string = (_o, x) => x): Promise<Replay> {
  const offered = challenges(fixture(vendor, challengeFile));
  const realm = /realm="([^"]*)"/.exec(offered[0]!)![1]!;
  const algorithms: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // GetSystemDateAndTime is answered before any login (ONVIF Core §5.9.1), with the device's clock now.
      if (/GetSystemDateAndTime/.test(Buffer.concat(chunks).toString('utf8')) && vendor === 'hikvision') {
        const d = new Date();
        const t: Record<string, number> = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
        res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
        return res.end(fixture(vendor, 'system-date-and-time.xml').replace(/\{\{(\w+)\}\}/g, (_m, k: string) => String(t[k])));
      }
      const auth = req.headers.authorization;
      const check = auth ? digestValid(auth, req.method ?? 'GET', realm) : undefined;
      if (!check?.ok) {
        res.writeHead(401, { 'WWW-Authenticate': offered, 'Content-Length': 0 });
        return res.end();
      }
      algorithms.push(check.algorithm);
      const url = new URL(req.url ?? '/', 'http://x');
      const body = Buffer.concat(chunks).toString('utf8');
      if (url.pathname === '/cgi-bin/eventManager.cgi' && attach) {
        res.writeHead(200, { 'Content-Type': 'multipart/x-mixed-replace; boundary=myboundary' });
        // The recorded parts, then the stream stays open as a camera's does.
        res.write(fixture(vendor, attach) + '--myboundary\r\n');
        return;
      }
      const cgi: Record<string, string> = {
        'magicBox.cgi?action=getSystemInfo': 'cgi-system-info.txt', 'magicBox.cgi?action=getSoftwareVersion': 'cgi-software-version.txt',
        'magicBox.cgi?action=getVendor': 'cgi-vendor.txt', 'configManager.cgi?action=getConfig&name=General': 'cgi-config-general.txt',
        'configManager.cgi?action=getConfig&name=RTSP': 'cgi-config-rtsp.txt', 'configManager.cgi?action=getConfig&name=NTP': 'cgi-config-ntp.txt',
        'configManager.cgi?action=getConfig&name=Locales': 'cgi-config-locales.txt',
      };
      if (url.pathname === '/auth-check') return res.end('OK');
      const file = cgi[(req.url ?? '').replace('/cgi-bin/', '')];
      if (file && vendor === 'dahua') return res.end(fixture(vendor, file));
      const found = /<(?:\w+:)?(GetDeviceInformation|GetCapabilities|GetServices|GetProfiles|GetStreamUri)\b/.exec(body)?.[1];
      // Media2 (ver20) operations have their own replies: the vendor's Media2 GetProfiles and GetStreamUri.
      const op = found && /ver20\/media\/wsdl/.test(body) ? `Media2 ${found}` : found;
      const soap: Record<string, string> = {
        GetDeviceInformation: 'device-information.xml', GetCapabilities: 'capabilities.xml', GetServices: 'services.xml', GetProfiles: 'profiles.xml',
        GetStreamUri: 'stream-uri.xml', 'Media2 GetProfiles': 'profiles-media2.xml', 'Media2 GetStreamUri': 'stream-uri-media2.xml',
      };
      if (!op) { res.writeHead(404); return res.end(); }
      const token = /ProfileToken>([^<]*)</.exec(body)?.[1] ?? '';
      const n = Number(/(\d)$/.exec(token)?.[1] ?? 0);
      res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
      res.end(mutate(op, fixture(vendor, soap[op]!)).replaceAll('{{token}}', token).replaceAll('{{channel}}', String(100 + n)).replaceAll('{{subtype}}', String(n)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    algorithms,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('ONVIF driver against recorded replies, behind each vendor\'s digest challenge', () => {
  const cases: [Vendor, string, { manufacturer: string; model: string }, RegExp, string][] = [
    ['hikvision', 'digest-isapi.http', { manufacturer: 'HIKVISION', model: 'DS-2CD2143G2-I' }, /\/Streaming\/Channels\/101\?transportmode=unicast&profile=Profile_1$/, '/onvif/Events'],
    ['dahua', 'digest-cgi.http', { manufacturer: 'Dahua', model: 'IPC-HDW2431T-AS-S2' }, /\/cam\/realmonitor\?channel=1&subtype=0&unicast=true&proto=Onvif$/, '/onvif/event_service'],
    ['axis', 'digest-sha256.http', { manufacturer: 'AXIS', model: 'M3085-V' }, /\/onvif-media\/media\.amp\?profile=profile_1_h264&/, '/onvif/services'],
  ];
  for (const [vendor, challenge, info, mainUri, events] of cases) {
    it(`${vendor}: identity, GetServices, channels with main and sub streams, the event service at the host we reached`, async () => {
      const dev = scope.add(await replayDevice(vendor, challenge));
      const d = new OnvifDriver(`${dev.url}/onvif/device_service`, { username: USER, password: PASSWORD });
      expect(await d.deviceInformation()).toMatchObject(info);
      // GetServices at the host we reached; only Axis offers Media2 (ver20), the others are read through Media1.
      const services = await d.services();
      expect(services.get('http://www.onvif.org/ver10/media/wsdl')).toMatch(new RegExp(`^${dev.url}/onvif/`));
      expect(services.has('http://www.onvif.org/ver20/media/wsdl')).toBe(vendor === 'axis');
      const chans = await d.channels();
      expect(chans).toHaveLength(1);
      expect(chans[0]!.main).toMatch(mainUri);
      // Axis's second profile on Media2 is H.265, a profile Media1 does not list (there it is the JPEG one).
      expect(chans[0]!.sub).toMatch(vendor === 'axis' ? /profile=profile_1_h265&/ : /^rtsp:\/\//);
      expect(await d.eventsUrl()).toBe(`${dev.url}${events}`);
      // Axis offers SHA-256 first: the station answered that one, never falling back to MD5.
      if (vendor === 'axis') expect(new Set(dev.algorithms)).toEqual(new Set(['SHA-256']));
      await dev.close();
    });
  }
});

describe('Media2 and Media1', () => {
  /** What firmware answers for an operation it does not implement. */
  const fault = '<?xml version="1.0"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:ter="http://www.onvif.org/ver10/error"><env:Body><env:Fault><env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>ter:ActionNotSupported</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">Optional Action Not Implemented</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>';

  it('a device whose Media2 refuses (a SOAP fault) is read through Media1', async () => {
    const dev = scope.add(await replayDevice('axis', 'digest-sha256.http', undefined, (op, x) => (op === 'Media2 GetProfiles' ? fault : x)));
    const chans = await new OnvifDriver(`${dev.url}/onvif/device_service`, { username: USER, password: PASSWORD }).channels();
    expect(chans.map((c) => [c.main, c.sub])).toEqual([[expect.stringMatching(/profile=profile_1_h264&/), expect.stringMatching(/profile=profile_1_jpeg&/)]]);
    await dev.close();
  });

  it('firmware that refuses GetServices is read through GetCapabilities, Profile G services included (a Hikvision answer)', async () => {
    const dev = scope.add(await replayDevice('hikvision', 'digest-isapi.http', undefined, (op, x) => (op === 'GetServices' ? fault : op === 'GetCapabilities' ? fixture('hikvision', 'capabilities-all.xml') : x)));
    const d = new OnvifDriver(`${dev.url}/onvif/device_service`, { username: USER, password: PASSWORD });
    const services = await d.services();
    expect(['media', 'recording', 'search', 'replay'].map((s) => services.get(`http://www.onvif.org/ver10/${s}/wsdl`)))
      .toEqual([`${dev.url}/onvif/Media`, `${dev.url}/onvif/Recording`, `${dev.url}/onvif/SearchRecording`, `${dev.url}/onvif/Replay`]);
    expect((await d.channels())[0]!.main).toMatch(/\/Streaming\/Channels\/101\?/);
    await dev.close();
  });
});

describe('broken replies: refused with a reason, never a crash or a hang', () => {
  for (const op of ['GetDeviceInformation', 'GetCapabilities', 'GetServices', 'GetProfiles', 'GetStreamUri']) {
    it(`hikvision ${op} truncated, mistyped, huge, empty`, async () => {
      for (const b of brokenForms(fixture('hikvision', 'device-information.xml'))) {
        const dev = await replayDevice('hikvision', 'digest-isapi.http', undefined, (o, x) => (o === op ? brokenForms(x).find((f) => f.name === b.name)!.text : x));
        const d = new OnvifDriver(`${dev.url}/onvif/device_service`, { username: USER, password: PASSWORD });
        const outcome = await Promise.all([d.deviceInformation(), d.channels()]).then(() => 'read', (err: unknown) => err);
        // Either read around the damage (a mistyped field is text to the driver), or refused with a worded reason.
        if (outcome !== 'read') {
          expect(outcome, `${op} ${b.name}: ${String(outcome)}`).toBeInstanceOf(Error);
          expect((outcome as Error).message, `${op} ${b.name}`).toMatch(/reply|XML|URI|too large|HTTP status/);
        }
        await dev.close();
      }
    });
  }

  it('adding a device whose GetProfiles reply is cut off is refused, naming the unreadable reply', async () => {
    const dev = scope.add(await replayDevice('hikvision', 'digest-isapi.http', undefined, (o, x) => (o === 'GetProfiles' ? x.slice(0, x.length / 2) : x)));
    const { st } = await startStationIn(scope, scope.tempDir('wp-fixbroken-'), { heartbeatMs: 60_000, devices: { heartbeatMs: 60_000 } });
    const port = Number(new URL(dev.url).port);
    const err = await stationCall(st, new ClientSession('fixtures-broken'), 'devices.add', { address: '127.0.0.1', httpPort: port, username: USER, password: PASSWORD })
      .then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(StationError);
    expect((err as StationError).info, JSON.stringify((err as StationError).info)).toMatchObject({ reason: 'device.badReply', params: { detail: 'not well-formed XML' } });
    expect(await stationCall(st, new ClientSession('fixtures-broken'), 'devices.list', {})).toEqual([]);
  });
});

describe('Dahua CGI driver and eventManager stream against recorded replies', () => {
  let dev: Replay;
  beforeAll(async () => { dev = scope.add(await replayDevice('dahua', 'digest-cgi.http', 'event-attach.multipart')); });

  it('identity, name, RTSP port and time settings from magicBox and configManager', async () => {
    const d = new DahuaDriver(dev.url, { username: USER, password: PASSWORD });
    expect(await d.deviceInformation()).toMatchObject({ manufacturer: 'Dahua', model: 'IPC-HDW2431T-AS-S2', serial: '5H0A1B2PAZ12345', firmware: '2.800.0000000.25.R,build:2021-06-17' });
    expect(await d.machineName()).toBe('Front door');
    expect((await d.channels(1))[0]!.main).toBe('rtsp://127.0.0.1:8554/cam/realmonitor?channel=1&subtype=0');
    expect(await d.getTime()).toEqual({ tz: 'CET-1CEST,M3.5.0,M10.5.0/3', dst: true, mode: 'ntp' });
  });

  for (const vendor of ['dahua', 'amcrest'] as const) {
    it(`${vendor}: the attach stream's events reach the station's source`, async () => {
      const d = vendor === 'dahua' ? dev : scope.add(await replayDevice('amcrest', 'digest-cgi.http', 'event-attach.multipart'));
      const got: DeviceEvent[] = [];
      const src = new DahuaAttachSource({ url: d.url, username: USER, password: PASSWORD, onEvent: (e) => got.push(e), retryMs: 100 });
      src.start();
      const want = vendor === 'dahua' ? 7 : 4;
      await expect.poll(() => got.length, { timeout: 10_000 }).toBe(want);
      await src.dispose();
      expect(got.map((e) => e.kind)).toEqual(vendor === 'dahua'
        ? ['motion', 'line_crossing', 'intrusion', 'tamper', 'door', 'audio', 'motion']
        : ['motion', 'motion', 'motion', 'motion']);
    });
  }
});

describe('digest challenges as devices send them', () => {
  for (const [vendor, file] of [['hikvision', 'digest-isapi.http'], ['hikvision', 'digest-rtsp.rtsp'], ['dahua', 'digest-cgi.http'], ['axis', 'digest-sha256.http'], ['reolink', 'digest-rtsp.rtsp'], ['amcrest', 'digest-cgi.http']] as const) {
    it(`${vendor}/${file}: the device accepts the station's answer`, async () => {
      const dev = scope.add(await replayDevice(vendor, file));
      const res = await digestFetch(`${dev.url}/auth-check`, { username: USER, password: PASSWORD });
      await res.arrayBuffer();
      expect(res.status).toBe(200);
      await dev.close();
    });
  }
});

describe('a scan meets devices that answer as shipping firmware does', () => {
  const session = new ClientSession('fixtures-scan');
  const socks: dgram.Socket[] = [];
  afterAll(async () => { await Promise.all(socks.map((s) => new Promise<void>((r) => s.close(() => r())))); });

  it('lists each vendor with the vendor its scopes or DHIP reply name, DHIP request id 0 and NUL included', async () => {
    const net = `127.${20 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}`;
    const devices: { vendor: Vendor; dhip?: string }[] = [
      { vendor: 'hikvision' }, { vendor: 'dahua', dhip: 'dhip-ipc.dhip' }, { vendor: 'axis' }, { vendor: 'uniview' }, { vendor: 'reolink' }, { vendor: 'amcrest', dhip: 'dhip.dhip' },
    ];
    const targets: { address: string; wsdPort: number; dhipPort: number }[] = [];
    for (const [i, d] of devices.entries()) {
      const address = `${net}.${10 + i}`;
      const sock = dgram.createSocket('udp4');
      socks.push(sock);
      sock.on('message', (msg, rinfo) => {
        if (msg.subarray(4, 8).toString('latin1') === 'DHIP') {
          // As every public capture shows: the reply carries request id 0, whatever the search's was.
          if (d.dhip) sock.send(dhipPacket(fixture(d.vendor, d.dhip), (j) => j.replace(/"IPAddress":"[\d.]+"/, `"IPAddress":"${address}"`)), rinfo.port, rinfo.address);
          return;
        }
        const id = /MessageID>([^<]+)</.exec(msg.toString('utf8'))?.[1] ?? '';
        const reply = fixture(d.vendor, 'probe-match.xml').replace('uuid:RELATES-TO', id).replace(/http:\/\/[\d.]+(:\d+)?\//g, `http://${address}$1/`);
        sock.send(Buffer.from(reply), rinfo.port, rinfo.address);
      });
      await new Promise<void>((r) => sock.bind(0, address, () => r()));
      const port = sock.address().port;
      targets.push({ address, wsdPort: port, dhipPort: port });
    }
    const { st } = await startStationIn(scope, scope.tempDir('wp-fixscan-'), { heartbeatMs: 60_000, devices: { unicast: () => targets, scanMs: 1200 } });
    const found = await stationCall(st, session, 'devices.scan', {});
    const row = (i: number) => found.find((f) => f.address === targets[i]!.address);
    expect(found).toHaveLength(devices.length);
    expect(row(0)).toMatchObject({ vendor: 'Hikvision', model: 'DS-2CD2143G2-I', sources: ['onvif'] });
    expect(row(1)).toMatchObject({ vendor: 'Dahua', model: 'IPC-HDW2431T-AS-S2', mac: 'E0:50:8B:A1:B2:C3' });
    expect(row(1)!.sources.sort()).toEqual(['dhip', 'onvif']);
    expect(row(2)).toMatchObject({ vendor: 'Axis', model: 'M3085-V', name: 'AXIS M3085-V' });
    expect(row(3)).toMatchObject({ vendor: 'Uniview Technologies', model: 'IPC2124LB-SF40KM-G' });
    expect(row(4)).toMatchObject({ vendor: 'Reolink', httpPort: 8000 });
    expect(row(5)).toMatchObject({ vendor: 'Amcrest', serial: 'AMC0123456789ABCDEF' });
    expect(row(5)!.sources.sort()).toEqual(['dhip', 'onvif']);
  });
});
