// CPU time of process trees from /proc (clock ticks -> seconds), for benches that compare processes.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS = 100;

interface Proc { pid: number; ppid: number; cpuS: number; cmd: string }

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    return { pid, ppid: Number(rest[1]), cpuS: (Number(rest[11]) + Number(rest[12])) / TICKS, cmd };
  } catch {
    return undefined;
  }
}

export function allProcs(): Proc[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d))).filter((p): p is Proc => !!p);
}

/** A process and all its descendants (filtered by command line when `match` is given). */
export function tree(root: number, match?: RegExp): Proc[] {
  const procs = allProcs();
  const out: Proc[] = [];
  const walk = (pid: number) => {
    for (const p of procs) if (p.ppid === pid) { out.push(p); walk(p.pid); }
  };
  const self = procs.find((p) => p.pid === root);
  if (self) out.push(self);
  walk(root);
  return match ? out.filter((p) => match.test(p.cmd)) : out;
}

/** CPU % of one core used by the processes `select()` returns, over `seconds` (processes may come and go). */
export async function measureCpu(select: () => Proc[], seconds: number): Promise<number> {
  return (await measureCpuOf(select, seconds, () => true))[0];
}

/** Like measureCpu, and in the same window the share of the processes that `part` picks: [all, part]. */
export async function measureCpuOf(select: () => Proc[], seconds: number, part: (p: Proc) => boolean): Promise<[number, number]> {
  const before = new Map(select().map((p) => [p.pid, p.cpuS]));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  let used = 0;
  let partUsed = 0;
  for (const p of select()) {
    const d = p.cpuS - (before.get(p.pid) ?? 0);
    used += d;
    if (part(p)) partUsed += d;
  }
  return [(100 * used) / elapsed, (100 * partUsed) / elapsed];
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
