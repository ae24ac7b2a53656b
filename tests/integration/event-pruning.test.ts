// Pruning old events and sensor readings on a real SQLite file: by the retention setting, in batches that leave the event
// loop free, with their snapshot files; kept events keep their acknowledgement.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventSettings, type StationEvent } from '../../electron/contract';
import { SignalBus } from '../../electron/core/signal-bus';
import * as store from '../../electron/core/events/event-store';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { eventServiceOnFile, quietLogger } from '../helpers/event-service-on-file';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 29, 12);
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function setup() {
  let now = NOW;
  let shot = 0;
  const onFile = eventServiceOnFile('wp-prune-', (db, dir) => ({
    db, signals: new SignalBus(), secrets: nodeSecretStore(dir), logger: quietLogger, clock: () => now,
    live: {
      snapshot: async () => {
        const path = join(dir, 'snapshots', `snap-${++shot}.jpg`);
        writeFileSync(path, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
        return { path, jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xd9]), width: 1, height: 1, takenAt: now };
      },
    },
    recording: { trigger: async () => {}, eventEnded: () => {} },
    recordingsDir: () => dir, freeBytes: () => 1e12, pruneEveryMs: 3_600_000, pruneBatch: 100,
  }), cleanup);
  const snaps = join(onFile.dir, 'snapshots');
  mkdirSync(snaps, { recursive: true });
  return {
    dir: onFile.dir, snaps,
    get svc() { return onFile.svc; }, get db() { return onFile.db; },
    at(t: number) { now = t; },
    reopen: () => onFile.restart(),
  };
}

/** An alarm (rule with a snapshot) at `at`, acknowledged with a note when asked; resolves once its snapshot is stored. */
async function alarm(t: ReturnType<typeof setup>, at: number, ack?: string): Promise<StationEvent> {
  t.at(at);
  const ev = t.svc.ingest({ channelId: 1, type: 'water', source: 'onvif', state: true, at })!;
  t.svc.ingest({ channelId: 1, type: 'water', source: 'onvif', state: false, at: at + 1000 });
  for (let i = 0; i < 200 && !store.getEvent(t.db, ev.id)?.hasSnapshot; i++) await new Promise((r) => setTimeout(r, 5));
  if (ack) store.acknowledge(t.db, [ev.id], ack, at + 2000);
  return store.getEvent(t.db, ev.id)!;
}

describe('pruning events and sensor readings', () => {
  it('deletes what is older than the retention in bounded batches, with its snapshots, and leaves the rest as it was', async () => {
    const t = setup();
    await t.svc.start();
    expect(t.svc.settings.retentionDays).toBe(90);
    t.svc.handlers['alarms.saveRule']({ name: 'Leak', enabled: true, types: ['water'], channelIds: null, schedule: '1'.repeat(336), actions: ['notify'] }, undefined as never);

    const oldAlarms = [await alarm(t, NOW - 120 * DAY, 'old, checked'), await alarm(t, NOW - 95 * DAY)];
    const keptAcked = await alarm(t, NOW - 30 * DAY, 'plumber called');
    const keptOpen = await alarm(t, NOW - 10 * DAY);
    // A door left open since long ago is still going on: it stays.
    t.at(NOW);
    const stillOpen = t.svc.ingest({ channelId: 2, type: 'door', source: 'onvif', state: true, at: NOW - 200 * DAY })!;
    // Bulk history: 950 old finished events and 1200 old readings, 300 recent readings.
    t.db.transaction(() => {
      for (let i = 0; i < 950; i++) store.insertEvent(t.db, { channelId: 3, type: 'motion', source: 'motion', start: NOW - 100 * DAY + i * 1000, end: NOW - 100 * DAY + i * 1000 + 500 });
      for (let i = 0; i < 1200; i++) store.insertReading(t.db, { channelId: 4, type: 'temperature', at: NOW - 91 * DAY + i * 1000, value: 20 + (i % 5), unit: '°C' });
      for (let i = 0; i < 300; i++) store.insertReading(t.db, { channelId: 4, type: 'temperature', at: NOW - 5 * DAY + i * 1000, value: 21, unit: '°C' });
    })();
    expect(readdirSync(t.snaps)).toHaveLength(4);

    // Another task keeps getting turns while the prune runs: it never holds the event loop for the whole job.
    let turns = 0;
    let spinning = true;
    const spin = () => { turns++; if (spinning) setImmediate(spin); };
    setImmediate(spin);
    t.at(NOW);
    const result = await t.svc.prune();
    spinning = false;
    expect(result).toMatchObject({ events: 952, readings: 1200, snapshots: 2 });
    // 100 rows a batch: at least 10 event batches and 12 reading batches, each followed by a turn for others.
    expect(result.batches).toBeGreaterThanOrEqual(22);
    expect(turns).toBeGreaterThanOrEqual(result.batches - 1);

    for (const e of oldAlarms) expect(store.getEvent(t.db, e.id)).toBeUndefined();
    expect(store.getEvent(t.db, stillOpen.id)?.end).toBeNull();
    expect(readdirSync(t.snaps).sort()).toEqual(['snap-3.jpg', 'snap-4.jpg']);
    expect(t.db.prepare('SELECT count(*) AS n, min(at_ms) AS first FROM ev_reading').get()).toEqual({ n: 300, first: NOW - 5 * DAY });

    // Kept events are untouched, and stay so over a restart on the same file.
    await t.reopen();
    expect(store.getEvent(t.db, keptAcked.id)).toEqual(keptAcked);
    expect(store.getEvent(t.db, keptAcked.id)).toMatchObject({ acknowledged: true, ackNote: 'plumber called', hasSnapshot: true });
    expect(store.getEvent(t.db, keptOpen.id)).toEqual(keptOpen);
    expect(existsSync(store.snapshotPathOf(t.db, keptAcked.id)!)).toBe(true);

    // A shorter retention, saved like the Settings page does, prunes at once and is kept over a restart.
    await t.svc.handlers['events.updateSettings']({ retentionDays: 20, diskLowValue: 4, diskLowUnit: 'GiB' }, undefined as never);
    await expect.poll(() => store.getEvent(t.db, keptAcked.id), { timeout: 5000 }).toBeUndefined();
    expect(store.getEvent(t.db, keptOpen.id)).toEqual(keptOpen);
    await expect.poll(() => readdirSync(t.snaps), { timeout: 5000 }).toEqual(['snap-4.jpg']);
    await t.reopen();
    expect(t.svc.settings.retentionDays).toBe(20);
  }, 30_000);

  it('refuses a retention that is not a whole number of days from 1 to 3650, naming the field', () => {
    for (const bad of [0, -5, 1.5, 4000]) {
      const r = EventSettings.safeParse({ retentionDays: bad, diskLowValue: 4, diskLowUnit: 'GiB' });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.path).toEqual(['retentionDays']);
    }
    expect(EventSettings.safeParse({ retentionDays: 0, diskLowValue: 4, diskLowUnit: 'GiB' }).error!.issues[0]!.message).toBe('keep events at least 1 day');
  });
});
