import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { digestFetch, soapCall } from '../../scripts/camsim/onvif/client';
import { child, children, NS, textAt, type XmlElement } from '../../scripts/camsim/onvif/xml';

const require = createRequire(import.meta.url);
// The independent client: onvif 0.8.3 from npm (no types), written by nobody here.
const { Cam } = require('onvif') as { Cam: new (opts: Record<string, unknown>, cb: (err: Error | null) => void) => OnvifCam };
interface OnvifCam {
  getDeviceInformation(cb: (err: Error | null, info: Record<string, string>) => void): void;
  getProfiles(cb: (err: Error | null, profiles: { $: { token: string } }[]) => void): void;
  getStreamUri(opts: Record<string, string>, cb: (err: Error | null, res: { uri: string }) => void): void;
  getSnapshotUri(opts: Record<string, string>, cb: (err: Error | null, res: { uri: string }) => void): void;
  createPullPointSubscription(cb: (err: Error | null) => void): void;
  pullMessages(opts: Record<string, unknown>, cb: (err: Error | null, res: { notificationMessage?: unknown }) => void): void;
}

const TDS = `xmlns="${NS.tds}"`;
const TRT = `xmlns="${NS.trt}"`;
const creds = { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD };

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ devices: 3, channels: 2, uninitialized: 1, subnet: '127.0.61', media: placeholderMedia, rebootMs: 300, lockMs: 800 });
});
afterAll(async () => {
  await fleet?.close();
});

const url = (i: number) => fleet.manifest.devices[i]!.onvif.deviceService;

function connect(i: number, extra: Record<string, unknown> = {}): Promise<OnvifCam> {
  const d = fleet.manifest.devices[i]!;
  return new Promise((resolve, reject) => {
    const cam = new Cam({ hostname: d.ip, port: d.ports.http, ...creds, timeout: 5000, ...extra }, (err) => (err ? reject(err) : resolve(cam)));
  });
}

function expectFault(body: XmlElement | undefined, code: string, subcodes: string[]): void {
  expect(body?.local).toBe('Fault');
  expect(body?.ns).toBe(NS.env);
  const codeEl = child(body, 'Code', NS.env);
  expect(textAt(codeEl, 'Value')).toBe(code);
  let sub = child(codeEl, 'Subcode', NS.env);
  for (const s of subcodes) {
    expect(textAt(sub, 'Value')).toBe(s);
    sub = child(sub, 'Subcode', NS.env);
  }
  expect(textAt(body, 'Reason', 'Text')).toBeTruthy();
}

describe('camsim ONVIF driven by the independent onvif npm client', () => {
  it('connects with WS-UsernameToken and reads device info, profiles and stream URIs', async () => {
    const cam = await connect(0);
    const info = await new Promise<Record<string, string>>((res, rej) => cam.getDeviceInformation((e, i) => (e ? rej(e) : res(i))));
    const m = fleet.manifest.devices[0]!;
    expect(info.manufacturer).toBe('Camsim');
    expect(info.serialNumber).toBe(m.serial);
    const profiles = await new Promise<{ $: { token: string } }[]>((res, rej) => cam.getProfiles((e, p) => (e ? rej(e) : res(p))));
    expect(profiles.map((p) => p.$.token)).toEqual(['ch1_main', 'ch1_sub', 'ch2_main', 'ch2_sub']);
    const uri = await new Promise<{ uri: string }>((res, rej) =>
      cam.getStreamUri({ protocol: 'RTSP', profileToken: 'ch2_sub' }, (e, r) => (e ? rej(e) : res(r))),
    );
    expect(uri.uri.startsWith(m.channels[1]!.sub.rtsp)).toBe(true);
  });

  it('creates a pull point and pulls a motion event with the onvif client', async () => {
    const cam = await connect(0);
    await new Promise<void>((res, rej) => cam.createPullPointSubscription((e) => (e ? rej(e) : res())));
    setTimeout(() => fleet.device(0).raiseEvent({ kind: 'motion', channel: 1, state: true }), 100);
    const r = await new Promise<{ notificationMessage?: unknown }>((res, rej) =>
      cam.pullMessages({ timeout: 5000, messageLimit: 10 }, (e, m) => (e ? rej(e) : res(m))),
    );
    const msgs = ([] as unknown[]).concat(r.notificationMessage ?? []) as { topic: { _: string } }[];
    expect(msgs.map((m) => m.topic._)).toContain('tns1:VideoSource/MotionAlarm');
  });

  it('connects with HTTP digest only, and a wrong password fails', async () => {
    const cam = await connect(1, { useWSSecurity: false });
    const info = await new Promise<Record<string, string>>((res, rej) => cam.getDeviceInformation((e, i) => (e ? rej(e) : res(i))));
    expect(info.model).toBe('CS-IPC4M-Z');
    // connect() tolerates failing media calls, so the refusal shows on the first protected call.
    const bad = await connect(1, { useWSSecurity: false, password: 'wrong-Pass1' });
    await expect(new Promise((res, rej) => bad.getDeviceInformation((e, i) => (e ? rej(e) : res(i))))).rejects.toThrow(/401|[Dd]igest/);
  });
});

describe('camsim ONVIF replies follow the spec', () => {
  it('answers GetSystemDateAndTime without credentials, with tt-qualified children', async () => {
    const r = await soapCall(url(0), `<GetSystemDateAndTime ${TDS}/>`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/soap\+xml/);
    expect(r.envelope?.ns).toBe(NS.env);
    expect(r.body?.ns).toBe(NS.tds);
    expect(r.body?.local).toBe('GetSystemDateAndTimeResponse');
    const sdt = child(r.body, 'SystemDateAndTime', NS.tds);
    expect(sdt?.children.map((c) => `${c.ns === NS.tt ? 'tt' : c.ns}:${c.local}`)).toEqual([
      'tt:DateTimeType',
      'tt:DaylightSavings',
      'tt:TimeZone',
      'tt:UTCDateTime',
      'tt:LocalDateTime',
    ]);
  });

  it('refuses protected operations without credentials: 401, digest challenge, env:Sender/ter:NotAuthorized', async () => {
    const r = await soapCall(url(0), `<GetDeviceInformation ${TDS}/>`);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Digest .*realm="Login to /);
    expectFault(r.body, 'env:Sender', ['ter:NotAuthorized']);
  });

  it('refuses a wrong WS-UsernameToken with HTTP 400 and ter:NotAuthorized (Core 5.9.1)', async () => {
    const r = await soapCall(url(0), `<GetDeviceInformation ${TDS}/>`, { username: 'admin', password: 'nope-Nope1' });
    expect(r.status).toBe(400);
    expectFault(r.body, 'env:Sender', ['ter:NotAuthorized']);
  });

  it('faults unknown actions, broken XML, DTDs and SOAP 1.1 envelopes', async () => {
    let r = await soapCall(url(0), `<GetFooBar ${TDS}/>`, creds);
    expect(r.status).toBe(500);
    expectFault(r.body, 'env:Receiver', ['ter:ActionNotSupported']);

    const post = (body: string) =>
      fetch(url(0), { method: 'POST', headers: { 'Content-Type': 'application/soap+xml' }, body }).then(async (res) => ({
        status: res.status,
        text: await res.text(),
      }));
    let raw = await post('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x></s:Body>');
    expect(raw.status).toBe(400);
    expect(raw.text).toContain('ter:WellFormed');
    raw = await post('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&a;</s:Body></s:Envelope>');
    expect(raw.status).toBe(400);
    expect(raw.text).toContain('ter:WellFormed');
    raw = await post('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>');
    expect(raw.text).toContain('env:VersionMismatch');
    raw = await post(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>${'x'.repeat(70_000)}</s:Body></s:Envelope>`);
    expect(raw.status).toBe(413);

    r = await soapCall(url(0), `<GetProfile ${TRT}><ProfileToken>ch9_main</ProfileToken></GetProfile>`, creds);
    expectFault(r.body, 'env:Sender', ['ter:InvalidArgVal', 'ter:NoProfile']);
  });

  it('lists services with their namespaces and capabilities', async () => {
    const r = await soapCall(url(0), `<GetServices ${TDS}><IncludeCapability>true</IncludeCapability></GetServices>`);
    const services = children(r.body, 'Service');
    expect(services.map((s) => textAt(s, 'Namespace'))).toEqual([NS.tds, NS.trt, NS.tev, NS.tptz, NS.trc, NS.tse, NS.trp]);
    for (const s of services) expect(textAt(s, 'XAddr')).toMatch(/^http:\/\/127\.0\.61\.1\/onvif\//);
    const caps = await soapCall(url(0), `<GetCapabilities ${TDS}><Category>All</Category></GetCapabilities>`);
    const c = child(caps.body, 'Capabilities');
    expect(c?.children.map((x) => x.local)).toEqual(['Device', 'Events', 'Media', 'PTZ', 'Extension']);
    // Profile G's services under Extension, at the addresses GetServices gives (for clients of firmware without GetServices).
    const ext = child(c, 'Extension');
    expect(['Recording', 'Search', 'Replay'].map((k) => textAt(ext, k, 'XAddr'))).toEqual([NS.trc, NS.tse, NS.trp].map((ns) => textAt(services.find((s) => textAt(s, 'Namespace') === ns), 'XAddr')));
    const media = await soapCall(url(0), `<GetCapabilities ${TDS}><Category>Media</Category></GetCapabilities>`);
    expect(child(media.body, 'Capabilities')?.children.map((x) => x.local)).toEqual(['Media']);
  });

  it('answers Profile G for its cards: GetRecordings, FindRecordings and its results, GetReplayUri', async () => {
    const base = 'http://127.0.61.1/onvif';
    const recs = children((await soapCall(`${base}/recording_service`, `<GetRecordings xmlns="${NS.trc}"/>`, creds)).body, 'RecordingItem');
    expect(recs.map((r) => textAt(r, 'RecordingToken'))).toEqual(['rec_ch1_main', 'rec_ch1_sub', 'rec_ch2_main', 'rec_ch2_sub']);
    expect(textAt(recs[1], 'Configuration', 'Source', 'SourceId')).toBe('vs1');
    expect(textAt(recs[0], 'Tracks', 'Track', 'Configuration', 'TrackType')).toBe('Video');
    const token = textAt((await soapCall(`${base}/search_service`, `<FindRecordings xmlns="${NS.tse}"><Scope/><KeepAliveTime>PT10S</KeepAliveTime></FindRecordings>`, creds)).body, 'SearchToken');
    const results = (await soapCall(`${base}/search_service`, `<GetRecordingSearchResults xmlns="${NS.tse}"><SearchToken>${token}</SearchToken></GetRecordingSearchResults>`, creds)).body;
    expect(textAt(results, 'ResultList', 'SearchState')).toBe('Completed');
    expect(children(child(results, 'ResultList'), 'RecordingInformation')).toHaveLength(4);
    expect(textAt((await soapCall(`${base}/search_service`, `<EndSearch xmlns="${NS.tse}"><SearchToken>${token}</SearchToken></EndSearch>`, creds)).body, 'Endpoint')).toBeTruthy();
    expectFault((await soapCall(`${base}/search_service`, `<EndSearch xmlns="${NS.tse}"><SearchToken>${token}</SearchToken></EndSearch>`, creds)).body, 'env:Sender', ['ter:InvalidArgVal', 'ter:InvalidToken']);
    const uri = textAt((await soapCall(`${base}/replay_service`, `<GetReplayUri xmlns="${NS.trp}"><RecordingToken>rec_ch1_sub</RecordingToken></GetReplayUri>`, creds)).body, 'Uri');
    expect(uri).toMatch(/^rtsp:\/\/127\.0\.61\.1(:\d+)?\/onvif\/replay\/rec_ch1_sub$/);
    expectFault((await soapCall(`${base}/replay_service`, `<GetReplayUri xmlns="${NS.trp}"><RecordingToken>nope</RecordingToken></GetReplayUri>`, creds)).body, 'env:Sender', ['ter:InvalidArgVal', 'ter:NoRecording']);
    // Without credentials the recordings stay closed.
    expect((await soapCall(`${base}/recording_service`, `<GetRecordings xmlns="${NS.trc}"/>`)).status).toBe(401);
  });

  it('GetStreamUri and GetSnapshotUri hand out working URIs; multicast is refused', async () => {
    const m = fleet.manifest.devices[0]!;
    let r = await soapCall(
      url(0),
      `<GetStreamUri ${TRT}><StreamSetup><Stream xmlns="${NS.tt}">RTP-Unicast</Stream><Transport xmlns="${NS.tt}"><Protocol>RTSP</Protocol></Transport></StreamSetup><ProfileToken>ch1_main</ProfileToken></GetStreamUri>`,
      creds,
    );
    expect(textAt(r.body, 'MediaUri', 'Uri')).toBe(`${m.channels[0]!.main.rtsp}&unicast=true&proto=Onvif`);
    r = await soapCall(
      url(0),
      `<GetStreamUri ${TRT}><StreamSetup><Stream xmlns="${NS.tt}">RTP-Multicast</Stream><Transport xmlns="${NS.tt}"><Protocol>UDP</Protocol></Transport></StreamSetup><ProfileToken>ch1_main</ProfileToken></GetStreamUri>`,
      creds,
    );
    expectFault(r.body, 'env:Sender', ['ter:InvalidArgVal', 'ter:InvalidStreamSetup']);
    r = await soapCall(url(0), `<GetSnapshotUri ${TRT}><ProfileToken>ch1_main</ProfileToken></GetSnapshotUri>`, creds);
    const snap = textAt(r.body, 'MediaUri', 'Uri') ?? '';
    expect((await fetch(snap)).status).toBe(401);
    const res = await digestFetch(snap, creds.username, creds.password);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg[0]).toBe(0xff);
    expect(jpeg[1]).toBe(0xd8);
  });

  it('keeps time with a POSIX TZ and DST', async () => {
    const set = (tz: string, dst: boolean) =>
      soapCall(
        url(1),
        `<SetSystemDateAndTime ${TDS}><DateTimeType>Manual</DateTimeType><DaylightSavings>${dst}</DaylightSavings>` +
          `<TimeZone><TZ xmlns="${NS.tt}">${tz}</TZ></TimeZone><UTCDateTime><Time xmlns="${NS.tt}"><Hour>12</Hour><Minute>0</Minute><Second>0</Second></Time>` +
          `<Date xmlns="${NS.tt}"><Year>2024</Year><Month>7</Month><Day>1</Day></Date></UTCDateTime></SetSystemDateAndTime>`,
        { ...creds, auth: 'digest' },
      );
    expect((await set('CET-1CEST,M3.5.0,M10.5.0/3', true)).status).toBe(200);
    let r = await soapCall(url(1), `<GetSystemDateAndTime ${TDS}/>`);
    const sdt = child(r.body, 'SystemDateAndTime');
    expect(textAt(sdt, 'TimeZone', 'TZ')).toBe('CET-1CEST,M3.5.0,M10.5.0/3');
    expect(textAt(sdt, 'UTCDateTime', 'Time', 'Hour')).toBe('12');
    expect(textAt(sdt, 'LocalDateTime', 'Time', 'Hour')).toBe('14');
    expect(textAt(sdt, 'UTCDateTime', 'Date', 'Year')).toBe('2024');
    await set('CET-1CEST,M3.5.0,M10.5.0/3', false);
    r = await soapCall(url(1), `<GetSystemDateAndTime ${TDS}/>`);
    expect(textAt(child(r.body, 'SystemDateAndTime'), 'LocalDateTime', 'Time', 'Hour')).toBe('13');
    r = await set('Mars/Olympus', true);
    expectFault(r.body, 'env:Sender', ['ter:InvalidArgVal', 'ter:InvalidTimeZone']);
    // Back to host time so WS-UsernameToken Created stays within the window for later tests.
    await soapCall(url(1), `<SetSystemDateAndTime ${TDS}><DateTimeType>NTP</DateTimeType><DaylightSavings>false</DaylightSavings></SetSystemDateAndTime>`, {
      ...creds,
      auth: 'digest',
    });
  });
});

describe('camsim factory-default device (ONVIF Profile Q)', () => {
  it('advertises FactoryDefault, takes a strong first admin without auth, then requires auth', async () => {
    const u = url(2);
    let r = await soapCall(u, `<GetScopes ${TDS}/>`);
    const scopes = children(r.body, 'Scopes').map((s) => textAt(s, 'ScopeItem'));
    expect(scopes).toContain('onvif://www.onvif.org/Profile/Q/FactoryDefault');
    r = await soapCall(u, `<GetProfiles ${TRT}/>`);
    expect(r.status).toBe(401);
    const create = (user: string, pw: string, level = 'Administrator') =>
      soapCall(u, `<CreateUsers ${TDS}><User><Username xmlns="${NS.tt}">${user}</Username><Password xmlns="${NS.tt}">${pw}</Password><UserLevel xmlns="${NS.tt}">${level}</UserLevel></User></CreateUsers>`);
    r = await create('viewer', 'Viewer-Pass1', 'User');
    expectFault(r.body, 'env:Sender', ['ter:NotAuthorized']);
    r = await create('admin', 'admin');
    expectFault(r.body, 'env:Sender', ['ter:OperationProhibited', 'ter:PasswordTooWeak']);
    r = await create('admin', 'Str0ng-Admin');
    expect(r.status).toBe(200);
    expect(r.body?.local).toBe('CreateUsersResponse');
    expect(fleet.device(2).initialized).toBe(true);
    r = await create('other', 'Str0ng-Other');
    expect(r.status).toBe(401);
    r = await soapCall(u, `<GetUsers ${TDS}/>`, { username: 'admin', password: 'Str0ng-Admin' });
    expect(children(r.body, 'User').map((x) => [textAt(x, 'Username'), textAt(x, 'UserLevel')])).toEqual([['admin', 'Administrator']]);
    r = await soapCall(u, `<GetScopes ${TDS}/>`, { username: 'admin', password: 'Str0ng-Admin' });
    expect(children(r.body, 'Scopes').map((s) => textAt(s, 'ScopeItem'))).toContain('onvif://www.onvif.org/Profile/Q/Operational');
    r = await soapCall(u, `<SetUser ${TDS}><User><Username xmlns="${NS.tt}">admin</Username><Password xmlns="${NS.tt}">short</Password><UserLevel xmlns="${NS.tt}">Administrator</UserLevel></User></SetUser>`, {
      username: 'admin',
      password: 'Str0ng-Admin',
    });
    expectFault(r.body, 'env:Sender', ['ter:OperationProhibited', 'ter:PasswordTooWeak']);
  });
});

describe('camsim device management that changes the device', () => {
  it('SetNetworkInterfaces really moves the device to the new loopback address', async () => {
    const dev = fleet.device(1);
    const old = url(1);
    const body = (addr: string) =>
      `<SetNetworkInterfaces ${TDS}><InterfaceToken>eth0</InterfaceToken><NetworkInterface><IPv4 xmlns="${NS.tt}"><Enabled>true</Enabled><Manual><Address>${addr}</Address><PrefixLength>8</PrefixLength></Manual><DHCP>false</DHCP></IPv4></NetworkInterface></SetNetworkInterfaces>`;
    let r = await soapCall(old, body('192.168.1.20'), creds);
    expectFault(r.body, 'env:Sender', ['ter:InvalidArgVal', 'ter:InvalidIPv4Address']);
    r = await soapCall(old, body('127.0.61.200'), creds);
    expect(textAt(r.body, 'RebootNeeded')).toBe('false');
    await new Promise((res) => setTimeout(res, 200));
    await dev.whenOnline();
    expect(dev.ip).toBe('127.0.61.200');
    expect(fleet.manifest.devices[1]!.onvif.deviceService).toBe('http://127.0.61.200/onvif/device_service');
    await expect(fetch(old, { method: 'POST', body: '' })).rejects.toThrow();
    r = await soapCall(url(1), `<GetNetworkInterfaces ${TDS}/>`, creds);
    expect(textAt(r.body, 'NetworkInterfaces', 'IPv4', 'Config', 'Manual', 'Address')).toBe('127.0.61.200');
  });

  it('SystemReboot takes the device off the network and brings it back', async () => {
    const dev = fleet.device(0);
    const r = await soapCall(url(0), `<SystemReboot ${TDS}/>`, creds);
    expect(textAt(r.body, 'Message')).toBe('Rebooting');
    await new Promise((res) => setTimeout(res, 100));
    expect(dev.online).toBe(false);
    await expect(fetch(url(0), { method: 'POST', body: '' })).rejects.toThrow();
    await dev.whenOnline(5000);
    expect((await soapCall(url(0), `<GetSystemDateAndTime ${TDS}/>`)).status).toBe(200);
  });

  it('locks a client IP out after 5 failed logins, for the set time', async () => {
    const bad = { username: 'admin', password: 'Wrong-Pass1' };
    for (let i = 0; i < 5; i++) expect((await soapCall(url(0), `<GetDeviceInformation ${TDS}/>`, bad)).status).toBe(400);
    const locked = await soapCall(url(0), `<GetDeviceInformation ${TDS}/>`, creds);
    expect(locked.status).toBe(403);
    expect(locked.headers.get('retry-after')).toBeTruthy();
    expectFault(locked.body, 'env:Sender', ['ter:NotAuthorized']);
    await new Promise((res) => setTimeout(res, 900));
    expect((await soapCall(url(0), `<GetDeviceInformation ${TDS}/>`, creds)).status).toBe(200);
  });
});
