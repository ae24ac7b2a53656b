import type { AlarmRule, StationEvent } from '../../contract';

/** Half-hour slot of the week (Monday 00:00 = 0) in station local time, the recording schedule's layout. */
export function weekSlot(at: number): number {
  const d = new Date(at);
  return ((d.getDay() + 6) % 7) * 48 + d.getHours() * 2 + (d.getMinutes() >= 30 ? 1 : 0);
}

export const ALWAYS = '1'.repeat(336);

/** The enabled rules an event starts: its type, its channel (or all), inside the schedule. */
export function matchingRules(rules: readonly AlarmRule[], e: Pick<StationEvent, 'type' | 'channelId' | 'start'>): AlarmRule[] {
  const slot = weekSlot(e.start);
  return rules.filter((r) =>
    r.enabled && r.types.includes(e.type) && r.schedule[slot] === '1' &&
    (r.channelIds === null || (e.channelId !== null && r.channelIds.includes(e.channelId))));
}
