// npm run bench:sites — the figures of issue 14 ("Many stations, one desk"): a desk (a station process) showing the cameras
// of another station process that serves desks over TLS on 127.0.0.2, camsim behind both. Prints one JSON line.
// Options: --quick (fewer opens, shorter windows), --only ttff,g2g,relay,connect,failover (the sections; all by default),
// --opens N (tile opens per ttff figure, default 12), --g2g-seconds N (default 60), --relay-seconds N (default 30),
// --sources (the station processes from their TypeScript sources under tsx, as `npm run station` runs them; by default they
// run bundled, as the desktop app runs its core and the tests run them: tsx compiling some hundreds of modules at each start
// is not a desk's cost, and was most of `sites_16_stations_connect_ms` on the 2-core machine).
//
// - ttff: the time from the desk's `live.open` to the first video fragment at a desk client. The remote camera's hub is warm
//   on its station (a client there keeps it open, as recording would) and cold on the desk: after each close the bench
//   waits past the desk's hub grace period (10 s; the station CLI has no option to shorten it, so it is waited out).
//   `local_ttff_ms_p50` opens the same camera added to the desk itself, its hub kept warm there the same way: the ratio
//   is what the relay adds to a tile opened on a recording station. `local_cold_ttff_ms_p50`: that camera opened on the
//   desk with its hub stopped there (the RTSP connection to the camera made on the open), for comparison.
// - g2g: bench:live's glass to glass (g2g.ts) on the desk's Live page, a camsim live-encoded camera through the relay,
//   then the same camera added to the desk directly.
// - relay: the desk process tree's CPU relaying N remote sub streams (one client each, reading every frame) minus its
//   idle CPU in a window of the same length just before, per stream.
// - connect: 16 stations serving on 127.0.0.2–17, in this process (in-process stations); a desk process with all 16 added
//   and trusted is stopped and started again on its data folder; from the spawn until `sites.list` says all 16 'online'.
// - failover: a primary station process recording two camsim sub streams and serving desks on 127.0.0.18, and a standby
//   process named its standby with the default wait (30 s); kill -9 of the primary. `failover_takeover_s`: from the kill
//   until the standby's timeline shows its own recordings of both cameras (its `archive.timeline`, polled every 200 ms).
//   The primary is started again on its data folder; `failover_handback_s`: from that start until the standby has handed
//   the cameras back; `failover_gap_s`: the longest stretch, from 10 s before the kill to the hand-back, that neither the
//   primary's own timeline nor the standby's `failover.coverage` covers, the worse of the two cameras.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { decodeMediaFrame, siteChannelId, type Channel } from '../../electron/contract';
import { startLoopbackServer, type LoopbackServer } from '../../electron/core/server/loopback-server';
import type { Station } from '../../electron/core/station';
import { startFleet, withCredentials as creds } from '../camsim/fleet';
import { signInAsTestAdmin, TEST_ADMIN } from '../../tests/helpers/auth';
import { launchChromium } from '../../tests/helpers/chromium';
import { freeTcpPort, openStation } from '../../tests/helpers/in-process-station';
import { longestGap } from '../../tests/helpers/failover';
import { ROOT, startStation, type StationProcess } from '../../tests/helpers/station-process';
import { buildTestBundles } from '../../tests/helpers/test-bundles';
import { wsClient, type WsClient } from '../../tests/helpers/ws-client';
import { addTimestampReader, g2gSamples, openInFirstTile, watchFirstTile } from './g2g';
import { measureCpu, percentile, tree } from './proc-cpu';

const { values } = parseArgs({ options: {
  quick: { type: 'boolean', default: false }, only: { type: 'string', default: 'ttff,g2g,relay,connect,failover' },
  opens: { type: 'string' }, 'g2g-seconds': { type: 'string' }, 'relay-seconds': { type: 'string' }, sources: { type: 'boolean', default: false },
} });
const only = new Set(values.only.split(','));
const opens = Number(values.opens ?? (values.quick ? 10 : 12));
const g2gSeconds = Number(values['g2g-seconds'] ?? (values.quick ? 15 : 60));
const relaySeconds = Number(values['relay-seconds'] ?? (values.quick ? 10 : 30));
/** Past the hub's grace period (StreamHub's default 10 s) after a close, so the next open starts its upstream afresh. */
const COLD_WAIT_MS = 11_500;
const log = (m: string) => process.stderr.write(`bench:sites: ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface Viewer {
  /** Opens a stream on this connection; resolves with ms from the call to its first video fragment. */
  open(streamId: string): Promise<{ channel: number; ms: number }>;
  close(channel: number): Promise<void>;
  /** Video fragments received so far (all streams). */
  fragments(): number;
  end(): void;
}

/** A renderer-like connection to a station process that reads every media frame and counts the video fragments. */
async function viewer(stationUrl: string): Promise<Viewer> {
  const u = new URL(stationUrl);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  let next = 1;
  let fragments = 0;
  const pending = new Map<number, (r: any) => void>();
  /** Waiting for the first fragment of a media channel (or of the next one opened, before its number is known). */
  let firstFragment: ((channel: number) => void) | undefined;
  ws.on('message', (d, binary) => {
    if (!binary) {
      const f = JSON.parse(d.toString());
      if (f.t === 'result') pending.get(f.id)?.(f.result);
      return;
    }
    const frame = decodeMediaFrame(new Uint8Array(d as Buffer));
    if (frame.kind !== 'fragment') return;
    fragments++;
    firstFragment?.(frame.channel);
  });
  const raw = (name: string, input: unknown) => new Promise<any>((res) => {
    const id = next++;
    pending.set(id, res);
    ws.send(JSON.stringify({ t: 'call', id, name, input }));
  });
  const call = async (name: string, input: unknown) => {
    const r = await raw(name, input);
    if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
    return r.value;
  };
  await signInAsTestAdmin(u.origin, raw);
  return {
    async open(streamId) {
      const seen = new Map<number, number>();
      let channel: number | undefined;
      let done: (ms: number) => void = () => {};
      const arrived = new Promise<number>((res) => (done = res));
      firstFragment = (ch) => {
        if (!seen.has(ch)) seen.set(ch, performance.now());
        if (ch === channel) done(seen.get(ch)!);
      };
      const t0 = performance.now();
      channel = (await call('live.open', { streamId })).channel as number;
      if (seen.has(channel)) done(seen.get(channel)!);
      const at = await Promise.race([arrived, sleep(30_000).then(() => { throw new Error(`${streamId}: no video fragment in 30 s`); })]);
      firstFragment = undefined;
      return { channel, ms: at - t0 };
    },
    async close(channel) { await call('live.close', { channel }); },
    fragments: () => fragments,
    end: () => ws.close(),
  };
}

if (!values.sources) await buildTestBundles();
const loadBefore = loadavg();
log('starting camsim (4 cameras x 2 channels, loops; one live-encoded camera with the timestamp code), a remote station and a desk');
const loops = await startFleet({ devices: 4, channels: 2, subnet: 'random' });
const liveFleet = await startFleet({ devices: 1, channels: 1, live: true, subnet: 'random' });
const [remote, desk] = await Promise.all([startStation(), startStation()]);
const rApi = await wsClient(remote.url);
const dApi = await wsClient(desk.url);
const remoteChannels: Channel[] = [];
for (const d of loops.manifest.devices) {
  for (const ch of d.channels) remoteChannels.push(await rApi.call<Channel>('channels.addRtsp', { name: ch.name, mainUrl: creds(ch.main.rtsp), subUrl: creds(ch.sub.rtsp) }));
}
const liveUrl = creds(liveFleet.manifest.devices[0]!.channels[0]!.sub.rtsp);
const remoteLive = await rApi.call<Channel>('channels.addRtsp', { name: 'g2g', mainUrl: liveUrl, subUrl: null });
// The same cameras added to the desk itself, for the local figures.
const firstCam = loops.manifest.devices[0]!.channels[0]!;
const localCam = await dApi.call<Channel>('channels.addRtsp', { name: 'local ttff', mainUrl: creds(firstCam.main.rtsp), subUrl: null });
// The same camera once more on the desk, never kept open there: a tile whose hub has to connect to the camera itself.
const localCold = await dApi.call<Channel>('channels.addRtsp', { name: 'local ttff, cold', mainUrl: creds(firstCam.main.rtsp), subUrl: null, allowSameUrl: true });
const localLive = await dApi.call<Channel>('channels.addRtsp', { name: 'local g2g', mainUrl: liveUrl, subUrl: null });

const servingPort = await freeTcpPort();
const serving = await rApi.call<{ fingerprint: string }>('sites.setServing', { enabled: true, host: '127.0.0.2', port: servingPort });
const site = await dApi.call<{ id: number }>('sites.add', { name: 'Remote', host: '127.0.0.2', port: servingPort, username: TEST_ADMIN.name, password: TEST_ADMIN.password });
await dApi.call('sites.trust', { id: site.id, fingerprint: serving.fingerprint });
const onDesk = (c: Channel) => siteChannelId(site.id, c.id);
await until('the remote station online with its channels on the desk', async () => {
  const list = await dApi.call<Channel[]>('channels.list', {});
  return list.filter((c) => c.site).length === remoteChannels.length + 1;
}, 30_000);
const deskCpu = () => tree(desk.proc.pid!);

// ---- time to first fragment: remote (cold on the desk, warm on its station) and local (warm on the desk) ----
async function ttffSection() {
  const warmRemote = await viewer(remote.url);
  await warmRemote.open(`${remoteChannels[0]!.id}/main`);
  const warmLocal = await viewer(desk.url);
  await warmLocal.open(`${localCam.id}/main`);
  const v = await viewer(desk.url);
  const remoteMs: number[] = [];
  const coldMs: number[] = [];
  const localMs: number[] = [];
  log(`ttff: ${opens} opens of the remote camera and of the camera on the desk with its hub stopped, each ${COLD_WAIT_MS / 1000} s after the last close`);
  for (let i = 0; i < opens; i++) {
    if (i > 0) await sleep(COLD_WAIT_MS);
    for (const [streamId, into] of [[`${onDesk(remoteChannels[0]!)}/main`, remoteMs], [`${localCold.id}/main`, coldMs]] as const) {
      const { channel, ms } = await v.open(streamId);
      into.push(ms);
      await v.close(channel);
    }
  }
  log(`ttff: ${opens} opens of the camera on the desk with its hub warm there`);
  for (let i = 0; i < opens; i++) {
    await sleep(1000);
    const { channel, ms } = await v.open(`${localCam.id}/main`);
    localMs.push(ms);
    await v.close(channel);
  }
  for (const x of [v, warmLocal, warmRemote]) x.end();
  const r50 = percentile(remoteMs, 50);
  const l50 = percentile(localMs, 50);
  return {
    remote_ttff_ms_p50: round(r50), remote_ttff_ms_p95: round(percentile(remoteMs, 95)), local_ttff_ms_p50: round(l50), local_ttff_ms_p95: round(percentile(localMs, 95)),
    remote_vs_local_ttff: round(r50 / l50, 2), local_cold_ttff_ms_p50: round(percentile(coldMs, 50)), ttff_samples: opens,
  };
}

// ---- glass to glass on the desk's Live page: the live-encoded camera through the relay, then added to the desk directly ----
async function g2gSection() {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // tsx keeps function names with a helper that page.evaluate'd functions would otherwise miss.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await addTimestampReader(context);
  const g2gOf = async (channelId: number) => {
    const page = await context.newPage();
    await page.goto(`${desk.url}#/live`);
    await page.click('.seg button:text-is("1")');
    await page.waitForSelector(`[data-channel="${channelId}"]`, { timeout: 30_000 });
    await openInFirstTile(page, channelId);
    await page.waitForFunction(() => document.querySelector<HTMLVideoElement>('[data-tile="0"] video:not(.pending)')?.videoWidth === 640, null, { timeout: 60_000 });
    await sleep(3000);
    await watchFirstTile(page);
    await sleep(g2gSeconds * 1000);
    const samples = (await g2gSamples(page)).map((s) => s[1]);
    await page.close();
    return samples;
  };
  log(`g2g: ${g2gSeconds} s through the relay, then ${g2gSeconds} s of the same camera on the desk`);
  const remoteG2g = await g2gOf(onDesk(remoteLive));
  const localG2g = await g2gOf(localLive.id);
  await browser.close();
  const r50 = percentile(remoteG2g, 50);
  const l50 = percentile(localG2g, 50);
  return {
    remote_g2g_ms_p50: round(r50), remote_g2g_ms_p95: round(percentile(remoteG2g, 95)), local_g2g_ms_p50: round(l50), local_g2g_ms_p95: round(percentile(localG2g, 95)),
    remote_vs_local_g2g: round(r50 / l50, 2), g2g_samples: Math.min(remoteG2g.length, localG2g.length),
  };
}

// ---- the desk's CPU relaying N remote sub streams, each read by one client, minus its idle CPU ----
async function relaySection() {
  const n = remoteChannels.length;
  await sleep(COLD_WAIT_MS); // hubs of the sections before have stopped
  log(`relay: the desk idle for ${relaySeconds} s, then relaying ${n} remote sub streams for ${relaySeconds} s`);
  const idle = await measureCpu(deskCpu, relaySeconds);
  const viewers = await Promise.all(remoteChannels.map(async (c) => {
    const v = await viewer(desk.url);
    await v.open(`${onDesk(c)}/sub`);
    return v;
  }));
  await sleep(5000);
  const before = viewers.map((v) => v.fragments());
  const busy = await measureCpu(deskCpu, relaySeconds);
  const perStreamFps = viewers.map((v, i) => (v.fragments() - before[i]!) / relaySeconds);
  for (const v of viewers) v.end();
  return {
    relay_cpu_pct_per_stream: round((busy - idle) / n, 2), relay_streams: n, desk_idle_cpu_pct: round(idle, 2), desk_relaying_cpu_pct: round(busy, 2),
    relay_fragments_per_s_min: round(Math.min(...perStreamFps)),
  };
}

// ---- 16 stations: a desk restarted on its data folder, until all 16 are online ----
async function connectSection() {
  const rendererDir = join(ROOT, 'dist/renderer');
  const root = mkdtempSync(join(tmpdir(), 'wp-bench-sites-'));
  const served: { station: Station; server: LoopbackServer }[] = [];
  log('connect: 16 in-process stations serving desks on 127.0.0.2-17');
  const desk16 = await startStation();
  const api = await wsClient(desk16.url);
  for (let i = 0; i < 16; i++) {
    const dir = join(root, `s${i}`);
    mkdirSync(dir);
    const station = await openStation(dir, { auth: { firstAdmin: TEST_ADMIN } });
    const server = await startLoopbackServer({ station, rendererDir });
    served.push({ station, server });
    const s = await wsClient(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    const host = `127.0.0.${i + 2}`;
    const port = await freeTcpPort();
    const on = await s.call<{ fingerprint: string }>('sites.setServing', { enabled: true, host, port });
    s.close();
    const added = await api.call<{ id: number }>('sites.add', { name: `Station ${i + 1}`, host, port, username: TEST_ADMIN.name, password: TEST_ADMIN.password });
    await api.call('sites.trust', { id: added.id, fingerprint: on.fingerprint });
  }
  const allOnline = (c: WsClient) => async () => {
    const list = await c.call<{ state: string }[]>('sites.list', {});
    return list.length === 16 && list.every((x) => x.state === 'online');
  };
  await until('16 stations online on the desk', allOnline(api), 60_000);
  api.close();
  log('connect: restarting the desk on its data folder');
  await desk16.stop();
  const t0 = performance.now();
  let again: StationProcess | undefined;
  let connectMs: number, startMs: number;
  try {
    again = await startStation({ dataDir: desk16.dataDir });
    startMs = performance.now() - t0;
    const api2 = await wsClient(again.url);
    await until('16 stations online after the restart', allOnline(api2), 60_000, 20);
    connectMs = performance.now() - t0;
    api2.close();
  } finally {
    await again?.stop();
    for (const s of served) {
      await s.server.close();
      await s.station.dispose();
    }
    rmSync(root, { recursive: true, force: true });
  }
  // Beside the figure, what of it is the desk process starting (until it answers a signed-in connection) and what the 16 links.
  return { sites_16_stations_connect_ms: Math.round(connectMs), sites_16_desk_start_ms: Math.round(startMs), sites_16_links_after_start_ms: Math.round(connectMs - startMs) };
}

// ---- failover: kill -9 of a primary, its standby records its cameras after the default wait, then hands them back ----
async function failoverSection() {
  type Span = { start: number; end: number; standby?: true };
  const [primary, standby] = await Promise.all([startStation(), startStation()]);
  let again: StationProcess | undefined;
  try {
    const p = await wsClient(primary.url);
    const s = await wsClient(standby.url);
    const device = loops.manifest.devices[0]!;
    const ids: number[] = [];
    for (const ch of device.channels) ids.push((await p.call<Channel>('channels.addRtsp', { name: ch.name, mainUrl: creds(ch.main.rtsp), subUrl: creds(ch.sub.rtsp) })).id);
    await p.call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
    await p.call('recording.setChannels', { channelIds: ids, mode: 'continuous', stream: 'sub', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
    const port = await freeTcpPort();
    const { fingerprint } = await p.call<{ fingerprint: string }>('sites.setServing', { enabled: true, host: '127.0.0.18', port });
    const added = await s.call<{ id: number }>('sites.add', { name: 'Primary', host: '127.0.0.18', port, username: TEST_ADMIN.name, password: TEST_ADMIN.password });
    await s.call('sites.trust', { id: added.id, fingerprint });
    const standbyState = async () => (await s.call<{ id: number; state: string; standby?: { state: string; cameras: number } }[]>('sites.list', {})).find((x) => x.id === added.id);
    await until('the primary online on the standby', async () => (await standbyState())?.state === 'online', 30_000);
    // The default wait: no waitSeconds given.
    await s.call('sites.setStandby', { id: added.id, enabled: true });
    await until('the standby paired', async () => (await standbyState())?.standby?.cameras === ids.length, 15_000);
    await until('the primary recording', async () => (await p.call<{ channels: { state: string }[] }>('recording.status', {})).channels.filter((c) => c.state === 'recording').length === ids.length, 30_000);
    await sleep(10_000);
    p.close();
    log('failover: kill -9 of the primary; the standby takes over after its default wait (30 s)');
    const killedAt = Date.now();
    primary.proc.kill('SIGKILL');
    const onStandby = ids.map((id) => siteChannelId(added.id, id));
    await until('the standby recording', async () => {
      const list = await s.call<{ spans: Span[] }[]>('archive.timeline', { channelIds: onStandby, from: killedAt - 60_000, to: Date.now() + 1000 });
      return list.every((c) => c.spans.some((x) => x.standby && x.end > killedAt));
    }, 120_000, 200);
    const takeoverS = (Date.now() - killedAt) / 1000;
    await sleep(5000);
    log('failover: the primary started again; the standby hands back');
    const startedAt = Date.now();
    again = await startStation({ dataDir: primary.dataDir });
    await until('the hand-back', async () => (await standbyState())?.standby?.state === 'watching', 120_000, 200);
    const handbackS = (Date.now() - startedAt) / 1000;
    const p2 = await wsClient(again.url);
    const from = killedAt - 10_000;
    const to = Date.now() - 500;
    const own = await p2.call<{ spans: Span[] }[]>('archive.timeline', { channelIds: ids, from, to });
    const cover = await s.call<{ spans: Span[] }[]>('failover.coverage', { fingerprint, channelIds: ids, from, to });
    const gapMs = Math.max(...ids.map((_, i) => longestGap([...own[i]!.spans, ...cover[i]!.spans], from, to)));
    p2.close();
    s.close();
    return { failover_takeover_s: round(takeoverS), failover_gap_s: round(gapMs / 1000), failover_handback_s: round(handbackS), failover_wait_s: 30 };
  } finally {
    await Promise.all([again?.stop(), standby.stop(), primary.stop()]);
  }
}

const sections = { ttff: ttffSection, g2g: g2gSection, relay: relaySection, connect: connectSection, failover: failoverSection };
let figures = {};
for (const [name, run] of Object.entries(sections)) if (only.has(name)) figures = { ...figures, ...(await run()) };

rApi.close();
dApi.close();
await Promise.all([desk.stop(), remote.stop()]);
await loops.close();
await liveFleet.close();

const result = {
  failover_takeover_s: null, failover_gap_s: null,
  ...figures,
  load_1m_before: round(loadBefore[0]!, 2), load_1m_after: round(loadavg()[0]!, 2),
  targets: { remote_ttff_ms_p50: 250, remote_g2g_ms_p50: 300, relay_cpu_pct_per_stream: 0.5, failover_takeover_s: 40, sites_16_stations_connect_ms: 3000 },
};
console.log(JSON.stringify(result));
process.exit(0);
