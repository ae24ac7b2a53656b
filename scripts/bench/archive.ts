// `npm run bench:archive`: one JSON line. Seek latency over the real loopback transport on a 30-day ×
// 16-channel index (real files where it samples), the one-day × 64-channel timeline query, the recorder's
// CPU per stream, and repeated kill -9 of a recording process.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { decodeMediaFrame } from '../../electron/contract';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { segmentRelPath } from '../../electron/core/recording/segment-file';
import { insertGap, MAX_INTERVAL_MS, timeline, type SegmentRow } from '../../electron/core/recording/segment-index';
import { startLoopbackServer } from '../../electron/core/server/loopback-server';
import { createStation } from '../../electron/core/station';
import { openDatabase } from '../../electron/core/storage/db';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { FakeClock, feed, loadClip, loopFragment } from '../../tests/helpers/archive-media';
import { killRuns } from '../../tests/helpers/kill9';

const DAYS = 30;
const CHANNELS = 16;
const TIMELINE_CHANNELS = 64;
const SEG_MS = 60_000;
const SEEK_SAMPLES = 40;
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

  // ---- seek: real files at the sampled instants, playback over the loopback WebSocket ----
  const samples = Array.from({ length: SEEK_SAMPLES }, () => {
    const ch = 1 + Math.floor(Math.random() * CHANNELS);
    let at = start + Math.floor(Math.random() * (end - start - 86_400_000));
    if (Math.floor((at % 86_400_000) / 3_600_000) === 13) at += 3_600_000;
    return { ch, at };
  });
  for (const s of samples) {
    const row = db.prepare('SELECT path FROM rec_segment WHERE channel_id = ? AND start_ms <= ? ORDER BY start_ms DESC LIMIT 1').get(s.ch, s.at) as { path: string };
    mkdirSync(dirname(join(root, row.path)), { recursive: true });
    copyFileSync(templateFile, join(root, row.path));
  }
  db.close();
  const station = await createStation({ dataDir, mode: 'browser', secrets: nodeSecretStore(dataDir), logger: pino({ level: 'silent' }), recording: { fullReconcile: false } });
  mkdirSync(join(work, 'r'));
  writeFileSync(join(work, 'r', 'index.html'), '<!doctype html>');
  const server = await startLoopbackServer({ station, rendererDir: join(work, 'r') });
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
  await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
  const pending = new Map<number, (v: any) => void>();
  const firstFragment = new Map<number, () => void>();
  let nextId = 1;
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const f = decodeMediaFrame(new Uint8Array(data as Buffer));
      if (f.kind === 'fragment') { firstFragment.get(f.channel)?.(); firstFragment.delete(f.channel); }
      return;
    }
    const m = JSON.parse(data.toString());
    if (m.t === 'result') pending.get(m.id)?.(m.result);
  });
  const call = (name: string, input: unknown) => new Promise<any>((res) => { const id = nextId++; pending.set(id, res); ws.send(JSON.stringify({ t: 'call', id, name, input })); });
  // Media channel numbers are handed out in order from 1,000,000 per client.
  let media = 1_000_000;
  const seeks: number[] = [];
  for (const s of samples) {
    const t1 = performance.now();
    const got = new Promise<void>((res) => firstFragment.set(media, res));
    const opened = await call('playback.open', { channelIds: [s.ch], at: s.at });
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    await got;
    seeks.push(performance.now() - t1);
    await call('playback.close', { sessionId: opened.value.state.sessionId });
    media++;
  }
  ws.close();
  await server.close();
  await station.dispose();
  log(`seek: ${SEEK_SAMPLES} samples`);

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
    seek_measured: 'playback.open over the loopback WebSocket -> first fragment frame received (no Chromium; page cache warm)',
    seek_samples: SEEK_SAMPLES,
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
