// Fault runs shared by tests/integration/faults-*.test.ts (short) and scripts/bench/faults.ts (long): a camera that drops
// off the network again and again while the station records it; SIGTERM to a station recording many channels; a disk
// that fills.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ClientSession } from '../../electron/core/client-session';
import { scanSegment } from '../../electron/core/recording/segment-file';
import { withCredentials } from '../../scripts/camsim/fleet';
import { probeFrames } from './archive-media';
import { codeOfJpeg } from './video-code';
import { startCamsim } from './camsim-process';
import { openStation } from './in-process-station';
import { stationCall } from './station-call';
import { startStation } from './station-process';
import { wsClient } from './ws-client';

export interface FlapReport {
  flaps: number;
  /** Per return of the camera: ms from its return until the station's stream was live again. */
  reconnectMs: number[];
  /**
   * Per drop: |the timeline's hole over it − the video the camera did not deliver|, ms: from the drop to the capture time
   * (its timestamp code) of the first frame recorded after it. camsim keeps capturing while off the network and starts a
   * new session with its current GOP, so up to a GOP (2 s) of the down time reaches the archive after all.
   */
  gapErrorMs: number[];
  /** Per drop: |the timeline's hole − the network's down time|, ms (the whole down time when no hole shows). */
  gapVsDownMs: number[];
  /** Handles (sockets, timers, child processes…) more after the flaps than before, by kind. */
  leaked: Record<string, number>;
  leakedTotal: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Live handles of this process by kind (node's own view: TCPSocketWrap, Timeout, ProcessWrap…), the least of a few looks
 * half a second apart; file requests in flight (FSReq*) come and go with every write and are not handles anyone keeps.
 */
async function handles(): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (let look = 0; look < 3; look++) {
    const now = new Map<string, number>();
    for (const k of process.getActiveResourcesInfo()) if (!k.startsWith('FSReq')) now.set(k, (now.get(k) ?? 0) + 1);
    for (const k of new Set([...m.keys(), ...now.keys()])) m.set(k, look === 0 ? now.get(k) ?? 0 : Math.min(m.get(k) ?? 0, now.get(k) ?? 0));
    await sleep(500);
  }
  return m;
}

/**
 * camsim (its own process) serves one camera, live-encoded so each frame carries its capture time; an in-process station
 * records it continuously. Every `periodMs` the camera goes offline for `downMs` through camsim's fault API. Measures
 * reconnection after each return, the timeline's gaps against the video that did not arrive and against the network's
 * down time, and the handles left over once the station has settled again.
 */
export async function cameraFlaps(opts: { flaps: number; periodMs: number; downMs: number }): Promise<FlapReport> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-flap-'));
  const camsim = await startCamsim(['--devices', '1', '--channels', '1', '--live']);
  const st = await openStation(join(dir, 'data'), { media: { graceMs: 500, stallMs: 3000 }, recording: { statusEveryMs: 500 } });
  const session = new ClientSession('faults');
  try {
    const device = camsim.manifest.devices[0]!;
    const { id } = await stationCall(st, session, 'channels.addRtsp', { name: 'Flap', mainUrl: withCredentials(device.channels[0]!.sub.rtsp), subUrl: null });
    const streamId = `${id}/main`;
    const live: number[] = [];
    let state = '';
    const off = st.signals.subscribe((name, payload) => {
      const s = payload as { streamId?: string; state?: string };
      if (name !== 'stream.status' || s.streamId !== streamId) return;
      if (s.state === 'live' && state !== 'live') live.push(Date.now());
      state = s.state ?? '';
    });
    await stationCall(st, session, 'recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
    // Edge backfill off: the gaps measured are the station's own record of the drops (camsim's card would fill them;
    // backfill.test.ts covers that).
    await stationCall(st, session, 'recording.setChannels', { channelIds: [id], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null, backfill: false });
    for (const until = Date.now() + 60_000; state !== 'live'; await sleep(50)) if (Date.now() > until) throw new Error(`stream ${streamId} never went live`);
    await sleep(3000);
    const before = await handles();
    const t0 = Date.now();
    const reconnectMs: number[] = [];
    const downs: { down: number; up: number }[] = [];
    for (let i = 0; i < opts.flaps; i++) {
      const start = Date.now();
      const down = Date.now();
      await camsim.fault(device.id, { type: 'offline', seconds: opts.downMs / 1000 });
      const up = down + opts.downMs;
      downs.push({ down, up });
      // Live again after the camera's return (a generous bound: what it took is the figure).
      for (const until = up + 60_000; !live.some((t) => t > up); await sleep(20)) if (Date.now() > until) throw new Error(`flap ${i}: not live 60 s after the camera returned`);
      reconnectMs.push(live.find((t) => t > up)! - up);
      await sleep(Math.max(0, start + opts.periodMs - Date.now()));
    }
    // Settled: a few seconds recording after the last return, then the handles are compared.
    await sleep(3000);
    const after = await handles();
    const leaked: Record<string, number> = {};
    for (const [k, n] of after) if (n > (before.get(k) ?? 0)) leaked[k] = n - (before.get(k) ?? 0);
    off();
    const [tl] = await stationCall(st, session, 'archive.timeline', { channelIds: [id], from: t0 - 60_000, to: Date.now() });
    const { spans } = tl as { spans: { start: number; end: number }[] };
    // The timeline's holes between recorded spans (what the page shows as not recorded; only holes under SPAN_JOIN_MS,
    // 300 ms, are drawn as recorded), each matched with the drop it falls in. What truly went unrecorded runs from the drop
    // to the capture time of the first frame after it, read from that keyframe's timestamp code.
    const holes = spans.slice(1).map((sp, i) => ({ from: spans[i]!.end, to: sp.start }));
    const gapErrorMs: number[] = [];
    const gapVsDownMs: number[] = [];
    for (const d of downs) {
      const h = holes.filter((x) => x.to > d.down - 1000 && x.from < d.up + 5000);
      const hole = h.reduce((n, x) => n + x.to - x.from, 0);
      gapVsDownMs.push(Math.abs(hole - (d.up - d.down)));
      const back = h.length ? h[h.length - 1]!.to : d.up;
      const thumb = (await stationCall(st, session, 'archive.thumbnail', { source: 'local', channelId: id, at: back + 20 })) as { jpegBase64: string } | null;
      const captured = thumb ? codeOfJpeg(Buffer.from(thumb.jpegBase64, 'base64')) : null;
      if (captured === null) throw new Error(`flap at ${new Date(d.down).toISOString()}: no readable frame after the hole`);
      gapErrorMs.push(Math.abs(hole - (captured - d.down)));
    }
    return { flaps: opts.flaps, reconnectMs, gapErrorMs, gapVsDownMs, leaked, leakedTotal: Object.values(leaked).reduce((a, b) => a + b, 0) };
  } finally {
    await st.dispose().catch(() => {});
    await camsim.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]! : 0;
}

export interface ShutdownReport {
  channels: number;
  /** SIGTERM to exit, ms. */
  shutdownMs: number;
  exitCode: number | null;
  segments: number;
  /** Segments the index still holds open, or whose file ends in a cut fragment, or that do not play. */
  unclean: string[];
}

/**
 * The station as its own process (npm run station) recording `channels` camsim streams; SIGTERM once every channel
 * records. Measures the shutdown and checks every segment it wrote: closed in the index, no cut fragment, playable.
 */
export async function sigtermUnderLoad(opts: { channels: number; recordMs: number }): Promise<ShutdownReport> {
  const devices = Math.ceil(opts.channels / 4);
  const camsim = await startCamsim(['--devices', String(devices), '--channels', String(Math.min(4, opts.channels))]);
  const station = await startStation();
  try {
    const ws = await wsClient(station.url);
    const urls = camsim.manifest.devices.flatMap((d) => d.channels.map((c) => withCredentials(c.sub.rtsp))).slice(0, opts.channels);
    const ids: number[] = [];
    for (const [i, url] of urls.entries()) ids.push((await ws.call<{ id: number }>('channels.addRtsp', { name: `Load ${i + 1}`, mainUrl: url, subUrl: null })).id);
    await ws.call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
    await ws.call('recording.setChannels', { channelIds: ids, mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
    for (const until = Date.now() + 90_000; ; await sleep(500)) {
      const s = await ws.call<{ channels: { state: string }[] }>('recording.status', {});
      if (s.channels.length === ids.length && s.channels.every((c) => c.state === 'recording')) break;
      if (Date.now() > until) throw new Error(`not every channel records: ${JSON.stringify(s.channels.map((c) => c.state))}`);
    }
    await sleep(opts.recordMs);
    ws.close();
    const t0 = performance.now();
    const exitCode = await station.stop();
    const shutdownMs = performance.now() - t0;
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(station.dataDir, 'station.db'), { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT path, closed FROM rec_segment').all() as { path: string; closed: number }[];
    const integrity = db.pragma('integrity_check', { simple: true });
    db.close();
    const unclean: string[] = integrity === 'ok' ? [] : [`index: ${String(integrity)}`];
    for (const r of rows) {
      const path = join(station.dataDir, 'recordings', r.path);
      const scanned = scanSegment(path);
      const frames = probeFrames(path);
      if (!r.closed) unclean.push(`${r.path}: open in the index`);
      else if (!scanned || scanned.validBytes !== scanned.fileBytes) unclean.push(`${r.path}: ends in a cut fragment`);
      else if (typeof frames !== 'number' || frames === 0) unclean.push(`${r.path}: does not play (${frames})`);
    }
    return { channels: ids.length, shutdownMs, exitCode, segments: rows.length, unclean };
  } finally {
    await station.stop();
    await camsim.stop();
    rmSync(station.dataDir, { recursive: true, force: true });
  }
}

export interface DiskFullReport {
  /** Recording stopped with a disk gap when free space fell under the floor. */
  floorHeld: boolean;
  /** Locked evidence files still on disk after both fills. */
  lockedKept: boolean;
  /** Live view went on while the disk was full (both fills). */
  liveKept: boolean;
  /** Times recording resumed by itself once space was freed (of 2: under the floor, then full to the last byte). */
  recovered: number;
  /** SQLite integrity checks of the index that failed (of 3). */
  corruptIndexes: number;
}

/** A small tmpfs for the disk-full run (as root), or why none can be made here. */
export function smallDisk(sizeMb = 48): { mnt: string; cannot: string | null; remove: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'wp-diskfull-'));
  const mnt = join(base, 'mnt');
  mkdirSync(mnt);
  let cannot: string | null = null;
  if (process.getuid?.() !== 0) cannot = 'not root: a tmpfs cannot be mounted';
  else {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', mnt], { stdio: 'pipe' });
    } catch (err) {
      cannot = `mount -t tmpfs failed: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  return { mnt, cannot, remove: () => { if (!cannot) execFileSync('umount', ['-l', mnt]); rmSync(base, { recursive: true, force: true }); } };
}

/**
 * Disk full: the station's whole data folder (SQLite index and recordings) on `mnt`, a small filesystem. A file fills it
 * past the free-space floor, later to the last byte (SQLite's own writes then fail with "database or disk is full");
 * each time the space is freed again. What held is returned, not asserted: the test and bench:faults judge it.
 */
export async function diskFull(mnt: string): Promise<DiskFullReport> {
  const MiB = 1024 * 1024;
  const camsim = await startCamsim(['--devices', '1', '--channels', '1']);
  const st = await openStation(join(mnt, 'data'), { media: { graceMs: 500, stallMs: 3000 }, recording: { statusEveryMs: 500 } });
  const free = () => { const s = statfsSync(mnt); return s.bavail * s.bsize; };
  const report: DiskFullReport = { floorHeld: false, lockedKept: true, liveKept: true, recovered: 0, corruptIndexes: 0 };
  try {
    const session = new ClientSession('diskfull');
    const call = <T = any>(name: string, input: unknown) => stationCall(st, session, name as never, input) as Promise<T>;
    const { id } = await call<{ id: number }>('channels.addRtsp', { name: 'Disk', mainUrl: withCredentials(camsim.manifest.devices[0]!.channels[0]!.sub.rtsp), subUrl: null });
    await call('recording.setArchive', { segmentSeconds: 2, quotaBytes: null, freeFloorBytes: 8 * MiB });
    await call('recording.setChannels', { channelIds: [id], mode: 'continuous', stream: 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
    const state = async () => (await call<{ channels: { channelId: number; state: string; gapReason?: string }[] }>('recording.status', {})).channels.find((c) => c.channelId === id);
    const until = async (ok: () => Promise<boolean>, ms = 30_000) => {
      for (const end = Date.now() + ms; Date.now() < end; await sleep(250)) if (await ok()) return true;
      return false;
    };
    const recordsAfter = async (t: number) => {
      const [tl] = await call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { channelIds: [id], from: t - 120_000, to: Date.now() });
      return (tl?.spans.at(-1)?.end ?? 0) > t;
    };
    const live = async () => (await call<{ streamId: string; state: string }[]>('streams.status', {})).find((s) => s.streamId === `${id}/main`)?.state === 'live';
    const dbPath = join(mnt, 'data', 'station.db');
    const intact = () => {
      const db = new Database(dbPath, { readonly: true, fileMustExist: true });
      try { return db.pragma('integrity_check', { simple: true }) === 'ok'; } finally { db.close(); }
    };
    if (!(await until(async () => (await state())?.state === 'recording'))) throw new Error('diskFull: the channel never recorded');
    await sleep(6000);

    // Evidence: the first seconds recorded, locked.
    const t0 = Date.now();
    const [tl] = await call<{ spans: { start: number; end: number }[] }[]>('archive.timeline', { channelIds: [id], from: t0 - 60_000, to: t0 });
    const first = tl!.spans[0]!;
    await call('archive.lock', { channelId: id, from: first.start, to: first.start + 2000, reason: 'disk-full evidence' });
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    const locked = (db.prepare('SELECT path FROM rec_segment WHERE channel_id = ? AND start_ms < ? AND end_ms > ?').all(id, first.start + 2000, first.start) as { path: string }[]).map((r) => join(mnt, 'data', 'recordings', r.path));
    db.close();
    if (!locked.length) throw new Error('diskFull: no segment under the locked range');
    const check = async () => {
      report.lockedKept &&= locked.every((p) => existsSync(p));
      report.liveKept &&= await live();
      if (!intact()) report.corruptIndexes++;
    };

    // Under the floor: a file takes all but 2 MiB (the floor is 8 MiB).
    const filler = join(mnt, 'filler.bin');
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 2 * MiB)));
    report.floorHeld = await until(async () => (await state())?.gapReason === 'disk');
    await sleep(4000);
    await check();
    rmSync(filler);
    let freedAt = Date.now();
    if (await until(async () => (await state())?.state === 'recording') && await until(() => recordsAfter(freedAt + 3000), 15_000)) report.recovered++;

    // Full to the last byte.
    const fd = openSync(filler, 'w');
    try {
      for (const chunk = Buffer.alloc(MiB); ;) writeSync(fd, chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally { closeSync(fd); }
    await sleep(6000);
    await check();
    rmSync(filler);
    freedAt = Date.now();
    if (await until(async () => (await state())?.state === 'recording') && await until(() => recordsAfter(freedAt + 3000), 15_000)) report.recovered++;
    report.lockedKept &&= locked.every((p) => existsSync(p));
    if (!intact()) report.corruptIndexes++;
    return report;
  } finally {
    await st.dispose();
    await camsim.stop();
  }
}
