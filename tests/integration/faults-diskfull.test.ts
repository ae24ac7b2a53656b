// Disk full: the station's whole data folder (SQLite index and recordings) on a small tmpfs this test mounts (as root;
// skipped with the reason where it cannot). A file then fills the disk past the free-space floor, later to the last
// byte: recording stops with a disk gap, locked evidence is never deleted, the index stays intact, live view goes on;
// once space is freed recording resumes by itself. The run itself is tests/helpers/faults.ts's diskFull (bench:faults
// counts the same run).
import { afterAll, describe, expect, it } from 'vitest';
import { diskFull, smallDisk } from '../helpers/faults';

const disk = smallDisk();
afterAll(() => disk.remove());

describe.skipIf(disk.cannot !== null)(`disk full${disk.cannot ? ` (skipped: ${disk.cannot})` : ''}`, () => {
  it('holds the floor, keeps locked evidence and the index, goes on live, and records again once space is freed', async () => {
    expect(await diskFull(disk.mnt)).toEqual({ floorHeld: true, lockedKept: true, liveKept: true, recovered: 2, corruptIndexes: 0 });
  }, 150_000);
});
