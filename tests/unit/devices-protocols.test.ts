import { describe, expect, it } from 'vitest';
import { passwordProblems } from '../../electron/contract';
import { answersSearch, decodeDhip, encodeDhip, readNotifyDevInfo } from '../../electron/core/devices/discovery/dhip';
import { parseWsdMessage, probeXml, readScopes } from '../../electron/core/devices/discovery/ws-discovery';
import { parseKv } from '../../electron/core/devices/drivers/dahua';
import { digestHeader } from '../../electron/core/net/http-auth';
import { parseUntrustedXml } from '../../electron/core/net/xml';

// A ProbeMatches as an Axis/Hikvision-era camera sends it (SOAP 1.2, WS-Addressing 2004/08, prefixes vary).
const probeMatch = (relatesTo: string, xaddr = 'http://192.168.1.64/onvif/device_service') => `<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing"
 xmlns:wsdd="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:tdn="http://www.onvif.org/ver10/network/wsdl">
<SOAP-ENV:Header><wsa:MessageID>uuid:1419d68a-1dd2-11b2-a105-E0508B123456</wsa:MessageID><wsa:RelatesTo>${relatesTo}</wsa:RelatesTo>
<wsa:To SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>
<wsa:Action SOAP-ENV:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>
<wsdd:AppSequence InstanceId="1700000000" MessageNumber="5"/></SOAP-ENV:Header>
<SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch>
<wsa:EndpointReference><wsa:Address>urn:uuid:1419d68a-1dd2-11b2-a105-E0508B123456</wsa:Address></wsa:EndpointReference>
<wsdd:Types>tdn:NetworkVideoTransmitter</wsdd:Types>
<wsdd:Scopes>onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/Profile/Streaming onvif://www.onvif.org/hardware/DS-2CD2143G0-I onvif://www.onvif.org/name/HIKVISION%20DS-2CD2143G0-I onvif://www.onvif.org/Profile/Q/FactoryDefault</wsdd:Scopes>
<wsdd:XAddrs>${xaddr} http://[fe80::e250:8bff:fe12:3456]/onvif/device_service</wsdd:XAddrs>
<wsdd:MetadataVersion>10</wsdd:MetadataVersion></wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>`;

describe('WS-Discovery parsing', () => {
  it('builds Probes for tds:Device and dn:NetworkVideoTransmitter with fresh MessageIDs', () => {
    const a = probeXml('device');
    const b = probeXml('nvt');
    expect(a.xml).toContain('<d:Types>tds:Device</d:Types>');
    expect(b.xml).toContain('<d:Types>dn:NetworkVideoTransmitter</d:Types>');
    expect(a.messageId).not.toBe(b.messageId);
    expect(parseUntrustedXml(a.xml)).toBeDefined();
  });

  it('reads a real-world shaped ProbeMatches: endpoint, scopes, XAddrs, RelatesTo', () => {
    const m = parseWsdMessage(probeMatch('urn:uuid:abc'));
    expect(m?.kind).toBe('ProbeMatches');
    if (m?.kind !== 'ProbeMatches') return;
    expect(m.relatesTo).toBe('urn:uuid:abc');
    expect(m.matches[0]?.endpoint).toBe('urn:uuid:1419d68a-1dd2-11b2-a105-E0508B123456');
    expect(m.matches[0]?.xaddrs[0]).toBe('http://192.168.1.64/onvif/device_service');
    expect(m.matches[0]?.metadataVersion).toBe(10);
    expect(readScopes(m.matches[0]!.scopes)).toEqual({ hardware: 'DS-2CD2143G0-I', name: 'HIKVISION DS-2CD2143G0-I', vendor: 'Hikvision', nvr: false, factoryDefault: true });
  });

  it('reads Hello and Bye', () => {
    const hello = probeMatch('x').replace('/ProbeMatches</wsa:Action>', '/Hello</wsa:Action>').replace(/<\/?wsdd:ProbeMatches>/g, '').replace(/wsdd:ProbeMatch>/g, 'wsdd:Hello>');
    expect(parseWsdMessage(hello)).toMatchObject({ kind: 'Hello', endpoint: { endpoint: 'urn:uuid:1419d68a-1dd2-11b2-a105-E0508B123456' } });
    const bye = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery"><s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye</a:Action></s:Header><s:Body><d:Bye><a:EndpointReference><a:Address>urn:uuid:x</a:Address></a:EndpointReference></d:Bye></s:Body></s:Envelope>`;
    expect(parseWsdMessage(bye)).toEqual({ kind: 'Bye', endpoint: 'urn:uuid:x' });
  });

  it('drops malformed, oversized, entity-laden and unrelated messages', () => {
    expect(parseWsdMessage('<not xml')).toBeUndefined();
    expect(parseWsdMessage('')).toBeUndefined();
    expect(parseWsdMessage(probeMatch('x').replace('</SOAP-ENV:Envelope>', ''))).toBeUndefined();
    expect(parseWsdMessage(probeMatch('x') + ' '.repeat(70 * 1024))).toBeUndefined();
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>` + probeMatch('x').replace(/^<\?xml[^>]*>/, '');
    expect(parseWsdMessage(bomb)).toBeUndefined();
    expect(parseWsdMessage(probeMatch('').replace('<wsa:RelatesTo></wsa:RelatesTo>', ''))).toBeUndefined();
    // A Probe (another client's) is not a reply.
    expect(parseWsdMessage(probeXml('device').xml)).toBeUndefined();
    // XAddrs that are not http(s) are ignored.
    const m = parseWsdMessage(probeMatch('x', 'javascript:alert(1)'));
    expect(m?.kind === 'ProbeMatches' && m.matches[0]?.xaddrs.every((x) => x.startsWith('http'))).toBe(true);
  });
});

describe('DHIP parsing', () => {
  // A client.notifyDevInfo as a VTO2000A answered (rroller/dahua tests), trimmed.
  const notify = {
    mac: 'e0:50:8b:12:34:56', method: 'client.notifyDevInfo',
    params: { deviceInfo: {
      DeviceClass: 'NVR', DeviceType: 'DHI-NVR4208-8P', HttpPort: 80, Init: 0xa9 /* bits 0-1 = 1: not initialised */,
      IPv4Address: { DefaultGateway: '192.168.1.1', DhcpEnable: false, IPAddress: '192.168.1.108', SubnetMask: '255.255.255.0' },
      MachineName: 'NVR', Manufacturer: 'Dahua', RemoteVideoInputChannels: 8, SerialNo: '4L0123PAZ00001', Vendor: 'Dahua', Version: '4.1.0', VideoInputChannels: 0,
    } },
  };

  it('round-trips the 32-byte header and reads notifyDevInfo', () => {
    const pkt = decodeDhip(encodeDhip(notify, 0, 77));
    expect(pkt?.requestId).toBe(77);
    expect(readNotifyDevInfo(pkt!.body)).toEqual({
      mac: 'E0:50:8B:12:34:56', address: '192.168.1.108', httpPort: 80, model: 'DHI-NVR4208-8P', vendor: 'Dahua', serial: '4L0123PAZ00001',
      firmware: '4.1.0', name: 'NVR', nvr: true, channels: 8, initialised: false,
    });
  });

  // As public write-ups show replies (rroller/dahua#6 dumps "20000000|44484950|…"): a 32-byte header, request id 0,
  // and firmware that leaves the length fields 0, lets them disagree, or puts a NUL after the JSON.
  const framed = (body: unknown, o: { header?: number; requestId?: number; len16?: number; len24?: number; tail?: string }) => {
    const json = Buffer.from(JSON.stringify(body) + (o.tail ?? ''), 'latin1');
    const h = Buffer.alloc(o.header ?? 32);
    h.writeUInt32LE(o.header ?? 32, 0); h.write('DHIP', 4, 'latin1'); h.writeUInt32LE(o.requestId ?? 0, 12);
    h.writeUInt32LE(o.len16 ?? json.length, 16); h.writeUInt32LE(o.len24 ?? json.length, 24);
    return Buffer.concat([h, json]);
  };

  it('reads replies as shipping firmware frames them: request id 0, lengths 0 or disagreeing, NUL and whitespace after the JSON, a longer header', () => {
    const want = { address: '192.168.1.108', model: 'DHI-NVR4208-8P', mac: 'E0:50:8B:12:34:56' };
    for (const o of [
      { requestId: 0, tail: '\0' },
      { requestId: 0, len16: 0, len24: 0, tail: '\0' },
      { requestId: 0, len16: 5, len24: 9999, tail: '\n\0\0' },
      { requestId: 0, len16: 999_999, len24: 999_999 },
      { requestId: 0, header: 40, tail: ' \r\n' },
      { requestId: 0, header: 64, len16: 0, len24: 0 },
    ]) {
      const pkt = decodeDhip(framed(notify, o));
      expect(pkt, JSON.stringify(o)).toBeDefined();
      expect(pkt!.requestId).toBe(0);
      expect(readNotifyDevInfo(pkt!.body)).toMatchObject(want);
    }
    expect(answersSearch(0, 1234)).toBe(true);
    expect(answersSearch(1234, 1234)).toBe(true);
    expect(answersSearch(77, 1234)).toBe(false);
  });

  it('drops short, foreign, lying-length, oversized and non-object packets', () => {
    const good = encodeDhip(notify);
    expect(decodeDhip(good.subarray(0, 20))).toBeUndefined();
    const foreign = Buffer.from(good); foreign.write('XXXX', 4);
    expect(decodeDhip(foreign)).toBeUndefined();
    // Length fields that agree but cut the JSON short are believed, and the cut JSON is refused.
    const short = Buffer.from(good); short.writeUInt32LE(10, 16); short.writeUInt32LE(10, 24);
    expect(decodeDhip(short)).toBeUndefined();
    // A header size outside 32-64, or past the datagram, is not DHIP.
    for (const size of [16, 65, good.length + 1]) {
      const odd = Buffer.from(good); odd.writeUInt32LE(size, 0);
      expect(decodeDhip(odd)).toBeUndefined();
    }
    expect(decodeDhip(encodeDhip(JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40))))).toBeUndefined();
    expect(decodeDhip(encodeDhip({ junk: 'x'.repeat(20_000) }))).toBeUndefined();
    expect(decodeDhip(encodeDhip([1, 2]))).toBeUndefined();
    const notJson = Buffer.from(good); notJson.write('{{{{', 32);
    expect(decodeDhip(notJson)).toBeUndefined();
    expect(readNotifyDevInfo({ method: 'client.notifyDevInfo', params: { deviceInfo: { IPv4Address: { IPAddress: 'evil' } } } })).toBeUndefined();
    expect(readNotifyDevInfo({ method: 'other' })).toBeUndefined();
  });
});

describe('auth and password rule', () => {
  it('digest follows RFC 7616 (MD5, qop=auth) — the RFC 2617 example', () => {
    const h = digestHeader('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
      { username: 'Mufasa', password: 'Circle Of Life' }, 'GET', '/dir/index.html');
    expect(h).toMatch(/username="Mufasa", realm="testrealm@host.com"/);
    expect(h).toMatch(/qop=auth, nc=00000001, cnonce="[0-9a-f]+"/);
  });

  it('password strength: 8-32, two kinds, not the username', () => {
    expect(passwordProblems('short1', 'admin')).toContain('8 to 32 characters');
    expect(passwordProblems('onlyletters', 'admin')).toContain('at least two of letters, digits, symbols');
    expect(passwordProblems('Admin1234', 'admin1234')).toContain('not the username');
    expect(passwordProblems('Camsim-2024', 'admin')).toEqual([]);
    expect(passwordProblems('x'.repeat(30) + '12345', 'admin')).toContain('8 to 32 characters');
  });
});

describe('Dahua CGI key=value replies', () => {
  it('reads CRLF lines as Dahua HTTP API documents them; junk lines are ignored', () => {
    expect(parseKv('deviceType=IPC-HFW2431S\r\nserialNumber=5J0123PAZ\r\nhardwareVersion=1.00\r\n')).toEqual({ deviceType: 'IPC-HFW2431S', serialNumber: '5J0123PAZ', hardwareVersion: '1.00' });
    expect(parseKv('table.RTSP.Enable=true\r\ntable.RTSP.Port=8554\r\n')['table.RTSP.Port']).toBe('8554');
    expect(parseKv('Error\r\nBad Request!\r\n=x\r\n')).toEqual({});
  });
});
