// 'disk_low' at the level the user set (GiB free or percent of the disk free), stored in a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import type { StationEvent } from '../../electron/contract';
import { SignalBus } from '../../electron/core/signal-bus';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { eventServiceOnFile, quietLogger } from '../helpers/event-service-on-file';

const GIB = 1024 ** 3;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup() {
  const disk = { free: 50 * GIB, total: 200 * GIB };
  const changed: StationEvent[] = [];
  const onFile = eventServiceOnFile('wp-disklow-', (db, dir) => {
    const bus = new SignalBus();
    bus.subscribe((name, p) => void (name === 'event.changed' && changed.push(p as StationEvent)));
    return {
      db, signals: bus, secrets: nodeSecretStore(dir), logger: quietLogger, live: { snapshot: async () => { throw new Error('no video'); } },
      recording: { trigger: async () => {}, eventEnded: () => {} }, recordingsDir: () => dir, freeBytes: () => disk.free, totalBytes: () => disk.total, diskEveryMs: 3_600_000,
    };
  }, cleanup);
  await onFile.svc.start();
  const diskLow = () => changed.filter((e) => e.type === 'disk_low');
  return {
    disk, diskLow,
    get svc() { return onFile.svc; },
    save: (diskLowValue: number, diskLowUnit: 'GiB' | 'percent') => onFile.svc.handlers['events.updateSettings']({ retentionDays: 90, diskLowValue, diskLowUnit }, undefined as never),
    restart: () => onFile.restart(),
  };
}

describe('disk low threshold', () => {
  it('defaults to 4 GiB free', async () => {
    const t = await setup();
    expect(t.svc.settings).toEqual({ retentionDays: 90, diskLowValue: 4, diskLowUnit: 'GiB' });
    t.disk.free = 4.1 * GIB;
    t.svc.checkDisk();
    expect(t.diskLow()).toEqual([]);
    t.disk.free = 3.9 * GIB;
    t.svc.checkDisk();
    expect(t.diskLow()).toHaveLength(1);
  });

  it('fires at the configured GiB, checks at once when saved, ends when space is back, and survives a restart', async () => {
    const t = await setup();
    t.disk.free = 50 * GIB;
    await t.save(60, 'GiB');
    expect(t.diskLow()).toHaveLength(1);
    const first = t.diskLow()[0]!;
    expect(first.detail).toMatch(/^51200 MiB free in /);
    // Still low: no second event.
    t.disk.free = 55 * GIB;
    t.svc.checkDisk();
    expect(t.diskLow()).toHaveLength(1);
    // Space is back: the same event is closed (updated), then a new low is a new event.
    t.disk.free = 61 * GIB;
    t.svc.checkDisk();
    expect(t.diskLow().map((e) => e.id)).toEqual([first.id, first.id]);
    await t.restart();
    expect(t.svc.settings).toMatchObject({ diskLowValue: 60, diskLowUnit: 'GiB' });
    t.disk.free = 59.9 * GIB;
    t.svc.checkDisk();
    expect(t.diskLow()).toHaveLength(3);
    expect(t.diskLow()[2]!.id).not.toBe(first.id);
  });

  it('fires at a percentage of the disk size', async () => {
    const t = await setup();
    t.disk.free = 21 * GIB; // 10.5 % of 200 GiB
    await t.save(10, 'percent');
    expect(t.diskLow()).toEqual([]);
    t.disk.free = 19.9 * GIB; // 9.95 %
    t.svc.checkDisk();
    expect(t.diskLow()).toHaveLength(1);
    // On a 150 GiB disk, 15.5 GiB free is 10.3 %: above the line again, the event is closed.
    t.disk.total = 150 * GIB;
    t.disk.free = 15.5 * GIB;
    t.svc.checkDisk();
    expect(t.diskLow().map((e) => e.id)).toEqual([t.diskLow()[0]!.id, t.diskLow()[0]!.id]);
    // 9 % of it is low again.
    t.disk.free = 13.5 * GIB;
    t.svc.checkDisk();
    expect(t.diskLow()).toHaveLength(3);
  });
});
