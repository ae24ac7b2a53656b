// Re-running a test file inside a private network namespace (unshare -n: nothing but lo, with multicast on), where
// multicast discovery runs without a packet reaching a real network. Needs root and unshare(1).
import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

export const IS_ROOT = process.getuid?.() === 0;
export const HAS_UNSHARE = spawnSync('unshare', ['--version']).status === 0;

/** Runs `npx vitest run <file> <vitestArgs>` in a fresh namespace with `innerEnv` set (how the file knows it is inside). */
export async function runInNetns(file: string, innerEnv: Record<string, string>, vitestArgs: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && ip link set lo multicast on && exec npx vitest run ${file} ${vitestArgs.join(' ')}`], {
    env: { ...process.env, ...innerEnv }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, out };
}

/** Why no namespace can be made here ('' when one can). */
export const NETNS_UNAVAILABLE = !IS_ROOT ? 'not root: cannot create a network namespace' : !HAS_UNSHARE ? 'unshare(1) not installed' : '';

/**
 * The outer half of a file that re-runs itself in a namespace: one test that runs `file` there with `innerEnv` set and
 * expects `passed` in its output. Skipped inside the namespace, and (saying why in its title) where none can be made.
 */
export function describeRerunInNetns(title: string, file: string, innerEnv: Record<string, string>, passed: RegExp): void {
  const inner = Object.entries(innerEnv).every(([name, value]) => process.env[name] === value);
  describe.skipIf(inner || NETNS_UNAVAILABLE !== '')(`${title}${NETNS_UNAVAILABLE ? ` (skipped: ${NETNS_UNAVAILABLE})` : ''}`, () => {
    it('passes inside a fresh namespace with multicast on lo', async () => {
      const { code, out } = await runInNetns(file, innerEnv, ['--reporter=dot']);
      expect(code, out).toBe(0);
      expect(out).toMatch(passed);
    }, 60_000);
  });
}
