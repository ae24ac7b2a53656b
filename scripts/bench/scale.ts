// npm run bench:scale [-- --quick] — the station at scale for an hour (issue 17): camsim serves 64 channels (1080p main at
// camsim's camera-like 4 Mb/s, and a 360p sub stream each); the station records all 64 main streams continuously, 16 tiles
// of the Live page play sub streams in Chromium, and 8 channels (not among the tiles) run motion detection under an alarm
// rule while camsim draws motion on them 10 s in every 30. Every 10 s a sample: the station process's CPU, RSS and open
// fds from /proc, its event-loop delay (loop-probe.mjs, loaded into it), the recorders' backlog and dropped fragments
// (recording.status), frames camsim dropped because the station read too slowly (camsim's /stats), the station's disk
// writes (/proc/PID/io), and the frames each tile presented (getVideoPlaybackQuality). Slopes are least squares over the
// samples after the warm-up. Prints one JSON line; the samples go to dist/bench/scale-<time>.jsonl.
//
// npm run soak -- --hours 2 is the same bench for N hours. Options: --quick (5 min), --minutes N (default 60), --hours N,
// --warmup-minutes N (default a fifth of the run, at most 15), --channels N (default 64), --tiles N (a layout of the Live
// page: 1, 4, 9 or 16, the default), --quota-gb N (the archive's
// quota, default 20: 64 channels write ~2 GB a minute, so a long run ages recordings out as a full station does).
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { withCredentials } from '../camsim/fleet';
import { startCamsim } from '../../tests/helpers/camsim-process';
import { launchChromium } from '../../tests/helpers/chromium';
import { startStation } from '../../tests/helpers/station-process';
import { wsClient } from '../../tests/helpers/ws-client';
import { tree } from './proc-cpu';

const { values } = parseArgs({ options: {
  quick: { type: 'boolean', default: false }, minutes: { type: 'string' }, hours: { type: 'string' }, 'warmup-minutes': { type: 'string' },
  channels: { type: 'string', default: '64' }, tiles: { type: 'string', default: '16' }, 'quota-gb': { type: 'string', default: '20' }, 'every-s': { type: 'string', default: '10' },
} });
const minutes = values.hours ? Number(values.hours) * 60 : values.minutes ? Number(values.minutes) : values.quick ? 5 : 60;
const warmupMinutes = values['warmup-minutes'] !== undefined ? Number(values['warmup-minutes']) : Math.min(15, minutes / 5);
const CHANNELS = Number(values.channels);
const TILES = Math.min(Number(values.tiles), CHANNELS);
/** Motion detection on the last channels, not among the tiles: their sub streams are hubs of their own. */
const MOTION = Math.min(8, Math.max(0, CHANNELS - TILES));
const EVERY_S = Number(values['every-s']);
if (!(minutes > 0) || !(warmupMinutes >= 0) || warmupMinutes >= minutes || !(CHANNELS >= 1) || ![1, 4, 9, 16].includes(Number(values.tiles))) throw new Error('bench:scale: bad --minutes/--hours/--warmup-minutes/--channels/--tiles');

const ROOT = resolve(import.meta.dirname, '../..');
const log = (m: string) => process.stderr.write(`bench:scale: ${new Date().toISOString().slice(11, 19)} ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null);
const ALWAYS = '1'.repeat(336);

const outDir = join(ROOT, 'dist/bench');
mkdirSync(outDir, { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const samplesFile = join(outDir, `scale-${stamp}.jsonl`);
const probeFile = join(outDir, `scale-${stamp}.loop.jsonl`);

// ---- /proc readers ----
const TICKS = 100;
function procCpuS(pid: number): number {
  try {
    const rest = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1)!.split(' ');
    return (Number(rest[11]) + Number(rest[12])) / TICKS;
  } catch { return 0; }
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
function writeBytes(pid: number): number {
  const m = /write_bytes:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}
/**
 * Seconds the station's main thread (the event loop) spent ready to run but waiting for a core (/proc/PID/schedstat):
 * on a shared machine, the part of the event-loop delay that is the machine's, not the station's.
 */
function runqueueWaitS(pid: number): number {
  try { return Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e9; } catch { return NaN; }
}
/** The whole machine's busy and total jiffies (every core): how much of it other work took. */
function machineJiffies(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - (f[4] ?? 0), total };
}
/** CPU seconds of a set of processes, kept per pid so processes that come and go are counted while they live. */
function cpuMeter(select: () => { pid: number; cpuS: number }[]) {
  let last = new Map(select().map((p) => [p.pid, p.cpuS]));
  return () => {
    const now = select();
    let used = 0;
    for (const p of now) used += p.cpuS - (last.get(p.pid) ?? 0);
    last = new Map(now.map((p) => [p.pid, p.cpuS]));
    return used;
  };
}

/** Least-squares slope of y over x. */
function slope(pts: [number, number][]): number {
  const n = pts.length;
  if (n < 2) return NaN;
  const mx = pts.reduce((s, [x]) => s + x, 0) / n;
  const my = pts.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = pts.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx > 0 ? pts.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx : NaN;
}

// ---- the rig; what it started is ended on any way out (a failure, Ctrl-C), newest first ----
const cleanups: (() => Promise<unknown> | void)[] = [];
async function cleanUp(): Promise<void> {
  for (const c of cleanups.reverse()) await Promise.resolve().then(c).catch(() => {});
  cleanups.length = 0;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanUp().then(() => process.exit(130)));
process.on('uncaughtException', (err) => { log(`failed: ${err.stack ?? String(err)}`); void cleanUp().then(() => process.exit(1)); });
process.on('unhandledRejection', (err) => { log(`failed: ${err instanceof Error ? err.stack : String(err)}`); void cleanUp().then(() => process.exit(1)); });

const setupAt = Date.now();
const perDevice = Math.min(4, CHANNELS);
log(`camsim: ${Math.ceil(CHANNELS / perDevice)} cameras x ${perDevice} channels (1080p main + 360p sub, replayed loops)`);
const camsim = await startCamsim(['--devices', String(Math.ceil(CHANNELS / perDevice)), '--channels', String(perDevice)]);
cleanups.push(() => camsim.stop());
const station = await startStation({
  nodeArgs: ['--import', pathToFileURL(join(import.meta.dirname, 'loop-probe.mjs')).href],
  env: { WP_LOOP_PROBE: probeFile, WP_LOOP_PROBE_EVERY_MS: String(EVERY_S * 1000) },
});
cleanups.push(() => rmSync(station.dataDir, { recursive: true, force: true }), () => station.stop());
const pid = station.proc.pid!;
const api = await wsClient(station.url);
cleanups.push(() => api.close());
const cams = camsim.manifest.devices.flatMap((d) => d.channels.map((ch) => ({ device: d.id, ch }))).slice(0, CHANNELS);
const ids: number[] = [];
log(`adding ${CHANNELS} channels`);
for (const { ch } of cams) ids.push((await api.call<{ id: number }>('channels.addRtsp', { name: ch.name, mainUrl: withCredentials(ch.main.rtsp), subUrl: withCredentials(ch.sub.rtsp) })).id);
const { archive } = await api.call<{ archive: { segmentSeconds: number; freeFloorBytes: number } }>('recording.config', {});
await api.call('recording.setArchive', { ...archive, quotaBytes: Math.round(Number(values['quota-gb']) * 2 ** 30) });
await api.call('recording.setChannels', { channelIds: ids, mode: 'continuous', stream: 'main', schedule: ALWAYS, preSeconds: 0, postSeconds: 0, retentionDays: null });

// Motion: the picture held still, a box drawn going round for 10 s of every 30 (camsim switches at keyframes).
const motionCams = cams.slice(CHANNELS - MOTION);
const motionIds = ids.slice(CHANNELS - MOTION);
const REGION = { x: 0.5, y: 0.33, w: 0.25, h: 0.33 };
for (const { device, ch } of motionCams) await camsim.scene(device, { channel: ch.channel, still: true });
// The mask (16x9 cells, '1' ignored) leaves out what changes in every frame of a still picture: the labels and clock in
// the top two rows and the timestamp code in the bottom two; without it motion never ends and one event lasts the run.
const MASK = ['1', '1', '0', '0', '0', '0', '0', '1', '1'].map((r) => r.repeat(16)).join('');
for (const channelId of motionIds) await api.call('motion.set', { channelId, enabled: true, sensitivity: 60, mask: MASK });
if (MOTION) await api.call('alarms.saveRule', { name: 'Scale motion', enabled: true, types: ['motion'], channelIds: motionIds, schedule: ALWAYS, actions: ['notify', 'mark'] });
let stopped = false;
cleanups.push(() => void (stopped = true));
const motionLoop = (async () => {
  for (;;) {
    await sleep(20_000);
    if (stopped) return;
    for (const { device, ch } of motionCams) await camsim.scene(device, { channel: ch.channel, motion: REGION, still: true }).catch(() => {});
    await sleep(10_000);
    for (const { device, ch } of motionCams) await camsim.scene(device, { channel: ch.channel, motion: null, still: true }).catch(() => {});
    if (stopped) return;
  }
})();

type RecStatus = { channels: { state: string; backlogBytes: number; droppedFragments: number }[] };
// camsim encodes each channel's loops once per machine (cached in its folder): on 2 busy cores a first run took over
// 15 minutes for 64 channels; later runs record within seconds.
log('waiting for every channel to record (a first run encodes camsim\'s loops: many minutes)');
for (let until = Date.now() + 45 * 60_000, told = Date.now(); ; await sleep(2000)) {
  const s = await api.call<RecStatus>('recording.status', {});
  const n = s.channels.filter((c) => c.state === 'recording').length;
  if (n === CHANNELS) break;
  if (Date.now() > until) throw new Error(`only ${n} of ${CHANNELS} channels record after 45 minutes`);
  if (Date.now() - told > 60_000) { log(`${n} of ${CHANNELS} channels record`); told = Date.now(); }
}

log(`Chromium: the Live page with ${TILES} tiles`);
const browser = await launchChromium();
cleanups.push(() => browser.close());
const context = await browser.newContext({ viewport: { width: 1440, height: 860 } });
// tsx keeps function names with a helper that page.evaluate'd functions would otherwise miss.
await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
const page: Page = await context.newPage();
// The machine may be shared and busy: generous bounds, the figures say how it went.
page.setDefaultTimeout(120_000);
await page.goto(`${station.url}#/live`, { timeout: 180_000 });
// The page fills a layout that holds every camera once the channels arrive (64 tiles here): the 16-tile layout is chosen
// after that, or the fill would override it.
await page.waitForFunction(() => document.querySelectorAll('[data-tile]').length > 0);
await page.click(`.seg button:text-is("${TILES}")`);
await page.waitForFunction((n) => document.querySelectorAll('[data-tile]').length === n, TILES);
// A picture in every tile: past the page's decode budget a tile shows keyframes only (features/live/decode-budget.ts), so
// not every tile reaches a frame count; what each presents is the figure.
// A machine too busy to fill every tile is measured all the same (tiles_with_picture says how many did).
const picturesIn = () => page.evaluate(() => [...document.querySelectorAll('[data-tile] video:not(.pending)')].filter((v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames > 0).length);
await page.waitForFunction((n) => [...document.querySelectorAll('[data-tile] video:not(.pending)')].filter((v) => (v as HTMLVideoElement).getVideoPlaybackQuality().totalVideoFrames > 0).length >= n, TILES, { timeout: 180_000, polling: 1000 })
  .catch(async () => log(`only ${await picturesIn()} of ${TILES} tiles show a picture after 3 minutes: measuring anyway`));
await sleep(5000);

/** Presented frames per tile (a tile whose player was replaced starts again from its new count), and tiles at full rate. */
const tileFrames = () => page.evaluate(() => {
  // A desk left alone signs out after its idle time; the bench is someone watching.
  window.dispatchEvent(new PointerEvent('pointerdown'));
  return [...document.querySelectorAll('[data-tile]')].map((t) => {
    const v = t.querySelector<HTMLVideoElement>('video:not(.pending)');
    const q = v?.getVideoPlaybackQuality();
    return { frames: q ? q.totalVideoFrames - q.droppedVideoFrames : 0, full: v?.dataset.rate === 'full' };
  });
});

// ---- sampling ----
interface Sample {
  t: number; stationCpuPct: number; stationTreeCpuPct: number; camsimCpuPct: number; chromiumCpuPct: number; machineBusyPct: number;
  mainThreadWaitPct: number; rssMb: number; fds: number; lagP99Ms: number | null; lagMaxMs: number | null; backlogBytes: number; recorderDropped: number;
  camsimDropped: number; recording: number; diskWriteMbPerS: number; tileFpsMin: number; tileFpsMean: number; fullRateTiles: number;
}
const stationNode = cpuMeter(() => [{ pid, cpuS: procCpuS(pid) }]);
const stationTree = cpuMeter(() => tree(pid));
const camsimCpu = cpuMeter(() => tree(process.pid, /camsim\/cli/));
const chromiumCpu = cpuMeter(() => tree(process.pid, /chrom/));
let machine = machineJiffies();
let written = writeBytes(pid);
let waited = runqueueWaitS(pid);
let frames = await tileFrames();
const camsimStart = await camsim.stats();
const recStart = await api.call<RecStatus>('recording.status', {});
const droppedOf = (s: RecStatus) => s.channels.reduce((n, c) => n + c.droppedFragments, 0);
const lastLag = () => {
  try {
    const lines = readFileSync(probeFile, 'utf8').trim().split('\n');
    return JSON.parse(lines.at(-1)!) as { p99: number; max: number; totalP99: number; totalMax: number; totalN: number };
  } catch { return undefined; }
};

const samples: Sample[] = [];
const t0 = performance.now();
const startedAt = Date.now();
let last = t0;
let warmedUp = warmupMinutes === 0;
let warmAt = warmedUp ? startedAt : 0;
if (warmedUp) process.kill(pid, 'SIGUSR2');
log(`measuring for ${minutes} min (warm-up ${warmupMinutes} min), a sample every ${EVERY_S} s`);
while (performance.now() - t0 < minutes * 60_000) {
  await sleep(Math.max(0, last + EVERY_S * 1000 - performance.now()));
  // The asking first: on a starved machine it takes seconds, and every counter below must cover the same interval.
  const [f, rec, cs] = await Promise.all([tileFrames(), api.call<RecStatus>('recording.status', {}), camsim.stats()]);
  const now = performance.now();
  const dt = (now - last) / 1000;
  last = now;
  const m = machineJiffies();
  const w = writeBytes(pid);
  const wait = runqueueWaitS(pid);
  const fps = f.map((x, i) => (x.frames >= (frames[i]?.frames ?? 0) ? x.frames - (frames[i]?.frames ?? 0) : x.frames) / dt);
  const lag = lastLag();
  const s: Sample = {
    t: round((now - t0) / 1000, 1)!,
    stationCpuPct: (100 * stationNode()) / dt, stationTreeCpuPct: (100 * stationTree()) / dt,
    camsimCpuPct: (100 * camsimCpu()) / dt, chromiumCpuPct: (100 * chromiumCpu()) / dt,
    machineBusyPct: (100 * (m.busy - machine.busy)) / Math.max(1, m.total - machine.total),
    mainThreadWaitPct: (100 * (wait - waited)) / dt, rssMb: rssMb(pid), fds: fdCount(pid), lagP99Ms: lag?.p99 ?? null, lagMaxMs: lag?.max ?? null,
    backlogBytes: rec.channels.reduce((n, c) => n + c.backlogBytes, 0), recorderDropped: droppedOf(rec) - droppedOf(recStart),
    camsimDropped: cs.framesDropped - camsimStart.framesDropped, recording: rec.channels.filter((c) => c.state === 'recording').length,
    diskWriteMbPerS: (w - written) / 2 ** 20 / dt,
    tileFpsMin: Math.min(...fps.slice(0, TILES)), tileFpsMean: fps.slice(0, TILES).reduce((a, b) => a + b, 0) / TILES,
    fullRateTiles: f.slice(0, TILES).filter((x) => x.full).length,
  };
  machine = m;
  written = w;
  waited = wait;
  frames = f;
  samples.push(s);
  appendFileSync(samplesFile, `${JSON.stringify({ ...s, warm: warmedUp })}\n`);
  if (!warmedUp && (now - t0) / 60_000 >= warmupMinutes) {
    warmedUp = true;
    warmAt = Date.now();
    process.kill(pid, 'SIGUSR2'); // the probe's run-wide histogram starts now
  }
  if (samples.length % 6 === 0) log(`${s.t} s: station ${s.stationCpuPct.toFixed(1)} % cpu, ${s.rssMb.toFixed(0)} MB, ${s.fds} fds, lag p99 ${s.lagP99Ms} ms, tiles ${s.tileFpsMin.toFixed(1)}-${s.tileFpsMean.toFixed(1)} fps, machine ${s.machineBusyPct.toFixed(0)} %`);
}
const endedAt = Date.now();
stopped = true;

// ---- the archive's own account: time not covered over the measured window (what fragments lost would leave) ----
const timeline: { spans: { start: number; end: number }[] }[] = [];
for (let i = 0; i < ids.length; i += 64) timeline.push(...await api.call<typeof timeline>('archive.timeline', { channelIds: ids.slice(i, i + 64), from: warmAt, to: endedAt }));
// The last seconds may still be in open fragments: the window ends 5 s early. It starts at each channel's oldest recording
// still kept, when the quota has aged the warm-up's end out already (a hole right there goes uncounted).
// The largest holes are listed (channel, seconds into the run, length) so that one can be looked for in the log.
const holes: { channel: number; at_s: number; s: number }[] = [];
const holeMs = timeline.reduce((sum, tl, i) => {
  const from = Math.max(warmAt, tl.spans[0]?.start ?? warmAt);
  const to = endedAt - 5000;
  let covered = 0;
  let edge = from;
  for (const sp of tl.spans) {
    covered += Math.max(0, Math.min(sp.end, to) - Math.max(sp.start, from));
    if (sp.start > edge && edge < to) holes.push({ channel: ids[i]!, at_s: round((edge - startedAt) / 1000)!, s: round((Math.min(sp.start, to) - edge) / 1000, 2)! });
    edge = Math.max(edge, sp.end);
  }
  if (edge < to) holes.push({ channel: ids[i]!, at_s: round((edge - startedAt) / 1000)!, s: round((to - edge) / 1000, 2)! });
  return sum + Math.max(0, to - from - covered);
}, 0);
holes.sort((a, b) => b.s - a.s);
const lag = lastLag();
const events = MOTION ? await api.call<unknown[]>('events.list', { types: ['motion'], channelIds: motionIds, from: setupAt, to: endedAt, limit: 1000 }) : [];

const picturesAtEnd = await picturesIn().catch(() => null);
void motionLoop; // its next scene change fails quietly once camsim is gone
await cleanUp();

// ---- figures ----
const warm = samples.filter((s) => s.t >= warmupMinutes * 60);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const hours = (s: Sample) => s.t / 3600;
const rssSlope = slope(warm.map((s) => [hours(s), s.rssMb]));
const fdSlope = slope(warm.map((s) => [hours(s), s.fds]));
const last1 = warm.at(-1) ?? samples.at(-1)!;
const stationCpu = mean(warm.map((s) => s.stationCpuPct));
// Lost after the warm-up: counted from the last sample before it (from the start when there is no warm-up).
const before = samples[samples.indexOf(warm[0]!) - 1];
const lost = (s: Sample | undefined) => (s ? s.recorderDropped + s.camsimDropped : 0);
const fragmentsLost = lost(last1) - lost(before);
const result = {
  channels: CHANNELS, recorded_streams: CHANNELS, tiles: TILES, motion_channels: MOTION,
  duration_s: round((endedAt - startedAt) / 1000, 0), warmup_s: warmupMinutes * 60, samples: samples.length, samples_after_warmup: warm.length,
  station_cpu_pct_per_recorded_stream: round(stationCpu / CHANNELS, 2),
  station_cpu_pct: round(stationCpu), station_cpu_pct_max: round(Math.max(...warm.map((s) => s.stationCpuPct))),
  station_tree_cpu_pct: round(mean(warm.map((s) => s.stationTreeCpuPct))),
  station_rss_mb_max: round(Math.max(...samples.map((s) => s.rssMb))),
  rss_slope_mb_per_hour: round(rssSlope, 2), fd_slope_per_hour: round(fdSlope, 2), fds_max: Math.max(...samples.map((s) => s.fds)),
  event_loop_lag_ms_p99: lag && lag.totalN > 0 ? lag.totalP99 : null, event_loop_lag_ms_max: lag && lag.totalN > 0 ? lag.totalMax : null,
  station_main_thread_runqueue_wait_pct: round(mean(warm.map((s) => s.mainThreadWaitPct))),
  fragments_lost: fragmentsLost, fragments_lost_whole_run: last1.recorderDropped + last1.camsimDropped,
  recorder_dropped_fragments: last1.recorderDropped, camsim_frames_dropped: last1.camsimDropped,
  archive_uncovered_s: round(holeMs / 1000, 1), archive_holes: holes.length, archive_holes_largest: holes.slice(0, 8), channels_recording_min: Math.min(...warm.map((s) => s.recording)),
  recorder_backlog_bytes_max: Math.max(...samples.map((s) => s.backlogBytes)),
  tiles_with_picture: picturesAtEnd,
  renderer_fps_16_tiles_min: round(Math.min(...warm.map((s) => s.tileFpsMean))), renderer_fps_16_tiles_mean: round(mean(warm.map((s) => s.tileFpsMean))),
  renderer_worst_tile_fps_min: round(Math.min(...warm.map((s) => s.tileFpsMin))), renderer_full_rate_tiles_min: Math.min(...warm.map((s) => s.fullRateTiles)),
  disk_write_mb_per_s: round(mean(warm.map((s) => s.diskWriteMbPerS))),
  motion_events: events.length,
  camsim_cpu_pct: round(mean(warm.map((s) => s.camsimCpuPct))), chromium_cpu_pct: round(mean(warm.map((s) => s.chromiumCpuPct))),
  machine_busy_pct: round(mean(warm.map((s) => s.machineBusyPct))), machine_cores: (await import('node:os')).availableParallelism(),
  predicted_24h: { rss_mb: round(last1.rssMb + rssSlope * 24, 0), fds: round(last1.fds + fdSlope * 24, 0) },
  targets: {
    station_cpu_pct_per_recorded_stream: 0.6, station_rss_mb_max: 400, rss_slope_mb_per_hour: 5, fd_slope_per_hour: 0,
    event_loop_lag_ms_p99: 50, fragments_lost: 0,
  },
  samples_file: samplesFile,
};
writeFileSync(samplesFile.replace(/\.jsonl$/, '.result.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result));
process.exit(0);
