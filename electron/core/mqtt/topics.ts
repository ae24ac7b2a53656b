// Which topic says what: channel names to topic levels, and the station's state to retained messages. Pure functions.
import type { DeviceStatus, StationEvent, StreamStatus } from '../../contract';

/** Levels right under the prefix that the station itself uses: a camera slugged to one of them gets its id appended. */
export const RESERVED_LEVELS = new Set(['available', 'events', 'alarms', 'stats', 'station']);

/** A channel name as one topic level: lowercase, each run of other characters than a-z and 0-9 one `_`, none at the ends. */
export function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return s || 'camera';
}

/**
 * Each channel's topic level. Channels are taken by id, oldest first, so a camera keeps its level when a later one is given
 * the same name: a slug taken already (or reserved) gets `_<channel id>` appended.
 */
export function cameraLevels(channels: readonly { id: number; name: string }[]): Map<number, string> {
  const taken = new Set<string>();
  const levels = new Map<number, string>();
  for (const c of [...channels].sort((a, b) => a.id - b.id)) {
    let level = slug(c.name);
    while (taken.has(level) || RESERVED_LEVELS.has(level)) level = `${level}_${c.id}`;
    taken.add(level);
    levels.set(c.id, level);
  }
  return levels;
}

/** Whether a channel is online: a live stream says so; a failed one says not; else its device's heartbeat; else unknown. */
export function channelOnline(streams: readonly Pick<StreamStatus, 'state'>[], device: DeviceStatus | undefined): boolean | undefined {
  if (streams.some((s) => s.state === 'live')) return true;
  if (streams.some((s) => s.state === 'offline' || s.state === 'stalled' || s.state === 'auth_failed')) return false;
  if (device === 'online') return true;
  if (device === 'offline' || device === 'locked') return false;
  return undefined;
}

/** An event on `<prefix>/events`: what Frigate's users know (type new/update/end), with the channel by id, name and level. */
export function eventMessage(e: StationEvent, type: 'new' | 'update' | 'end', channel: { name: string; level: string } | undefined) {
  return {
    type, id: e.id, kind: e.type, source: e.source, channelId: e.channelId, channel: channel?.name ?? null, camera: channel?.level ?? null,
    start: e.start, end: e.end, value: e.value, unit: e.unit, alarm: e.ruleId !== null, acknowledged: e.acknowledged,
  };
}
