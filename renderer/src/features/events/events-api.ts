import { EVENT_TYPE_LABELS, type CallInput, type CallOutput, type StationEvent } from '../../../../electron/contract';
import { stationApi } from '../../app/station-api';

export type EventFilterArgs = CallInput<'events.list'>;

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Events', 'AlarmRules', 'Sensors', 'Motion', 'EventSettings'] }).injectEndpoints({
  endpoints: (b) => ({
    events: b.query<CallOutput<'events.list'>, EventFilterArgs>({ query: (input) => ({ name: 'events.list', input }), providesTags: ['Events'] }),
    acknowledge: b.mutation<CallOutput<'events.acknowledge'>, CallInput<'events.acknowledge'>>({ query: (input) => ({ name: 'events.acknowledge', input }) }),
    eventSnapshot: b.query<CallOutput<'events.snapshot'>, number>({ query: (id) => ({ name: 'events.snapshot', input: { id } }) }),
    sensorsCurrent: b.query<CallOutput<'sensors.current'>, void>({ query: () => ({ name: 'sensors.current', input: {} }), providesTags: ['Sensors'] }),
    sensorSeries: b.query<CallOutput<'sensors.series'>, CallInput<'sensors.series'>>({ query: (input) => ({ name: 'sensors.series', input }), providesTags: ['Sensors'] }),
    alarmRules: b.query<CallOutput<'alarms.rules'>, void>({ query: () => ({ name: 'alarms.rules', input: {} }), providesTags: ['AlarmRules'] }),
    saveRule: b.mutation<CallOutput<'alarms.saveRule'>, CallInput<'alarms.saveRule'>>({ query: (input) => ({ name: 'alarms.saveRule', input }), invalidatesTags: ['AlarmRules'] }),
    removeRule: b.mutation<CallOutput<'alarms.removeRule'>, number>({ query: (id) => ({ name: 'alarms.removeRule', input: { id } }), invalidatesTags: ['AlarmRules'] }),
    motionConfig: b.query<CallOutput<'motion.get'>, number>({ query: (channelId) => ({ name: 'motion.get', input: { channelId } }), providesTags: ['Motion'] }),
    eventSettings: b.query<CallOutput<'events.settings'>, void>({ query: () => ({ name: 'events.settings', input: {} }), providesTags: ['EventSettings'] }),
    updateEventSettings: b.mutation<CallOutput<'events.updateSettings'>, CallInput<'events.updateSettings'>>({ query: (input) => ({ name: 'events.updateSettings', input }), invalidatesTags: ['EventSettings', 'Events'] }),
    setMotion: b.mutation<CallOutput<'motion.set'>, CallInput<'motion.set'>>({ query: (input) => ({ name: 'motion.set', input }), invalidatesTags: ['Motion'] }),
  }),
});

export const {
  useEventsQuery, useAcknowledgeMutation, useEventSnapshotQuery, useSensorsCurrentQuery, useSensorSeriesQuery,
  useAlarmRulesQuery, useSaveRuleMutation, useRemoveRuleMutation, useMotionConfigQuery, useSetMotionMutation,
  useEventSettingsQuery, useUpdateEventSettingsMutation,
} = api;
export const eventsApi = api;

/** Whether a live event belongs in a list fetched with these filters. */
export function matchesFilter(e: StationEvent, f: EventFilterArgs): boolean {
  if (f.types?.length && !f.types.includes(e.type)) return false;
  if (f.channelIds?.length && (e.channelId === null || !f.channelIds.includes(e.channelId))) return false;
  if (f.from !== undefined && e.start < f.from) return false;
  if (f.to !== undefined && e.start >= f.to) return false;
  if (f.acknowledged !== undefined && e.acknowledged !== f.acknowledged) return false;
  if (f.alarmsOnly && e.ruleId === null) return false;
  return true;
}

/** Inserts or replaces an event in a newest-first list. */
export function upsertEvent(list: StationEvent[], e: StationEvent, keep: boolean, limit: number): void {
  const i = list.findIndex((x) => x.id === e.id);
  if (i >= 0) {
    if (keep) list[i] = e;
    else list.splice(i, 1);
    return;
  }
  if (!keep) return;
  const at = list.findIndex((x) => x.start < e.start || (x.start === e.start && x.id < e.id));
  list.splice(at < 0 ? list.length : at, 0, e);
  if (list.length > limit) list.length = limit;
}

export const TYPE_LABELS = EVENT_TYPE_LABELS;
