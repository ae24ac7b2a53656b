// Edge backfill: video the station missed while a camera was unreachable, fetched from the camera's own card once it is
// back. A closed camera_offline gap is looked at after it settles; the time in it that no segment covers is asked of
// the camera (Dahua's /cam/playback URL, or an ONVIF Profile G replay URI with a clock Range) and read at a bounded rate
// (the socket is paused, so TCP holds the camera back and live view keeps its bandwidth). What comes is written as
// ordinary segments marked from_camera, so playback, export, retention and reconcile take them as any other; what the
// card lacks stays a gap, now with the reason not_on_card. Segments are written through segment-writer.ts, as the
// recorder writes them.
import { closeSync, ftruncateSync, openSync, unlinkSync } from 'node:fs';
import type { Logger } from '../log';
import type { Fmp4Part, FragmentInfo, TrackInfo } from '../media/fmp4';
import { openRtspSource, type RtspResponse } from '../media/rtsp-source';
import type { ArchiveHost } from './recorder';
import { segmentFile } from './segment-file';
import {
  insertGap, insertSpan, isLocked, packKeyframes, prevSegment, segmentsIn, SPAN_JOIN_MS, unpackKeyframes,
  type Keyframe, type SegmentRow, type StreamKind,
} from './segment-index';
import { SegmentWriter } from './segment-writer';

/** Where and how to ask a camera for a range of its card. */
export interface CardSource {
  url: string;
  /** Sent with every request (ONVIF replay: `Require: onvif-replay`). */
  headers?: Record<string, string>;
  /** PLAY's headers (the range, and `Rate-Control: no`: as fast as the station reads). */
  play: Record<string, string>;
}

export interface BackfillOptions {
  host: ArchiveHost;
  logger: Logger;
  /** The stream to fetch for a channel whose backfill is on, else undefined. */
  channel(channelId: number): StreamKind | undefined;
  /** Where the camera serves [start, end] of its card, or undefined when it has no playback the station speaks. */
  source(channelId: number, stream: StreamKind, start: number, end: number): Promise<CardSource | undefined>;
  /** Read rate cap, bytes a second (default 4 MiB/s). */
  bytesPerSecond?: number;
  /** How often closed gaps are looked for (default 5 s). */
  scanMs?: number;
  /** A gap is fetched once it has not grown for this long (default 3 s). */
  settleMs?: number;
  /** Gaps older than this are left alone (default 24 h: past most cards' reach). */
  maxAgeMs?: number;
  /** A fetch with no bytes for this long ends (default 15 s). */
  idleMs?: number;
  /** Something was filled (the timeline may change). */
  filled?(channelId: number, start: number, end: number): void;
}

export interface BackfillStats {
  gaps: number;
  /** Milliseconds of video written from cards, and asked for but not on them. */
  filledMs: number;
  missingMs: number;
  /** Wall-clock ms spent fetching. */
  fetchMs: number;
  bytes: number;
}

/**
 * A camera's RTSP URL that is Dahua's live form (`/cam/realmonitor?channel=N&subtype=S`) gives its playback URL. Its
 * `starttime`/`endtime` are the device's local clock (`YYYY_MM_DD_HH_mm_ss`, Dahua HTTP API "playback"): `localOffsetMs`
 * is how far that clock is ahead of UTC (the device's zone, from its time settings).
 */
export function dahuaPlayback(liveUrl: string, start: number, end: number, localOffsetMs = 0): CardSource | undefined {
  let u: URL;
  try { u = new URL(liveUrl); } catch { return undefined; }
  if (u.pathname.replace(/\/+$/, '') !== '/cam/realmonitor') return undefined;
  const t = (ms: number) => new Date(ms + localOffsetMs).toISOString().slice(0, 19).replace(/[-T:]/g, '_');
  const q = new URLSearchParams({ channel: u.searchParams.get('channel') ?? '1', subtype: u.searchParams.get('subtype') ?? '0', starttime: t(start), endtime: t(end + 1000) });
  u.pathname = '/cam/playback';
  u.search = q.toString();
  return { url: u.toString(), play: { Range: 'npt=0.000-', 'Rate-Control': 'no' } };
}

/** An ONVIF Profile G replay URI (GetReplayUri) for [start, end]: `Require: onvif-replay` and a UTC clock Range on PLAY (ONVIF Streaming §6). */
export function onvifReplay(replayUri: string, start: number, end: number): CardSource {
  const clock = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '');
  return { url: replayUri, headers: { Require: 'onvif-replay' }, play: { Range: `clock=${clock(start)}-${clock(end)}`, 'Rate-Control': 'no' } };
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();
/**
 * How far a clock kept in `zone` (an IANA name, or UTC) is ahead of UTC at the instant `at`, ms: its daylight saving time
 * included, as this runtime's time zone data has it. A channel added by RTSP URL has no device to ask its offset of.
 */
export function zoneOffsetMs(zone: string, at: number): number {
  if (zone === 'UTC') return 0;
  let f = zoneFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    zoneFormats.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(at).map((x) => [x.type, Number(x.value)]));
  const whole = at - (((at % 1000) + 1000) % 1000);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - whole;
}

/** What the device area knows of a channel's card (devices/device-service.ts `playbackOf`). */
export interface DeviceCard { replayUri?: string; localOffsetMs?: number }

/**
 * Where [start, end] of a channel's card is played: the device's Profile G replay URI when it has one (with the live URL's
 * credentials when it carries none), else Dahua's playback URL from the live URL, in the device's local time.
 */
export function cardSource(liveUrl: string, device: DeviceCard | undefined, start: number, end: number): CardSource | undefined {
  if (device?.replayUri) {
    let replay: URL;
    try { replay = new URL(device.replayUri); } catch { return undefined; }
    const live = new URL(liveUrl);
    if (!replay.username && live.username) { replay.username = live.username; replay.password = live.password; }
    return onvifReplay(replay.toString(), start, end);
  }
  return dahuaPlayback(liveUrl, start, end, device?.localOffsetMs ?? 0);
}

/** `clock=20261202T101500.250Z-…` (or the extended form) → the start, ms. */
function clockStart(range: string | undefined): number | undefined {
  const m = /clock\s*=\s*(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:\.(\d{1,3}))?Z/i.exec(range ?? '');
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Number(m[7].padEnd(3, '0')) : 0);
}

/** Frames this close are the same instant (the station stamps arrival, the camera capture); the timeline joins as much. */
const SAME_MS = SPAN_JOIN_MS;
const MIN_HOLE_MS = 500;
const MAX_TRIES = 3;

interface GapRow { id: number; channel_id: number; start_ms: number; end_ms: number; backfill_tries: number }
type Interval = [number, number];

/** What one fetch of [a, b] brought: pieces written, pieces the card lacked; `failed` when the camera never answered. */
interface FillResult { filled: Interval[]; missing: Interval[]; failed?: string; bytes: number }

export class Backfill {
  readonly stats: BackfillStats = { gaps: 0, filledMs: 0, missingMs: 0, fetchMs: 0, bytes: 0 };
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private current?: { close(): void };

  constructor(private readonly opts: BackfillOptions) {}

  start(): () => void {
    this.timer = setInterval(() => void this.scan(), this.opts.scanMs ?? 5000);
    this.timer.unref();
    return () => this.stop();
  }

  /** Stops scanning and ends a fetch in flight (what it wrote so far stays, closed). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.current?.close();
    await this.running;
  }

  /** Looks for settled camera_offline gaps and fills them one after another (one fetch at a time, station-wide). */
  scan(): Promise<void> {
    if (this.running || this.stopped) return this.running ?? Promise.resolve();
    this.running = this.fillAll().catch((err: Error) => this.opts.logger.error({ err }, 'backfill failed')).finally(() => { this.running = undefined; });
    return this.running;
  }

  private async fillAll(): Promise<void> {
    const db = this.opts.host.db;
    for (;;) {
      if (this.stopped || !db.open) return;
      const now = this.opts.host.clock();
      // Only gaps the camera came back from: live recording resumed after them.
      const gaps = db.prepare(`SELECT id, channel_id, start_ms, end_ms, backfill_tries FROM rec_gap g
        WHERE reason = 'camera_offline' AND backfill_tries < ? AND end_ms < ? AND end_ms > ?
          AND EXISTS (SELECT 1 FROM rec_segment s WHERE s.channel_id = g.channel_id AND s.start_ms BETWEEN g.end_ms - 5000 AND ? AND s.from_camera = 0)
        ORDER BY end_ms LIMIT 50`)
        .all(MAX_TRIES, now - (this.opts.settleMs ?? 3000), now - (this.opts.maxAgeMs ?? 86_400_000), now) as GapRow[];
      const gap = gaps.find((g) => this.opts.channel(g.channel_id) !== undefined && !this.skip.has(g.id));
      if (!gap) return;
      await this.fillGap(gap);
    }
  }

  /** Gaps whose last try failed wait for the next scan (and a later one, up to MAX_TRIES). */
  private readonly skip = new Set<number>();

  private async fillGap(gap: GapRow): Promise<void> {
    const db = this.opts.host.db;
    const stream = this.opts.channel(gap.channel_id)!;
    const holes = this.holes(gap);
    const missing: Interval[] = [];
    const failed: Interval[] = [];
    for (const [a, b] of holes) {
      if (this.stopped) return;
      const t0 = Date.now();
      const r = await this.fill(gap.channel_id, stream, a, b);
      this.stats.fetchMs += Date.now() - t0;
      this.stats.bytes += r.bytes;
      if (r.failed) {
        this.opts.logger.warn({ channel: gap.channel_id, start: a, end: b, why: r.failed }, 'the camera did not give its recording');
        failed.push([a, b]);
        continue;
      }
      for (const [s, e] of r.filled) this.stats.filledMs += e - s;
      for (const [s, e] of r.missing) this.stats.missingMs += e - s;
      missing.push(...r.missing);
      if (r.filled.length) this.opts.filled?.(gap.channel_id, a, b);
    }
    if (this.stopped && failed.length) return;
    this.stats.gaps++;
    const retry = () => {
      this.skip.add(gap.id);
      setTimeout(() => this.skip.delete(gap.id), 30_000).unref();
    };
    // Nothing came of it: the same gap (a holder extending it keeps its id) is tried again later.
    if (failed.length === holes.length && holes.length > 0) {
      db.prepare('UPDATE rec_gap SET backfill_tries = backfill_tries + 1 WHERE id = ?').run(gap.id);
      return retry();
    }
    db.transaction(() => {
      db.prepare('DELETE FROM rec_gap WHERE id = ?').run(gap.id);
      for (const [s, e] of missing) db.prepare('UPDATE rec_gap SET backfill_tries = 1 WHERE id = ?').run(insertGap(db, gap.channel_id, s, e, 'not_on_card'));
      for (const [s, e] of failed) {
        const id = insertGap(db, gap.channel_id, s, e, 'camera_offline');
        db.prepare('UPDATE rec_gap SET backfill_tries = ? WHERE id = ?').run(gap.backfill_tries + 1, id);
        this.skip.add(id);
        setTimeout(() => this.skip.delete(id), 30_000).unref();
      }
    })();
  }

  /** The parts of a gap no segment covers and no earlier try found missing on the card. */
  private holes(gap: GapRow): Interval[] {
    const db = this.opts.host.db;
    const covered: Interval[] = segmentsIn(db, gap.channel_id, gap.start_ms, gap.end_ms).map((s) => [s.start_ms, s.end_ms]);
    const lacking = db.prepare("SELECT start_ms, end_ms FROM rec_gap WHERE channel_id = ? AND reason = 'not_on_card' AND start_ms < ? AND end_ms > ?")
      .all(gap.channel_id, gap.end_ms, gap.start_ms) as { start_ms: number; end_ms: number }[];
    covered.push(...lacking.map((l): Interval => [l.start_ms, l.end_ms]));
    covered.sort((x, y) => x[0] - y[0]);
    const out: Interval[] = [];
    let at = gap.start_ms;
    for (const [s, e] of covered) {
      if (s > at) out.push([at, Math.min(s, gap.end_ms)]);
      at = Math.max(at, e);
      if (at >= gap.end_ms) break;
    }
    if (at < gap.end_ms) out.push([at, gap.end_ms]);
    return out.filter(([s, e]) => e - s >= MIN_HOLE_MS);
  }

  /** Fetches [a, b] of a channel's card into segments. */
  private async fill(channelId: number, stream: StreamKind, a: number, b: number): Promise<FillResult> {
    const src = await this.opts.source(channelId, stream, a, b).catch(() => undefined);
    if (!src) return { filled: [], missing: [], failed: 'the camera has no playback the station speaks', bytes: 0 };
    const writer = new CardWriter(this.opts.host, channelId, stream, a, b);
    const rate = this.opts.bytesPerSecond ?? 4 * 1024 * 1024;
    const idleMs = this.opts.idleMs ?? 15_000;
    let bytes = 0;
    let answered = false;
    let rangeStart: number | undefined;
    const t0 = Date.now();
    return new Promise<FillResult>((resolve) => {
      let idle: NodeJS.Timeout | undefined;
      const done = (why: string) => {
        clearTimeout(idle);
        source.close();
        this.current = undefined;
        void writer.finish().then((r) => {
          const notThere = /\b404\b|\b457\b/.test(why);
          if (!answered && !notThere && r.filled.length === 0) return resolve({ filled: [], missing: [], failed: why, bytes });
          resolve({ ...r, bytes });
        });
      };
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => done('no data from the camera'), idleMs);
      };
      // Frames read in the same chunk as PLAY's answer come before it is handled: held until its Range is known.
      let early: Fmp4Part[] | undefined = [];
      const take = (p: Fmp4Part) => {
        if (p.kind === 'init') return writer.init(p.data, p.info);
        const wall = (rangeStart ?? a) + (p.info.baseDecodeTime * 1000) / writer.timescale;
        if (!writer.fragment(p.data, p.info, wall)) done('range read');
      };
      const source = openRtspSource(src.url, {
        part: (p: Fmp4Part) => (early ? void early.push(p) : take(p)),
        bytes: (n) => {
          bytes += n;
          armIdle();
          // Ahead of the rate: stop reading until the budget catches up.
          const ahead = (bytes / rate) * 1000 - (Date.now() - t0);
          if (ahead > 50) {
            source.pause();
            setTimeout(() => source.resume(), ahead).unref();
          }
        },
        closed: (why) => done(why),
        unsupported: (why) => done(why),
      }, {
        timeoutMs: idleMs,
        headers: src.headers,
        play: src.play,
        playing: (r: RtspResponse) => {
          answered = true;
          rangeStart = clockStart(r.headers.get('range')?.[0]);
          const held = early ?? [];
          early = undefined;
          for (const p of held) take(p);
        },
      });
      this.current = source;
      armIdle();
    });
  }
}

/** Writes one fetched range as segments, cutting at the edges so they join the live recording around them. */
class CardWriter {
  private track?: { data: Buffer; info: TrackInfo };
  private seg?: SegmentWriter;
  private readonly filled: Interval[] = [];
  private readonly missing: Interval[] = [];
  private lastEnd: number;
  private expectedDts?: number;
  private started = false;
  private closing: Promise<void>[] = [];
  /** The live segment before the hole: its last GOP is cut off when the card's copy of that GOP is taken instead. */
  private readonly before?: SegmentRow;

  constructor(private readonly host: ArchiveHost, private readonly channelId: number, private readonly stream: StreamKind,
    private readonly a: number, private readonly b: number) {
    this.lastEnd = a;
    const prev = prevSegment(host.db, channelId, a);
    if (prev && prev.closed && Math.abs(prev.end_ms - a) <= SAME_MS && !prev.from_camera) this.before = prev;
  }

  get timescale(): number {
    return this.track?.info.timescale ?? 90_000;
  }

  init(data: Buffer, info: TrackInfo): void {
    if (this.seg) this.closeSegment();
    this.track = { data, info };
    this.expectedDts = undefined;
  }

  /** False once the range is complete (the next live segment takes over from here). */
  fragment(data: Buffer, info: FragmentInfo, wall: number): boolean {
    if (!this.track || !info.video) return true;
    if (wall >= this.b + 2000 || (info.keyframe && wall >= this.b - SAME_MS)) return false;
    const ts = this.track.info.timescale;
    // A jump in the camera's time: the card lacks what lies between.
    if (this.seg && this.expectedDts !== undefined && Math.abs(info.baseDecodeTime - this.expectedDts) > ts) this.closeSegment();
    this.expectedDts = info.baseDecodeTime + info.duration;
    if (this.seg && info.keyframe && wall - this.seg.startMs >= this.host.segmentMs()) this.closeSegment();
    if (!this.seg) {
      if (!info.keyframe) return true;
      if (!this.started) {
        const cut = this.cutPoint();
        if (cut !== undefined && Math.abs(wall - cut.wall) <= SAME_MS) this.cutBefore(cut);
        else if (wall < this.a - SAME_MS) return true; // already recorded live
      }
      if (wall - this.lastEnd > SAME_MS) this.missing.push([this.lastEnd, wall]);
      if (!this.open(wall, info.baseDecodeTime)) return false;
    }
    this.seg!.push(data, info);
    return true;
  }

  /** The last keyframe of the live segment before the hole (never one under an evidence lock). */
  private cutPoint(): { wall: number; kf: Keyframe; index: number } | undefined {
    const s = this.before;
    if (!s) return undefined;
    const kfs = unpackKeyframes(s.keyframes);
    if (kfs.length === 0 || isLocked(this.host.db, this.channelId, s.start_ms, s.end_ms)) return undefined;
    const kf = kfs.at(-1)!;
    return { wall: s.start_ms + kf.offsetMs, kf, index: kfs.length - 1 };
  }

  /** Cuts the live segment before the hole back to its last keyframe: the card's copy of that GOP continues it (a segment
   *  of one GOP is the card's copy whole, and goes). */
  private cutBefore(cut: { wall: number; kf: Keyframe; index: number }): void {
    const s = this.before!;
    const path = segmentFile(this.host.root, s.path);
    if (cut.index === 0) {
      try { unlinkSync(path); } catch { /* already gone: the row goes anyway */ }
      this.host.db.prepare('DELETE FROM rec_segment WHERE id = ?').run(s.id);
      this.lastEnd = Math.round(cut.wall);
      return;
    }
    try {
      const fd = openSync(path, 'r+');
      try { ftruncateSync(fd, cut.kf.byte); } finally { closeSync(fd); }
    } catch (err) {
      this.host.logger.warn({ err, channel: this.channelId }, 'could not cut the segment before a backfill');
      return;
    }
    const kfs = unpackKeyframes(s.keyframes).slice(0, cut.index);
    this.host.db.prepare('UPDATE rec_segment SET end_ms = ?, bytes = ?, keyframes = ? WHERE id = ?').run(Math.round(cut.wall), cut.kf.byte, packKeyframes(kfs), s.id);
    this.lastEnd = Math.round(cut.wall);
  }

  private open(start: number, baseDts: number): boolean {
    const track = this.track!;
    if (!this.host.canWrite(track.data.length)) return false;
    let seg: SegmentWriter | undefined;
    try {
      seg = SegmentWriter.open(this.host, { channelId: this.channelId, stream: this.stream, startMs: Math.round(start), baseDts, track, fromCamera: true, needFile: true });
    } catch { return false; }
    if (!seg) return false;
    this.started = true;
    this.seg = seg;
    seg.push(track.data);
    return true;
  }

  private closeSegment(): void {
    const seg = this.seg;
    if (!seg) return;
    this.seg = undefined;
    const start = seg.startMs;
    const end = seg.endWall(seg.nextDts);
    this.lastEnd = end;
    this.filled.push([start, end]);
    this.closing.push(seg.close({ after: () => void insertSpan(this.host.db, this.channelId, start, end) }));
  }

  /** Closes what is open; the range's end the card did not reach is missing. */
  async finish(): Promise<{ filled: Interval[]; missing: Interval[] }> {
    this.closeSegment();
    await Promise.all(this.closing);
    if (this.b - this.lastEnd > SAME_MS) this.missing.push([this.lastEnd, this.b]);
    return { filled: this.filled, missing: this.missing };
  }
}
