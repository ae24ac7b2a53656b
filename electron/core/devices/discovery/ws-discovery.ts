import { randomUUID } from 'node:crypto';
import { at, list, parseUntrustedXml, text } from '../../net/xml';

// WS-Discovery 2005/04 as ONVIF Core §7.3 uses it: the station's Probe and its reading of ProbeMatches, Hello and Bye.

export const WSD_MULTICAST = { address: '239.255.255.250', port: 3702 } as const;
const ACTION = 'http://schemas.xmlsoap.org/ws/2005/04/discovery';
export const PROBE_TYPES = {
  device: { prefix: 'tds', ns: 'http://www.onvif.org/ver10/device/wsdl', local: 'Device' },
  nvt: { prefix: 'dn', ns: 'http://www.onvif.org/ver10/network/wsdl', local: 'NetworkVideoTransmitter' },
} as const;

export function probeXml(type: keyof typeof PROBE_TYPES, messageId = `urn:uuid:${randomUUID()}`): { xml: string; messageId: string } {
  const t = PROBE_TYPES[type];
  const xml =
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` +
    `xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="${ACTION}" xmlns:${t.prefix}="${t.ns}">` +
    `<s:Header><a:MessageID>${messageId}</a:MessageID><a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    `<a:Action>${ACTION}/Probe</a:Action></s:Header>` +
    `<s:Body><d:Probe><d:Types>${t.prefix}:${t.local}</d:Types></d:Probe></s:Body></s:Envelope>`;
  return { xml, messageId };
}

export interface WsdEndpoint {
  endpoint: string;
  types: string[];
  scopes: string[];
  xaddrs: string[];
  metadataVersion: number;
}

export type WsdMessage =
  | { kind: 'ProbeMatches'; relatesTo: string; matches: WsdEndpoint[] }
  | { kind: 'Hello'; endpoint: WsdEndpoint }
  | { kind: 'Bye'; endpoint: string };

function endpointOf(n: unknown): WsdEndpoint | undefined {
  const endpoint = text(at(n, 'EndpointReference', 'Address'))?.trim();
  if (!endpoint || endpoint.length > 200) return undefined;
  const words = (s: unknown) => (text(s) ?? '').split(/\s+/).filter(Boolean).slice(0, 64);
  const xaddrs = words(at(n, 'XAddrs')).filter((u) => /^https?:\/\//i.test(u) && u.length <= 512);
  return {
    endpoint,
    types: words(at(n, 'Types')),
    scopes: words(at(n, 'Scopes')),
    xaddrs,
    metadataVersion: Number(text(at(n, 'MetadataVersion')) ?? 0) || 0,
  };
}

/** Reads a discovery datagram; undefined for anything malformed, oversized or not a ProbeMatches/Hello/Bye. */
export function parseWsdMessage(raw: string): WsdMessage | undefined {
  const doc = parseUntrustedXml(raw);
  const env = doc && at(doc, 'Envelope');
  if (!env) return undefined;
  const action = text(at(env, 'Header', 'Action'))?.trim() ?? '';
  const body = at(env, 'Body');
  if (action === `${ACTION}/ProbeMatches` || at(body, 'ProbeMatches') !== undefined) {
    const relatesTo = text(at(env, 'Header', 'RelatesTo'))?.trim();
    if (!relatesTo) return undefined;
    const matches = list(at(body, 'ProbeMatches', 'ProbeMatch')).slice(0, 16).map(endpointOf).filter((e): e is WsdEndpoint => !!e);
    return matches.length ? { kind: 'ProbeMatches', relatesTo, matches } : undefined;
  }
  if (action === `${ACTION}/Hello`) {
    const e = endpointOf(at(body, 'Hello'));
    return e ? { kind: 'Hello', endpoint: e } : undefined;
  }
  if (action === `${ACTION}/Bye`) {
    const e = text(at(body, 'Bye', 'EndpointReference', 'Address'))?.trim();
    return e ? { kind: 'Bye', endpoint: e } : undefined;
  }
  return undefined;
}

/** Brands as they are usually spelled, by the lower-case word devices put first in their name scope (OEM firmware names itself). */
const BRANDS: Record<string, string> = {
  hikvision: 'Hikvision', dahua: 'Dahua', axis: 'Axis', uniview: 'Uniview', unv: 'Uniview', reolink: 'Reolink', amcrest: 'Amcrest',
  hanwha: 'Hanwha', samsung: 'Hanwha', bosch: 'Bosch', vivotek: 'Vivotek', tiandy: 'Tiandy', tapo: 'TP-Link', 'tp-link': 'TP-Link',
  lorex: 'Lorex', annke: 'Annke', foscam: 'Foscam', milesight: 'Milesight', sony: 'Sony', panasonic: 'Panasonic', 'i-pro': 'i-PRO',
  mobotix: 'Mobotix', avigilon: 'Avigilon', pelco: 'Pelco', honeywell: 'Honeywell', ubiquiti: 'Ubiquiti', intelbras: 'Intelbras',
  hilook: 'Hikvision', ezviz: 'Hikvision', imou: 'Dahua', grandstream: 'Grandstream',
};

/** What ONVIF scopes say (Core §7.3.2.2, Profile Q); the vendor from a `mfr`/`manufacturer` scope, else a brand the name or hardware scope starts with. */
export function readScopes(scopes: string[]): { hardware: string; name: string; vendor: string; nvr: boolean; factoryDefault: boolean } {
  const pick = (p: string) => {
    const prefix = `onvif://www.onvif.org/${p}/`.toLowerCase();
    const s = scopes.find((x) => x.toLowerCase().startsWith(prefix));
    if (!s) return '';
    try { return decodeURIComponent(s.slice(prefix.length)).trim().slice(0, 128); } catch { return ''; }
  };
  const hardware = pick('hardware');
  const name = pick('name');
  const brandOf = (s: string) => BRANDS[(s.split(/[\s_/]+/)[0] ?? '').toLowerCase()] ?? '';
  return {
    hardware,
    name,
    vendor: pick('mfr') || pick('manufacturer') || brandOf(name) || brandOf(hardware),
    nvr: scopes.some((s) => /^onvif:\/\/www\.onvif\.org\/type\/NVR/i.test(s)),
    factoryDefault: scopes.includes('onvif://www.onvif.org/Profile/Q/FactoryDefault'),
  };
}
