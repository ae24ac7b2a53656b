import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface InstanceInfo { pid: number; url?: string }

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One station per data folder: takes <dataDir>/station.lock or throws, naming the running one.
 * A lock left by a dead process is taken over.
 */
export function acquireInstanceLock(dataDir: string): { update(info: InstanceInfo): void; release(): void } {
  const file = join(dataDir, 'station.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      const write = (info: InstanceInfo) => {
        writeSync(fd, JSON.stringify(info).padEnd(512), 0);
      };
      write({ pid: process.pid });
      return {
        update: write,
        release() {
          closeSync(fd);
          try { unlinkSync(file); } catch { /* already gone */ }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let info: InstanceInfo | undefined;
      try { info = JSON.parse(readFileSync(file, 'utf8')) as InstanceInfo; } catch { /* half-written or foreign */ }
      if (info && alive(info.pid) && info.pid !== process.pid) {
        const where = info.url ? ` at ${info.url.replace(/\?token=.*/, '')}` : '';
        throw new Error(`Watchpost is already running on data folder ${dataDir} (pid ${info.pid}${where}).`);
      }
      unlinkSync(file);
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
