// Edge backfill runs shared by tests/integration/backfill.test.ts (20 s) and scripts/bench/faults.ts (60 s): a camsim
// camera refuses the station (offline through the fault API) while it keeps recording to its card, maybe with part of
// its card lost; the station records it and, once it is back, fills the outage from the card. Measures how much of what
// the card held was filled and how long that took, and reads the archive across the outage as playback would.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientSession } from '../../electron/core/client-session';
import { ArchiveCursor, isInit } from '../../electron/core/recording/archive-reader';
import { openDatabase } from '../../electron/core/storage/db';
import { applyFault } from '../../scripts/camsim/control';
import { DEFAULT_PASSWORD, startFleet, withCredentials } from '../../scripts/camsim/fleet';
import type { Flavour } from '../../scripts/camsim/flavours';
import { openStation } from './in-process-station';
import { stationCall } from './station-call';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Interval { start: number; end: number }
interface Tl { spans: Interval[]; filled: Interval[]; gaps: (Interval & { reason: string })[] }

export interface OutageReport {
  down: number;
  up: number;
  /** The part of the card the fault took away, if any. */
  lost?: Interval;
  /** ms from the camera's return until no camera_offline gap was left over the outage. */
  fillMs: number;
  /** Milliseconds of the outage shown as filled from the card, and as not_on_card. */
  filledMs: number;
  lackingMs: number;
  /** The outage in the archive now (recorded live at its edges, or filled) over the part of it the card held (1.0: all). */
  fillRatio: number;
  timeline: Tl;
  /** Wall times of every video frame the archive reader gives from 3 s before the drop to 3 s after the return. */
  frames: number[];
  /** Closed segments marked from the camera. */
  segmentsFromCamera: number;
}

const overlap = (xs: Interval[], a: number, b: number) => xs.reduce((n, x) => n + Math.max(0, Math.min(x.end, b) - Math.max(x.start, a)), 0);

/**
 * One camera (its sub stream recorded as the channel's main), recording for a few seconds, then down for `downMs`; with
 * `lose` the card lacks [down + lose.from, down + lose.to). Resolves once the outage is filled (or after `waitMs`).
 * `via` adds the camera as a device (ONVIF or Dahua driver, its sub stream recorded) instead of by RTSP URL; `flavour`
 * and `tz` (POSIX, the camera's time zone) shape the camera; `cardTimeZone` is the channel's setting of that zone (a
 * channel added by URL).
 */
export async function cardOutage(opts: {
  downMs: number; lose?: { from: number; to: number }; waitMs?: number; subnet?: string;
  via?: 'rtsp' | 'onvif' | 'dahua'; flavour?: Flavour; tz?: string; cardTimeZone?: string;
}): Promise<OutageReport> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-backfill-'));
  const dataDir = join(dir, 'data');
  const fleet = await startFleet({ devices: 1, channels: 1, subnet: opts.subnet ?? 'random', ports: 'ephemeral', ...(opts.flavour ? { flavour: opts.flavour } : {}) });
  if (opts.tz) fleet.device(0).time.tz = opts.tz;
  const st = await openStation(dataDir, {
    media: { graceMs: 500, stallMs: 3000 },
    recording: { statusEveryMs: 500, backfill: { scanMs: 1000, settleMs: 2000, idleMs: 8000 } },
  });
  const session = new ClientSession('backfill');
  try {
    const device = fleet.device(0);
    const sub = fleet.manifest.devices[0]!.channels[0]!.sub;
    let id: number;
    if (opts.via && opts.via !== 'rtsp') {
      const m = fleet.manifest.devices[0]!;
      const added = await stationCall(st, session, 'devices.add', { address: m.ip, httpPort: m.ports.http, username: 'admin', password: DEFAULT_PASSWORD, driver: opts.via }) as { channels: { channelId: number }[] };
      id = added.channels[0]!.channelId;
    } else {
      id = (await stationCall(st, session, 'channels.addRtsp', { name: 'Card', mainUrl: withCredentials(sub.rtsp), subUrl: null }) as { id: number }).id;
    }
    await stationCall(st, session, 'recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
    await stationCall(st, session, 'recording.setChannels', {
      channelIds: [id], mode: 'continuous', stream: opts.via && opts.via !== 'rtsp' ? 'sub' : 'main', schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null,
      ...(opts.cardTimeZone ? { cardTimeZone: opts.cardTimeZone } : {}),
    });
    for (const until = Date.now() + 30_000; ; await sleep(250)) {
      const s = await stationCall(st, session, 'recording.status', {}) as { channels: { state: string }[] };
      if (s.channels[0]?.state === 'recording') break;
      if (Date.now() > until) throw new Error('the channel never recorded');
    }
    await sleep(6000);

    const down = Date.now();
    await applyFault(device, { type: 'offline', seconds: opts.downMs / 1000 });
    const lost = opts.lose && { start: down + opts.lose.from, end: down + opts.lose.to };
    if (lost) await applyFault(device, { type: 'card-gap', channel: 1, profile: 'sub', start: lost.start, end: lost.end });
    const up = down + opts.downMs;
    await device.whenOnline(opts.downMs + 30_000);

    let timeline!: Tl;
    for (const until = up + (opts.waitMs ?? 120_000); ; await sleep(500)) {
      timeline = ((await stationCall(st, session, 'archive.timeline', { channelIds: [id], from: down - 30_000, to: Date.now() })) as Tl[])[0]!;
      const offline = timeline.gaps.filter((g) => g.reason === 'camera_offline' && g.end > down && g.start < up);
      if (timeline.filled.length && offline.length === 0) break;
      if (Date.now() > until) throw new Error(`not filled ${Math.round((Date.now() - up) / 1000)} s after the camera returned: ${JSON.stringify(timeline)}`);
    }
    const fillMs = Date.now() - up;
    const filledMs = overlap(timeline.filled, down, up);
    const lackingMs = overlap(timeline.gaps.filter((g) => g.reason === 'not_on_card'), down, up);
    // What the card held: the outage less what the station was told is not on it (a hole in the card ends at a keyframe).
    const held = up - down - lackingMs;
    const covered = overlap(timeline.spans, down, up);

    const db = openDatabase(join(dataDir, 'station.db'));
    const cursor = new ArchiveCursor({ id: 'local', db, root: join(dataDir, 'recordings'), label: 'backfill' }, id);
    const frames: number[] = [];
    let segmentsFromCamera = 0;
    try {
      if (cursor.seek(down - 3000) !== undefined) {
        for (let x = cursor.next(); x && (isInit(x) || x.wall < up + 3000); x = cursor.next()) if (!isInit(x) && x.info.video) frames.push(x.wall);
      }
      segmentsFromCamera = (db.prepare('SELECT count(*) AS n FROM rec_segment WHERE channel_id = ? AND from_camera = 1 AND closed = 1').get(id) as { n: number }).n;
    } finally {
      cursor.close();
      db.close();
    }
    return { down, up, lost, fillMs, filledMs, lackingMs, fillRatio: held > 0 ? Math.min(1, covered / held) : 0, timeline, frames, segmentsFromCamera };
  } finally {
    await st.dispose().catch(() => {});
    await fleet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Steps between consecutive frames longer than `ms` (holes in what playback shows), and the largest step back in time. */
export function frameHoles(frames: number[], ms = 1000): { holes: [number, number][]; backMs: number } {
  const holes: [number, number][] = [];
  let backMs = 0;
  for (let i = 1; i < frames.length; i++) {
    const d = frames[i]! - frames[i - 1]!;
    if (d > ms) holes.push([frames[i - 1]!, frames[i]!]);
    if (d < 0) backMs = Math.max(backMs, -d);
  }
  return { holes, backMs };
}
