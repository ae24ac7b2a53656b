// camsim in each vendor's dialect (--flavour: identity, scopes, DHIP framing, event topics, digest, RTSP and SDP) against a
// real station: the scan finds the device and names its vendor, it is added (Axis through Media2, its H.265 profiles
// being Media2's only), its main stream plays live and is recorded, and one of its own events arrives. Then each RTSP
// dialect alone (rtsp/dialect.ts, live555's too) against the station's RTSP reader: the challenge as the vendor words it,
// the SDP's controls and parameter sets as it writes them, and the stream read by the station's ingest.
import net from 'node:net';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ClientSession } from '../../electron/core/client-session';
import type { TrackInfo } from '../../electron/core/media/fmp4';
import { parseSdp } from '../../electron/core/media/rtsp-source';
import { StreamHub } from '../../electron/core/media/stream-hub';
import { digestFetch, digestHeader } from '../../electron/core/net/http-auth';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, startFleet, withCredentials } from '../../scripts/camsim/fleet';
import type { Flavour } from '../../scripts/camsim/flavours';
import type { Codec, RtspDialectName } from '../../scripts/camsim/types';
import { fileScope } from '../helpers/fixtures';
import { mediaClient, serveStation, servedStationDir, unicastTargets } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const scope = fileScope();
const session = new ClientSession('flavours');

const WANT: Record<Flavour, { vendor: string; model: string; driver?: 'dahua'; codec: Codec; path: RegExp }> = {
  generic: { vendor: 'Camsim', model: 'CS-IPC4M-Z', codec: 'h264', path: /\/cam\/realmonitor\?channel=1&subtype=0&unicast=true&proto=Onvif$/ },
  hikvision: { vendor: 'Hikvision', model: 'DS-2CD2143G2-I', codec: 'h264', path: /\/Streaming\/Channels\/101\?transportmode=unicast&profile=Profile_101$/ },
  dahua: { vendor: 'Dahua', model: 'IPC-HDW2431T-AS-S2', driver: 'dahua', codec: 'h264', path: /\/cam\/realmonitor\?channel=1&subtype=0$/ },
  // H.265 profiles are Media2's only on AXIS OS: the station finds this one's channel through Media2 GetStreamUri.
  axis: { vendor: 'Axis', model: 'M3085-V', codec: 'h265', path: /\/onvif-media\/media\.amp\?profile=ch1_main&sessiontimeout=60&streamtype=unicast$/ },
};
const ok = (r: { ok: boolean; value?: any; error?: unknown }) => { if (!r.ok) throw new Error(JSON.stringify(r.error)); return r.value; };

describe.each(Object.keys(WANT) as Flavour[])('camsim --flavour %s', (flavour) => {
  it('is found with its vendor, added, plays, and its motion reaches the event list', async () => {
    const fleet = scope.add(await startFleet({ devices: 1, channels: 1, subnet: 'random', flavour, gopSeconds: 1, codec: WANT[flavour].codec }));
    const cam = fleet.device(0);
    const { station, server } = scope.add(await serveStation(servedStationDir(scope, `wp-flav-${flavour}-`), {
      heartbeatMs: 60_000, devices: { unicast: () => unicastTargets(fleet), scanMs: 1000, heartbeatMs: 60_000 }, eventsOptions: { sourceRetryMs: 200 },
    }));
    const call = (name: Parameters<typeof stationCall>[2], input: unknown = {}) => stationCall(station, session, name, input);

    const found = (await call('devices.scan', {})) as { address: string; vendor: string; model: string; httpPort: number; sources: string[] }[];
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ address: cam.ip, vendor: WANT[flavour].vendor, model: WANT[flavour].model });
    // Hikvision and Axis do not speak DHIP; Dahua does, answering with request id 0 and a NUL.
    expect(found[0]!.sources.includes('dhip')).toBe(flavour === 'generic' || flavour === 'dahua');

    const dev = (await call('devices.add', {
      address: cam.ip, httpPort: found[0]!.httpPort, username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, ...(WANT[flavour].driver ? { driver: WANT[flavour].driver } : {}),
    })) as { channels: { channelId: number }[] };
    const channelId = dev.channels[0]!.channelId;
    const channels = (await call('channels.list', {})) as { id: number; mainUrl: string }[];
    expect(channels.find((ch) => ch.id === channelId)!.mainUrl).toMatch(WANT[flavour].path);

    // The device's HTTP digest as the vendor offers it (Axis: SHA-256 before MD5); the station's answer is accepted.
    const snapshot = `${cam.baseUrl}/onvif/snapshot?channel=1&subtype=1`;
    const challenge = (await fetch(snapshot).then(async (r) => { await r.arrayBuffer(); return r.headers.get('www-authenticate'); })) ?? '';
    expect(challenge.startsWith(flavour === 'axis' ? 'Digest realm="Login to' : 'Digest ') && /algorithm=SHA-256/.test(challenge)).toBe(flavour === 'axis');
    const snap = await digestFetch(snapshot, { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD });
    await snap.arrayBuffer();
    expect(snap.status).toBe(200);

    const c = await mediaClient(scope, server);
    ok(await c.call('recording.setArchive', { segmentSeconds: 2, quotaBytes: null, freeFloorBytes: 0 }));
    ok(await c.call('recording.setChannels', { channelIds: [channelId], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: 30 }));
    // A viewer that decodes H.265 (hevc) is sent the camera's own stream, not the transcoder's H.264.
    const opened = await c.call('live.open', { streamId: `${channelId}/main`, hevc: true });
    expect(opened.ok, JSON.stringify(opened)).toBe(true);
    await expect.poll(() => c.frames.filter((f) => f.kind === 'fragment').length, { timeout: 30_000 }).toBeGreaterThan(3);
    expect(c.frames[0]!.kind).toBe('init');
    expect((c.frames[0]!.meta as { codec: string }).codec).toMatch(WANT[flavour].codec === 'h264' ? /^avc1\./ : /^(hvc1|hev1)\./);
    // Recorded too: the archive's timeline holds a span of this channel.
    await expect.poll(async () => {
      const [tl] = ok(await c.call('archive.timeline', { channelIds: [channelId], from: Date.now() - 60_000, to: Date.now() })) as { spans: { start: number; end: number }[] }[];
      return tl!.spans.reduce((sum, sp) => sum + sp.end - sp.start, 0);
    }, { timeout: 30_000, interval: 500 }).toBeGreaterThan(1500);

    // The station subscribes once the device is added; motion raised until the event list shows it.
    let on = false;
    await expect.poll(async () => {
      on = !on;
      cam.raiseEvent({ kind: 'motion', channel: 1, state: on });
      const events = (await call('events.list', { limit: 20, types: ['motion'] })) as { channelId: number | null; source: string }[];
      return events.filter((e) => e.channelId === channelId && e.source === (WANT[flavour].driver ?? 'onvif')).length;
    }, { timeout: 30_000, interval: 700 }).toBeGreaterThan(0);
    c.ws.close();
  }, 90_000);
});

/** One request on a fresh connection; the answer's status line and headers (all values of a repeated header). */
function rtspAsk(url: string, method: string, extra = ''): Promise<{ status: number; headers: Map<string, string[]>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(u.port || 554), u.hostname, () => sock.write(`${method} ${url} RTSP/1.0\r\nCSeq: 1\r\n${extra}\r\n`));
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = new Map<string, string[]>();
      for (const l of buf.slice(0, end).split('\r\n').slice(1)) {
        const i = l.indexOf(':');
        headers.set(l.slice(0, i).toLowerCase(), [...(headers.get(l.slice(0, i).toLowerCase()) ?? []), l.slice(i + 1).replace(/^ /, '')]);
      }
      const len = Number(headers.get('content-length')?.[0] ?? 0);
      if (buf.length < end + 4 + len) return;
      sock.destroy();
      resolve({ status: Number(buf.split(' ')[1]), headers, body: buf.slice(end + 4, end + 4 + len) });
    });
    sock.on('error', reject);
  });
}

const DIALECTS: Record<RtspDialectName, { flavour: Flavour; codec: Codec; challenges: RegExp[]; server?: string; date?: RegExp; control: RegExp; sprop: boolean; session: RegExp; metadata?: boolean }> = {
  generic: { flavour: 'generic', codec: 'h264', challenges: [/^Digest realm="Login to \w+", nonce="\w+", algorithm="MD5"$/], server: 'camsim/1.0 (Watchpost)', control: /^trackID=0$/, sprop: true, session: /^\d{8};timeout=60$/ },
  // The fixtures' shapes: hikvision/digest-rtsp.rtsp and describe-h264-audio.sdp, dahua/describe-onvif-metadata.sdp,
  // axis/describe-audio-metadata.sdp; GStreamer's Session without a timeout at its default 60 s; reolink/digest-rtsp.rtsp.
  hikvision: { flavour: 'hikvision', codec: 'h264', challenges: [/^Digest realm="IP Camera\(\w{5}\)", nonce="\w+", stale="FALSE"$/], date: /^ \w{3}, \w{3} \d\d \d{4} [\d:]{8} GMT$/, control: /^rtsp:\/\/.*\/Streaming\/Channels\/101\/trackID=1\?transportmode=unicast&profile=Profile_101$/, sprop: true, session: /^\d{10};timeout=60$/ },
  dahua: { flavour: 'dahua', codec: 'h264', challenges: [/^Digest realm="Login to \w+", nonce="\w+"$/], server: 'Rtsp Server/3.0', control: /^trackID=0$/, sprop: true, session: /^\d{10};timeout=60$/, metadata: true },
  axis: { flavour: 'axis', codec: 'h265', challenges: [/^Digest realm="AXIS_[0-9A-F]{12}", nonce="\w+"$/, /^Basic realm="AXIS_[0-9A-F]{12}"$/], server: 'GStreamer RTSP server', control: /^rtsp:\/\/.*\/onvif-media\/media\.amp\/stream=0\?profile=ch1_main&/, sprop: true, session: /^[\w+]{16}$/ },
  live555: { flavour: 'generic', codec: 'h265', challenges: [/^Digest realm="LIVE555 Streaming Media", nonce="\w+"$/, /^Basic realm="LIVE555 Streaming Media"$/], control: /^track1$/, sprop: false, session: /^[0-9A-F]{8};timeout=65$/ },
};

describe.each(Object.keys(DIALECTS) as RtspDialectName[])('camsim RTSP dialect %s and the station\'s RTSP reader', (name) => {
  it('challenges, describes and answers SETUP as that server does, and the station reads the stream', async () => {
    const want = DIALECTS[name];
    const fleet = scope.add(await startFleet({ devices: 1, channels: 1, subnet: 'random', flavour: want.flavour, rtspDialect: name, gopSeconds: 1, codec: want.codec }));
    const url = fleet.device(0).rtspUrl(1, 'main', true);
    const challenged = await rtspAsk(url, 'DESCRIBE');
    expect(challenged.status).toBe(401);
    const offered = challenged.headers.get('www-authenticate') ?? [];
    expect(offered).toHaveLength(want.challenges.length);
    want.challenges.forEach((re, i) => expect(offered[i]).toMatch(re));
    expect(challenged.headers.get('server')?.[0]).toBe(want.server);
    if (want.date) expect(challenged.headers.get('date')?.[0]).toMatch(want.date);

    const auth = (method: string, uri: string) => `Authorization: ${digestHeader(offered[0]!, { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD }, method, uri)}\r\n`;
    const described = await rtspAsk(url, 'DESCRIBE', auth('DESCRIBE', url));
    expect(described.status).toBe(200);
    const { video, otherMedia } = parseSdp(described.body);
    expect(/^m=application /m.test(described.body)).toBe(!!want.metadata);
    expect(otherMedia).toEqual([]);
    expect(video!.control).toMatch(want.control);
    expect(video!.codec).toBe(want.codec === 'h264' ? 'H264' : 'H265');
    expect(video!.params.length > 0).toBe(want.sprop);
    const base = described.headers.get('content-base')![0]!;
    const setupUrl = /^rtsp:/.test(video!.control) ? video!.control : `${base}${video!.control}`;
    const setup = await rtspAsk(setupUrl, 'SETUP', `${auth('SETUP', setupUrl)}Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n`);
    expect(setup.status).toBe(200);
    expect(setup.headers.get('session')![0]).toMatch(want.session);
    if (want.challenges.length > 1) {
      // Basic is accepted where it is offered.
      const basic = await rtspAsk(url, 'DESCRIBE', `Authorization: Basic ${Buffer.from(`${DEFAULT_USERNAME}:${DEFAULT_PASSWORD}`).toString('base64')}\r\n`);
      expect(basic.status).toBe(200);
    }

    // The station's ingest (live view and recording read through it) plays it with its own RTSP reader, without ffmpeg:
    // Dahua's ONVIF URI adds a metadata track, which the reader does not set up.
    const inits: TrackInfo[] = [];
    let fragments = 0;
    const hub = new StreamHub({ id: name, url: withCredentials(url), ffmpegPath: 'ffmpeg', logger: pino({ level: 'silent' }), stallMs: 5000 });
    const detach = hub.attach({ init: (_d, info) => inits.push(info), fragment: () => void fragments++ });
    try {
      await expect.poll(() => fragments, { timeout: 30_000 }).toBeGreaterThan(3);
      expect(inits[0]).toMatchObject({ kind: want.codec, width: 1920, height: 1080 });
      expect(hub.stats.ffmpegStarts).toBe(0);
    } finally {
      detach();
      hub.close();
    }
  }, 60_000);
});
