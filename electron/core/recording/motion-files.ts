// The motion grid travels with the recordings folder: an append-only file per channel and hour beside that hour's
// segments (`<channel>/<day>/<HH>/c<channel>-motion.bin`), read back into an opened folder's index so archive.motionSearch
// works there too; retention deletes it with the hour's last segment.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const MOTION_FILE = /^c(\d+)-motion\.bin$/;
/** 'M', the sample's start (float64 ms), its 72 bytes of cells: a 500 ms sample where something moved. */
const MOVED = 0x4d;
/** 'C', start and end (float64 ms): time the grid was computed for (moving or not). */
const COVERED = 0x43;
const GRID_BYTES = 72;
const MOVED_BYTES = 1 + 8 + GRID_BYTES;
const COVERED_BYTES = 1 + 8 + 8;

/** The hour folder a segment starting at `at` goes to (as segmentRelPath names it), and the channel's motion file there. */
export function motionFileRel(channelId: number, at: number): string {
  const d = new Date(at).toISOString();
  return join(String(channelId), d.slice(0, 10), d.slice(11, 13), `c${channelId}-motion.bin`);
}

export interface MotionBatch { moved: { at: number; grid: Uint8Array }[]; covered: { start: number; end: number }[] }

/** Appends a channel's samples and covered time to its hour files under `root` (one write per hour file). */
export function appendMotion(root: string, channelId: number, batch: MotionBatch): void {
  const files = new Map<string, Buffer[]>();
  const put = (at: number, b: Buffer) => {
    const rel = motionFileRel(channelId, at);
    (files.get(rel) ?? files.set(rel, []).get(rel)!).push(b);
  };
  for (const m of batch.moved) {
    const b = Buffer.alloc(MOVED_BYTES);
    b[0] = MOVED;
    b.writeDoubleLE(m.at, 1);
    b.set(m.grid, 9);
    put(m.at, b);
  }
  for (const c of batch.covered) {
    const b = Buffer.alloc(COVERED_BYTES);
    b[0] = COVERED;
    b.writeDoubleLE(c.start, 1);
    b.writeDoubleLE(c.end, 9);
    put(c.start, b);
  }
  for (const [rel, parts] of files) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, Buffer.concat(parts));
  }
}

/** A motion file's records, up to the first that is cut or unknown (a crash mid-append). */
export function readMotionFile(path: string): MotionBatch {
  const out: MotionBatch = { moved: [], covered: [] };
  let buf: Buffer;
  try { buf = readFileSync(path); } catch { return out; }
  for (let o = 0; o < buf.length;) {
    if (buf[o] === MOVED && o + MOVED_BYTES <= buf.length) {
      out.moved.push({ at: buf.readDoubleLE(o + 1), grid: buf.subarray(o + 9, o + MOVED_BYTES) });
      o += MOVED_BYTES;
    } else if (buf[o] === COVERED && o + COVERED_BYTES <= buf.length) {
      out.covered.push({ start: buf.readDoubleLE(o + 1), end: buf.readDoubleLE(o + 9) });
      o += COVERED_BYTES;
    } else break;
  }
  return out;
}

function list(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/** Every motion file of a recordings folder, with its channel. */
export function motionFiles(root: string): { channelId: number; path: string }[] {
  const out: { channelId: number; path: string }[] = [];
  for (const ch of list(root).filter((n) => /^\d+$/.test(n))) {
    for (const day of list(join(root, ch))) {
      for (const hour of list(join(root, ch, day))) {
        for (const name of list(join(root, ch, day, hour))) {
          const m = MOTION_FILE.exec(name);
          if (m && m[1] === ch) out.push({ channelId: Number(ch), path: join(root, ch, day, hour, name) });
        }
      }
    }
  }
  return out;
}

/**
 * An hour folder's segments all moved to `toDir` (the recordings folder changed): its motion files follow, appended to
 * any the recorders already wrote there since. A folder still holding a segment keeps them.
 */
export function moveMotionWithSegments(fromDir: string, toDir: string): void {
  const names = list(fromDir);
  if (names.some((n) => n.endsWith('.mp4'))) return;
  for (const n of names.filter((x) => MOTION_FILE.test(x))) {
    mkdirSync(toDir, { recursive: true });
    appendFileSync(join(toDir, n), readFileSync(join(fromDir, n)));
    unlinkSync(join(fromDir, n));
  }
}

/** A segment file was deleted: when its hour folder holds no segment any more, its motion files go too. */
export function dropMotionWithLastSegment(segmentPath: string): void {
  const dir = dirname(segmentPath);
  const names = list(dir);
  if (names.some((n) => n.endsWith('.mp4'))) return;
  for (const n of names) if (MOTION_FILE.test(n) && existsSync(join(dir, n))) unlinkSync(join(dir, n));
}
