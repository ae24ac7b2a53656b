// `npm run bench:search`: one JSON line. Bookmark search over 100 000 bookmarks, and a month of the timeline for 64
// channels, each from a temp SQLite archive built directly (no cameras); and the motion search figures (search-motion.ts).
// timeline_month_query_ms_p50 is the month overview the timeline draws at month and week scales (archive.overview, hourly
// buckets); timeline_month_spans_query_ms_p50 the fine-scale query (archive.timeline) over the same month, for comparison.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { queryBookmarks, type BookmarkQuery } from '../../electron/core/recording/bookmarks';
import { overview } from '../../electron/core/recording/archive-density';
import { timeline } from '../../electron/core/recording/segment-index';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { percentile } from './proc-cpu';
import { benchMotionSearch } from './search-motion';

const BOOKMARKS = 100_000;
const CHANNELS = 64;
const DAY = 86_400_000;
const MONTH = 31 * DAY;
const RUNS = 30;
const END = Date.UTC(2026, 11, 1);
const START = END - MONTH;
const WORDS = ['van', 'gate', 'door', 'delivery', 'person', 'bike', 'alarm', 'fence', 'parking', 'night'];

/** A pseudo-random sequence, the same on every run. */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

function fillBookmarks(db: Db): void {
  const r = rng(1);
  const b = db.prepare("INSERT INTO rec_bookmark (start_ms, end_ms, name, note, tags, created_at, by_user, by_client) VALUES (?, ?, ?, ?, ?, ?, 'bench', 'station')");
  const c = db.prepare('INSERT INTO rec_bookmark_channel (bookmark_id, channel_id, start_ms) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < BOOKMARKS; i++) {
      const start = START + Math.floor(r() * MONTH);
      const w = WORDS[i % WORDS.length]!;
      const id = Number(b.run(start, start + Math.floor(r() * 120_000), `${w} ${i}`, `seen on camera ${i % CHANNELS + 1}`, JSON.stringify([WORDS[(i * 7) % WORDS.length]]), start).lastInsertRowid);
      c.run(id, (i % CHANNELS) + 1, start);
    }
  })();
}

/** Per channel: an hour recorded (six 10-minute segments), then a gap of up to 5 minutes, all month; an event every ~10 minutes. */
function fillArchive(db: Db): void {
  const r = rng(2);
  const span = db.prepare('INSERT INTO rec_span (channel_id, start_ms, end_ms) VALUES (?, ?, ?)');
  const seg = db.prepare(`INSERT INTO rec_segment (channel_id, stream, start_ms, end_ms, bytes, path, codec, width, height, timescale, base_dts, init_bytes, closed, keyframes)
    VALUES (?, 'main', ?, ?, 75000000, ?, 'avc1.640028', 1920, 1080, 90000, 0, 800, 1, x'')`);
  const gap = db.prepare("INSERT INTO rec_gap (channel_id, start_ms, end_ms, reason) VALUES (?, ?, ?, 'camera_offline')");
  const ev = db.prepare("INSERT INTO rec_event (channel_id, at_ms, kind) VALUES (?, ?, 'motion')");
  db.transaction(() => {
    for (let ch = 1; ch <= CHANNELS; ch++) {
      for (let t = START; t < END;) {
        const end = t + 3_600_000;
        span.run(ch, t, end);
        for (let s = t; s < end; s += 600_000) seg.run(ch, s, s + 600_000, `${ch}/${s}.mp4`);
        const g = Math.floor(r() * 300_000);
        gap.run(ch, end, end + g);
        t = end + g;
      }
      for (let t = START; t < END; t += 300_000 + Math.floor(r() * 600_000)) ev.run(ch, t);
    }
  })();
}

function p50(run: () => void): number {
  return p50WallCpu(run)[0];
}

/** Wall-clock p50 and this process's CPU-time p50 in ms (the machine may be shared: the CPU time is what the query costs). */
function p50WallCpu(run: () => void): [number, number] {
  run();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return [Math.round(percentile(times, 50) * 100) / 100, Math.round(percentile(cpu, 50) * 100) / 100];
}

const dir = mkdtempSync(join(tmpdir(), 'wp-bench-search-'));
try {
  const db = openDatabase(join(dir, 'station.db'));
  fillBookmarks(db);
  fillArchive(db);
  db.exec('ANALYZE');
  // What the bookmarks panel asks: a text, a tag, a channel set over a day, the newest of all; each p50, the worst one reported.
  const r = rng(3);
  const queries: (() => BookmarkQuery)[] = [
    () => ({ text: WORDS[Math.floor(r() * WORDS.length)]!, limit: 200 }),
    () => ({ text: `${WORDS[3]} 4${Math.floor(r() * 100)}`, limit: 200 }),
    () => ({ tag: WORDS[Math.floor(r() * WORDS.length)]!, limit: 200 }),
    () => { const from = START + Math.floor(r() * (MONTH - DAY)); return { channelIds: [1, 2, 3, 4], from, to: from + DAY, limit: 200 }; },
    () => ({ limit: 200 }),
  ];
  const perQuery = queries.map((q) => p50(() => queryBookmarks(db, q())));
  const ids = Array.from({ length: CHANNELS }, (_, i) => i + 1);
  const [month, monthCpu] = p50WallCpu(() => overview(db, ids, START, END, 1000));
  const monthSpans = p50(() => timeline(db, ids, START, END));
  db.close();
  console.log(JSON.stringify({
    bookmarks: BOOKMARKS, bookmark_query_ms_p50: Math.max(...perQuery), bookmark_query_ms_p50_each: perQuery,
    channels: CHANNELS, timeline_month_query_ms_p50: month, timeline_month_query_cpu_ms_p50: monthCpu, timeline_month_spans_query_ms_p50: monthSpans,
    ...benchMotionSearch(),
  }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
