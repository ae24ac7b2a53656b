// The desk's copy of another station's archive (sites/remote-archive.ts) against a link that answers from a real
// archive: segments copied and indexed in the desk's clock (offset applied), read back by an ArchiveCursor; the bound
// evicts the least recently asked for; a station that cannot answer gives an empty timeline with its reason; a removed
// site's copy goes.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fail, siteChannelId, type CallInput } from '../../electron/contract';
import { Archive, writeArchiveConfig } from '../../electron/core/recording/archive';
import { ArchiveCursor, isInit } from '../../electron/core/recording/archive-reader';
import { ALWAYS, ChannelRecorder } from '../../electron/core/recording/recorder';
import { segmentFile } from '../../electron/core/recording/segment-file';
import { segmentById, segmentsIn, timeline, toArchiveSegment } from '../../electron/core/recording/segment-index';
import { RemoteArchive, type ArchiveLink } from '../../electron/core/sites/remote-archive';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { FakeClock, feed, loadClip } from '../helpers/archive-media';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();
const clip = loadClip();
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
/** Their clock minus ours. */
const OFF = 5_000;
const DESK_CH = siteChannelId(3, 1);
let db: Db, root: string, deskDir: string;
let online = true;

/** The station's side of the two calls (as recording-service answers them), and its timeline. */
const link: ArchiveLink['link'] = {
  call: (async (name: string, input: any) => {
    if (!online) throw fail('site.notConnected', { name: 'North yard', state: 'offline' });
    if (name === 'archive.segments') return segmentsIn(db, input.channelId, input.from, input.to).map(toArchiveSegment);
    if (name === 'archive.segmentRead') {
      const row = segmentById(db, (input as CallInput<'archive.segmentRead'>).segmentId)!;
      const bytes = readFileSync(segmentFile(root, row.path)).subarray(input.offset, Math.min(row.bytes, input.offset + input.length));
      return { dataBase64: bytes.toString('base64'), size: row.bytes, closed: true };
    }
    if (name === 'archive.timeline') return timeline(db, input.channelIds, input.from, input.to);
    throw new Error(`unexpected ${name}`);
  }) as ArchiveLink['link']['call'],
};

beforeAll(async () => {
  const dir = scope.tempDir('wp-remote-archive-');
  db = openDatabase(join(dir, 'station.db'));
  scope.defer(() => db.close());
  writeArchiveConfig(db, { segmentMs: 10_000, quotaBytes: null, freeFloorBytes: 0 });
  root = join(dir, 'rec');
  const clock = new FakeClock(T0 + OFF);
  const archive = new Archive({ db, root, logger: pino({ level: 'silent' }), clock: clock.now, freeBytes: () => 1e12 });
  const rec = new ChannelRecorder(1, { mode: 'continuous', stream: 'main', schedule: ALWAYS, preMs: 0, postMs: 0 }, archive);
  archive.add(rec);
  rec.init(clip.init, clip.track);
  // 40 s in 10 s segments, recorded at T0 in the desk's clock (T0 + OFF in the station's).
  for (let n = 0; n < 1000; n += 25) { feed(rec, clip, clock, T0 + OFF, n, n + 25); archive.flush(); }
  await rec.stop();
  archive.flush();
  deskDir = join(dir, 'desk');
  mkdirSync(deskDir);
});

describe('remote archive', () => {
  let ra: RemoteArchive;
  afterAll(() => ra?.dispose());

  it('copies a range in the desk\'s clock, readable by a cursor; the bound keeps the most recently asked for', async () => {
    const segs = segmentsIn(db, 1, 0, T0 + 1e6);
    expect(segs.length).toBe(4);
    const two = segs[2]!.bytes + segs[3]!.bytes;
    ra = new RemoteArchive({ dataDir: deskDir, logger: pino({ level: 'silent' }), site: () => ({ link, offsetMs: OFF }), maxBytes: two + 1000, keepMs: 0 });
    await ra.fetch(DESK_CH, T0, T0 + 40_000);
    const src = ra.sourceOf(DESK_CH);
    const kept = segmentsIn(src.db, DESK_CH, 0, T0 + 1e6);
    // The two newest stay (the older ones went to keep the bound), each moved by the offset.
    expect(kept.map((s) => s.start_ms)).toEqual([segs[2]!.start_ms - OFF, segs[3]!.start_ms - OFF]);
    expect(existsSync(segmentFile(src.root, `${DESK_CH}/${segs[0]!.id}.mp4`))).toBe(false);
    const c = new ArchiveCursor(src, DESK_CH);
    expect(c.seek(T0 + 25_000)).toBe(T0 + 24_000);
    const walls: number[] = [];
    for (let x = c.next(); x; x = c.next()) if (!isInit(x)) walls.push(Math.round(x.wall));
    c.close();
    // Every frame from the keyframe at 24 s to the end, across the two copied segments, on the desk's clock.
    expect(walls.length).toBe(16 * 25);
    expect(walls[0]).toBe(T0 + 24_000);
    expect(walls.at(-1)).toBe(T0 + 39_960);
    // Nothing more is known to be coming after the last copied instant.
    expect(ra.more(DESK_CH, T0 + 39_960)).toBe(false);
    // Asked again (a seek back), an evicted segment is copied again.
    await ra.prepare(DESK_CH, T0 + 3_000, 1);
    expect(segmentsIn(src.db, DESK_CH, T0, T0 + 5_000).map((s) => s.start_ms)).toEqual([segs[0]!.start_ms - OFF]);
  });

  it('a station that cannot answer: its channels\' timeline is empty with the reason', async () => {
    const [t] = await ra.timeline([DESK_CH], T0 - 60_000, T0 + 60_000);
    expect(t!.spans).toEqual([{ start: T0, end: expect.closeTo(T0 + 40_000, -2) }]);
    online = false;
    const [off] = await ra.timeline([DESK_CH], T0 - 60_000, T0 + 60_000);
    expect(off).toMatchObject({ channelId: DESK_CH, spans: [], unavailable: { reason: 'site.notConnected', params: { name: 'North yard' } } });
    online = true;
  });

  it('a removed site takes its copy with it', () => {
    ra.forget(3);
    expect(existsSync(join(deskDir, 'site-archives', '3'))).toBe(false);
  });
});
