// `npm run cloud` as a user starts it: a child process that prints its URL and stops on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

describe('cloud CLI', () => {
  it('starts on loopback with SQLite, prints its URL, serves, and exits on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-cloud-cli-'));
    const dbPath = join(dir, 'cli.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'cloud/cli.ts', '--region', 'my', '--port', '0', '--db', dbPath, '--peer', 'de=http://127.0.0.1:8435/'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`cli exited ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await (await fetch(`${url}/v1/health`)).json();
      expect(health).toMatchObject({ region: 'my', regionName: 'Malaysia' });
      // The deployment's regions: the one given with --peer, and this instance's own.
      expect((await (await fetch(`${url}/v1/regions`)).json()).regions).toEqual([
        { id: 'de', name: 'Germany', url: 'http://127.0.0.1:8435', current: false },
        { id: 'my', name: 'Malaysia', url, current: true },
      ]);
      expect(existsSync(dbPath)).toBe(true);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown region', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cloud/cli.ts', '--region', 'fr'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('--region must be one of us, de, sg, my');
  });
});
