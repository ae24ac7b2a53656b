// Crash safety: a real recorder process is killed with SIGKILL again and again while writing. After each
// restart the index opens and is intact, every indexed segment plays, and at most the last fragment per
// channel is lost.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killRuns } from '../helpers/kill9';

const dir = mkdtempSync(join(tmpdir(), 'wp-kill9-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kill -9 while recording', () => {
  it('6 kills: index opens intact, every indexed segment plays, at most one fragment lost per channel', async () => {
    const r = await killRuns({ dir, runs: 6, channels: 2, spawn });
    expect(r.corruptIndexes).toBe(0);
    expect(r.unplayable).toEqual([]);
    expect(r.segments).toBeGreaterThan(10);
    expect(r.lostMax).toBeLessThanOrEqual(1);
    expect(r.fragmentsFed).toBeGreaterThan(6 * 2 * 100);
  }, 80_000);
});
