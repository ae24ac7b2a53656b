// `npm run bench:archive`: one JSON line. Seek latency in Chromium (timeline click -> first frame presented) on a
// 30-day × 16-channel index (real files where it plays), 16 channels in sync on one clock, the one-day × 64-channel timeline query, the recorder's
// CPU per stream, and repeated kill -9 of a recording process.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { segmentRelPath } from '../../electron/core/recording/segment-file';
import { insertGap, MAX_INTERVAL_MS, timeline, type SegmentRow } from '../../electron/core/recording/segment-index';
import { startLoopbackServer } from '../../electron/core/server/loopback-server';
import { createStation } from '../../electron/core/station';
import { openDatabase } from '../../electron/core/storage/db';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { FakeClock, feed, loadClip, loopFragment } from '../../tests/helpers/archive-media';
import { launchChromium } from '../../tests/helpers/chromium';
import { killRuns } from '../../tests/helpers/kill9';
import { ROOT } from '../../tests/helpers/station-process';

const DAYS = 30;
const CHANNELS = 16;
const TIMELINE_CHANNELS = 64;
const SEG_MS = 60_000;
const SEEK_SAMPLES = Number(process.env.SEEK_SAMPLES ?? 40);
const QUERY_SAMPLES = 60;
const CPU_STREAMS = 16;
const CPU_SECONDS = 10;
const KILL_RUNS = Number(process.env.KILL_RUNS ?? 20);

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const r2 = (x: number) => Math.round(x * 100) / 100;
const log = (m: string) => process.stderr.write(`[bench:archive] ${m}\n`);

const work = mkdtempSync(join(tmpdir(), 'wp-archive-bench-'));
const clip = loadClip();
try {
  // ---- a real 60 s segment: the template every synthetic row is shaped like ----
  const tdir = join(work, 'template');
  mkdirSync(tdir);
  const tdb = openDatabase(join(tdir, 'station.db'));
  writeArchiveConfig(tdb, { segmentMs: SEG_MS, quotaBytes: null, freeFloorBytes: 0 });
  const tclock = new FakeClock(0);
  const tarch = new Archive({ db: tdb, root: join(tdir, 'rec'), logger: pino({ level: 'silent' }), clock: tclock.now, freeBytes: () => 1e12 });
  const trec = new ChannelRecorder(1, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, tarch);
  trec.init(clip.init, clip.track);
  feed(trec, clip, tclock, Date.UTC(2025, 0, 1), 0, 25 * 61);
  await trec.stop();
  const template = tdb.prepare('SELECT * FROM rec_segment ORDER BY start_ms LIMIT 1').get() as SegmentRow;
  const templateFile = join(tdir, 'rec', template.path);
  tdb.close();

  // ---- the synthetic archive: 30 days × 16 channels of 60 s segments, one merged span per 6 h, plus 48 more channels for the last day ----
  const dataDir = join(work, 'station');
  const root = join(dataDir, 'recordings');
  mkdirSync(root, { recursive: true });
  const db = openDatabase(join(dataDir, 'station.db'));
  const end = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  const start = end - DAYS * 86_400_000;
  const t = performance.now();
  const ins = db.prepare(`INSERT INTO rec_segment (channel_id, stream, start_ms, end_ms, bytes, path, codec, width, height, timescale, base_dts, init_bytes, closed, keyframes)
    VALUES (?, 'main', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`);
  const span = db.prepare('INSERT INTO rec_span (channel_id, start_ms, end_ms) VALUES (?, ?, ?)');
  const ev = db.prepare('INSERT INTO rec_event (channel_id, at_ms, kind) VALUES (?, ?, ?)');
  let rows = 0;
  const fill = (ch: number, from: number, to: number) => db.transaction(() => {
    for (let s = from; s < to; s += SEG_MS) {
      ins.run(ch, s, s + SEG_MS, template.bytes, segmentRelPath(ch, 'main', s), template.codec, template.width, template.height, template.timescale, template.base_dts, template.init_bytes, template.keyframes);
      rows++;
    }
    // An hour off every day (a gap with its reason) and spans merged between.
    for (let d = from; d < to; d += 86_400_000) {
      const off = d + 13 * 3_600_000;
      db.prepare('DELETE FROM rec_segment WHERE channel_id = ? AND start_ms >= ? AND start_ms < ?').run(ch, off, off + 3_600_000);
      insertGap(db, ch, off, off + 3_600_000, ch % 2 ? 'camera_offline' : 'recording_off');
      for (const [a, b] of [[d, off], [off + 3_600_000, d + 86_400_000]] as const) for (let x = a; x < b; x += MAX_INTERVAL_MS) span.run(ch, x, Math.min(b, x + MAX_INTERVAL_MS));
      for (let k = 0; k < 40; k++) ev.run(ch, d + Math.floor(Math.random() * 86_400_000), 'motion');
    }
  })();
  for (let ch = 1; ch <= CHANNELS; ch++) fill(ch, start, end);
  for (let ch = CHANNELS + 1; ch <= TIMELINE_CHANNELS; ch++) fill(ch, end - 86_400_000, end);
  db.pragma('wal_checkpoint(TRUNCATE)');
  rows = (db.prepare('SELECT count(*) AS n FROM rec_segment').get() as { n: number }).n;
  log(`index: ${rows} segments in ${Math.round(performance.now() - t)} ms`);

  // ---- timeline query: one day × 64 channels ----
  const ids = Array.from({ length: TIMELINE_CHANNELS }, (_, i) => i + 1);
  const q: number[] = [];
  let ranges = 0;
  for (let i = 0; i < QUERY_SAMPLES; i++) {
    const day = end - (1 + (i % 1)) * 86_400_000;
    const t1 = performance.now();
    const tl = timeline(db, ids, day, day + 86_400_000);
    q.push(performance.now() - t1);
    ranges = tl.reduce((n, c) => n + c.spans.length + c.gaps.length + c.events.length, 0);
  }

  // ---- seek in Chromium: the real Playback page, a click on a timeline strip -> the first new frame presented ----
  // Real files (copies of the template) exist for the segments around every instant played; the rest of the index
  // has rows only. Each sample: an event jump positions the view near the sampled instant with its channel alone
  // shown and playing (not timed), then two timed clicks on its strip, 12 min either side.
  const SEG_AROUND = [-2, -1, 0, 1, 2];
  const withFiles = (ch: number, at: number) => {
    for (const k of SEG_AROUND) {
      const t = Math.floor(at / SEG_MS) * SEG_MS + k * SEG_MS;
      const row = db.prepare('SELECT path FROM rec_segment WHERE channel_id = ? AND start_ms = ?').get(ch, t) as { path: string } | undefined;
      if (!row) continue;
      mkdirSync(dirname(join(root, row.path)), { recursive: true });
      copyFileSync(templateFile, join(root, row.path));
    }
  };
  // Instants away from the daily hour off (13:00 UTC), with ±12 min inside the jump's 1 h view.
  const HOURS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 18, 19, 20, 21, 22];
  const samples = Array.from({ length: SEEK_SAMPLES / 2 }, () => {
    const day = start + (1 + Math.floor(Math.random() * (DAYS - 2))) * 86_400_000;
    const jump = day + HOURS[Math.floor(Math.random() * HOURS.length)]! * 3_600_000 + Math.floor(Math.random() * 3_600_000);
    return { ch: 1 + Math.floor(Math.random() * CHANNELS), jump, clicks: [jump + 12 * 60_000, jump - 12 * 60_000] };
  });
  for (const s of samples) for (const t of [s.jump, ...s.clicks]) withFiles(s.ch, t);
  // 16 channels on one clock: files for every channel around one instant (in the last sample's view).
  const last = samples.at(-1)!;
  const syncAt = last.clicks[0]!;
  for (let ch = 1; ch <= CHANNELS; ch++) withFiles(ch, syncAt);
  db.close();

  const station = await createStation({ dataDir, mode: 'browser', secrets: nodeSecretStore(dataDir), logger: pino({ level: 'silent' }), recording: { fullReconcile: false } });
  const rendererDir = join(ROOT, 'dist/renderer');
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error('no built renderer: run `npm run build` first');
  const server = await startLoopbackServer({ station, rendererDir });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // tsx keeps function names with a helper the page does not have.
  await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const origin = `http://127.0.0.1:${server.port}/?token=${server.token}`;
  await page.goto(`${origin}#/playback`);
  await page.waitForSelector('.pb-channels input');

  /** Arms the page: the time of the next mouseup on a timeline, and the first frame a channel's video presents from new media. */
  const arm = (ch: number) => page.evaluate((ch) => {
    const v = document.querySelector<HTMLVideoElement>(`video[data-playback="${ch}"]`)!;
    const w = window as unknown as { seekProbe: Promise<number> };
    w.seekProbe = new Promise<number>((resolve, reject) => {
      const oldSrc = v.src;
      const oldFeed = v.dataset.feed;
      let clickAt = 0;
      // The player keeps its MediaSource when the init segment is unchanged: new media is then a new feed, shown by a seek.
      let fed = false;
      v.addEventListener('seeked', function onSeeked() {
        if (!clickAt || v.dataset.feed === oldFeed) return;
        fed = true;
        v.removeEventListener('seeked', onSeeked);
      });
      let handle = 0;
      document.addEventListener('mouseup', () => { clickAt = performance.now(); }, { capture: true, once: true });
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
        if (clickAt && ((v.src && v.src !== oldSrc) || fed)) { clearInterval(rearm); clearTimeout(limit); resolve(meta.presentationTime - clickAt); return; }
        handle = v.requestVideoFrameCallback(onFrame);
      };
      // A new media source may drop pending callbacks: keep one registered.
      const rearm = setInterval(() => { v.cancelVideoFrameCallback(handle); handle = v.requestVideoFrameCallback(onFrame); }, 30);
      const limit = setTimeout(() => { clearInterval(rearm); reject(new Error(`no new frame on channel ${ch} in 15 s`)); }, 15_000);
    });
  }, ch);

  const strip = async (ch: number, t: number) => {
    const c = page.locator(`canvas[data-timeline="${ch}"]`);
    await c.waitFor({ timeout: 15_000 });
    const box = (await c.boundingBox())!;
    const from = Number(await c.getAttribute('aria-valuemin'));
    const to = Number(await c.getAttribute('aria-valuemax'));
    if (t < from || t > to) throw new Error(`instant ${t} is outside the view ${from}..${to}`);
    return { x: box.x + ((t - from) / (to - from)) * box.width, y: box.y + box.height / 2 };
  };
  const timedClick = async (ch: number, t: number) => {
    const p = await strip(ch, t);
    await arm(ch);
    await page.mouse.click(p.x, p.y);
    return page.evaluate(() => (window as unknown as { seekProbe: Promise<number> }).seekProbe);
  };
  const channelBox = (ch: number) => page.getByLabel(`Channel ${ch}`, { exact: true });
  const firstFrame = (ch: number) => page.waitForFunction((ch) => (document.querySelector<HTMLVideoElement>(`video[data-playback="${ch}"]`)?.getVideoPlaybackQuality().totalVideoFrames ?? 0) > 0, ch, { timeout: 15_000 });

  const seeks: number[] = [];
  let shown = [1, 2, 3, 4];
  for (const s of samples) {
    // Position (not timed): only the sampled channel, by a link to the moment (the jump an event click makes).
    for (const c of shown) await channelBox(c).uncheck();
    await page.click('nav [data-view=status]');
    await page.waitForSelector('h1:has-text("Status")');
    await page.evaluate(({ at, ch }) => void (location.hash = `#/playback?at=${at}&channel=${ch}`), { at: s.jump, ch: s.ch });
    await page.waitForSelector(`video[data-playback="${s.ch}"]`);
    shown = [s.ch];
    await firstFrame(s.ch);
    for (const t of s.clicks) seeks.push(await timedClick(s.ch, t));
  }
  log(`seek: ${seeks.length} clicks in Chromium`);

  // ---- 16 channels on one clock: the spread of the media times they present ----
  for (let ch = 1; ch <= CHANNELS; ch++) if (!shown.includes(ch)) await channelBox(ch).check();
  await page.waitForSelector(`canvas[data-timeline="${CHANNELS}"]`);
  const p16 = await strip(1, syncAt);
  await page.mouse.click(p16.x, p16.y);
  const spreads = await page.evaluate(({ n }) => new Promise<number[]>((resolve, reject) => {
    const vids = Array.from({ length: n }, (_, i) => document.querySelector<HTMLVideoElement>(`video[data-playback="${i + 1}"]`)!);
    const shownAt: (number | undefined)[] = vids.map(() => undefined);
    vids.forEach((v, i) => {
      const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => { shownAt[i] = meta.mediaTime; v.requestVideoFrameCallback(onFrame); };
      v.requestVideoFrameCallback(onFrame);
    });
    const out: number[] = [];
    const began = performance.now();
    const timer = setInterval(() => {
      // Once every channel has played a second from the instant clicked.
      if (shownAt.every((x) => x !== undefined && x > 201)) {
        const xs = shownAt as number[];
        out.push((Math.max(...xs) - Math.min(...xs)) * 1000);
      }
      if (out.length >= 60) { clearInterval(timer); resolve(out); }
      if (performance.now() - began > 30_000) { clearInterval(timer); reject(new Error(`16 channels did not all play: ${JSON.stringify(shownAt)}`)); }
    }, 100);
  }), { n: CHANNELS });
  log('sync16 measured');
  await browser.close();
  await server.close();
  await station.dispose();

  // ---- recorder CPU: 16 streams at 25 fps for 10 s, real clock, real files ----
  const cdir = join(work, 'cpu');
  mkdirSync(cdir);
  const cdb = openDatabase(join(cdir, 'station.db'));
  const carch = new Archive({ db: cdb, root: join(cdir, 'rec'), logger: pino({ level: 'silent' }), freeBytes: () => 1e12 });
  const stopFlush = carch.start();
  const frames = Array.from({ length: CPU_SECONDS * 25 }, (_, n) => loopFragment(clip, n));
  const recs = Array.from({ length: CPU_STREAMS }, (_, i) => new ChannelRecorder(i + 1, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, carch));
  for (const r of recs) { carch.add(r); r.init(clip.init, clip.track); }
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  for (let n = 0; n < frames.length; n++) {
    for (const r of recs) r.fragment(frames[n]!.data, frames[n]!.info);
    await new Promise((r) => setTimeout(r, w0 + (n + 1) * 40 - performance.now()));
  }
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - w0;
  for (const r of recs) await r.stop();
  stopFlush();
  cdb.close();
  const perStream = ((cpu.user + cpu.system) / 1000 / wall) * 100 / CPU_STREAMS;
  const bitrate = (frames.reduce((n, f) => n + f.data.length, 0) * 8) / CPU_SECONDS;
  log('recorder cpu measured');

  // ---- kill -9 ----
  const kdir = join(work, 'kill9');
  mkdirSync(kdir);
  const k = await killRuns({ dir: kdir, runs: KILL_RUNS, channels: 2, spawn });

  console.log(JSON.stringify({
    seek_ms_p50: r2(pct(seeks, 50)),
    seek_ms_p95: r2(pct(seeks, 95)),
    seek_measured: 'Debian Chromium, the Playback page: mouseup on a timeline strip -> first frame of the new media presented (requestVideoFrameCallback presentationTime), seeks within a playing session 12 min away; page cache warm',
    seek_samples: seeks.length,
    sync16_spread_ms_p95: r2(pct(spreads, 95)),
    sync16_spread_ms_max: r2(Math.max(...spreads)),
    sync16_measured: `${CHANNELS} channels on one session clock in the page: max - min of the media time each video last presented (requestVideoFrameCallback), every 100 ms, ${spreads.length} samples`,
    index_query_ms_p50: r2(pct(q, 50)),
    index_query_ms_p95: r2(pct(q, 95)),
    index_query: `timeline of 1 day x ${TIMELINE_CHANNELS} channels (${ranges} spans+gaps+events)`,
    index_segments: rows,
    index_days: DAYS,
    index_channels: CHANNELS,
    recorder_cpu_pct_per_stream: r2(perStream),
    recorder_cpu_note: `${CPU_STREAMS} streams ${clip.track.width}x${clip.track.height} ${Math.round(bitrate / 1000)} kb/s, 25 fps per-frame fragments, recorder + index in-process (the hub's ffmpeg remux not included)`,
    kill9_runs: k.runs,
    kill9_lost_fragments_max: k.lostMax,
    kill9_corrupt_indexes: k.corruptIndexes,
    kill9_unplayable_segments: k.unplayable.length,
    kill9_segments_checked: k.segments,
  }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
