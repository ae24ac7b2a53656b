import { randomUUID } from 'node:crypto';
import dgram from 'node:dgram';
import { networkInterfaces } from 'node:os';
import { at, esc, list, parseUntrustedXml, text } from '../net/xml';

// Stations finding each other on the LAN (issue 14) with the WS-Discovery the station already speaks for cameras: a
// station serving desks answers Probes for its own type, `wp:Station`, with its address, port, name, version and
// certificate fingerprint in the ProbeMatch; a desk's "Find stations" sends that Probe. Nothing answers a camera scan,
// and nothing is announced unasked (no Hello): only a desk that asks hears of a station.

const ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
const GROUP = { address: '239.255.255.250', port: 3702 } as const;
const TYPE_NS = 'urn:watchpost:station';
const SCOPE = 'watchpost://station/';
const MAX_DATAGRAM = 64 * 1024;

/** Where stations are looked for: the WS-Discovery multicast group (every IPv4 interface unless named), or one loopback port (tests). */
export type DiscoveryPlace = { group: true; interfaces?: string[] } | { address: string; port: number };

/** What a serving station says of itself. `host` null: the desk takes the address the answer came from. */
export interface StationCard { name: string; host: string | null; port: number; fingerprint: string; version: string; contract: string }
export interface FoundStation extends StationCard { host: string }

function ipv4(): { address: string; netmask: string }[] {
  return Object.values(networkInterfaces()).flatMap((l) => l ?? []).filter((a) => a.family === 'IPv4');
}
const num = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
/** This machine's address on the prober's subnet (what a station listening on every interface answers with). */
export function addressFacing(prober: string): string | null {
  return ipv4().find((i) => (num(i.address) & num(i.netmask)) === (num(prober) & num(i.netmask)))?.address ?? null;
}

const envelope = (header: string, body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` +
  `xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="${ACTION}" xmlns:wp="${TYPE_NS}">` +
  `<s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;

export function stationProbeXml(messageId = `urn:uuid:${randomUUID()}`): { xml: string; messageId: string } {
  const xml = envelope(
    `<a:MessageID>${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To><a:Action>${ACTION}/Probe</a:Action>`,
    '<d:Probe><d:Types>wp:Station</d:Types></d:Probe>',
  );
  return { xml, messageId };
}

/** The MessageID of a Probe asking for stations; undefined for anything else (a camera scan, a Hello, garbage). */
export function readStationProbe(raw: string): string | undefined {
  const env = at(parseUntrustedXml(raw), 'Envelope');
  if (!env || text(at(env, 'Header', 'Action'))?.trim() !== `${ACTION}/Probe`) return undefined;
  // The parser drops prefixes: the type is ours when its prefix is bound to our namespace in the message.
  const types = (text(at(env, 'Body', 'Probe', 'Types')) ?? '').split(/\s+/);
  const ours = types.some((t) => {
    const [prefix = '', local] = t.split(':');
    return local === 'Station' && /^[A-Za-z_][\w.-]{0,31}$/.test(prefix) && raw.includes(`xmlns:${prefix}="${TYPE_NS}"`);
  });
  const id = text(at(env, 'Header', 'MessageID'))?.trim();
  return ours && id && id.length <= 200 ? id : undefined;
}

export function stationMatchXml(relatesTo: string, card: StationCard): string {
  const scopes = [`name/${encodeURIComponent(card.name)}`, `fingerprint/${card.fingerprint}`, `version/${encodeURIComponent(card.version)}`, `contract/${card.contract}`]
    .map((s) => SCOPE + s).join(' ');
  const endpoint = `urn:uuid:${card.fingerprint.replace(/:/g, '').slice(0, 32).toLowerCase().replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-')}`;
  return envelope(
    `<a:MessageID>urn:uuid:${randomUUID()}</a:MessageID><a:RelatesTo>${esc(relatesTo)}</a:RelatesTo>` +
      `<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:Action>${ACTION}/ProbeMatches</a:Action>`,
    `<d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>${endpoint}</a:Address></a:EndpointReference>` +
      `<d:Types>wp:Station</d:Types><d:Scopes>${esc(scopes)}</d:Scopes>` +
      `<d:XAddrs>https://${card.host === null ? '0.0.0.0' : card.host.includes(':') ? `[${card.host}]` : card.host}:${card.port}/</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches>`,
  );
}

/** A station's ProbeMatch: what it said, its host the answer's sender unless it named one. Undefined when not a station's. */
export function readStationMatch(raw: string, from: string): { relatesTo: string; station: FoundStation } | undefined {
  const env = at(parseUntrustedXml(raw), 'Envelope');
  const relatesTo = text(at(env, 'Header', 'RelatesTo'))?.trim();
  const m = list(at(env, 'Body', 'ProbeMatches', 'ProbeMatch'))[0];
  if (!relatesTo || !m || !(text(at(m, 'Types')) ?? '').split(/\s+/).some((t) => t.endsWith(':Station'))) return undefined;
  const scope = (k: string) => {
    const s = (text(at(m, 'Scopes')) ?? '').split(/\s+/).find((x) => x.startsWith(`${SCOPE}${k}/`));
    try { return s === undefined ? undefined : decodeURIComponent(s.slice(SCOPE.length + k.length + 1)).slice(0, 128); } catch { return undefined; }
  };
  let url: URL;
  try { url = new URL((text(at(m, 'XAddrs')) ?? '').split(/\s+/)[0] ?? ''); } catch { return undefined; }
  const fingerprint = scope('fingerprint');
  const port = Number(url.port);
  if (url.protocol !== 'https:' || !port || !fingerprint || !/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(fingerprint)) return undefined;
  const named = url.hostname.replace(/^\[|\]$/g, '');
  return {
    relatesTo,
    station: {
      name: scope('name') || from, host: named === '0.0.0.0' || named === '::' || named === '' ? from : named, port, fingerprint,
      version: scope('version') ?? '', contract: scope('contract') ?? '1.0',
    },
  };
}

async function bound(sock: dgram.Socket, port: number, address?: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(port, address, () => { sock.off('error', reject); resolve(); });
  });
  sock.on('error', () => undefined);
}

/**
 * Answers stations' Probes while this station serves desks; returns its disposer. `card(prober)` says what to answer
 * the desk at that address (the serving address, or the one facing it when serving on every interface).
 */
export async function answerStationProbes(place: DiscoveryPlace, card: (prober: string) => StationCard): Promise<() => Promise<void>> {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (msg, rinfo) => {
    if (msg.length > MAX_DATAGRAM) return;
    const id = readStationProbe(msg.toString('utf8'));
    if (id) sock.send(stationMatchXml(id, card(rinfo.address)), rinfo.port, rinfo.address);
  });
  if ('group' in place) {
    await bound(sock, GROUP.port);
    let joined = 0;
    for (const addr of place.interfaces ?? ipv4().map((i) => i.address)) {
      try { sock.addMembership(GROUP.address, addr); joined++; } catch { /* an interface without multicast */ }
    }
    if (!joined) {
      await new Promise<void>((r) => sock.close(() => r()));
      throw new Error('no interface could join the WS-Discovery group');
    }
  } else await bound(sock, place.port, place.address);
  return () => new Promise<void>((r) => sock.close(() => r()));
}

/** Asks for stations (three rounds, as UDP loses datagrams) and gathers the answers for `durationMs`, one per address and port. */
export async function probeStations(place: DiscoveryPlace, durationMs: number): Promise<FoundStation[]> {
  const ids = new Set<string>();
  const found = new Map<string, FoundStation>();
  const sockets: dgram.Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const open = async (address: string) => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      if (msg.length > MAX_DATAGRAM) return;
      const m = readStationMatch(msg.toString('utf8'), rinfo.address);
      if (m && ids.has(m.relatesTo)) found.set(`${m.station.host}:${m.station.port}`, m.station);
    });
    await bound(sock, 0, address);
    sockets.push(sock);
    return sock;
  };
  try {
    const sends: ((xml: string) => void)[] = [];
    if ('group' in place) {
      for (const addr of place.interfaces ?? ipv4().map((i) => i.address)) {
        const sock = await open(addr).catch(() => undefined);
        if (!sock) continue;
        sock.setMulticastInterface(addr);
        sock.setMulticastTTL(1);
        sends.push((xml) => sock.send(xml, GROUP.port, GROUP.address));
      }
    } else {
      const sock = await open(place.address);
      sends.push((xml) => sock.send(xml, place.port, place.address));
    }
    const send = () => {
      const { xml, messageId } = stationProbeXml();
      ids.add(messageId);
      for (const s of sends) { try { s(xml); } catch { /* a socket closed mid-probe */ } }
    };
    for (const t of [0, 250, 1000].filter((t) => t < durationMs)) timers.push(setTimeout(send, t));
    await new Promise<void>((r) => timers.push(setTimeout(r, durationMs)));
  } finally {
    for (const t of timers) clearTimeout(t);
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
  return [...found.values()];
}
