// npx tsx scripts/bench/recorder-stalls.ts [--channels 64] [--seconds 60] — the recording path alone at bench:scale's
// load, to find what holds the event loop (issue 17): N recorders on a real Archive (real files, real SQLite index,
// retention under a small quota so it deletes all the time) fed at real time with 4 Mb/s of fragments each (the test clip
// padded with a `free` box), no camsim, no Chromium. Prints one JSON line: the event-loop delay (monitorEventLoopDelay)
// and how long each suspect took on the main thread (p99 and max): a fragment handed to a recorder (its write), the
// once-a-second index flush (SQLite commit), a retention sweep.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { sweepRetention, unlinkSegments } from '../../electron/core/recording/retention';
import { openDatabase } from '../../electron/core/storage/db';
import { loadClip, loopFragment } from '../../tests/helpers/archive-media';

const { values } = parseArgs({ options: {
  channels: { type: 'string', default: '64' }, seconds: { type: 'string', default: '60' }, 'segment-s': { type: 'string', default: '10' },
  /** Retention's deletes per slice (the station's RETENTION_SLICE; 0: all in one pass, as before issue 17). */
  slice: { type: 'string', default: '8' },
  /** Unlink in the pass on the loop (as before) instead of in the thread pool after it (the station's way). */
  'sync-unlink': { type: 'boolean', default: false },
  /** SQLite's synchronous level for the index (the station's is FULL). */
  sync: { type: 'string', default: 'full' },
} });
const SLICE = Number(values.slice) || Infinity;
const CHANNELS = Number(values.channels);
const SECONDS = Number(values.seconds);
const FRAME_BYTES = Math.round(4e6 / 8 / 25);

const dir = mkdtempSync(join(tmpdir(), 'wp-stalls-'));
const db = openDatabase(join(dir, 'station.db'));
db.pragma(`synchronous = ${values.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
// A quota of about 20 s of every channel: retention deletes from the first minute on.
writeArchiveConfig(db, { segmentMs: Number(values['segment-s']) * 1000, quotaBytes: CHANNELS * FRAME_BYTES * 25 * 20, freeFloorBytes: 0 });
const archive = new Archive({ db, root: join(dir, 'rec'), logger: pino({ level: 'silent' }) });
const clip = loadClip();
const config = { mode: 'continuous' as const, stream: 'main' as const, schedule: ALWAYS, preMs: 0, postMs: 0 };
const recs = Array.from({ length: CHANNELS }, (_, i) => {
  const r = new ChannelRecorder(i + 1, config, archive);
  archive.add(r);
  r.init(clip.init, clip.track);
  return r;
});

const times = { fragment: [] as number[], flush: [] as number[], retention: [] as number[] };
const timed = <T>(k: keyof typeof times, f: () => T): T => { const t = performance.now(); const v = f(); times[k].push(performance.now() - t); return v; };
const pad = (data: Buffer) => {
  const free = Buffer.alloc(Math.max(8, FRAME_BYTES - data.length));
  free.writeUInt32BE(free.length, 0);
  free.write('free', 4);
  return Buffer.concat([data, free]);
};

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const t0 = performance.now();
let frame = 0;
// Frames due by now, channel by channel, each channel a few ms apart as cameras are.
const feeder = setInterval(() => {
  const due = Math.floor(((performance.now() - t0) / 1000) * 25);
  for (; frame < due; frame++) {
    for (const r of recs) {
      const f = loopFragment(clip, frame);
      timed('fragment', () => r.fragment(pad(f.data), f.info));
    }
  }
}, 10);
const flusher = setInterval(() => timed('flush', () => archive.flush()), 1000);
// As the station sweeps (recording-service.ts runRetention): a slice of deletes, the next after the loop has run.
const sweep = (): void => {
  const r = timed('retention', () => sweepRetention({ db, root: archive.root, now: Date.now(), channelDays: new Map(), freeBytes: () => archive.refreshFree(), maxDeletes: SLICE, deferUnlink: !values['sync-unlink'] }));
  void unlinkSegments(r.files ?? []).then(() => { if (r.more) setImmediate(sweep); });
};
const retention = setInterval(sweep, 10_000);

await new Promise((r) => setTimeout(r, SECONDS * 1000));
clearInterval(feeder);
clearInterval(flusher);
clearInterval(retention);
loop.disable();
await Promise.all(recs.map((r) => r.stop()));
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! * 100) / 100 : null; };
const stat = (xs: number[]) => ({ n: xs.length, p99_ms: pct(xs, 99), max_ms: pct(xs, 100), total_ms: Math.round(xs.reduce((a, b) => a + b, 0)) });
console.log(JSON.stringify({
  channels: CHANNELS, seconds: SECONDS, frame_bytes: FRAME_BYTES, retention_slice: SLICE, sync: values.sync,
  event_loop_lag_ms_p99: Math.round(loop.percentile(99) / 1e4) / 100, event_loop_lag_ms_max: Math.round(loop.max / 1e4) / 100,
  fragment: stat(times.fragment), flush: stat(times.flush), retention: stat(times.retention),
  dropped: recs.reduce((n, r) => n + r.droppedFragments, 0), budget: archive.budget.state(),
}));
db.close();
rmSync(dir, { recursive: true, force: true });
