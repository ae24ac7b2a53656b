// Spawning ffmpeg children that are always reaped: every child is tracked and killed on close or exit.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export const FFMPEG = process.env.CAMSIM_FFMPEG ?? 'ffmpeg';
export const FONT_FILE = process.env.CAMSIM_FONT ?? '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';

export interface FfmpegChild {
  readonly proc: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Exit code (null when killed by a signal) and the tail of stderr. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  /** SIGTERM, SIGKILL after a grace period; resolves once the process is gone. */
  kill(): Promise<void>;
}

const live = new Set<FfmpegChild>();
let exitHookInstalled = false;

export function spawnFfmpeg(args: readonly string[]): FfmpegChild {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort for a process that exits without closing its streams: no orphaned encoders.
    process.once('exit', () => {
      for (const c of live) c.proc.kill('SIGKILL');
    });
  }
  const proc = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  // A child that dies early must not crash us with EPIPE on its stdin.
  proc.stdin.on('error', () => {});
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    proc.once('error', (err) => {
      stderr += String(err);
    });
    proc.once('close', (code) => resolve({ code, stderr }));
  });
  const child: FfmpegChild = {
    proc,
    exited,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(timer);
      }
      await exited;
    },
  };
  live.add(child);
  void exited.then(() => live.delete(child));
  return child;
}

/** Runs ffmpeg to completion with optional stdin; rejects with its stderr on failure. */
export async function runFfmpeg(args: readonly string[], input?: Buffer, timeoutMs = 120_000): Promise<Buffer> {
  const child = spawnFfmpeg(args);
  const chunks: Buffer[] = [];
  child.proc.stdout.on('data', (d: Buffer) => chunks.push(d));
  if (input) child.proc.stdin.end(input);
  else child.proc.stdin.end();
  const timer = setTimeout(() => void child.kill(), timeoutMs);
  const { code, stderr } = await child.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`ffmpeg exited with ${code}: ${stderr.trim().slice(-800)}`);
  return Buffer.concat(chunks);
}

/** Number of ffmpeg children of this process still running (tests assert it returns to 0). */
export function liveFfmpegCount(): number {
  return live.size;
}
