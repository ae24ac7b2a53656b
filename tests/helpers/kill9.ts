// Runs the recorder fixture and kills it with SIGKILL at a random moment, repeatedly; then checks the archive.
import type { spawn as nodeSpawn } from 'node:child_process';
import { join } from 'node:path';
import { openDatabase } from '../../electron/core/storage/db';
import { reconcileOpen } from '../../electron/core/recording/reconcile';
import type { SegmentRow } from '../../electron/core/recording/segment-index';
import { probeFrames } from './archive-media';
import { ROOT } from './station-process';

export interface KillReport { runs: number; corruptIndexes: number; lostMax: number; lost: number[]; unplayable: string[]; segments: number; fragmentsFed: number }

const RUN_SPACING_MS = 3_600_000;
const T0 = Date.UTC(2025, 0, 6, 8, 0, 0);

export async function killRuns(opts: { dir: string; runs: number; channels: number; spawn: typeof nodeSpawn; killAfterMs?: [number, number] }): Promise<KillReport> {
  const fed: Map<number, number>[] = [];
  let corruptIndexes = 0;
  for (let run = 0; run < opts.runs; run++) {
    const p = opts.spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/fixtures/recorder-process.ts'), opts.dir, String(T0 + run * RUN_SPACING_MS), String(opts.channels)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const last = new Map<number, number>();
    let out = '';
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    const ready = new Promise<void>((res, rej) => {
      p.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const lines = out.split('\n');
        out = lines.pop()!;
        for (const l of lines) {
          if (l.startsWith('READY')) { res(); continue; }
          const m = /^F (\d+) (\d+)$/.exec(l);
          if (m) last.set(Number(m[1]), Number(m[2]));
        }
      });
      p.once('exit', (code) => rej(new Error(`recorder exited ${code} before READY: ${err}`)));
    });
    await ready;
    const [lo, hi] = opts.killAfterMs ?? [700, 2200];
    await new Promise((r) => setTimeout(r, lo + Math.random() * (hi - lo)));
    // A loaded machine feeds slower: the kill still lands at a random moment, but never before 100 fragments per channel.
    for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((r) => setTimeout(r, 20))) {
      if (last.size === opts.channels && [...last.values()].every((n) => n >= 100)) break;
    }
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
    if (err.trim()) throw new Error(`recorder wrote to stderr: ${err}`);
    fed.push(last);
  }
  // Restart once more (what the station does at start) and check everything.
  const db = openDatabase(join(opts.dir, 'station.db'));
  try {
    if (db.pragma('integrity_check', { simple: true }) !== 'ok') corruptIndexes++;
    reconcileOpen(db, join(opts.dir, 'recordings'));
    const rows = db.prepare('SELECT * FROM rec_segment ORDER BY channel_id, start_ms').all() as SegmentRow[];
    const unplayable: string[] = [];
    for (const r of rows) {
      const frames = probeFrames(join(opts.dir, 'recordings', r.path));
      const expected = Math.round((r.end_ms - r.start_ms) / 40);
      if (frames !== expected) unplayable.push(`${r.path}: ${frames} frames, index says ${expected}`);
    }
    const lost: number[] = [];
    fed.forEach((last, run) => {
      const start = T0 + run * RUN_SPACING_MS;
      for (const [ch, n] of last) {
        const end = (db.prepare('SELECT max(end_ms) AS e FROM rec_segment WHERE channel_id = ? AND start_ms >= ? AND start_ms < ?').get(ch, start, start + RUN_SPACING_MS) as { e: number | null }).e;
        const onDisk = end === null ? 0 : Math.round((end - start) / 40);
        lost.push(Math.max(0, n + 1 - onDisk));
      }
    });
    return {
      runs: opts.runs, corruptIndexes, lostMax: Math.max(0, ...lost), lost, unplayable, segments: rows.length,
      fragmentsFed: fed.reduce((a, m) => a + [...m.values()].reduce((x, y) => x + y + 1, 0), 0),
    };
  } finally {
    db.close();
  }
}
