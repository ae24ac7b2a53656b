// The storage page's calls on an in-process station: many channels set at once (all or nothing), archive settings checked
// against the disk and the evidence, the recordings folder changed with its recordings moved (progress) or left, locks
// with who made them, unlocking with a reason, the audit list filtered, and the forecast calculator with what-if values.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FolderMove } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { segmentRelPath } from '../../electron/core/recording/segment-file';
import { insertSegment } from '../../electron/core/recording/segment-index';
import type { Station } from '../../electron/core/station';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const GIB = 1024 ** 3;
const scope = fileScope();
const browser = new ClientSession('ws-7');
let st: Station, dataDir: string, db: Db;
const call = (name: Parameters<typeof stationCall>[2], input: unknown = {}) => stationCall(st, browser, name, input) as Promise<any>;
let cam1: number, cam2: number;
const ALWAYS = '1'.repeat(336);

/** A closed segment on disk and in the index (another connection to the station's database): `bytes` over `ms`. */
function segment(root: string, channelId: number, start: number, ms: number, bytes: number): string {
  const rel = segmentRelPath(channelId, 'sub', start);
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), Buffer.alloc(bytes, channelId));
  insertSegment(db, {
    channel_id: channelId, stream: 'sub', start_ms: start, end_ms: start + ms, bytes, path: rel, codec: 'avc1.42e01e', width: 320, height: 180,
    timescale: 90000, base_dts: 0, init_bytes: 0, closed: 1, keyframes: [],
  });
  return rel;
}

beforeAll(async () => {
  dataDir = scope.tempDir('wp-storage-');
  ({ st } = await startStationIn(scope, join(dataDir, 'data'), {
    recording: { freeBytes: () => 50 * GIB, totalBytes: () => 100 * GIB, fullReconcile: false, retentionEveryMs: 3_600_000 },
  }));
  // The log file opens in the background; a file this short could otherwise remove its folder first.
  for (let i = 0; i < 100 && !existsSync(join(dataDir, 'data', 'logs', 'station.log')); i++) await new Promise((r) => setTimeout(r, 50));
  db = openDatabase(join(dataDir, 'data', 'station.db'));
  scope.defer(() => db.close());
  cam1 = (await call('channels.addRtsp', { name: 'Gate', mainUrl: 'rtsp://127.0.0.1:9/a', subUrl: null })).id;
  cam2 = (await call('channels.addRtsp', { name: 'Yard', mainUrl: 'rtsp://127.0.0.1:9/b', subUrl: null })).id;
});

describe('channel settings for many channels', () => {
  it('applies one setting to every channel named, keeping each one\'s other settings', async () => {
    await call('recording.setChannels', { channelIds: [cam1], mode: 'off', stream: 'main', schedule: ALWAYS, preSeconds: 5, postSeconds: 10, retentionDays: 30 });
    const out = await call('recording.setChannels', { channelIds: [cam1, cam2], retentionDays: 7, stream: 'sub' });
    expect(out.map((c: any) => [c.channelId, c.retentionDays, c.stream, c.preSeconds])).toEqual([[cam1, 7, 'sub', 5], [cam2, 7, 'sub', 10]]);
    expect((await call('recording.config')).channels).toHaveLength(2);
  });

  it('switches a channel\'s motion grid off and on apart from its other settings; a setting without it keeps it', async () => {
    const grid = async (id: number) => (await call('recording.config')).channels.find((c: any) => c.channelId === id);
    const before = await grid(cam2);
    expect(before.motionGrid).toBe(true);
    await call('recording.setChannels', { channelIds: [cam2], motionGrid: false });
    expect(await grid(cam2)).toEqual({ ...before, motionGrid: false });
    await call('recording.setChannels', { channelIds: [cam2], retentionDays: before.retentionDays });
    expect((await grid(cam2)).motionGrid).toBe(false);
    await expect(call('recording.setChannels', { channelIds: [cam2], motionGrid: 'no' })).rejects.toMatchObject({ reason: expect.any(String), params: { field: 'motionGrid' } });
    await call('recording.setChannels', { channelIds: [cam2], motionGrid: true });
    expect(await grid(cam2)).toEqual(before);
    expect((await call('recording.config')).motionIndexBytes).toEqual({});
  });

  it('refuses an unknown channel, a schedule of the wrong length and out-of-range numbers; nothing stored changes', async () => {
    const before = (await call('recording.config')).channels;
    await expect(call('recording.setChannels', { channelIds: [cam1, 999], mode: 'continuous' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('recording.setChannels', { channelIds: [cam1], schedule: '1'.repeat(335) })).rejects.toThrow(/schedule/i);
    await expect(call('recording.setChannels', { channelIds: [cam1], preSeconds: 61 })).rejects.toThrow(/preSeconds|before an event/i);
    await expect(call('recording.setChannels', { channelIds: [cam1], retentionDays: 0 })).rejects.toThrow(/retentionDays|keep recordings/i);
    await expect(call('recording.setChannels', { channelIds: [cam1] })).rejects.toMatchObject({ code: 'bad_input' });
    expect((await call('recording.config')).channels).toEqual(before);
  });

  it('turns recording on at once: the channel has a recorder in the status, which names its measured rate and today\'s bytes', async () => {
    await call('recording.setChannels', { channelIds: [cam2], mode: 'continuous' });
    const s = await call('recording.status');
    expect(s.channels).toEqual([expect.objectContaining({ channelId: cam2, mode: 'continuous', stream: 'sub', bitrateBps: 0, bytesToday: 0 })]);
    expect(['waiting', 'gap']).toContain(s.channels[0].state);
    await call('recording.setChannels', { channelIds: [cam2], mode: 'off' });
    expect((await call('recording.status')).channels).toEqual([]);
  });
});

describe('evidence', () => {
  let lockId: number;
  it('keeps who locked a range (the station\'s user, through which client) and lists it', async () => {
    const now = Date.now();
    segment(join(dataDir, 'data', 'recordings'), cam1, now - 120_000, 60_000, 4096);
    const lock = await call('archive.lock', { channelId: cam1, from: now - 130_000, to: now - 50_000, reason: 'case 7' });
    lockId = lock.id;
    expect(lock.createdBy).toMatchObject({ client: 'browser' });
    expect(typeof lock.createdBy.user).toBe('string');
    expect(await call('archive.locks')).toEqual([lock]);
  });

  it('refuses a quota below what locked evidence uses and a free-space floor as large as the disk; nothing stored changes', async () => {
    const before = (await call('recording.config')).archive;
    await expect(call('recording.setArchive', { segmentSeconds: 60, quotaBytes: 1024, freeFloorBytes: 0 }))
      .rejects.toThrow(/^Archive quota \(0 GiB\) is below what locked evidence already uses \(0 GiB\); unlock evidence or choose a larger quota\.$/);
    await expect(call('recording.setArchive', { segmentSeconds: 60, quotaBytes: null, freeFloorBytes: 100 * GIB }))
      .rejects.toThrow('Free space to keep (100 GiB) must be less than the size of the disk (100 GiB).');
    await expect(call('recording.setArchive', { segmentSeconds: 1, quotaBytes: null, freeFloorBytes: 0 })).rejects.toThrow(/segmentSeconds|segment length/i);
    expect((await call('recording.config')).archive).toEqual(before);
    expect(await call('archive.audit', { kinds: ['settings'] })).toEqual([]);
    await call('recording.setArchive', { segmentSeconds: 30, quotaBytes: 8192, freeFloorBytes: GIB });
    expect((await call('archive.audit', { kinds: ['settings'] }))[0].detail.after).toEqual({ segmentSeconds: 30, quotaBytes: 8192, freeFloorBytes: GIB });
  });

  it('unlocks only with a reason, and the trail keeps both reasons and who', async () => {
    await expect(call('archive.unlock', { lockId, reason: '  ' })).rejects.toThrow(/reason/i);
    expect(await call('archive.locks')).toHaveLength(1);
    expect(await call('archive.unlock', { lockId, reason: 'case closed' })).toEqual({ removed: true });
    expect(await call('archive.locks')).toEqual([]);
    const [entry] = await call('archive.audit', { kinds: ['unlock'] });
    expect(entry).toMatchObject({ kind: 'unlock', channelIds: [cam1], by: { client: 'browser' }, detail: { reason: 'case 7', unlockReason: 'case closed' } });
  });

  it('filters the audit list by kind, channel and time', async () => {
    await call('archive.lock', { channelId: null, from: 1000, to: 2000, reason: 'all cameras' });
    const all = await call('archive.audit');
    expect(all.map((e: any) => e.kind)).toEqual(['lock', 'unlock', 'settings', 'lock']);
    // A lock on every channel concerns each channel.
    expect((await call('archive.audit', { channelId: cam2 })).map((e: any) => e.detail.reason)).toEqual(['all cameras']);
    expect((await call('archive.audit', { channelId: cam1, kinds: ['lock'] })).map((e: any) => e.detail.reason)).toEqual(['all cameras', 'case 7']);
    expect(await call('archive.audit', { from: Date.now() + 60_000 })).toEqual([]);
    await expect(call('archive.audit', { kinds: ['nonsense'] })).rejects.toMatchObject({ code: 'bad_input' });
  });
});

describe('the forecast calculator', () => {
  it('measures a channel\'s bitrate from its last day in the archive and shows what a bigger quota or fewer days would give', async () => {
    await call('recording.setArchive', { segmentSeconds: 60, quotaBytes: null, freeFloorBytes: 0 });
    const now = Date.now();
    // 1 Mbit/s over ten minutes.
    for (let i = 0; i < 10; i++) segment(join(dataDir, 'data', 'recordings'), cam2, now - 700_000 + i * 60_000, 60_000, 7_500_000);
    const f = await call('recording.forecast', { channels: [{ channelId: cam2, mode: 'continuous' }] });
    const c2 = f.channels.find((c: any) => c.channelId === cam2);
    expect(c2).toMatchObject({ measured: true, limitedBy: 'free_space' });
    expect(c2.bitrateBps).toBeCloseTo(1_000_000, -3);
    expect(f.disk.totalBytes).toBe(100 * GIB);
    // What if: a quota of one day's worth, then 2 days kept.
    const day = (1_000_000 / 8) * 86_400;
    const q = await call('recording.forecast', { quotaBytes: day + f.disk.archiveBytes + f.disk.lockedBytes, channels: [{ channelId: cam2, mode: 'continuous' }] });
    expect(q.channels.find((c: any) => c.channelId === cam2)).toMatchObject({ limitedBy: 'quota' });
    expect(q.days).toBeCloseTo(1, 0);
    const r = await call('recording.forecast', { channels: [{ channelId: cam2, mode: 'continuous', retentionDays: 2, bitrateBps: 500_000 }] });
    expect(r.channels.find((c: any) => c.channelId === cam2)).toMatchObject({ days: 2, limitedBy: 'retention_days', bitrateBps: 500_000, measured: false });
    // Nothing was saved by asking.
    expect((await call('recording.config')).archive.quotaBytes).toBeNull();
  });
});

describe('the recordings folder', () => {
  it('refuses a folder that does not exist, one that cannot be written, and a relative path; nothing changes', async () => {
    const before = (await call('recording.config')).folder;
    await expect(call('archive.setFolder', { path: join(dataDir, 'nope'), move: true })).rejects.toThrow(`Recordings folder: ${join(dataDir, 'nope')} does not exist; create it first.`);
    await expect(call('archive.setFolder', { path: '/proc/1', move: false })).rejects.toThrow(/^Recordings folder: \/proc\/1 cannot be created or written \(\w+\)\.$/);
    await expect(call('archive.setFolder', { path: 'rec', move: false })).rejects.toThrow(/ must be an absolute path/);
    expect((await call('recording.config')).folder).toBe(before);
    expect((await call('settings.get')).recordingsDir).toBe(before);
  });

  it('moves the recordings to the new folder with progress; the index follows and the setting is stored', async () => {
    const oldRoot = (await call('recording.config')).folder;
    const rels = (db.prepare('SELECT path FROM rec_segment ORDER BY id').all() as { path: string }[]).map((r) => r.path);
    const content = readFileSync(join(oldRoot, rels[0]!));
    const to = join(dataDir, 'disk2');
    mkdirSync(to);
    const moves: FolderMove[] = [];
    const off = st.signals.subscribe((name, p) => { if (name === 'archive.move') moves.push(p as FolderMove); });
    const r = await call('archive.setFolder', { path: to, move: true });
    expect(r).toEqual({ folder: to, moveId: expect.any(Number) });
    await expect.poll(() => moves.at(-1)?.state, { timeout: 10_000 }).toBe('done');
    off();
    expect(moves.at(-1)).toMatchObject({ from: oldRoot, to, doneFiles: rels.length, totalFiles: rels.length });
    expect(moves[0]!.state).toBe('running');
    expect((db.prepare('SELECT path FROM rec_segment ORDER BY id').all() as { path: string }[]).map((x) => x.path)).toEqual(rels);
    for (const rel of rels) {
      expect(existsSync(join(to, rel))).toBe(true);
      expect(existsSync(join(oldRoot, rel))).toBe(false);
    }
    expect(readFileSync(join(to, rels[0]!))).toEqual(content);
    expect((await call('settings.get')).recordingsDir).toBe(to);
    expect((await call('archive.audit', { kinds: ['folder'] })).map((e: any) => e.action)).toEqual(['folder.moved', 'folder.changed']);
  });

  it('or leaves them where they are, indexed by their full path', async () => {
    const from = (await call('recording.config')).folder;
    const to = join(dataDir, 'disk3');
    mkdirSync(to);
    expect(await call('archive.setFolder', { path: to, move: false })).toEqual({ folder: to, moveId: null });
    const paths = (db.prepare('SELECT path FROM rec_segment').all() as { path: string }[]).map((x) => x.path);
    expect(paths.every((p) => p.startsWith(`${from}/`) && existsSync(p))).toBe(true);
    expect((await call('recording.config')).folder).toBe(to);
  });
});

describe('two users changing the same settings', () => {
  const other = new ClientSession('ws-8');
  const call2 = (name: Parameters<typeof stationCall>[2], input: unknown = {}) => stationCall(st, other, name, input) as Promise<any>;
  const refusal = (p: Promise<unknown>) => p.then(() => null, (e: { code: string; reason: string; params: object }) => ({ code: e.code, reason: e.reason, params: e.params }));
  const stale = { code: 'conflict', reason: 'settings.changedMeanwhile', params: { field: 'revision' } };

  it('a change made on settings read before someone else changed the same channel is refused; other channels are not', async () => {
    const [a, b] = await Promise.all([call('recording.config'), call2('recording.config')]);
    expect(a.revision).toBe(b.revision);
    await call('recording.setChannels', { channelIds: [cam1], retentionDays: 12, revision: a.revision });
    // The second user read the settings before that change: refused, nothing stored.
    expect(await refusal(call2('recording.setChannels', { channelIds: [cam1, cam2], retentionDays: 40, revision: b.revision }))).toEqual(stale);
    // A channel nobody changed since takes the same stale revision.
    await call2('recording.setChannels', { channelIds: [cam2], preSeconds: 4, revision: b.revision });
    const now = await call2('recording.config');
    expect(now.channels.find((c: any) => c.channelId === cam1).retentionDays).toBe(12);
    expect(now.revision).toBeGreaterThan(b.revision);
    // Read again, the second user's change goes through.
    await call2('recording.setChannels', { channelIds: [cam1, cam2], retentionDays: 40, revision: now.revision });
    expect((await call('recording.config')).channels.filter((c: any) => c.retentionDays === 40)).toHaveLength(2);
  });

  it('so are the archive settings; a caller that passes no revision (a script) is not checked', async () => {
    const [a, b] = await Promise.all([call('recording.config'), call2('recording.config')]);
    await call('recording.setArchive', { ...a.archive, segmentSeconds: 6, revision: a.revision });
    expect(await refusal(call2('recording.setArchive', { ...b.archive, segmentSeconds: 8, revision: b.revision }))).toEqual(stale);
    expect((await call('recording.config')).archive.segmentSeconds).toBe(6);
    // Channel settings are another part: not refused for the archive's change.
    await call2('recording.setChannels', { channelIds: [cam2], preSeconds: 5, revision: b.revision });
    await call2('recording.setArchive', { ...b.archive, segmentSeconds: 8 });
    expect((await call('recording.config')).archive.segmentSeconds).toBe(8);
  });
});
