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

/** Per day row: each bucket's recorded ms (an hour counts at most in full) and events, summed in SQL. */
function daySql(perDay: number): string {
  const k = 24 / perDay;
  const group = (col: string, clamp: boolean) => Array.from({ length: perDay }, (_, g) =>
    Array.from({ length: k }, (_, i) => (clamp ? `min(${col}${g * k + i}, ${HOUR_MS})` : `${col}${g * k + i}`)).join(' + '));
  return `SELECT day_ms, ${[...group('r', true), ...group('e', false)].join(', ')} FROM rec_density WHERE channel_id = ? AND day_ms >= ? AND day_ms < ? ORDER BY day_ms`;
}

/** Buckets from `from` (moved back to a bucket's start) until `to`, per channel. */
export function overview(db: Db, channelIds: readonly number[], from: number, to: number, maxPoints: number): Overview {
  const bucketMs = bucketFor(from, to, maxPoints);
  const perDay = Math.max(1, DAY_MS / bucketMs);
  const start = bucketMs <= DAY_MS ? Math.floor(from / bucketMs) * bucketMs : Math.floor(from / DAY_MS) * DAY_MS;
  const n = Math.max(1, Math.ceil((to - start) / bucketMs));
  const q = db.prepare(daySql(Number.isInteger(perDay) ? perDay : 1)).raw();
  const locks = db.prepare('SELECT id, channel_id, start_ms, end_ms, reason FROM rec_lock WHERE start_ms <= ? AND end_ms >= ?').raw().all(to, from) as [number, number | null, number, number, string][];
  const channels = channelIds.map((channelId): OverviewChannel => {
    const recorded = new Array<number>(n).fill(0);
    const events = new Array<number>(n).fill(0);
    for (const row of q.all(channelId, Math.floor(start / DAY_MS) * DAY_MS, start + n * bucketMs) as number[][]) {
      const day = row[0]!;
      if (bucketMs > DAY_MS) {
        const b = Math.floor((day - start) / bucketMs);
        recorded[b]! += row[1]!;
        events[b]! += row[2]!;
        continue;
      }
      const first = (day - start) / bucketMs;
      for (let g = 0; g < perDay; g++) {
        if (first + g < 0 || first + g >= n) continue;
        recorded[first + g] = row[1 + g]!;
        events[first + g] = row[1 + perDay + g]!;
      }
    }
    for (let b = 0; b < n; b++) recorded[b] = Math.min(1, Math.round((recorded[b]! / bucketMs) * 1000) / 1000);
    const own = locks.filter((l) => l[1] === null || l[1] === channelId).map(([id, , s, e, reason]) => ({ id, start: s, end: e, reason }));
    return { channelId, recorded, events, locks: own };
  });
  return { from: start, bucketMs, channels };
}
