import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { fail, type StationError } from '../../../contract';
import { answersSearch, decodeDhip, DHIP_MULTICAST, DHIP_PORT, readNotifyDevInfo, searchPacket, type DhipDevice } from './dhip';
import { parseWsdMessage, probeXml, WSD_MULTICAST, type WsdEndpoint } from './ws-discovery';

/** A device that answers unicast probes (tests use camsim's loopback addresses; installers may list known IPs). */
export interface UnicastTarget { address: string; wsdPort?: number; dhipPort?: number }

export type ScanHit =
  | { source: 'onvif'; from: string; endpoint: WsdEndpoint }
  | { source: 'dhip'; from: string; device: DhipDevice };

export interface ScanOptions {
  /** Local IPv4 addresses to probe from by multicast (default: every IPv4 interface). */
  interfaces?: string[];
  /** Probe these devices directly instead of multicasting. */
  unicast?: UnicastTarget[];
  durationMs: number;
  /** When each round of probes goes out (WS-Discovery §3.1.3: UDP is lossy, so repeat). */
  rounds?: number[];
  onHit(hit: ScanHit): void;
}

export function ipv4Interfaces(): { name: string; address: string; netmask: string }[] {
  const out: { name: string; address: string; netmask: string }[] = [];
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4') out.push({ name, address: a.address, netmask: a.netmask });
  }
  return out;
}

/** The most addresses one sweep asks (a /22). */
export const MAX_SWEEP = 1024;
const toNumber = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const toAddress = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Whether `address` lies from `from` to `to` (IPv4, both included). */
export function inRange(address: string, from: string, to: string): boolean {
  const n = toNumber(address);
  return n >= toNumber(from) && n <= toNumber(to);
}

/** Every address from `from` to `to`, each asked on the standard WS-Discovery and DHIP ports; the refusal when the range is not one. */
export function sweepTargets(from: string, to: string): UnicastTarget[] | StationError {
  const a = toNumber(from), b = toNumber(to);
  if (b < a) return fail('scan.rangeReversed', { field: 'lastAddress', from, to });
  if (b - a + 1 > MAX_SWEEP) return fail('scan.rangeTooLarge', { field: 'lastAddress', from, to, size: b - a + 1, max: MAX_SWEEP });
  return Array.from({ length: b - a + 1 }, (_, i) => ({ address: toAddress(a + i), wsdPort: WSD_MULTICAST.port, dhipPort: DHIP_PORT }));
}

const MAX_DATAGRAM = 64 * 1024;
const sameHost = (url: string, host: string) => { try { return new URL(url).hostname === host; } catch { return false; } };

/** One scan: WS-Discovery Probes (tds:Device and dn:NetworkVideoTransmitter) and DHIP searches, repeated; replies not answering our probes, or naming another host than the sender, are dropped. */
export async function scan(opts: ScanOptions): Promise<void> {
  const messageIds = new Set<string>();
  const requestId = (Math.random() * 0x7fffffff) >>> 0;
  const sockets: dgram.Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const onMessage = (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    if (msg.length > MAX_DATAGRAM) return;
    if (msg.subarray(4, 8).toString('latin1') === 'DHIP') {
      const pkt = decodeDhip(msg);
      if (!pkt || !answersSearch(pkt.requestId, requestId)) return;
      const device = readNotifyDevInfo(pkt.body);
      if (device && device.address === rinfo.address) opts.onHit({ source: 'dhip', from: rinfo.address, device });
      return;
    }
    const m = parseWsdMessage(msg.toString('utf8'));
    if (m?.kind !== 'ProbeMatches' || !messageIds.has(m.relatesTo)) return;
    for (const e of m.matches) {
      const xaddrs = e.xaddrs.filter((x) => sameHost(x, rinfo.address));
      if (xaddrs.length) opts.onHit({ source: 'onvif', from: rinfo.address, endpoint: { ...e, xaddrs } });
    }
  };
  const open = async (bindTo: string) => {
    const sock = dgram.createSocket({ type: 'udp4' });
    sock.on('message', onMessage);
    sock.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, bindTo, () => {
        sock.off('error', reject);
        // Hundreds of devices answer within APP_MAX_DELAY; a default-sized buffer drops replies in the burst.
        try { sock.setRecvBufferSize(4 * 1024 * 1024); } catch { /* capped by the OS; the repeated rounds cover losses */ }
        resolve();
      });
    });
    sockets.push(sock);
    return sock;
  };
  try {
    const sends: (() => void)[] = [];
    const probes = () => {
      const a = probeXml('device');
      const b = probeXml('nvt');
      messageIds.add(a.messageId);
      messageIds.add(b.messageId);
      return [Buffer.from(a.xml), Buffer.from(b.xml)];
    };
    if (opts.unicast) {
      // Loopback targets (tests, the demo) are asked from loopback; a sweep of a LAN from every interface.
      const sock = await open(opts.unicast.every((t) => t.address.startsWith('127.')) ? '127.0.0.1' : '0.0.0.0');
      sends.push(() => {
        const [a, b] = probes();
        for (const t of opts.unicast ?? []) {
          if (t.wsdPort) { sock.send(a!, t.wsdPort, t.address); sock.send(b!, t.wsdPort, t.address); }
          if (t.dhipPort) sock.send(searchPacket(requestId), t.dhipPort, t.address);
        }
      });
    } else {
      const addrs = opts.interfaces ?? ipv4Interfaces().map((i) => i.address);
      for (const addr of addrs) {
        const sock = await open(addr).catch(() => undefined);
        if (!sock) continue;
        sock.setMulticastInterface(addr);
        sock.setMulticastTTL(1);
        sends.push(() => {
          const [a, b] = probes();
          sock.send(a!, WSD_MULTICAST.port, WSD_MULTICAST.address);
          sock.send(b!, WSD_MULTICAST.port, WSD_MULTICAST.address);
          sock.send(searchPacket(requestId), DHIP_PORT, DHIP_MULTICAST);
        });
      }
    }
    const send = () => { for (const s of sends) { try { s(); } catch { /* a socket closed mid-scan */ } } };
    for (const at of opts.rounds ?? [0, 250, 1000]) timers.push(setTimeout(send, at));
    await new Promise<void>((r) => timers.push(setTimeout(r, opts.durationMs)));
  } finally {
    for (const t of timers) clearTimeout(t);
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}

/**
 * Listens for Hello/Bye; returns its disposer. `group`: joins the WS-Discovery multicast group on each of `interfaces`
 * (every IPv4 interface by default) on `port`; otherwise a unicast port on `address` (camsim announces to it in tests).
 * It only ever receives: nothing is sent from this socket.
 */
export async function listenAnnouncements(
  opts: { port: number; address: string; group?: boolean; interfaces?: string[] },
  on: (m: { kind: 'Hello'; from: string; endpoint: WsdEndpoint } | { kind: 'Bye'; from: string; endpoint: string }) => void,
): Promise<() => Promise<void>> {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (msg, rinfo) => {
    if (msg.length > MAX_DATAGRAM) return;
    const m = parseWsdMessage(msg.toString('utf8'));
    if (m?.kind === 'Hello') {
      const xaddrs = m.endpoint.xaddrs.filter((x) => sameHost(x, rinfo.address));
      if (xaddrs.length) on({ kind: 'Hello', from: rinfo.address, endpoint: { ...m.endpoint, xaddrs } });
    } else if (m?.kind === 'Bye') on({ kind: 'Bye', from: rinfo.address, endpoint: m.endpoint });
  });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port, opts.group ? undefined : opts.address, () => { sock.off('error', reject); resolve(); });
  });
  sock.on('error', () => undefined);
  if (opts.group) {
    let joined = 0;
    for (const addr of opts.interfaces ?? ipv4Interfaces().map((i) => i.address)) {
      try { sock.addMembership(WSD_MULTICAST.address, addr); joined++; } catch { /* an interface without multicast */ }
    }
    if (!joined) {
      await new Promise<void>((r) => sock.close(() => r()));
      throw new Error('no interface could join the WS-Discovery group');
    }
  }
  return () => new Promise<void>((r) => sock.close(() => r()));
}
