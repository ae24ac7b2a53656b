// Building blocks shared by the contract's area files.
import { z } from 'zod';

/** Rights over the station as a whole. */
export const STATION_RIGHTS = ['devices', 'recordingSettings', 'alarmRules', 'alarmAck', 'users', 'privacy', 'settings', 'privacyMasks'] as const;
export type StationRight = (typeof STATION_RIGHTS)[number];
/** Rights a user holds per channel (on the channels their account is given, or on all). */
export const CHANNEL_RIGHTS = ['live', 'playback', 'export', 'ptz', 'audio', 'evidence', 'deleteRecordings', 'liftMask'] as const;
export type ChannelRight = (typeof CHANNEL_RIGHTS)[number];
export type Right = StationRight | ChannelRight;
/** The rights in English, for refusals in logs; pages word them through the `operators` catalogue. */
export const RIGHT_LABELS: Record<Right, string> = {
  live: 'Live view', playback: 'Playback', export: 'Export', ptz: 'PTZ', audio: 'Audio', evidence: 'Lock and unlock evidence',
  deleteRecordings: 'Delete recordings', devices: 'Devices', recordingSettings: 'Recording settings', alarmRules: 'Alarm rules',
  alarmAck: 'Acknowledge alarms', users: 'Users and roles', privacy: 'Privacy and cloud', settings: 'Settings',
  privacyMasks: 'Edit privacy masks', liftMask: 'Lift privacy masks',
};

/**
 * What a call needs, declared beside its schemas and checked by the one dispatcher before the handler runs.
 * `from`: the input field naming the channel(s) (a channel id, a list of them, a stream id "12/main"; null = every channel);
 * without it the user must hold the right on at least one channel. `list`: the output is filtered to the channels the user
 * holds the right on, by each item's `key` (in the output itself, or in its array `field`). `item`: the input field names
 * stored items by id (an export, an evidence lock, a bookmark, …) and the right is needed on each item's own channels
 * (`right`, for a station call such as acknowledging alarms: the channel right that shows those items).
 */
export type ItemKind = 'export' | 'redaction' | 'lock' | 'bookmark' | 'clip' | 'event' | 'playback';
export type ItemRef = { kind: ItemKind; field: string; right?: ChannelRight };
export type Access =
  | { kind: 'public' }
  | { kind: 'signedIn' }
  | { kind: 'station'; right: StationRight; item?: ItemRef }
  | { kind: 'channel'; right: ChannelRight; from?: string; list?: { key: string; field?: string }; item?: ItemRef };

export const needs = {
  /** Before sign-in: the sign-in and first-administrator calls. */
  nothing: { kind: 'public' } as const,
  /** Any signed-in user. */
  signIn: { kind: 'signedIn' } as const,
  station: (right: StationRight, item?: ItemRef): Access => ({ kind: 'station', right, ...(item ? { item } : {}) }),
  channel: (right: ChannelRight, from?: string): Access => ({ kind: 'channel', right, ...(from ? { from } : {}) }),
  channelList: (right: ChannelRight, key: string, field?: string): Access => ({ kind: 'channel', right, list: { key, ...(field ? { field } : {}) } }),
  /** The right on the channels of the items `field` names (ids of `kind`). */
  item: (right: ChannelRight, kind: ItemKind, field: string): Access => ({ kind: 'channel', right, item: { kind, field } }),
};

export function call<I extends z.ZodType, O extends z.ZodType>(access: Access, input: I, output: O) {
  return { access, input, output };
}
export const NoInput = z.object({}).strict();
