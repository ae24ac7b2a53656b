// Replies shaped as shipping cameras send them (tests/fixtures/devices, sources in each vendor's SOURCES.md), read by the
// station's own parsers; and every fixture in broken forms, which must be refused without a crash or a hang.
import { describe, expect, it } from 'vitest';
import { decodeDhip, readNotifyDevInfo } from '../../electron/core/devices/discovery/dhip';
import { parseWsdMessage, readScopes } from '../../electron/core/devices/discovery/ws-discovery';
import { capabilityAddrs, profilesBySource, serviceAddrs } from '../../electron/core/devices/drivers/onvif';
import { parseRecordings, parseReplayUri, parseSearchResults } from '../../electron/core/devices/drivers/onvif-replay';
import { parseKv } from '../../electron/core/devices/drivers/dahua';
import { DahuaPartReader, parseDahuaLine } from '../../electron/core/events/dahua-attach';
import type { DeviceEvent } from '../../electron/core/events/device-event-source';
import { parseNotifications, soapBody, topicKind } from '../../electron/core/events/onvif-pullpoint';
import { parseSdp } from '../../electron/core/media/rtsp-source';
import { pickDigest, splitChallenges } from '../../electron/core/net/http-auth';
import { parseUntrustedXml, at } from '../../electron/core/net/xml';
import { allFixtures, brokenForms, challenges, dhipPacket, fixture, VENDORS, type Vendor } from '../helpers/device-fixtures';

const clock = () => 1_700_000_000_000;
const pull = (v: Vendor, name: string): DeviceEvent[] => parseNotifications(soapBody(fixture(v, name)).PullMessagesResponse as Record<string, unknown>, clock);
const brief = (es: DeviceEvent[]) => es.map((e) => ({ kind: e.kind, channel: e.channel, state: e.state, initial: e.initial }));

describe('WS-Discovery ProbeMatches of six vendors', () => {
  const want: Record<Vendor, { vendor: string; hardware: string; name: string; xaddr: string }> = {
    hikvision: { vendor: 'Hikvision', hardware: 'DS-2CD2143G2-I', name: 'HIKVISION DS-2CD2143G2-I', xaddr: 'http://192.168.1.64/onvif/device_service' },
    dahua: { vendor: 'Dahua', hardware: 'IPC-HDW2431T-AS-S2', name: 'Dahua', xaddr: 'http://192.168.1.108/onvif/device_service' },
    axis: { vendor: 'Axis', hardware: 'M3085-V', name: 'AXIS M3085-V', xaddr: 'http://192.168.0.90/onvif/device_service' },
    uniview: { vendor: 'Uniview Technologies', hardware: 'IPC2124LB-SF40KM-G', name: 'IPC', xaddr: 'http://192.168.1.13/onvif/device_service' },
    reolink: { vendor: 'Reolink', hardware: 'RLC-810A', name: 'Reolink', xaddr: 'http://192.168.1.20:8000/onvif/device_service' },
    amcrest: { vendor: 'Amcrest', hardware: 'IP5M-T1179EW', name: 'Amcrest', xaddr: 'http://192.168.1.150/onvif/device_service' },
  };
  for (const v of VENDORS) {
    it(`${v}: endpoint, XAddrs and the vendor named only in its scopes`, () => {
      const m = parseWsdMessage(fixture(v, 'probe-match.xml').replace('uuid:RELATES-TO', 'urn:uuid:ours'));
      expect(m?.kind).toBe('ProbeMatches');
      if (m?.kind !== 'ProbeMatches') return;
      expect(m.relatesTo).toBe('urn:uuid:ours');
      const e = m.matches[0]!;
      expect(e.endpoint).toMatch(/^(urn:)?uuid:/);
      expect(e.xaddrs[0]).toBe(want[v].xaddr);
      const s = readScopes(e.scopes);
      expect({ vendor: s.vendor, hardware: s.hardware, name: s.name }).toEqual({ vendor: want[v].vendor, hardware: want[v].hardware, name: want[v].name });
      expect(s.factoryDefault).toBe(false);
    });
  }
});

describe('WS-Discovery Hello and Bye as a camera sends them when plugged in and unplugged', () => {
  it('hikvision: Hello carries the endpoint, scopes and XAddrs; Bye the endpoint', () => {
    const hello = parseWsdMessage(fixture('hikvision', 'hello.xml'));
    expect(hello).toMatchObject({ kind: 'Hello', endpoint: { endpoint: 'urn:uuid:3fa1fe68-b915-4053-a3e1-bcad28d1a2b3', xaddrs: ['http://192.168.1.64/onvif/device_service'] } });
    expect(hello?.kind === 'Hello' && readScopes(hello.endpoint.scopes).vendor).toBe('Hikvision');
    expect(parseWsdMessage(fixture('hikvision', 'bye.xml'))).toEqual({ kind: 'Bye', endpoint: 'urn:uuid:3fa1fe68-b915-4053-a3e1-bcad28d1a2b3' });
  });
});

describe('DHIP replies as Dahua and Amcrest firmware frame them', () => {
  const cases: [Vendor, string, Partial<NonNullable<ReturnType<typeof readNotifyDevInfo>>>][] = [
    ['dahua', 'dhip-ipc.dhip', { mac: 'E0:50:8B:A1:B2:C3', address: '192.168.1.108', model: 'IPC-HDW2431T-AS-S2', vendor: '', nvr: false, channels: 1, initialised: true, firmware: '2.800.0000000.25.R' }],
    ['dahua', 'dhip-nvr-zero-length.dhip', { address: '192.168.1.109', model: 'DHI-NVR4108HS-8P-4KS2', vendor: 'Dahua', nvr: true, channels: 8, initialised: true, name: 'NVR-Office' }],
    ['dahua', 'dhip-uninitialised.dhip', { address: '192.168.1.110', model: 'IPC-HFW2831S-S-S2', initialised: false }],
    ['amcrest', 'dhip.dhip', { mac: '9C:8E:CD:01:02:03', address: '192.168.1.150', vendor: 'Amcrest', model: 'IP5M-T1179EW', serial: 'AMC0123456789ABCDEF' }],
  ];
  for (const [v, name, want] of cases) {
    it(`${v}/${name}`, () => {
      const pkt = decodeDhip(dhipPacket(fixture(v, name)));
      expect(pkt?.requestId).toBe(0);
      expect(readNotifyDevInfo(pkt!.body)).toMatchObject(want);
    });
  }
});

describe('ONVIF media profiles (Media1 and Media2)', () => {
  it('groups each vendor\'s profiles into channels by video source; Media2 Configurations too', () => {
    const groups = (v: Vendor, n: string) => profilesBySource(at(parseUntrustedXml(fixture(v, n)), 'Envelope', 'Body', 'GetProfilesResponse')).map((g) => g.map((p) => p.token));
    expect(groups('hikvision', 'profiles.xml')).toEqual([['Profile_1', 'Profile_2']]);
    expect(groups('dahua', 'profiles.xml')).toEqual([['MediaProfile000', 'MediaProfile001']]);
    expect(groups('axis', 'profiles.xml')).toEqual([['profile_1_h264', 'profile_1_jpeg']]);
    expect(groups('axis', 'profiles-media2.xml')).toEqual([['profile_1_h264', 'profile_1_h265']]);
  });

  it('reads GetServices: Media2 (ver20) where the vendor offers it, each service\'s address', () => {
    const services = (v: Vendor) => serviceAddrs(at(parseUntrustedXml(fixture(v, 'services.xml')), 'Envelope', 'Body', 'GetServicesResponse'));
    expect(services('axis').get('http://www.onvif.org/ver20/media/wsdl')).toBe('http://192.168.0.90/onvif/services');
    expect(services('hikvision').get('http://www.onvif.org/ver10/media/wsdl')).toBe('http://192.168.1.64/onvif/Media');
    expect(services('dahua').get('http://www.onvif.org/ver10/events/wsdl')).toBe('http://192.168.1.108/onvif/event_service');
    for (const v of ['hikvision', 'dahua'] as const) expect(services(v).has('http://www.onvif.org/ver20/media/wsdl')).toBe(false);
  });
});

describe('PullPoint notifications: vendor topics map to the station\'s event kinds', () => {
  it('hikvision: cell motion and MotionAlarm (both motion), field, line, tamper, digital input; monitoring topics ignored', () => {
    expect(brief(pull('hikvision', 'pull-motion.xml'))).toEqual([
      { kind: 'motion', channel: 1, state: true, initial: false }, { kind: 'motion', channel: 1, state: true, initial: false },
    ]);
    expect(brief(pull('hikvision', 'pull-smart.xml'))).toEqual([
      { kind: 'intrusion', channel: 1, state: true, initial: false },
      { kind: 'line_crossing', channel: 1, state: true, initial: false },
      { kind: 'tamper', channel: 1, state: true, initial: false },
      { kind: 'door', channel: 1, state: true, initial: false },
    ]);
  });
  it('dahua: zero-padded tokens ("000") are channel 1; the initial state report is flagged; scene change and sound', () => {
    const es = pull('dahua', 'pull-events.xml');
    expect(brief(es)).toEqual([
      { kind: 'motion', channel: 1, state: false, initial: true },
      { kind: 'motion', channel: 1, state: true, initial: false },
      { kind: 'tamper', channel: 1, state: true, initial: false },
      { kind: 'audio', channel: 1, state: true, initial: false },
    ]);
    expect(es[1]!.at).toBe(Date.parse('2024-04-11T08:00:05Z'));
  });
  it('axis: tnsaxis VMD, I/O port, tampering, audio trigger level and PIR; day/night ignored', () => {
    expect(brief(pull('axis', 'pull-events.xml'))).toEqual([
      { kind: 'motion', channel: 1, state: true, initial: false },
      { kind: 'door', channel: 1, state: true, initial: false },
      { kind: 'tamper', channel: 1, state: true, initial: false },
      { kind: 'audio', channel: 1, state: true, initial: false },
      { kind: 'pir', channel: 1, state: true, initial: false },
    ]);
  });
  it('axis: housing temperature above or below its range is a temperature alarm; the Inside all-clear is not recorded', () => {
    expect(brief(pull('axis', 'pull-temperature.xml'))).toEqual([
      { kind: 'temperature_alarm', channel: 1, state: false, initial: true },
      { kind: 'temperature_alarm', channel: 1, state: true, initial: false },
      { kind: 'temperature_alarm', channel: 1, state: true, initial: false },
    ]);
  });
  it('uniview: motion and a field leaving; an initial line report is not a crossing', () => {
    expect(brief(pull('uniview', 'pull-events.xml'))).toEqual([
      { kind: 'motion', channel: 1, state: true, initial: false },
      { kind: 'intrusion', channel: 1, state: false, initial: false },
    ]);
  });
  it('reolink: cell motion and its AI people detection are motion; the doorbell visitor topic is not recorded', () => {
    expect(brief(pull('reolink', 'pull-events.xml'))).toEqual([
      { kind: 'motion', channel: 1, state: true, initial: false },
      { kind: 'motion', channel: 1, state: true, initial: false },
    ]);
  });
  it('topic names with any namespace prefix, camsim\'s included', () => {
    expect(topicKind('tns1:RuleEngine/tnsaxis:VMD4/Camera1ProfileANY')).toBe('motion');
    expect(topicKind('tns1:RuleEngine/CellMotionDetector/LineCross')).toBe('line_crossing');
    expect(topicKind('tnscs:Sensor/Temperature')).toBe('temperature');
    expect(topicKind('tns1:Monitoring/OperatingTime/LastReboot')).toBeUndefined();
  });
});

describe('Dahua HTTP API: configManager replies and eventManager multipart streams', () => {
  it('configManager and magicBox key=value replies', () => {
    expect(parseKv(fixture('dahua', 'cgi-config-general.txt'))['table.General.MachineName']).toBe('Front door');
    expect(parseKv(fixture('dahua', 'cgi-config-rtsp.txt'))['table.RTSP.Port']).toBe('8554');
    expect(parseKv(fixture('dahua', 'cgi-config-ntp.txt'))['table.NTP.TimeZoneDesc']).toBe('CET-1CEST,M3.5.0,M10.5.0/3');
    expect(parseKv(fixture('dahua', 'cgi-system-info.txt')).serialNumber).toBe('5H0A1B2PAZ12345');
  });
  const attach = (v: Vendor, name = 'event-attach.multipart') => {
    const reader = new DahuaPartReader('myboundary');
    const bytes = Buffer.from(fixture(v, name) + '--myboundary\r\n');
    // In uneven chunks, as TCP delivers them.
    const lines: string[] = [];
    for (let i = 0; i < bytes.length; i += 37) lines.push(...reader.push(bytes.subarray(i, i + 37)));
    return lines.map((l) => parseDahuaLine(l, 5)).filter((e): e is DeviceEvent => !!e).map((e) => [e.kind, e.state, e.channel]);
  };
  it('dahua: motion, a line crossing (its Stop is nothing), a region, blind, alarm input, audio; heartbeats and NewFile skipped', () => {
    expect(attach('dahua').map((e) => e.slice(0, 2))).toEqual([
      ['motion', true], ['line_crossing', true], ['intrusion', true], ['tamper', true], ['door', true], ['audio', true], ['motion', false],
    ]);
  });
  it('dahua thermal: HeatImagingTemper ("temperature alarm event") on the second channel starts and stops a temperature alarm', () => {
    expect(attach('dahua', 'event-attach-thermal.multipart')).toEqual([['temperature_alarm', true, 2], ['temperature_alarm', false, 2]]);
  });
  it('amcrest: motion with a multi-line JSON data block and smart-motion human', () => {
    expect(attach('amcrest').map((e) => e.slice(0, 2))).toEqual([['motion', true], ['motion', true], ['motion', false], ['motion', false]]);
  });
});

describe('RTSP DESCRIBE answers (SDP)', () => {
  const sdp = (v: Vendor, n: string) => parseSdp(fixture(v, n));
  it('hikvision H.264 with sprop and G.711 audio; H.265 with sprop-vps/sps/pps', () => {
    const a = sdp('hikvision', 'describe-h264-audio.sdp');
    expect(a.video).toMatchObject({ codec: 'H264', payloadType: 96, control: expect.stringContaining('trackID=1') });
    expect(a.video!.params).toHaveLength(2);
    expect(a.otherMedia).toEqual(['audio']);
    const b = sdp('hikvision', 'describe-h265.sdp');
    expect(b.video).toMatchObject({ codec: 'H265' });
    expect(b.video!.params).toHaveLength(3);
  });
  it('dahua and axis: audio plus an ONVIF metadata track beside the video (the metadata is not set up: only audio needs ffmpeg)', () => {
    const d = sdp('dahua', 'describe-onvif-metadata.sdp');
    expect(d.video).toMatchObject({ codec: 'H264', control: 'trackID=0' });
    expect(d.otherMedia).toEqual(['audio']);
    const x = sdp('axis', 'describe-audio-metadata.sdp');
    expect(x.video!.params).toHaveLength(2);
    expect(x.otherMedia).toEqual(['audio']);
  });
  it('reolink H.265 and uniview packetization-mode 0 without sprop: no out-of-band parameter sets (in-band ones are needed)', () => {
    const r = sdp('reolink', 'describe-h265-no-sprop.sdp');
    expect(r.video).toMatchObject({ codec: 'H265', control: 'track1', params: [] });
    const u = sdp('uniview', 'describe-mode0-no-sprop.sdp');
    expect(u.video).toMatchObject({ codec: 'H264', params: [] });
    expect(u.otherMedia).toEqual([]);
  });
});

describe('digest challenges', () => {
  it('picks SHA-256 over MD5 when a device offers both (Axis), else the one digest offered; Basic alone is none', () => {
    expect(pickDigest(challenges(fixture('axis', 'digest-sha256.http')))).toMatch(/algorithm=SHA-256/);
    // fetch joins repeated headers with ", ": the same choice from the joined value.
    expect(pickDigest(splitChallenges(challenges(fixture('axis', 'digest-sha256.http')).join(', ')))).toMatch(/algorithm=SHA-256/);
    for (const [v, n] of [['hikvision', 'digest-isapi.http'], ['hikvision', 'digest-rtsp.rtsp'], ['dahua', 'digest-cgi.http'], ['reolink', 'digest-rtsp.rtsp'], ['amcrest', 'digest-cgi.http']] as const) {
      expect(pickDigest(challenges(fixture(v, n))), `${v}/${n}`).toMatch(/^Digest realm=|^Digest qop=/);
    }
    expect(pickDigest(['Basic realm="x"'])).toBeUndefined();
  });
});

describe('every fixture in broken forms', () => {
  // Each parser the fixture's kind goes through; none may throw anything but an Error with a message (a hang fails the test's timeout).
  const parsers: [RegExp, (text: string) => unknown][] = [
    [/probe-match\.xml$|hello\.xml$|bye\.xml$/, (t) => parseWsdMessage(t)],
    [/\.dhip$/, (t) => { const p = decodeDhip(dhipPacket(t.includes('|') ? t : `20000000|44484950\n${t}`)); return p && readNotifyDevInfo(p.body); }],
    [/^pull-.*\.xml$/, (t) => parseNotifications(soapBody(t).PullMessagesResponse as Record<string, unknown>, clock)],
    [/profiles.*\.xml$|capabilities\.xml$|device-information\.xml$|stream-uri.*\.xml$|system-date-and-time\.xml$/, (t) => profilesBySource(at(parseUntrustedXml(t), 'Envelope', 'Body', 'GetProfilesResponse'))],
    [/^capabilities-all\.xml$/, (t) => capabilityAddrs(at(parseUntrustedXml(t), 'Envelope', 'Body', 'GetCapabilitiesResponse'))],
    [/^services\.xml$/, (t) => serviceAddrs(at(parseUntrustedXml(t), 'Envelope', 'Body', 'GetServicesResponse'))],
    [/^recordings\.xml$/, (t) => parseRecordings(at(parseUntrustedXml(t), 'Envelope', 'Body', 'GetRecordingsResponse'))],
    [/^recording-search-results\.xml$/, (t) => parseSearchResults(at(parseUntrustedXml(t), 'Envelope', 'Body', 'GetRecordingSearchResultsResponse'))],
    [/^replay-uri\.xml$/, (t) => parseReplayUri(at(parseUntrustedXml(t), 'Envelope', 'Body', 'GetReplayUriResponse'))],
    [/\.sdp$/, (t) => parseSdp(t)],
    [/\.multipart$/, (t) => new DahuaPartReader('myboundary').push(Buffer.from(t)).map((l) => parseDahuaLine(l, 0))],
    [/^cgi-.*\.txt$/, (t) => parseKv(t)],
    [/\.(http|rtsp)$/, (t) => pickDigest(splitChallenges(challenges(t).join(', ')))],
  ];
  const files = allFixtures();
  it(`covers all ${files.length} fixtures from ${VENDORS.length} vendors`, () => {
    for (const f of files) expect(parsers.some(([re]) => re.test(f.name)), `${f.vendor}/${f.name} has no parser`).toBe(true);
  });
  for (const f of files) {
    it(`${f.vendor}/${f.name}`, () => {
      const parse = parsers.find(([re]) => re.test(f.name))![1];
      for (const b of brokenForms(fixture(f.vendor, f.name))) {
        try {
          parse(b.text);
        } catch (err) {
          expect(err, `${b.name}: ${String(err)}`).toBeInstanceOf(Error);
          expect((err as Error).message.length, b.name).toBeGreaterThan(0);
        }
      }
    });
  }
});
