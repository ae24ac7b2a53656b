import dgram from 'node:dgram';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDhip, encodeDhip } from '../../scripts/camsim/dahua/dhip';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { digestFetch } from '../../scripts/camsim/onvif/client';
import { digestAuthorization } from '../../scripts/camsim/digest-auth';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ devices: 2, uninitialized: 1, nvr: 64, subnet: '127.0.63', media: placeholderMedia });
});
afterAll(async () => {
  await fleet?.close();
});

const base = (i: number) => fleet.device(i).baseUrl;
const get = (i: number, path: string) => digestFetch(`${base(i)}${path}`, DEFAULT_USERNAME, DEFAULT_PASSWORD);

/** Sends one DHIP datagram to a device and collects replies for a while. */
async function dhip(target: { ip: string; port: number }, body: unknown, waitMs = 300): Promise<unknown[]> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const replies: unknown[] = [];
  sock.on('message', (msg) => {
    const p = decodeDhip(msg);
    if (p) replies.push(p.body);
  });
  sock.send(encodeDhip(body), target.port, target.ip);
  await new Promise((r) => setTimeout(r, waitMs));
  await new Promise<void>((r) => sock.close(() => r()));
  return replies;
}

describe('camsim Dahua DHIP discovery', () => {
  it('answers DHDiscover.search with client.notifyDevInfo and the init flag', async () => {
    const d = fleet.manifest.devices[0]!;
    const [reply] = (await dhip({ ip: d.ip, port: d.ports.dhip }, { method: 'DHDiscover.search', params: { mac: '', uni: 1 } })) as {
      mac: string;
      method: string;
      params: { deviceInfo: Record<string, unknown> };
    }[];
    expect(reply?.method).toBe('client.notifyDevInfo');
    expect(reply?.mac).toBe(d.mac.toLowerCase());
    const info = reply!.params.deviceInfo;
    expect(info).toMatchObject({ SerialNo: d.serial, DeviceType: d.model, HttpPort: d.ports.http, DeviceClass: 'IPC', VideoInputChannels: 1 });
    expect((info.IPv4Address as { IPAddress: string }).IPAddress).toBe(d.ip);
    expect(Number(info.Init) & 3).toBe(2);
    const u = fleet.manifest.devices[1]!;
    const [fresh] = (await dhip({ ip: u.ip, port: u.ports.dhip }, { method: 'DHDiscover.search', params: { mac: '', uni: 1 } })) as {
      params: { deviceInfo: { Init: number } };
    }[];
    expect(fresh!.params.deviceInfo.Init & 3).toBe(1);
  });

  it('frames replies with the 32-byte DHIP header and ignores bare JSON', async () => {
    const d = fleet.manifest.devices[0]!;
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    sock.send(Buffer.from('{"method":"DHDiscover.search","params":{"mac":"","uni":1}}'), d.ports.dhip, d.ip);
    await new Promise((r) => setTimeout(r, 150));
    expect(got).toHaveLength(0);
    sock.send(encodeDhip({ method: 'DHDiscover.search', params: { mac: '', uni: 1 } }), d.ports.dhip, d.ip);
    await new Promise((r) => setTimeout(r, 200));
    await new Promise<void>((r) => sock.close(() => r()));
    const pkt = got[0]!;
    expect(pkt.readUInt32LE(0)).toBe(32);
    expect(pkt.subarray(4, 8).toString()).toBe('DHIP');
    expect(pkt.readUInt32LE(16)).toBe(pkt.length - 32);
    expect(pkt.readUInt32LE(24)).toBe(pkt.length - 32);
  });

  it('reports an NVR with its remote channels', async () => {
    const n = fleet.manifest.devices[2]!;
    expect(n.kind).toBe('nvr');
    expect(n.channels).toHaveLength(64);
    const [reply] = (await dhip({ ip: n.ip, port: n.ports.dhip }, { method: 'DHDiscover.search', params: { mac: '', uni: 1 } })) as {
      params: { deviceInfo: Record<string, unknown> };
    }[];
    expect(reply!.params.deviceInfo).toMatchObject({ DeviceClass: 'NVR', RemoteVideoInputChannels: 64 });
  });
});

describe('camsim Dahua HTTP CGI', () => {
  it('requires digest auth and answers magicBox in key=value form', async () => {
    expect((await fetch(`${base(0)}/cgi-bin/magicBox.cgi?action=getDeviceType`)).status).toBe(401);
    const d = fleet.manifest.devices[0]!;
    expect(await (await get(0, '/cgi-bin/magicBox.cgi?action=getDeviceType')).text()).toBe(`type=${d.model}\r\n`);
    expect(await (await get(0, '/cgi-bin/magicBox.cgi?action=getSoftwareVersion')).text()).toBe(`version=${d.firmware}\r\n`);
    expect(await (await get(0, '/cgi-bin/magicBox.cgi?action=getMachineName')).text()).toBe(`name=${d.serial}\r\n`);
    const info = await (await get(0, '/cgi-bin/magicBox.cgi?action=getSystemInfo')).text();
    expect(info).toContain(`serialNumber=${d.serial}\r\n`);
    expect(info).toContain(`deviceType=${d.model}\r\n`);
  });

  it('gets and sets General, Network, NTP and Locales', async () => {
    let text = await (await get(0, '/cgi-bin/configManager.cgi?action=getConfig&name=Network')).text();
    expect(text).toContain(`table.Network.eth0.IPAddress=${fleet.device(0).ip}\r\n`);
    for (const name of ['General', 'NTP', 'Locales']) {
      text = await (await get(0, `/cgi-bin/configManager.cgi?action=getConfig&name=${name}`)).text();
      expect(text.startsWith(`table.${name}.`)).toBe(true);
    }
    let res = await get(0, '/cgi-bin/configManager.cgi?action=setConfig&General.MachineName=Lobby&NTP.Enable=true&NTP.TimeZoneDesc=CET-1CEST,M3.5.0,M10.5.0/3&Locales.DSTEnable=true');
    expect(await res.text()).toBe('OK\r\n');
    expect(await (await get(0, '/cgi-bin/magicBox.cgi?action=getMachineName')).text()).toBe('name=Lobby\r\n');
    expect(await (await get(0, '/cgi-bin/configManager.cgi?action=getConfig&name=NTP')).text()).toContain('table.NTP.Enable=true');
    res = await get(0, '/cgi-bin/configManager.cgi?action=setConfig&Network.eth0.IPAddress=10.0.0.5');
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^Error\r\n/);
  });

  it('serves a JPEG from snapshot.cgi', async () => {
    const res = await get(0, '/cgi-bin/snapshot.cgi?channel=1');
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const b = Buffer.from(await res.arrayBuffer());
    expect([b[0], b[1]]).toEqual([0xff, 0xd8]);
  });

  it('streams events from eventManager attach as multipart with heartbeats', async () => {
    const dev = fleet.device(0);
    const url = new URL(`${base(0)}/cgi-bin/eventManager.cgi?action=attach&codes=[VideoMotion,SensorTemperature]&heartbeat=1`);
    const first = await fetch(url);
    const challenge = first.headers.get('www-authenticate') ?? '';
    await first.arrayBuffer();
    const authorization = digestAuthorization(challenge, { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, method: 'GET', uri: url.pathname + url.search });
    const text = await new Promise<{ type: string; body: string }>((resolve, reject) => {
      const req = http.get(url, { headers: { Authorization: authorization } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          if (body.includes('Heartbeat') && body.includes('SensorTemperature')) {
            req.destroy();
            resolve({ type: String(res.headers['content-type']), body });
          }
        });
        setTimeout(() => {
          dev.raiseEvent({ kind: 'motion', channel: 1, state: true });
          dev.raiseEvent({ kind: 'door', channel: 1, state: true });
          dev.raiseEvent({ kind: 'temperature', channel: 1, value: 31 });
        }, 100);
      });
      req.on('error', reject);
    });
    expect(text.type).toBe('multipart/x-mixed-replace; boundary=myboundary');
    expect(text.body).toContain('--myboundary\r\nContent-Type: text/plain\r\n');
    expect(text.body).toContain('Code=VideoMotion;action=Start;index=0');
    expect(text.body).toContain('Code=SensorTemperature;action=Pulse;index=0;data={"Value":31}');
    expect(text.body).not.toContain('AlarmLocal');
  });
});

describe('camsim Dahua initialisation of a factory-new device', () => {
  it('answers Invalid Authority until DevInit, refuses weak passwords, then takes the new admin', async () => {
    const dev = fleet.device(1);
    let res = await fetch(`${base(1)}/cgi-bin/magicBox.cgi?action=getDeviceType`);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Invalid Authority!');
    const rpc = (body: unknown) =>
      fetch(`${base(1)}/OutsideCmd`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(await rpc({ method: 'DevInit.getStatus', params: null, id: 1, session: 0 })).toMatchObject({ result: true, params: { Init: 1 } });
    expect(await rpc({ method: 'DevInit.account', params: { name: 'admin', pwd: '123' }, id: 2 })).toMatchObject({ result: false });
    expect(await rpc({ method: 'DevInit.account', params: { name: 'admin', pwd: 'Init-Pass9' }, id: 3 })).toMatchObject({ result: true });
    expect(dev.initialized).toBe(true);
    expect(await rpc({ method: 'DevInit.getStatus', id: 4 })).toMatchObject({ params: { Init: 2 } });
    res = await digestFetch(`${base(1)}/cgi-bin/magicBox.cgi?action=getDeviceType`, 'admin', 'Init-Pass9');
    expect(res.status).toBe(200);
    const d = fleet.manifest.devices[1]!;
    const [reply] = (await dhip({ ip: d.ip, port: d.ports.dhip }, { method: 'DHDiscover.search', params: { mac: '' } })) as {
      params: { deviceInfo: { Init: number } };
    }[];
    expect(reply!.params.deviceInfo.Init & 3).toBe(2);
  });
});
