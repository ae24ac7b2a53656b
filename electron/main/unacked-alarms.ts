// The count of unacknowledged alarms for the tray, asked of the station as events change, and "acknowledge all".
import type { StationEvent } from '../contract';
import { ClientSession } from '../core/client-session';
import type { Station } from '../core/station';

const UNACKED = { alarmsOnly: true, acknowledged: false, limit: 1000 } as const;
const session = new ClientSession('main-tray');

async function unacked(station: Pick<Station, 'dispatch'>): Promise<StationEvent[]> {
  const r = await station.dispatch('events.list', UNACKED, session);
  if (!r.ok) throw new Error(r.error.message);
  return r.value as StationEvent[];
}

/** Calls `onCount` now and whenever an event changes (one question at a time; changes meanwhile ask once more). */
export function watchUnackedAlarms(station: Pick<Station, 'dispatch' | 'signals'>, onCount: (count: number) => void): () => void {
  let running = false, again = false, stopped = false;
  const count = async () => {
    if (running) return void (again = true);
    running = true;
    try {
      do {
        again = false;
        const n = (await unacked(station).catch(() => undefined))?.length;
        if (n !== undefined && !stopped) onCount(n);
      } while (again && !stopped);
    } finally {
      running = false;
    }
  };
  void count();
  const off = station.signals.subscribe((name) => {
    if (name === 'event.changed') void count();
  });
  return () => {
    stopped = true;
    off();
  };
}

/** Acknowledges every unacknowledged alarm (a full page at a time); returns how many. */
export async function acknowledgeAllAlarms(station: Pick<Station, 'dispatch'>): Promise<number> {
  let total = 0, list: StationEvent[];
  do {
    list = await unacked(station);
    if (list.length === 0) break;
    const r = await station.dispatch('events.acknowledge', { ids: list.map((e) => e.id), note: '' }, session);
    if (!r.ok) throw new Error(r.error.message);
    total += list.length;
  } while (list.length === UNACKED.limit);
  return total;
}
