// Events (device, station-made, local motion), sensor series, alarm rules, device event sources.
import { z } from 'zod';
import { call, NoInput, needs } from './common';

/** Device kinds (ONVIF/Dahua) first, then what the station itself notices. */
export const EVENT_TYPES = [
  'motion', 'tamper', 'door', 'pir', 'water', 'temperature', 'co2', 'light',
  'stream_lost', 'stream_restored', 'device_offline', 'disk_low', 'recording_gap', 'frozen_picture',
  // Analytics real cameras send (ONVIF FieldDetector/LineDetector, Dahua CrossRegion/CrossLine, audio alarms), and a
  // temperature out of its range (Axis Status/Temperature, Dahua HeatImagingTemper): a state, where 'temperature' is a reading.
  'intrusion', 'line_crossing', 'audio', 'temperature_alarm',
  // The station's own health alarms (electron/core/health): a channel that should record has not for longer than the set
  // time; a station the desk knows went offline.
  'recording_stopped', 'station_offline',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];
/** Kinds that are alarms without a rule: the station raises them itself (the health area), they wait for acknowledgement. */
export const STATION_ALARM_TYPES = ['recording_stopped', 'station_offline'] as const satisfies readonly EventType[];
/** Whether an event is an alarm: a rule matched it, or the station raised it as one. */
export const isAlarm = (e: { ruleId: number | null; type: EventType }): boolean =>
  e.ruleId !== null || (STATION_ALARM_TYPES as readonly EventType[]).includes(e.type);
export const SENSOR_TYPES = ['temperature', 'co2', 'light'] as const;
export const SENSOR_UNITS: Record<(typeof SENSOR_TYPES)[number], string> = { temperature: '°C', co2: 'ppm', light: 'lx' };
export const EVENT_SOURCES = ['onvif', 'dahua', 'station', 'motion'] as const;

const id = z.number().int().positive();
const epochMs = z.number().int().nonnegative();

export const StationEvent = z.object({
  id,
  channelId: id.nullable(),
  type: z.enum(EVENT_TYPES),
  source: z.enum(EVENT_SOURCES),
  start: epochMs,
  /** Null while a stateful event (motion, door open) is still on. */
  end: epochMs.nullable(),
  value: z.number().nullable(),
  unit: z.string().nullable(),
  detail: z.string(),
  hasSnapshot: z.boolean(),
  /** The alarm rule that matched; alarms wait for acknowledgement. */
  ruleId: id.nullable(),
  acknowledged: z.boolean(),
  ackNote: z.string().nullable(),
  ackAt: epochMs.nullable(),
});
export type StationEvent = z.infer<typeof StationEvent>;

export const ALARM_ACTIONS = ['notify', 'popup', 'record', 'sound', 'mark'] as const;
export const AlarmRule = z.object({
  id,
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean(),
  types: z.array(z.enum(EVENT_TYPES)).min(1).max(EVENT_TYPES.length),
  /** Null: every channel. */
  channelIds: z.array(id).max(512).nullable(),
  /** 336 characters '0'/'1': the weekly half-hours from Monday 00:00, station local time. */
  schedule: z.string().regex(/^[01]{336}$/, 'field.notSchedule'),
  actions: z.array(z.enum(ALARM_ACTIONS)).max(ALARM_ACTIONS.length),
});
export type AlarmRule = z.infer<typeof AlarmRule>;

export const SensorReading = z.object({ channelId: id, type: z.enum(SENSOR_TYPES), at: epochMs, value: z.number(), unit: z.string() });
export type SensorReading = z.infer<typeof SensorReading>;

export const EventSourceConfig = z.object({
  id,
  driver: z.enum(['onvif', 'dahua']),
  /** ONVIF: the events service XAddr; Dahua: the device's base http URL. */
  url: z.string().url().max(500),
  username: z.string().max(100),
  /** Device channel number (1-based) -> station channel id. */
  channelMap: z.record(z.string().regex(/^\d+$/), id),
  state: z.enum(['connecting', 'connected', 'error']),
  error: z.string().optional(),
});
export type EventSourceConfig = z.infer<typeof EventSourceConfig>;

export const MotionConfig = z.object({
  channelId: id,
  enabled: z.boolean(),
  sensitivity: z.number().int().min(1).max(100),
  /** 16x9 cells row by row, '1' = ignored. */
  mask: z.string().regex(/^[01]{144}$/, 'field.notMotionMask'),
});
export type MotionConfig = z.infer<typeof MotionConfig>;

/** Retention of events and sensor readings, and when free space counts as low (GiB free, or percent of the disk free). */
export const EventSettings = z.object({
  retentionDays: z.number().int('whole days').min(1, 'keep events at least 1 day').max(3650, 'at most 3650 days (10 years)'),
  diskLowValue: z.number().positive('must be above 0'),
  diskLowUnit: z.enum(['GiB', 'percent']),
}).strict().superRefine((s, ctx) => {
  if (s.diskLowUnit === 'percent' && s.diskLowValue >= 100) ctx.addIssue({ code: 'custom', path: ['diskLowValue'], message: 'field.notBelow', params: { max: 100 } });
  if (s.diskLowUnit === 'GiB' && s.diskLowValue > 100_000) ctx.addIssue({ code: 'custom', path: ['diskLowValue'], message: 'field.tooBig', params: { max: 100_000 } });
});
export type EventSettings = z.infer<typeof EventSettings>;
export const DEFAULT_EVENT_SETTINGS: EventSettings = { retentionDays: 90, diskLowValue: 4, diskLowUnit: 'GiB' };

export const eventCalls = {
  'events.list': call(needs.channelList('live', 'channelId'), 
    z.object({
      types: z.array(z.enum(EVENT_TYPES)).max(EVENT_TYPES.length).optional(),
      channelIds: z.array(id).max(512).optional(),
      from: epochMs.optional(),
      to: epochMs.optional(),
      acknowledged: z.boolean().optional(),
      alarmsOnly: z.boolean().optional(),
      limit: z.number().int().min(1).max(1000).default(200),
    }).strict(),
    z.array(StationEvent),
  ),
  'events.acknowledge': call(needs.station('alarmAck', { kind: 'event', field: 'ids', right: 'live' }), z.object({ ids: z.array(id).min(1).max(1000), note: z.string().trim().max(1000).default('') }).strict(), z.array(StationEvent)),
  'events.snapshot': call(needs.item('live', 'event', 'id'), z.object({ id }).strict(), z.object({ jpegBase64: z.string() })),
  'sensors.current': call(needs.channelList('live', 'channelId'), NoInput, z.array(SensorReading)),
  'sensors.series': call(needs.channel('live', 'channelId'), z.object({ channelId: id, type: z.enum(SENSOR_TYPES), from: epochMs, to: epochMs, maxPoints: z.number().int().min(2).max(5000).default(500) }).strict(), z.array(SensorReading)),
  'alarms.rules': call(needs.station('alarmRules'), NoInput, z.array(AlarmRule)),
  'alarms.saveRule': call(needs.station('alarmRules'), AlarmRule.omit({ id: true }).extend({
    id: id.optional(),
    // A rule that can never fire is refused, not stored.
    channelIds: z.array(id).min(1, 'field.noChannel').max(512).nullable(),
    schedule: AlarmRule.shape.schedule.refine((s) => s.includes('1'), 'field.emptySchedule'),
  }).strict(), AlarmRule),
  'alarms.removeRule': call(needs.station('alarmRules'), z.object({ id }).strict(), z.object({ removed: z.boolean() })),
  'eventSources.list': call(needs.station('devices'), NoInput, z.array(EventSourceConfig)),
  'eventSources.add': call(needs.station('devices'), 
    z.object({ driver: z.enum(['onvif', 'dahua']), url: z.string().url().max(500), username: z.string().max(100), password: z.string().max(200), channelMap: z.record(z.string().regex(/^\d+$/), id) }).strict(),
    EventSourceConfig,
  ),
  'eventSources.remove': call(needs.station('devices'), z.object({ id }).strict(), z.object({ removed: z.boolean() })),
  'motion.get': call(needs.station('alarmRules'), z.object({ channelId: id }).strict(), MotionConfig),
  'motion.set': call(needs.station('alarmRules'), MotionConfig.strict(), MotionConfig),
  'events.settings': call(needs.signIn, NoInput, EventSettings),
  'events.updateSettings': call(needs.station('alarmRules'), EventSettings, EventSettings),
} as const;

export const AlarmNotice = z.object({
  event: StationEvent,
  /** Null: a station alarm (STATION_ALARM_TYPES) that no rule matched; pages word it themselves. */
  ruleId: id.nullable(),
  ruleName: z.string(),
  actions: z.array(z.enum(ALARM_ACTIONS)),
  /** JPEG of the channel at the event, when the rule notifies and a picture was available. */
  snapshotBase64: z.string().nullable(),
});
export type AlarmNotice = z.infer<typeof AlarmNotice>;

export const eventSignals = {
  /** A new event, or an event that ended or was acknowledged. */
  'event.changed': StationEvent,
  'alarm.raised': AlarmNotice,
  /** Electron only, from the main process to its window: the user clicked an alarm's notification. */
  'alarm.focus': z.object({ eventId: id, channelId: id.nullable() }),
  'sensor.reading': SensorReading,
} as const;
