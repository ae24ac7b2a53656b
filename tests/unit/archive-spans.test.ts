// Recorded spans and the holes between them (recording/segment-index.ts), on a real SQLite index: segments back to back
// are one span however their stamps round; a real hole — here 700 ms — is a hole on the timeline, whether the spans were
// rebuilt from the segments, written by the recorder as two, or joined after a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteSegment, extendInterval, insertSegment, insertSpan, rebuildSpans, SPAN_JOIN_MS, spanEndingNear, timeline } from '../../electron/core/recording/segment-index';
import { openDatabase, type Db } from '../../electron/core/storage/db';

const T0 = Date.UTC(2026, 0, 5, 8);
let dir: string, db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wp-spans-'));
  db = openDatabase(join(dir, 'station.db'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const segment = (channel: number, start: number, end: number) => insertSegment(db, {
  channel_id: channel, stream: 'main', start_ms: start, end_ms: end, bytes: 1000, path: `${channel}/s-${start}.mp4`, codec: 'avc1.42c01e',
  width: 320, height: 180, timescale: 90_000, base_dts: 0, init_bytes: 100, closed: 1, keyframes: [{ offsetMs: 0, byte: 100 }],
});
const spansOf = (channel: number) => timeline(db, [channel], T0 - 60_000, T0 + 120_000)[0]!.spans;

describe('recorded spans', () => {
  it('segments back to back are one span: stamps a millisecond or a frame apart, or overlapping a little', () => {
    segment(1, T0, T0 + 20_000);
    segment(1, T0 + 20_001, T0 + 40_000);
    segment(1, T0 + 40_040, T0 + 60_000);
    segment(1, T0 + 59_990, T0 + 80_000);
    rebuildSpans(db, 1, T0, T0 + 80_000);
    expect(spansOf(1)).toEqual([{ start: T0, end: T0 + 80_000 }]);
  });

  it('a 700 ms hole shows on the timeline: rebuilt from the segments, and between spans written apart', () => {
    segment(2, T0, T0 + 10_000);
    segment(2, T0 + 10_700, T0 + 20_000);
    rebuildSpans(db, 2, T0, T0 + 20_000);
    expect(spansOf(2)).toEqual([{ start: T0, end: T0 + 10_000 }, { start: T0 + 10_700, end: T0 + 20_000 }]);
    // The timeline's own merge of span rows (a recorder's spans, split at their cap) keeps it too.
    insertSpan(db, 3, T0, T0 + 10_000);
    insertSpan(db, 3, T0 + 10_700, T0 + 20_000);
    insertSpan(db, 3, T0 + 20_000, T0 + 30_000);
    expect(spansOf(3)).toEqual([{ start: T0, end: T0 + 10_000 }, { start: T0 + 10_700, end: T0 + 30_000 }]);
  });

  it('only the stamping\'s slack is joined: a hole of at most SPAN_JOIN_MS is none, one just longer is', () => {
    expect(SPAN_JOIN_MS).toBeLessThanOrEqual(300);
    segment(4, T0, T0 + 10_000);
    segment(4, T0 + 10_000 + SPAN_JOIN_MS, T0 + 20_000);
    segment(4, T0 + 20_000 + SPAN_JOIN_MS + 1, T0 + 30_000);
    rebuildSpans(db, 4, T0, T0 + 30_000);
    expect(spansOf(4)).toEqual([{ start: T0, end: T0 + 20_000 }, { start: T0 + 20_000 + SPAN_JOIN_MS + 1, end: T0 + 30_000 }]);
  });

  it('a recorder starting again continues a span that ended just before, not one 700 ms before', () => {
    const id = insertSpan(db, 5, T0, T0 + 10_000);
    expect(spanEndingNear(db, 5, T0 + 10_100)?.id).toBe(id);
    expect(spanEndingNear(db, 5, T0 + 10_700)).toBeUndefined();
  });
  it('the span a recorder extends stays its row when retention ages out its start: the timeline goes on growing', () => {
    const first = segment(3, T0, T0 + 20_000);
    segment(3, T0 + 20_000, T0 + 40_000);
    segment(3, T0 + 40_000, T0 + 60_000); // the open one
    const live = insertSpan(db, 3, T0, T0 + 60_000);
    insertSpan(db, 4, T0, T0 + 60_000); // another channel's, written after it (a new row never takes the old one's id)
    deleteSegment(db, first);
    rebuildSpans(db, 3, T0, T0 + 20_000);
    expect(spansOf(3)).toEqual([{ start: T0 + 20_000, end: T0 + 60_000 }]);
    // The recorder's next flush extends the row it holds.
    expect(extendInterval(db, 'rec_span', live, T0 + 61_000)).toBe(live);
    expect(spansOf(3)).toEqual([{ start: T0 + 20_000, end: T0 + 61_000 }]);
  });
});
