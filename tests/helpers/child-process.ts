// Ending a child process a test started, so it is reaped whether it is still running or already gone.
import type { ChildProcess } from 'node:child_process';

/** Sends `signal` and resolves with the exit code once the process is gone; at once if it is gone already (also by a signal). */
export function endProcess(p: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((res) => {
    if (p.exitCode !== null || p.signalCode !== null) return res(p.exitCode);
    p.once('exit', (code) => res(code));
    p.kill(signal);
  });
}
