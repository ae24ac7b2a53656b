// The month and week overview: recorded share and event count per channel and bucket, read from rec_density (a row a
// channel-day of hourly sums, kept by the triggers of migration 13 beside the segment index) instead of every span and
// event of the range.
import type { Db } from '../storage/db';

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Bucket lengths in hours: the divisors of a day, then whole days. */
const DAY_PARTS = [1, 2, 3, 4, 6, 8, 12, 24];

export interface OverviewChannel {
  channelId: number;
  /** Recorded share of each bucket, 0..1. */
  recorded: number[];
  events: number[];
  locks: { id: number; start: number; end: number; reason: string }[];
}

export interface Overview { from: number; bucketMs: number; channels: OverviewChannel[] }

/** The shortest bucket (a divisor of a day in hours, else whole days) that cuts [from, to) into at most `maxPoints`. */
export function bucketFor(from: number, to: number, maxPoints: number): number {
  const hours = Math.max(1, Math.ceil((to - from) / HOUR_MS / Math.max(1, maxPoints)));
  return (DAY_PARTS.find((p) => p >= hours) ?? Math.ceil(hours / 24) * 24) * HOUR_MS;
}

/**
 * A channel-day row as 16 numbers: the 24 hours' recorded seconds (rounded up, so a second of recording shows; at most
 * the hour) and then their event counts (at most 65 535), three 16-bit values to a number. A third of what 48 columns
 * cost to hand to JavaScript, which is most of the query's time.
 */
export const OVERVIEW_SQL = (() => {
  const three = (col: string, i: number, value: (c: string) => string) =>
    [0, 1, 2].map((k) => `(${value(`${col}${i * 3 + k}`)} << ${16 * k})`).join(' | ');
  const rec = (c: string) => `min(3600, max(0, (${c} + 999) / 1000))`;
  const ev = (c: string) => `min(65535, max(0, ${c}))`;
  const cols = [...Array.from({ length: 8 }, (_, i) => three('r', i, rec)), ...Array.from({ length: 8 }, (_, i) => three('e', i, ev))];
  return `SELECT channel_id, day_ms, ${cols.join(', ')} FROM rec_density
    WHERE channel_id IN (SELECT value FROM json_each(?)) AND day_ms >= ? AND day_ms < ?`;
})();

/** The overview's buckets of [from, to): the first one's start, their length and their count (also used by sites/remote-archive.ts). */
export function overviewBuckets(from: number, to: number, maxPoints: number): { start: number; bucketMs: number; n: number } {
  const bucketMs = bucketFor(from, to, maxPoints);
  const start = bucketMs <= DAY_MS ? Math.floor(from / bucketMs) * bucketMs : Math.floor(from / DAY_MS) * DAY_MS;
  return { start, bucketMs, n: Math.max(1, Math.ceil((to - start) / bucketMs)) };
}

/** Buckets from `from` (moved back to a bucket's start) until `to`, per channel. */
export function overview(db: Db, channelIds: readonly number[], from: number, to: number, maxPoints: number): Overview {
  const { start, bucketMs, n } = overviewBuckets(from, to, maxPoints);
  const byChannel = new Map(channelIds.map((id) => [id, { recorded: new Array<number>(n).fill(0), events: new Array<number>(n).fill(0) }]));
  const rows = db.prepare(OVERVIEW_SQL).raw().all(JSON.stringify(channelIds), Math.floor(start / DAY_MS) * DAY_MS, start + n * bucketMs) as number[][];
  for (const row of rows) {
    const c = byChannel.get(row[0]!)!;
    const day = row[1]!;
    for (let h = 0; h < 24; h++) {
      const b = Math.floor((day + h * HOUR_MS - start) / bucketMs);
      if (b < 0 || b >= n) continue;
      const shift = 65536 ** (h % 3);
      c.recorded[b]! += Math.floor(row[2 + Math.floor(h / 3)]! / shift) % 65536;
      c.events[b]! += Math.floor(row[10 + Math.floor(h / 3)]! / shift) % 65536;
    }
  }
  const locks = db.prepare('SELECT id, channel_id, start_ms, end_ms, reason FROM rec_lock WHERE start_ms <= ? AND end_ms >= ?').raw().all(to, from) as [number, number | null, number, number, string][];
  const seconds = bucketMs / 1000;
  const channels = channelIds.map((channelId): OverviewChannel => {
    const { recorded, events } = byChannel.get(channelId)!;
    // Rounded up to a thousandth, so a moment of recording still shows.
    for (let b = 0; b < n; b++) recorded[b] = Math.min(1, Math.ceil((recorded[b]! / seconds) * 1000) / 1000);
    const own = locks.filter((l) => l[1] === null || l[1] === channelId).map(([id, , s, e, reason]) => ({ id, start: s, end: e, reason }));
    return { channelId, recorded, events, locks: own };
  });
  return { from: start, bucketMs, channels };
}
