import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onlyLoopbackInterfaces } from '../../scripts/camsim/discovery/hub';
import { placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { child, NS, parseXml, textAt, type XmlElement } from '../../scripts/camsim/onvif/xml';

// WS-Discovery against camsim over real UDP on loopback (unicast: no namespace needed).

function probeXml(messageId: string, types = 'dn:NetworkVideoTransmitter', scopes = ''): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.env}" xmlns:a="${NS.wsadis}" xmlns:d="${NS.wsd}" ` +
    `xmlns:dn="${NS.dn}" xmlns:tds="${NS.tds}"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>` +
    `<a:MessageID>${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>` +
    `<s:Body><d:Probe><d:Types>${types}</d:Types>${scopes ? `<d:Scopes>${scopes}</d:Scopes>` : ''}</d:Probe></s:Body></s:Envelope>`
  );
}

interface Received {
  from: string;
  xml: XmlElement;
}

async function listener(port = 0): Promise<{ sock: dgram.Socket; port: number; got: Received[]; close(): Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const got: Received[] = [];
  sock.on('message', (m, r) => got.push({ from: r.address, xml: parseXml(m.toString()) }));
  await new Promise<void>((r) => sock.bind(port, '127.0.0.1', () => r()));
  return { sock, port: sock.address().port, got, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

async function probe(ip: string, port: number, types?: string, scopes?: string): Promise<{ id: string; replies: Received[] }> {
  const l = await listener();
  const id = `urn:uuid:${randomUUID()}`;
  l.sock.send(probeXml(id, types, scopes), port, ip);
  // WS-Discovery APP_MAX_DELAY is 500 ms.
  await new Promise((r) => setTimeout(r, 650));
  await l.close();
  return { id, replies: l.got };
}

const bodyOf = (x: XmlElement) => child(x, 'Body', NS.env)?.children[0];
const headerOf = (x: XmlElement) => child(x, 'Header', NS.env);

let fleet: Fleet;
let announce: Awaited<ReturnType<typeof listener>>;
beforeAll(async () => {
  announce = await listener();
  fleet = await startFleet({ devices: 2, uninitialized: 1, subnet: '127.0.64', media: placeholderMedia, announceTo: [{ host: '127.0.0.1', port: announce.port }] });
});
afterAll(async () => {
  await fleet?.close();
  await announce?.close();
});

describe('camsim WS-Discovery', () => {
  it('answers a real UDP probe with ProbeMatches carrying XAddrs, scopes and RelatesTo', async () => {
    const d = fleet.manifest.devices[0]!;
    const { id, replies } = await probe(d.ip, d.ports.wsDiscovery);
    expect(replies).toHaveLength(1);
    const reply = replies[0]!;
    expect(reply.from).toBe(d.ip);
    expect(reply.xml.ns).toBe(NS.env);
    const h = headerOf(reply.xml);
    expect(child(h, 'RelatesTo', NS.wsadis)?.text).toBe(id);
    expect(child(h, 'Action', NS.wsadis)?.text).toBe('http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches');
    const match = child(bodyOf(reply.xml), 'ProbeMatch', NS.wsd);
    expect(bodyOf(reply.xml)?.ns).toBe(NS.wsd);
    expect(textAt(match, 'XAddrs')).toBe(d.onvif.deviceService);
    expect(textAt(match, 'EndpointReference', 'Address')).toBe(d.onvif.endpointReference);
    expect(textAt(match, 'Types')?.split(' ')).toContain('dn:NetworkVideoTransmitter');
    expect(textAt(match, 'Scopes')).toContain('onvif://www.onvif.org/Profile/Q/Operational');
  });

  it('matches tds:Device, ignores unknown types, and filters by scope', async () => {
    const [a, b] = fleet.manifest.devices;
    const fd = 'onvif://www.onvif.org/Profile/Q/FactoryDefault';
    const [device, other, scoped, fresh] = await Promise.all([
      probe(a!.ip, a!.ports.wsDiscovery, 'tds:Device'),
      probe(a!.ip, a!.ports.wsDiscovery, 'dn:SomethingElse'),
      probe(a!.ip, a!.ports.wsDiscovery, '', fd),
      probe(b!.ip, b!.ports.wsDiscovery, '', 'onvif://www.onvif.org/Profile'),
    ]);
    expect(device.replies).toHaveLength(1);
    expect(other.replies).toHaveLength(0);
    expect(scoped.replies).toHaveLength(0);
    expect(textAt(child(bodyOf(fresh.replies[0]!.xml), 'ProbeMatch'), 'Scopes')).toContain(fd);
  });

  it('sent Hello on start, and Bye + Hello with the new XAddrs when the address changes', async () => {
    const hellos = () => announce.got.filter((g) => bodyOf(g.xml)?.local === 'Hello');
    expect(new Set(hellos().map((g) => g.from))).toEqual(new Set(['127.0.64.1', '127.0.64.2']));
    announce.got.length = 0;
    await fleet.device(0).setAddress('127.0.64.77');
    await new Promise((r) => setTimeout(r, 100));
    const kinds = announce.got.map((g) => bodyOf(g.xml)?.local);
    expect(kinds).toEqual(['Bye', 'Hello']);
    const hello = bodyOf(announce.got[1]!.xml);
    expect(announce.got[1]!.from).toBe('127.0.64.77');
    expect(textAt(hello, 'XAddrs')).toBe('http://127.0.64.77/onvif/device_service');
    expect(Number(textAt(hello, 'MetadataVersion'))).toBeGreaterThan(1);
    const after = await probe('127.0.64.77', fleet.device(0).ports.wsDiscovery);
    expect(after.replies).toHaveLength(1);
  });

  it('takes no address outside loopback', async () => {
    await expect(fleet.device(1).setAddress('192.168.1.10')).rejects.toThrow(/loopback/);
    await expect(startFleet({ subnet: '10.0.0', media: placeholderMedia })).rejects.toThrow(/loopback/);
  });

  it.skipIf(onlyLoopbackInterfaces())('refuses multicast outside a private network namespace', async () => {
    await expect(startFleet({ subnet: '127.0.68', media: placeholderMedia, multicast: true })).rejects.toThrow(/network namespace/);
  });
});
