import { randomUUID } from 'node:crypto';
import type dgram from 'node:dgram';
import type { SimDevice } from '../device';
import { isLoopback } from '../device-network';
import { child, esc, NS, parseXml, resolveQName, textAt, type XmlElement } from '../onvif/xml';

// WS-Discovery 2005/04 (the version ONVIF Core §7.3 mandates): Probe/ProbeMatches, Hello, Bye.

export const WSD_MULTICAST = { address: '239.255.255.250', port: 3702 } as const;
/** WS-Discovery §3.1.3 APP_MAX_DELAY: a target waits a random time up to this before answering. */
export const APP_MAX_DELAY_MS = 500;
const ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
const TO_DISCOVERY = 'urn:schemas-xmlsoap-org:ws:2005:04:discovery';
const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
const RFC3986 = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/rfc3986';
const STRCMP0 = 'http://schemas.xmlsoap.org/ws/2005/04/discovery/strcmp0';

const messageNumbers = new WeakMap<SimDevice, number>();

function envelope(header: string, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="${NS.env}" xmlns:a="${NS.wsadis}" xmlns:d="${NS.wsd}" ` +
    `xmlns:dn="${NS.dn}" xmlns:tds="${NS.tds}"><s:Header>${header}</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

function appSequence(device: SimDevice): string {
  const n = (messageNumbers.get(device) ?? 0) + 1;
  messageNumbers.set(device, n);
  return `<d:AppSequence InstanceId="${Math.floor(device.bootedAt / 1000)}" MessageNumber="${n}"/>`;
}

/** An NVR is a transmitter too (it re-streams its channels), so both kinds advertise the same types. */
const TYPES = 'dn:NetworkVideoTransmitter tds:Device';

function endpointBlock(device: SimDevice, withXAddrs = true): string {
  return (
    `<a:EndpointReference><a:Address>urn:uuid:${device.endpointUuid}</a:Address></a:EndpointReference>` +
    `<d:Types>${TYPES}</d:Types>` +
    `<d:Scopes>${device.scopes().map((s) => esc(s.item)).join(' ')}</d:Scopes>` +
    (withXAddrs ? `<d:XAddrs>${esc(device.deviceServiceUrl)}</d:XAddrs>` : '') +
    `<d:MetadataVersion>${device.metadataVersion}</d:MetadataVersion>`
  );
}

export function helloXml(device: SimDevice): string {
  return envelope(
    `<a:Action>${ACTION}/Hello</a:Action><a:MessageID>urn:uuid:${randomUUID()}</a:MessageID><a:To>${TO_DISCOVERY}</a:To>${appSequence(device)}`,
    `<d:Hello>${endpointBlock(device)}</d:Hello>`,
  );
}

export function byeXml(device: SimDevice): string {
  return envelope(
    `<a:Action>${ACTION}/Bye</a:Action><a:MessageID>urn:uuid:${randomUUID()}</a:MessageID><a:To>${TO_DISCOVERY}</a:To>${appSequence(device)}`,
    `<d:Bye><a:EndpointReference><a:Address>urn:uuid:${device.endpointUuid}</a:Address></a:EndpointReference></d:Bye>`,
  );
}

/** Prefix declarations of the message, for resolving the QNames inside d:Types (the parser resolves element names only). */
function nsResolver(raw: string): (prefix: string) => string | undefined {
  const decl = new Map<string, string>();
  for (const m of raw.matchAll(/xmlns:([A-Za-z_][\w.-]*)\s*=\s*"([^"]*)"/g)) if (m[1] && m[2] !== undefined) decl.set(m[1], m[2]);
  const def = /xmlns\s*=\s*"([^"]*)"/.exec(raw)?.[1];
  return (prefix) => (prefix === '' ? def : decl.get(prefix));
}

const DEVICE_TYPES = [
  { ns: NS.dn, local: 'NetworkVideoTransmitter' },
  { ns: NS.tds, local: 'Device' },
];

/** RFC 3986 scope matching of WS-Discovery §5.1: same scheme/authority, path segments a prefix. */
function scopeMatches(probe: string, have: string, by: string): boolean {
  if (by === STRCMP0) return probe === have;
  try {
    const p = new URL(probe);
    const h = new URL(have);
    if (p.protocol.toLowerCase() !== h.protocol.toLowerCase() || p.host.toLowerCase() !== h.host.toLowerCase()) return false;
    const ps = p.pathname.split('/').filter(Boolean);
    const hs = h.pathname.split('/').filter(Boolean);
    return ps.length <= hs.length && ps.every((seg, i) => seg === hs[i]);
  } catch {
    return false;
  }
}

export interface ParsedProbe {
  messageId: string;
  types: { ns: string; local: string }[];
  scopes: string[];
  matchBy: string;
}

export function parseProbe(raw: string): ParsedProbe | undefined {
  let root: XmlElement;
  try {
    root = parseXml(raw);
  } catch {
    return undefined;
  }
  if (root.local !== 'Envelope' || root.ns !== NS.env) return undefined;
  const header = child(root, 'Header', NS.env);
  const probe = child(child(root, 'Body', NS.env), 'Probe', NS.wsd);
  if (!probe) return undefined;
  const resolve = nsResolver(raw);
  const typesText = textAt(probe, 'Types') ?? '';
  const scopesEl = child(probe, 'Scopes');
  return {
    messageId: textAt(header, 'MessageID') ?? '',
    types: typesText.split(/\s+/).filter(Boolean).map((q) => resolveQName(q, resolve)),
    scopes: (scopesEl?.text ?? '').split(/\s+/).filter(Boolean),
    matchBy: scopesEl?.attrs.MatchBy ?? RFC3986,
  };
}

export function probeMatches(device: SimDevice, probe: ParsedProbe): boolean {
  if (!probe.types.every((t) => DEVICE_TYPES.some((d) => d.ns === t.ns && d.local === t.local))) return false;
  if (probe.matchBy !== RFC3986 && probe.matchBy !== STRCMP0) return false;
  const have = device.scopes().map((s) => s.item);
  return probe.scopes.every((p) => have.some((h) => scopeMatches(p, h, probe.matchBy)));
}

export function probeMatchesXml(device: SimDevice, relatesTo: string): string {
  return envelope(
    `<a:MessageID>urn:uuid:${randomUUID()}</a:MessageID><a:RelatesTo>${esc(relatesTo)}</a:RelatesTo>` +
      `<a:To>${ANONYMOUS}</a:To><a:Action>${ACTION}/ProbeMatches</a:Action>${appSequence(device)}`,
    `<d:ProbeMatches><d:ProbeMatch>${endpointBlock(device)}</d:ProbeMatch></d:ProbeMatches>`,
  );
}

/** Answers a Probe (unicast or, via the hub, multicast) from the device's own socket after a random delay. */
export function handleWsDiscoveryMessage(device: SimDevice, msg: Buffer, rinfo: dgram.RemoteInfo, _sock?: dgram.Socket): void {
  if (!isLoopback(rinfo.address)) return;
  if (msg.length > 64 * 1024) return;
  const probe = parseProbe(msg.toString('utf8'));
  if (!probe || !probeMatches(device, probe)) return;
  const delay = Math.floor(Math.random() * APP_MAX_DELAY_MS);
  const t = setTimeout(() => {
    device.sendUdp('wsDiscovery', Buffer.from(probeMatchesXml(device, probe.messageId)), rinfo.port, rinfo.address);
  }, delay);
  t.unref();
}
