// npm run bench:live — live view figures against camsim, with their baselines measured in the same run.
// Prints one JSON line. Options: --drift-minutes N (default 10), --g2g-seconds N (default 60), --quick (1 min drift),
// --only core,renderer,tiles,ttff,g2g,h265,masks (the sections to run; all but masks by default, which bench:redact runs). BENCH_STATION_NODE_ARGS (e.g. --cpu-prof) go to the station;
// BENCH_G2G_DUMP=file keeps the latency samples ([shown ms, latency ms, player lag ms]).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Channel } from '../../electron/contract';
import { startFleet, withCredentials as creds } from '../camsim/fleet';
import { launchChromium } from '../../tests/helpers/chromium';
import { startStation } from '../../tests/helpers/station-process';
import { wsClient } from '../../tests/helpers/ws-client';
import { addTimestampReader, g2gSamples, openInFirstTile, watchFirstTile } from './g2g';
import { measureCpu, measureCpuOf, percentile, tree } from './proc-cpu';

/** The baseline: nothing but MSE appends of the same binary frames, one MediaSource per stream. */
const BARE_PAGE = `<!doctype html><body style="margin:0;background:#000;display:grid;grid-template-columns:repeat(3,1fr)">
<script>
const streams = location.hash.slice(1).split(',');
const ws = new WebSocket('ws://' + location.host + '/ws');
ws.binaryType = 'arraybuffer';
const players = new Map(); let id = 1;
// Signed in first: the sign-in the harness keeps for this tab (tests/helpers/auth.ts).
ws.onopen = () => {
  ws.send(JSON.stringify({ t: 'call', id: id++, name: 'auth.resume', input: { sessionId: sessionStorage.getItem('watchpost.signIn') } }));
  streams.forEach((s) => ws.send(JSON.stringify({ t: 'call', id: id++, name: 'live.open', input: { streamId: s } })));
};
ws.onmessage = (e) => {
  if (typeof e.data === 'string') return;
  const v = new DataView(e.data); const ch = v.getUint32(0); const kind = v.getUint8(4);
  let p = players.get(ch);
  if (kind === 0) {
    const n = v.getUint16(6); const meta = JSON.parse(new TextDecoder().decode(new Uint8Array(e.data, 8, n)));
    const video = document.createElement('video'); video.muted = true; video.autoplay = true; video.style.width = '100%';
    document.body.appendChild(video);
    const ms = new MediaSource(); video.src = URL.createObjectURL(ms);
    p = { q: [new Uint8Array(e.data, 8 + n)], sb: null, video, edge: false };
    players.set(ch, p);
    ms.addEventListener('sourceopen', () => { p.sb = ms.addSourceBuffer('video/mp4; codecs="' + meta.codec + '"'); p.sb.addEventListener('updateend', () => pump(p)); pump(p); });
  } else if (p) {
    // Past the frame's stamp (flags bit 1: arrival and stream time, bit 2: camera time): contract/live.ts's layout.
    const flags = v.getUint8(5);
    p.q.push(new Uint8Array(e.data, 6 + (flags & 2 ? 16 : 0) + (flags & 4 ? 8 : 0))); pump(p);
  }
};
function pump(p) {
  if (!p.sb || p.sb.updating || !p.q.length) return;
  p.sb.appendBuffer(p.q.shift());
  const b = p.sb.buffered;
  if (!p.edge && b.length) { p.video.currentTime = b.end(b.length - 1) - 0.04; p.edge = true; }
}
</script></body>`;

const { values } = parseArgs({ options: {
  'drift-minutes': { type: 'string', default: '10' }, 'g2g-seconds': { type: 'string', default: '60' }, quick: { type: 'boolean', default: false },
  only: { type: 'string', default: 'core,renderer,tiles,ttff,g2g,h265' },
} });
const only = new Set(values.only.split(','));
const driftMinutes = values.quick ? 1 : Number(values['drift-minutes']);
const g2gSeconds = Number(values['g2g-seconds']);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 20);
const log = (m: string) => process.stderr.write(`bench:live: ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

log('starting camsim (8 cameras x 2 channels, loops) and one live-encoded camera with the timestamp code');
const loops = await startFleet({ devices: 8, channels: 2, subnet: 'random' });
const liveFleet = await startFleet({ devices: 1, channels: 1, live: true, subnet: 'random' });
const station = await startStation({ nodeArgs: process.env.BENCH_STATION_NODE_ARGS?.split(' ').filter(Boolean) ?? [] });
const api = await wsClient(station.url);
const channels: Channel[] = [];
for (const d of loops.manifest.devices) {
  for (const ch of d.channels) channels.push(await api.call<Channel>('channels.addRtsp', { name: ch.name, mainUrl: creds(ch.main.rtsp), subUrl: creds(ch.sub.rtsp) }));
}
const liveCh = await api.call<Channel>('channels.addRtsp', { name: 'g2g', mainUrl: creds(liveFleet.manifest.devices[0]!.channels[0]!.sub.rtsp), subUrl: null });
const stationCpu = () => tree(station.proc.pid!);

// The bare page is served by Playwright, which Chromium's local-network checks would keep off loopback.
const browser: Browser = await launchChromium(['--disable-features=LocalNetworkAccessChecks']);
const context: BrowserContext = await browser.newContext({ viewport: { width: 1440, height: 860 }, bypassCSP: true });
// tsx keeps function names with a helper that page.evaluate'd functions would otherwise miss.
await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
const chromiumCpu = () => tree(process.pid, /chrom/);

async function presentedFps(page: Page, seconds: number): Promise<number> {
  const count = () => page.evaluate(() => [...document.querySelectorAll('video')].map((v) => {
    const q = v.getVideoPlaybackQuality();
    return q.totalVideoFrames - q.droppedVideoFrames;
  }));
  const a = await count();
  await sleep(seconds * 1000);
  const b = await count();
  return b.reduce((s, x, i) => s + (x - (a[i] ?? 0)), 0) / b.length / seconds;
}

// ---- core CPU per ingested 1080p stream at 16 streams, against a bare ffmpeg -c copy of the same streams ----
async function coreSection() {
  log('core: 16 main streams through the station');
  const viewer = await wsClient(station.url);
  for (const c of channels) await viewer.call('live.open', { streamId: `${c.id}/main` });
  await sleep(10_000);
  const [coreCpu, nodeCpu] = await measureCpuOf(stationCpu, WINDOW_S, (p) => p.pid === station.proc.pid);
  viewer.close();
  await sleep(12_000); // hubs stop after their grace period
  log('baseline: 16 bare ffmpeg remuxes of the same streams');
  const remuxArgs = channels.map((c, i) => ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i',
    creds(loops.manifest.devices[Math.floor(i / 2)]!.channels[i % 2]!.main.rtsp), '-map', '0:v:0', '-c:v', 'copy', '-an', '-f', 'mp4',
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof+frag_every_frame', '-flush_packets', '1', 'pipe:1']);
  const remux: ChildProcess[] = remuxArgs.map((a) => spawn('ffmpeg', a, { stdio: ['ignore', 'ignore', 'ignore'] }));
  await sleep(8_000);
  const remuxCpu = await measureCpu(() => remux.flatMap((p) => tree(p.pid!)), WINDOW_S);
  for (const p of remux) p.kill('SIGKILL');

  // The floor of any design where ffmpeg hands the bytes to a Node process: one Node process that only reads the same 16
  // remuxes' pipes and drops the bytes (no parsing, no fan-out, no viewer).
  log('floor: the same 16 remuxes read by a bare Node process');
  const floorScript = `const { spawn } = require('node:child_process');
    for (const a of JSON.parse(process.argv[1])) spawn('ffmpeg', a, { stdio: ['ignore', 'pipe', 'ignore'] }).stdout.on('data', () => {});`;
  const floor = spawn(process.execPath, ['-e', floorScript, JSON.stringify(remuxArgs)], { stdio: 'ignore' });
  await sleep(8_000);
  const [floorCpu, floorNodeCpu] = await measureCpuOf(() => tree(floor.pid!), WINDOW_S, (p) => p.pid === floor.pid);
  for (const p of tree(floor.pid!).reverse()) try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone */ }

  return {
    core_cpu_pct_per_stream: round(coreCpu / 16, 2), core_node_cpu_pct_per_stream: round(nodeCpu / 16, 2), remux_cpu_pct_per_stream: round(remuxCpu / 16, 2), core_vs_remux: round(coreCpu / remuxCpu, 2),
    pipe_floor_cpu_pct_per_stream: round(floorCpu / 16, 2), pipe_floor_node_cpu_pct_per_stream: round(floorNodeCpu / 16, 2), pipe_floor_vs_remux: round(floorCpu / remuxCpu, 2),
  };
}

// ---- renderer CPU per tile at 9 tiles, against a bare MSE page fed the same fragments ----
// Measured in turns, UI, bare, bare, UI (ABBA), each page opened afresh: the machine's state drifts over minutes, and one
// window of each alone swung the ratio by ±0.2.
async function rendererSection() {
  const origin = new URL(station.url).origin;
  const open = {
    async ui() {
      const page = await context.newPage();
      await page.goto(`${station.url}#/live`);
      await page.click('.seg button:text-is("9")');
      return page;
    },
    async bare() {
      const page = await context.newPage();
      await page.route(`${origin}/bare.html`, (r) => r.fulfill({ contentType: 'text/html', body: BARE_PAGE }));
      await page.goto(`${origin}/bare.html#${channels.slice(0, 9).map((c) => `${c.id}/sub`).join(',')}`);
      return page;
    },
  };
  const sum = { ui: { cpu: 0, fps: 0 }, bare: { cpu: 0, fps: 0 } };
  for (const kind of ['ui', 'bare', 'bare', 'ui'] as const) {
    log(`renderer: 9 tiles, ${kind === 'ui' ? 'the real UI' : 'a bare MSE page (baseline)'}`);
    const page = await open[kind]();
    await page.waitForFunction(() => [...document.querySelectorAll('video')].filter((v) => v.getVideoPlaybackQuality().totalVideoFrames > 10).length >= 9, null, { timeout: 90_000 });
    await sleep(5000);
    const [cpu, fps] = await Promise.all([measureCpu(chromiumCpu, WINDOW_S), presentedFps(page, WINDOW_S)]);
    sum[kind].cpu += cpu / 2;
    sum[kind].fps += fps / 2;
    await page.close();
    await sleep(3000);
  }
  return {
    renderer_cpu_pct_per_tile: round(sum.ui.cpu / 9, 2), bare_mse_cpu_pct_per_tile: round(sum.bare.cpu / 9, 2), renderer_vs_bare: round(sum.ui.cpu / sum.bare.cpu, 2),
    tiles_9_presented_fps: round(sum.ui.fps), bare_9_presented_fps: round(sum.bare.fps),
  };
}

// ---- 64 tiles on this machine (keyframes only past the decode budget) and 16 at full rate, in the real UI ----
async function tilesSection() {
  // 48 more cameras (64 with the first 16), each with its sub stream; a fresh browser context fills the 64-tile layout.
  const more = await startFleet({ devices: 24, channels: 2, subnet: 'random' });
  const added: Channel[] = [];
  for (const d of more.manifest.devices) {
    for (const ch of d.channels) added.push(await api.call<Channel>('channels.addRtsp', { name: `more ${ch.name}`, mainUrl: creds(ch.main.rtsp), subUrl: creds(ch.sub.rtsp) }));
  }
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 860 } });
  await ctx.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const page = await ctx.newPage();
  await page.goto(`${station.url}#/live`);
  await page.click('.seg button:text-is("64")');
  log('tiles: 64 tiles, waiting for a picture in each');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-tile] video:not(.pending)')].filter((v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames > 0).length >= 64, null, { timeout: 300_000, polling: 1000 });
  await sleep(10_000);
  const frames = () => page.evaluate(() => [...document.querySelectorAll('[data-tile]')].map((t) => t.querySelector<HTMLVideoElement>('video:not(.pending)')?.getVideoPlaybackQuality().totalVideoFrames ?? 0));
  const a = await frames();
  const cpu = await measureCpu(chromiumCpu, WINDOW_S);
  const b = await frames();
  const keyframeTiles = await page.evaluate(() => document.querySelectorAll('[data-tile] video[data-rate=keyframes]').length);
  log('tiles: 16 tiles (a page of its own: its decode budget starts afresh at 16 full-rate tiles)');
  await page.click('.seg button:text-is("16")');
  await page.close();
  const page16 = await ctx.newPage();
  await page16.goto(`${station.url}#/live`);
  await page16.waitForFunction(() => [...document.querySelectorAll('[data-tile] video:not(.pending)')].filter((v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames > 10).length >= 16, null, { timeout: 90_000 });
  await sleep(5000);
  const fps16 = await presentedFps(page16, WINDOW_S);
  const full16 = await page16.evaluate(() => document.querySelectorAll('[data-tile] video[data-rate=full]').length);
  await ctx.close();
  for (const c of added) await api.call('channels.remove', { id: c.id });
  await more.close();
  return {
    tiles_64_renderer_cpu_pct: round(cpu), tiles_64_min_updates_per_s: round(Math.min(...b.map((x, i) => (x - a[i]!) / WINDOW_S)), 2),
    tiles_64_keyframe_tiles: keyframeTiles, tiles_16_presented_fps: round(fps16, 1), tiles_16_full_rate_tiles: full16,
  };
}

// ---- time to first frame: tile opened -> first frame presented (warm stream, keyframe every 2 s) ----
async function ttffSection() {
  log('ttff: 1 tile, 20 opens');
  const page = await context.newPage();
  await page.goto(`${station.url}#/live`);
  await page.click('.seg button:text-is("1")');
  const ttff: number[] = [];
  for (let i = 0; i < 21; i++) {
    const ms = await page.evaluate(async (id) => {
      const tile = document.querySelector<HTMLElement>('[data-tile="0"]')!;
      tile.focus();
      tile.dispatchEvent(new KeyboardEvent('keydown', { key: 'Delete', bubbles: true }));
      await new Promise((r) => setTimeout(r, 400));
      const item = document.querySelector<HTMLElement>(`[data-channel="${id}"]`)!;
      const t0 = performance.now();
      item.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
      return new Promise<number>((res) => {
        const check = () => {
          const v = document.querySelector<HTMLVideoElement>('[data-tile="0"] video:not(.pending)');
          if (v && v.getVideoPlaybackQuality().totalVideoFrames > 0) res(performance.now() - t0);
          else requestAnimationFrame(check);
        };
        check();
      });
    }, channels[0]!.id);
    ttff.push(ms);
  }
  const ttffCold = ttff.shift()!;

  return { ttff_ms_p50: round(percentile(ttff, 50)), ttff_ms_p95: round(percentile(ttff, 95)), ttff_cold_ms: round(ttffCold), ttff_samples: ttff.length };
}

// ---- glass to glass: the timestamp code of each presented frame against the wall clock; drift over minutes ----
async function g2gSection() {
  log(`g2g: ${g2gSeconds} s, then drift over ${driftMinutes} min`);
  const page = await context.newPage();
  await addTimestampReader(page);
  await page.goto(`${station.url}#/live`);
  await page.click('.seg button:text-is("1")');
  await openInFirstTile(page, liveCh.id);
  await page.waitForFunction(() => document.querySelector<HTMLVideoElement>('[data-tile="0"] video:not(.pending)')?.videoWidth === 640, null, { timeout: 60_000 });
  await watchFirstTile(page);
  await sleep(g2gSeconds * 1000);
  const g2g = (await g2gSamples(page)).map((s) => s[1]);
  await sleep(Math.max(0, driftMinutes * 60 - g2gSeconds) * 1000);
  const all = await g2gSamples(page);
  // Drift: least-squares slope of latency (and of the player's lag) against time, per hour.
  const t0 = all[0]?.[0] ?? 0;
  const slope = (pts: [number, number][]) => {
    const n = pts.length;
    const mx = pts.reduce((s, [t]) => s + t, 0) / n;
    const my = pts.reduce((s, [, y]) => s + y, 0) / n;
    return pts.reduce((s, [t, y]) => s + (t - mx) * (y - my), 0) / Math.max(1e-9, pts.reduce((s, [t]) => s + (t - mx) ** 2, 0));
  };
  const lags = all.filter((s) => Number.isFinite(s[2]));
  if (process.env.BENCH_G2G_DUMP) writeFileSync(process.env.BENCH_G2G_DUMP, JSON.stringify(all));
  return {
    g2g_ms_p50: round(percentile(g2g, 50)), g2g_ms_p95: round(percentile(g2g, 95)), g2g_samples: g2g.length,
    drift_ms_per_hour: round(slope(all.map(([t, y]) => [t - t0, y])) * 3_600_000), drift_minutes: round((all.at(-1)![0] - t0) / 60_000, 2), drift_samples: all.length,
    player_lag_ms_p50: round(percentile(lags.map((s) => s[2]), 50)), player_lag_drift_ms_per_hour: round(slope(lags.map(([t, , l]) => [t - t0, l])) * 3_600_000),
  };
}

// ---- H.265 on a Chromium that cannot decode it: the transcoded tile's latency against an H.264 tile, back to back ----

async function h265Section() {
  const seconds = Math.min(30, g2gSeconds);
  log(`h265: g2g of the H.264 camera, then of an H.265 camera (transcoded unless this Chromium decodes H.265), ${seconds} s each`);
  const hevcFleet = await startFleet({ devices: 1, channels: 1, live: true, codec: 'h265', subnet: 'random' });
  try {
    const hevcCh = await api.call<Channel>('channels.addRtsp', { name: 'g2g-h265', mainUrl: creds(hevcFleet.manifest.devices[0]!.channels[0]!.sub.rtsp), subUrl: null });
    const page = await context.newPage();
    await addTimestampReader(page);
    await page.goto(`${station.url}#/live`);
    await page.click('.seg button:text-is("1")');
    const decodes = await page.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"'));
    const measure = async (id: number) => {
      await openInFirstTile(page, id);
      await page.waitForFunction(() => document.querySelector<HTMLVideoElement>('[data-tile="0"] video:not(.pending)')?.videoWidth === 640, null, { timeout: 60_000 });
      await sleep(3000);
      await watchFirstTile(page);
      const cpu = await measureCpu(() => tree(station.proc.pid!, /ffmpeg/), seconds);
      return { g2g: (await g2gSamples(page)).map((s) => s[1]), cpu };
    };
    const h264 = await measure(liveCh.id);
    const h265 = await measure(hevcCh.id);
    await page.close();
    return {
      h265_extra_ms_p50: round(percentile(h265.g2g, 50) - percentile(h264.g2g, 50)), h265_g2g_ms_p50: round(percentile(h265.g2g, 50)),
      h265_h264_g2g_ms_p50: round(percentile(h264.g2g, 50)), h265_samples: h265.g2g.length, h265_transcode_cpu_pct: round(h265.cpu), h265_chromium_decodes: decodes,
    };
  } finally {
    await hevcFleet.close();
  }
}

// ---- privacy masks: renderer CPU of 9 tiles with two masks on every channel against the same 9 without (ABBA) ----
async function masksSection() {
  const nine = channels.slice(0, 9);
  const mask = (x: number, y: number) => [{ x, y }, { x: x + 0.2, y }, { x: x + 0.2, y: y + 0.2 }, { x, y: y + 0.2 }];
  const setMasks = async (on: boolean) => {
    for (const c of nine) {
      await api.call('masks.save', { channelId: c.id, masks: on ? [{ name: 'a', kind: 'permanent', points: mask(0.1, 0.1) }, { name: 'b', kind: 'permanent', points: mask(0.6, 0.5) }] : [] });
    }
  };
  const sum = { masked: 0, bare: 0 };
  for (const kind of ['bare', 'masked', 'masked', 'bare'] as const) {
    log(`masks: 9 tiles, ${kind === 'masked' ? 'two masks on each' : 'no masks'}`);
    await setMasks(kind === 'masked');
    const page = await context.newPage();
    await page.goto(`${station.url}#/live`);
    await page.click('.seg button:text-is("9")');
    await page.waitForFunction(() => [...document.querySelectorAll('video')].filter((v) => v.getVideoPlaybackQuality().totalVideoFrames > 10).length >= 9, null, { timeout: 90_000 });
    const overlays = await page.locator('.mask-overlay').count();
    if (overlays !== (kind === 'masked' ? 9 : 0)) throw new Error(`masks: ${overlays} tiles show masks in the ${kind} turn`);
    await sleep(5000);
    sum[kind] += (await measureCpu(chromiumCpu, WINDOW_S)) / 2;
    await page.close();
    await sleep(3000);
  }
  await setMasks(false);
  return {
    mask_overhead_renderer_pct: round((sum.masked / sum.bare - 1) * 100, 1), mask_renderer_vs_bare: round(sum.masked / sum.bare, 3),
    masked_9_renderer_cpu_pct: round(sum.masked), unmasked_9_renderer_cpu_pct: round(sum.bare),
  };
}

const sections = { masks: masksSection, core: coreSection, renderer: rendererSection, tiles: tilesSection, ttff: ttffSection, g2g: g2gSection, h265: h265Section };
let figures = {};
for (const [name, run] of Object.entries(sections)) if (only.has(name)) figures = { ...figures, ...(await run()) };

await browser.close();
api.close();
await station.stop();
await loops.close();
await liveFleet.close();

const result = {
  ...figures,
  targets: { mask_renderer_vs_bare: 1.05, ttff_ms_p50: 150, g2g_ms_p50: 250, drift_ms_per_hour: 100, core_vs_remux: 1.2, renderer_vs_bare: 1.1, tiles_9_presented_fps: 24, tiles_64_renderer_cpu_pct: 150, tiles_64_min_updates_per_s: 0.5, tiles_16_presented_fps: 20, h265_extra_ms_p50: 300 },
};
console.log(JSON.stringify(result));
process.exit(0);

