import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitOf, runStationCli, startStation } from '../helpers/station-process';

describe('npm run station (plain Node)', () => {
  it('prints its URL, refuses a second station on the same data folder, and releases the lock on SIGTERM', async () => {
    const st = await startStation();
    try {
      expect(st.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
      const lock = readFileSync(join(st.dataDir, 'station.lock'), 'utf8');
      expect(lock).not.toContain(st.token);

      const second = await exitOf(runStationCli(['--data-dir', st.dataDir, '--port', '0']));
      expect(second.code).toBe(1);
      expect(second.out).toContain(`Watchpost is already running on data folder ${st.dataDir} (pid ${st.proc.pid} at ${st.origin}/)`);
    } finally {
      expect(await st.stop()).toBe(0);
    }
    expect(existsSync(join(st.dataDir, 'station.lock'))).toBe(false);
    // The log never holds the token.
    expect(readFileSync(join(st.dataDir, 'logs', 'station.log'), 'utf8')).not.toContain(st.token);
  });

  it('takes over a lock left by a dead process', async () => {
    const st = await startStation();
    st.proc.kill('SIGKILL');
    await new Promise((r) => st.proc.once('exit', r));
    expect(existsSync(join(st.dataDir, 'station.lock'))).toBe(true);
    const again = await startStation({ dataDir: st.dataDir });
    expect(await again.stop()).toBe(0);
  });

  it('names a bad argument', async () => {
    const r = await exitOf(runStationCli(['--port', 'eighty']));
    expect(r.code).toBe(1);
    expect(r.out).toContain('--port: eighty is not a port number (0-65535)');
  });
});
