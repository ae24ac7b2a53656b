// The pure parts of station health: a channel's state from its recorder, the alarm's due time, CPU over an interval,
// the newest warnings and errors of a pino log, and the list of stations the desk shows.
import type { ChannelHealth, HealthGapReason, RECORDING_MODES, StationEntry, StationHealth } from '../../contract';

type RecordingMode = (typeof RECORDING_MODES)[number];

/** What the recorder says of a channel (recording.status), the part health reads. */
export interface RecorderState {
  channelId: number;
  mode: RecordingMode;
  state: 'recording' | 'idle' | 'waiting' | 'gap';
  gapReason?: Exclude<HealthGapReason, 'starting'>;
  gapSince?: number;
}

/** A channel's state as health last saw it: `since` is kept while the state (and a gap's reason) stay the same. */
export type Seen = Pick<ChannelHealth, 'state' | 'reason' | 'since'>;

/**
 * A channel's state now: recording; a gap (it should record and does not: the recorder's gap, or waiting for the camera's
 * first keyframe, 'starting'); or off (mode off, outside its schedule, no event). `prev` keeps `since` across looks.
 */
export function channelState(rec: RecorderState | undefined, prev: Seen | undefined, now: number): Seen {
  let next: Omit<Seen, 'since'> & { since?: number };
  if (!rec || rec.state === 'idle') next = { state: 'off' };
  else if (rec.state === 'recording') next = { state: 'recording' };
  else if (rec.state === 'waiting') next = { state: 'gap', reason: 'starting' };
  else next = { state: 'gap', reason: rec.gapReason ?? 'camera_offline', since: rec.gapSince };
  if (prev && prev.state === next.state && prev.reason === next.reason) return prev;
  // A gap that began while the channel was still starting began when the starting did.
  const since = next.since !== undefined ? Math.min(next.since, now) : prev?.state === 'gap' && next.state === 'gap' ? prev.since : now;
  return { state: next.state, ...(next.reason ? { reason: next.reason } : {}), since };
}

/** Whether a channel's gap has lasted long enough for the alarm (`afterS` 0: never). */
export function alarmDue(seen: Seen, now: number, afterS: number): boolean {
  return afterS > 0 && seen.state === 'gap' && now - seen.since >= afterS * 1000;
}

/** The gap reasons in English, for the alarm's detail and the log (pages word them themselves). */
export const REASON_WORDS: Record<HealthGapReason, string> = {
  camera_offline: 'camera offline', recording_off: 'recording off', disk: 'disk full or too slow', station_stopped: 'station stopped',
  not_on_card: 'not on the camera card', starting: 'waiting for the camera',
};

export interface CpuSample { at: number; user: number; system: number }

/** The process's CPU between two samples (µs of CPU from process.cpuUsage, ms of wall clock), percent of one core. */
export function cpuPercent(prev: CpuSample, now: CpuSample): number {
  const wallUs = (now.at - prev.at) * 1000;
  if (wallUs <= 0) return 0;
  return Math.max(0, Math.round(((now.user - prev.user + now.system - prev.system) / wallUs) * 1000) / 10);
}

export interface LogError { at: number; level: 'warn' | 'error'; message: string; count: number }

const LEVELS: Record<string, LogError['level']> = { warn: 'warn', error: 'error', fatal: 'error', '40': 'warn', '50': 'error', '60': 'error' };

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** A log record in one line: its message, why (err, reason, error), and what it is about (stream, channel, device). */
function messageOf(rec: Record<string, unknown>): string {
  const err = rec.err as { message?: unknown } | string | undefined;
  const why = text(err) || text((err as { message?: unknown } | undefined)?.message) || text(rec.reason) || text(rec.error);
  const about = rec.stream !== undefined ? `stream ${text(rec.stream)}` : rec.channel !== undefined ? `channel ${text(rec.channel)}` : rec.device !== undefined ? `device ${text(rec.device)}` : '';
  const msg = text(rec.msg);
  return `${msg}${msg && why ? ': ' : ''}${why}${about ? ` (${about})` : ''}`.slice(0, 300);
}

/**
 * The newest `n` warnings and errors among pino's JSON lines, newest first; a torn line is skipped. The same message
 * again right before counts into the newer one, so a camera retrying every few seconds takes one line, not all of them.
 */
export function lastLogErrors(logText: string, n: number): LogError[] {
  const out: LogError[] = [];
  const lines = logText.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    if (!/"level":("(warn|error|fatal)"|[456]0)/.test(line)) continue;
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const level = LEVELS[String(rec.level)];
    if (!level || typeof rec.time !== 'number') continue;
    const message = messageOf(rec);
    const last = out.at(-1);
    if (last && last.message === message && last.level === level) {
      last.count++;
      continue;
    }
    if (out.length === n) break;
    out.push({ at: rec.time, level, message, count: 1 });
  }
  return out;
}

/** The stations the desk shows: this one first, then the others (remote stations, from the sites area) in their order. */
export function stationList(local: StationHealth, others: readonly StationEntry[] = []): StationEntry[] {
  return [{ id: 'local', name: local.name, state: 'online', health: local }, ...others.filter((s) => s.id !== 'local')];
}
