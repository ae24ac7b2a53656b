// Disk full: the station's whole data folder (SQLite index and recordings) on a small tmpfs this test mounts (as root;
// skipped with the reason where it cannot). A file then fills the disk past the free-space floor: recording stops with a
// disk gap, locked evidence is never deleted, the index stays intact, live view goes on; once space is freed recording
// resumes by itself.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ClientSession } from '../../electron/core/client-session';
import { withCredentials } from '../../scripts/camsim/fleet';
import { startCamsim } from '../helpers/camsim-process';
import { fileScope } from '../helpers/fixtures';
import { openStation } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const MiB = 1024 * 1024;
const base = mkdtempSync(join(tmpdir(), 'wp-diskfull-'));
const mnt = join(base, 'mnt');
mkdirSync(mnt);
/** Why the small filesystem cannot be made here, or null when it is mounted. */
const cannot = ((): string | null => {
  if (process.getuid?.() !== 0) return 'not root: a tmpfs cannot be mounted';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `mount -t tmpfs failed: ${(err as Error).message.split('\n')[0]}`;
  }
})();
afterAll(() => {
  if (!cannot) execFileSync('umount', ['-l', mnt]);
  rmSync(base, { recursive: true, force: true });
});
const scope = fileScope();
const free = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(cannot !== null)(`disk full${cannot ? ` (skipped: ${cannot})` : ''}`, () => {
  it('holds the floor, keeps locked evidence and the index, goes on live, and records again once space is freed', async () => {
    const camsim = scope.add(await startCamsim(['--devices', '1', '--channels', '1']));
    const st = scope.add(await openStation(join(mnt, 'data'), { media: { graceMs: 500, stallMs: 3000 }, recording: { statusEveryMs: 500 } }));
    const session = new ClientSession('diskfull');
    const call = <T = any>(name: string, input: unknown) => stationCall(st, session, name as never, input) as Promise<T>;
    const { id } = await call<{ id: number }>('channels.addRtsp', { name: 'Disk', mainUrl: withCredentials(camsim.manifest.devices[0]!.channels[0]!.sub.rtsp), subUrl: null });
    const floor = 8 * MiB;
    await call('recording.setArchive', { segmentSeconds: 2, quotaBytes: null, freeFloorBytes: floor });
    await call('recording.setChannels', { channelIds: [id], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
    const state = async () => (await call<{ channels: { channelId: number; state: string; gapReason?: string }[] }>('recording.status', {})).channels.find((c) => c.channelId === id);
    await expect.poll(async () => (await state())?.state, { timeout: 30_000 }).toBe('recording');
    await sleep(6000);

    // Evidence: the first seconds recorded, locked.
    const t0 = Date.now();
    const [tl] = await call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { channelIds: [id], from: t0 - 60_000, to: t0 });
    const first = tl!.spans[0]!;
    await call('archive.lock', { channelId: id, from: first.start, to: first.start + 2000, reason: 'disk-full test evidence' });
    const dbPath = join(mnt, 'data', 'station.db');
    const lockedFiles = () => {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      try {
        return (db.prepare('SELECT path FROM rec_segment WHERE channel_id = ? AND start_ms < ? AND end_ms > ?').all(id, first.start + 2000, first.start) as { path: string }[]).map((r) => r.path);
      } finally { db.close(); }
    };
    const locked = lockedFiles();
    expect(locked.length).toBeGreaterThan(0);

    // The disk fills: a file takes all but 2 MiB (below the 8 MiB floor).
    const filler = join(mnt, 'filler.bin');
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 2 * MiB)));
    await expect.poll(async () => (await state())?.gapReason, { timeout: 30_000 }).toBe('disk');
    await sleep(4000);
    // Live goes on.
    const streams = await call<{ streamId: string; state: string }[]>('streams.status', {});
    expect(streams.find((s) => s.streamId === `${id}/main`)?.state).toBe('live');
    // Locked evidence is kept; the index is intact.
    for (const p of locked) expect(existsSync(join(mnt, 'data', 'recordings', p)), p).toBe(true);
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    // Space freed: recording resumes by itself.
    rmSync(filler);
    await expect.poll(async () => (await state())?.state, { timeout: 30_000 }).toBe('recording');
    const resumedAt = Date.now();
    await sleep(5000);
    const [after] = await call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { channelIds: [id], from: t0 - 60_000, to: Date.now() });
    expect(after!.spans.at(-1)!.end).toBeGreaterThan(resumedAt);
    for (const p of locked) expect(existsSync(join(mnt, 'data', 'recordings', p)), p).toBe(true);

    // Full to the last byte (SQLite's own writes now fail with "database or disk is full"): the station keeps answering,
    // the index stays intact, and recording resumes once space is freed.
    const fd = openSync(filler, 'w');
    try {
      for (const chunk = Buffer.alloc(MiB); ;) writeSync(fd, chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally { closeSync(fd); }
    await sleep(6000);
    expect((await call<{ channels: unknown[] }>('recording.status', {})).channels.length).toBe(1);
    expect((await call<{ streamId: string; state: string }[]>('streams.status', {})).find((s) => s.streamId === `${id}/main`)?.state).toBe('live');
    rmSync(filler);
    await expect.poll(async () => (await state())?.state, { timeout: 30_000 }).toBe('recording');
    const again = Date.now();
    await sleep(5000);
    const [last] = await call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { channelIds: [id], from: t0 - 60_000, to: Date.now() });
    expect(last!.spans.at(-1)!.end).toBeGreaterThan(again);
    const db2 = new Database(dbPath, { readonly: true, fileMustExist: true });
    expect(db2.pragma('integrity_check', { simple: true })).toBe('ok');
    db2.close();
    for (const p of locked) expect(existsSync(join(mnt, 'data', 'recordings', p)), p).toBe(true);
  }, 150_000);
});
