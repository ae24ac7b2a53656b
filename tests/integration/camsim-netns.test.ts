import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { decodeDhip, encodeDhip } from '../../scripts/camsim/dahua/dhip';
import { onlyLoopbackInterfaces } from '../../scripts/camsim/discovery/hub';
import { placeholderMedia, startFleet } from '../../scripts/camsim/fleet';
import { child, NS, parseXml } from '../../scripts/camsim/onvif/xml';
import { describeRerunInNetns } from '../helpers/netns';

// Multicast discovery only ever runs inside a private network namespace with nothing but lo, so no
// packet can reach a real interface. The outer run re-runs this file under `unshare -n`; the inner
// run (CAMSIM_NETNS_INNER=1) does the multicast checks.

const INNER = process.env.CAMSIM_NETNS_INNER === '1';

describeRerunInNetns('camsim multicast discovery in a network namespace', 'tests/integration/camsim-netns.test.ts', { CAMSIM_NETNS_INNER: '1' }, /2 passed/);

describe.skipIf(!INNER)('inside the namespace', () => {
  async function sender(): Promise<{ sock: dgram.Socket; got: { from: string; msg: Buffer }[]; close(): Promise<void> }> {
    const sock = dgram.createSocket('udp4');
    const got: { from: string; msg: Buffer }[] = [];
    sock.on('message', (msg, r) => got.push({ from: r.address, msg }));
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    sock.setMulticastInterface('127.0.0.1');
    sock.setMulticastTTL(1);
    return { sock, got, close: () => new Promise<void>((r) => sock.close(() => r())) };
  }

  it('is really isolated: only loopback interfaces', () => {
    expect(onlyLoopbackInterfaces()).toBe(true);
  });

  it('hears Hello on the group and answers multicast WS-Discovery and DHIP probes from every device', async () => {
    // Listen on the WS-Discovery group before the fleet starts, to hear its Hellos.
    const hello = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    const hellos: string[] = [];
    hello.on('message', (m, r) => {
      if (m.toString().includes('/discovery/Hello')) hellos.push(r.address);
    });
    await new Promise<void>((r) => hello.bind(3702, '239.255.255.250', () => r()));
    hello.addMembership('239.255.255.250', '127.0.0.1');

    const fleet = await startFleet({ devices: 3, uninitialized: 1, subnet: '127.0.66', media: placeholderMedia, multicast: true });
    try {
      const s = await sender();
      const id = `urn:uuid:${randomUUID()}`;
      const probe =
        `<s:Envelope xmlns:s="${NS.env}" xmlns:a="${NS.wsadis}" xmlns:d="${NS.wsd}" xmlns:dn="${NS.dn}"><s:Header>` +
        `<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action><a:MessageID>${id}</a:MessageID>` +
        `<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header><s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>`;
      s.sock.send(probe, 3702, '239.255.255.250');
      s.sock.send(encodeDhip({ method: 'DHDiscover.search', params: { mac: '', uni: 0 } }), 37810, '239.255.255.251');
      await new Promise((r) => setTimeout(r, 700));
      await s.close();
      const wsd = s.got.filter((g) => g.msg.subarray(0, 4).toString() !== ' \0\0\0');
      const dhip = s.got.map((g) => ({ from: g.from, p: decodeDhip(g.msg) })).filter((g) => g.p);
      expect(new Set(wsd.map((g) => g.from))).toEqual(new Set(['127.0.66.1', '127.0.66.2', '127.0.66.3']));
      for (const g of wsd) {
        const env = parseXml(g.msg.toString());
        expect(child(child(env, 'Header', NS.env), 'RelatesTo', NS.wsadis)?.text).toBe(id);
      }
      expect(dhip.map((g) => g.from).sort()).toEqual(['127.0.66.1', '127.0.66.2', '127.0.66.3']);
      expect(dhip.map((g) => ((g.p!.body as { params: { deviceInfo: { Init: number } } }).params.deviceInfo.Init & 3)).sort()).toEqual([1, 2, 2]);
      expect(new Set(hellos)).toEqual(new Set(['127.0.66.1', '127.0.66.2', '127.0.66.3']));
    } finally {
      await fleet.close();
      await new Promise<void>((r) => hello.close(() => r()));
    }
  });
});
