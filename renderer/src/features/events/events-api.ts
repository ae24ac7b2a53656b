import i18next from 'i18next';
import { isAlarm, type CallInput, type EventType, type StationEvent } from '../../../../electron/contract';
import { callMutation, callQuery, stationApi } from '../../app/station-api';

export type EventFilterArgs = CallInput<'events.list'>;

const api = stationApi.enhanceEndpoints({ addTagTypes: ['Events', 'AlarmRules', 'Sensors', 'Motion', 'EventSettings', 'EventSources'] }).injectEndpoints({
  endpoints: (b) => ({
    events: callQuery(b, 'events.list', { providesTags: ['Events'] }),
    acknowledge: callMutation(b, 'events.acknowledge'),
    eventSnapshot: callQuery(b, 'events.snapshot', { input: (id: number) => ({ id }) }),
    sensorsCurrent: callQuery(b, 'sensors.current', { providesTags: ['Sensors'] }),
    sensorSeries: callQuery(b, 'sensors.series', { providesTags: ['Sensors'] }),
    alarmRules: callQuery(b, 'alarms.rules', { providesTags: ['AlarmRules'] }),
    saveRule: callMutation(b, 'alarms.saveRule', { invalidatesTags: ['AlarmRules'] }),
    removeRule: callMutation(b, 'alarms.removeRule', { input: (id: number) => ({ id }), invalidatesTags: ['AlarmRules'] }),
    motionConfig: callQuery(b, 'motion.get', { input: (channelId: number) => ({ channelId }), providesTags: ['Motion'] }),
    eventSettings: callQuery(b, 'events.settings', { providesTags: ['EventSettings'] }),
    updateEventSettings: callMutation(b, 'events.updateSettings', { invalidatesTags: ['EventSettings', 'Events'] }),
    setMotion: callMutation(b, 'motion.set', { invalidatesTags: ['Motion'] }),
    eventSources: callQuery(b, 'eventSources.list', { providesTags: ['EventSources'] }),
    addEventSource: callMutation(b, 'eventSources.add', { invalidatesTags: ['EventSources'] }),
    removeEventSource: callMutation(b, 'eventSources.remove', { input: (id: number) => ({ id }), invalidatesTags: ['EventSources'] }),
  }),
});

export const {
  useEventsQuery, useAcknowledgeMutation, useEventSnapshotQuery, useSensorsCurrentQuery, useSensorSeriesQuery,
  useAlarmRulesQuery, useSaveRuleMutation, useRemoveRuleMutation, useMotionConfigQuery, useSetMotionMutation,
  useEventSettingsQuery, useUpdateEventSettingsMutation, useEventSourcesQuery, useAddEventSourceMutation, useRemoveEventSourceMutation,
} = api;
export const eventsApi = api;

/** Whether a live event belongs in a list fetched with these filters. */
export function matchesFilter(e: StationEvent, f: EventFilterArgs): boolean {
  if (f.types?.length && !f.types.includes(e.type)) return false;
  if (f.channelIds?.length && (e.channelId === null || !f.channelIds.includes(e.channelId))) return false;
  if (f.from !== undefined && e.start < f.from) return false;
  if (f.to !== undefined && e.start >= f.to) return false;
  if (f.acknowledged !== undefined && e.acknowledged !== f.acknowledged) return false;
  if (f.alarmsOnly && !isAlarm(e)) return false;
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

/** What an event type is called in the chosen language (lists, banners, notifications). */
export const typeLabel = (type: EventType): string => i18next.t(`events:types.${type}`);
