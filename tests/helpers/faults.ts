// Fault runs shared by tests/integration/faults-*.test.ts (short) and scripts/bench/faults.ts (long): a camera that drops
// off the network again and again while the station records it; SIGTERM to a station recording many channels.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientSession } from '../../electron/core/client-session';
import { scanSegment } from '../../electron/core/recording/segment-file';
import { withCredentials } from '../../scripts/camsim/fleet';
import { probeFrames } from './archive-media';
import { startCamsim } from './camsim-process';
import { openStation } from './in-process-station';
import { stationCall } from './station-call';
import { startStation } from './station-process';
import { wsClient } from './ws-client';

export interface FlapReport {
  flaps: number;
  /** Per return of the camera: ms from its return until the station's stream was live again. */
  reconnectMs: number[];
  /** Per drop: |the timeline's hole over it − the camera's real down time|, ms (the whole down time when none shows). */
  gapErrorMs: number[];
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
 * camsim (its own process) serves one camera; an in-process station records it continuously. Every `periodMs` the camera
 * goes offline for `downMs` through camsim's fault API. Measures reconnection after each return, the timeline's gaps
 * against the real down time, and the handles left over once the station has settled again.
 */
export async function cameraFlaps(opts: { flaps: number; periodMs: number; downMs: number }): Promise<FlapReport> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-flap-'));
  const camsim = await startCamsim(['--devices', '1', '--channels', '1']);
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
    // 300 ms, are drawn as recorded), each matched with the drop it falls in. A camera that kept capturing sends its buffered GOP on
    // return, so a hole can be up to a GOP shorter than the down time.
    const holes = spans.slice(1).map((sp, i) => ({ from: spans[i]!.end, to: sp.start }));
    const gapErrorMs = downs.map((d) => {
      const h = holes.filter((x) => x.to > d.down - 1000 && x.from < d.up + 5000);
      return Math.abs(h.reduce((n, x) => n + x.to - x.from, 0) - (d.up - d.down));
    });
    return { flaps: opts.flaps, reconnectMs, gapErrorMs, leaked, leakedTotal: Object.values(leaked).reduce((a, b) => a + b, 0) };
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
