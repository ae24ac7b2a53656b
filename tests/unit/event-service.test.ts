import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalName } from '../../electron/contract';
import { matchingRules, weekSlot } from '../../electron/core/events/alarm-rules';
import { SignalBus } from '../../electron/core/signal-bus';
import { EventService } from '../../electron/core/events/event-service';
import { parseDahuaLine } from '../../electron/core/events/dahua-attach';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { quietLogger } from '../helpers/event-service-on-file';

const ALWAYS = '1'.repeat(336);
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function setup(opts: { freeBytes?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wp-events-'));
  let db: Db = openDatabase(join(dir, 'station.db'));
  const bus = new SignalBus();
  const heard: { name: SignalName; payload: unknown }[] = [];
  bus.subscribe((name, payload) => heard.push({ name, payload }));
  const triggers: { channelId: number; kind: string; end?: true }[] = [];
  let free = opts.freeBytes ?? 1e12;
  const make = () => new EventService({
    db, signals: bus, secrets: nodeSecretStore(dir), logger: quietLogger,
    live: { snapshot: async (channelId: number) => ({ path: join(dir, `snap-${channelId}.jpg`), jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xd9]), width: 1, height: 1, takenAt: Date.now() }) },
    recording: {
      trigger: async (channelId: number, kind: string) => void triggers.push({ channelId, kind }),
      eventEnded: (channelId: number, kind: string) => void triggers.push({ channelId, kind, end: true }),
    },
    recordingsDir: () => dir, freeBytes: () => free, diskLowBytes: 1000, diskEveryMs: 60_000, offlineGraceMs: 100,
  });
  let svc = make();
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(async () => { await svc.dispose(); db.close(); });
  return {
    get svc() { return svc; }, bus, heard, triggers, get db() { return db; },
    setFree: (n: number) => { free = n; },
    async restart() {
      await svc.dispose();
      db.close();
      db = openDatabase(join(dir, 'station.db'));
      svc = make();
      await svc.start();
    },
  };
}

describe('EventService', () => {
  it('opens and closes stateful events, stores sensor values as series and events, lists with filters', async () => {
    const t = setup();
    await t.svc.start();
    const h = t.svc.handlers;
    t.svc.ingest({ channelId: 1, type: 'motion', source: 'onvif', state: true, at: 1000 });
    t.svc.ingest({ channelId: 1, type: 'motion', source: 'onvif', state: true, at: 1100 });
    t.svc.ingest({ channelId: 1, type: 'motion', source: 'onvif', state: false, at: 3000 });
    t.svc.ingest({ channelId: 2, type: 'temperature', source: 'dahua', value: 21.5, at: 2000 });
    t.svc.ingest({ channelId: 2, type: 'temperature', source: 'dahua', value: 22, at: 4000 });
    const all = await h['events.list']({ limit: 100 }, undefined as never);
    expect(all.map((e) => [e.type, e.channelId, e.start, e.end])).toEqual([['temperature', 2, 4000, 4000], ['temperature', 2, 2000, 2000], ['motion', 1, 1000, 3000]]);
    expect(all[0]).toMatchObject({ value: 22, unit: '°C', acknowledged: false, ruleId: null });
    expect(await h['events.list']({ types: ['motion'], limit: 10 }, undefined as never)).toHaveLength(1);
    expect(await h['events.list']({ channelIds: [2], from: 3000, limit: 10 }, undefined as never)).toHaveLength(1);
    expect(await h['sensors.series']({ channelId: 2, type: 'temperature', from: 0, to: 10_000, maxPoints: 100 }, undefined as never)).toEqual([
      { channelId: 2, type: 'temperature', at: 2000, value: 21.5, unit: '°C' },
      { channelId: 2, type: 'temperature', at: 4000, value: 22, unit: '°C' },
    ]);
    expect(await h['sensors.current']({}, undefined as never)).toEqual([{ channelId: 2, type: 'temperature', at: 4000, value: 22, unit: '°C' }]);
    expect(t.heard.filter((e) => e.name === 'event.changed')).toHaveLength(4);
    expect(t.heard.filter((e) => e.name === 'sensor.reading')).toHaveLength(2);
    const plan = t.db.prepare('EXPLAIN QUERY PLAN SELECT * FROM ev_event WHERE start_ms >= ? AND start_ms < ? ORDER BY start_ms DESC').all(0, 1) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX ev_event_start/);
  });

  it('runs a matching alarm rule (record + mark, snapshot notice) and keeps the acknowledgement over a restart', async () => {
    const t = setup();
    await t.svc.start();
    const rule = await t.svc.handlers['alarms.saveRule']({ name: 'Door', enabled: true, types: ['door'], channelIds: [3], schedule: ALWAYS, actions: ['notify', 'popup', 'record', 'sound', 'mark'] }, undefined as never);
    t.svc.ingest({ channelId: 4, type: 'door', source: 'onvif', state: true });
    const ev = t.svc.ingest({ channelId: 3, type: 'door', source: 'onvif', state: true });
    expect(ev?.ruleId).toBe(rule.id);
    await expect.poll(() => t.heard.find((e) => e.name === 'alarm.raised')).toBeTruthy();
    const notice = t.heard.find((e) => e.name === 'alarm.raised')!.payload as { snapshotBase64: string; event: { id: number; hasSnapshot: boolean } };
    expect(notice.snapshotBase64).toBe(Buffer.from([0xff, 0xd8, 0xff, 0xd9]).toString('base64'));
    expect(notice.event).toMatchObject({ id: ev!.id, hasSnapshot: true });
    expect(t.triggers).toEqual([{ channelId: 3, kind: 'door' }]);
    // The door closing ends the timeline's mark too (it draws as a band).
    t.svc.ingest({ channelId: 3, type: 'door', source: 'onvif', state: false });
    expect(t.triggers).toEqual([{ channelId: 3, kind: 'door' }, { channelId: 3, kind: 'door', end: true }]);
    expect(await t.svc.handlers['events.list']({ alarmsOnly: true, acknowledged: false, limit: 10 }, undefined as never)).toHaveLength(1);
    const acked = await t.svc.handlers['events.acknowledge']({ ids: [ev!.id], note: 'checked, wind' }, undefined as never);
    expect(acked[0]).toMatchObject({ acknowledged: true, ackNote: 'checked, wind' });
    await t.restart();
    const [after] = await t.svc.handlers['events.list']({ alarmsOnly: true, limit: 10 }, undefined as never);
    expect(after).toMatchObject({ id: ev!.id, acknowledged: true, ackNote: 'checked, wind' });
    expect(await t.svc.handlers['alarms.rules']({}, undefined as never)).toEqual([rule]);
  });

  it('makes stream lost/restored and device offline events from stream status, and disk low from free space', async () => {
    const t = setup();
    await t.svc.start();
    const status = (state: string) => t.bus.emit('stream.status', { streamId: '5/sub', state: state as 'live', failures: 0 });
    status('connecting');
    status('live');
    status('offline');
    await new Promise((r) => setTimeout(r, 200));
    status('live');
    const types = (await t.svc.handlers['events.list']({ limit: 10 }, undefined as never)).map((e) => e.type).reverse();
    expect(types).toEqual(['stream_lost', 'device_offline', 'stream_restored']);
    t.setFree(10);
    t.svc.checkDisk();
    t.svc.checkDisk();
    expect((await t.svc.handlers['events.list']({ types: ['disk_low'], limit: 10 }, undefined as never))).toHaveLength(1);
  });

  it('watches a device for the device service with its credentials, maps its channels, and stops on the disposer', async () => {
    const t = setup();
    await t.svc.start();
    const made: { o: import('../../electron/core/events/device-event-source').DeviceEventSourceOptions; disposed: boolean }[] = [];
    (t.svc as unknown as { opts: { makeSource: unknown } }).opts.makeSource = (_driver: string, o: (typeof made)[number]['o']) => {
      const m = { o, disposed: false };
      made.push(m);
      return { start() {}, async dispose() { m.disposed = true; } };
    };
    const stop = t.svc.watchDevice({ driver: 'dahua', url: 'http://127.0.0.1:1', username: 'admin', password: 'pw', channelMap: { '2': 7 } });
    expect(made[0]!.o).toMatchObject({ username: 'admin', password: 'pw' });
    made[0]!.o.onEvent({ kind: 'water', channel: 2, state: true, at: 5 });
    made[0]!.o.onEvent({ kind: 'water', channel: 3, state: true, at: 5 });
    expect((await t.svc.handlers['events.list']({ limit: 10 }, undefined as never)).map((e) => [e.type, e.channelId, e.source])).toEqual([['water', 7, 'dahua']]);
    expect(await t.svc.handlers['eventSources.list']({}, undefined as never)).toEqual([]);
    // Its offline event is the heartbeat's: a failing watch raises none of its own (grace here 100 ms).
    made[0]!.o.onState?.({ state: 'error', error: 'connection refused' });
    await new Promise((r) => setTimeout(r, 250));
    expect(await t.svc.handlers['events.list']({ types: ['device_offline'], limit: 10 }, undefined as never)).toEqual([]);
    await stop();
    expect(made[0]!.disposed).toBe(true);
  });

  it('matches rules by type, channel and weekly schedule', () => {
    const at = new Date(2026, 10, 30, 10, 15).getTime(); // a Monday, 10:15 local
    expect(weekSlot(at)).toBe(20);
    const base = { id: 1, name: 'r', enabled: true, types: ['motion' as const], channelIds: null, actions: [] };
    const off = ALWAYS.slice(0, 20) + '0' + ALWAYS.slice(21);
    expect(matchingRules([{ ...base, schedule: ALWAYS }], { type: 'motion', channelId: 1, start: at })).toHaveLength(1);
    expect(matchingRules([{ ...base, schedule: off }], { type: 'motion', channelId: 1, start: at })).toHaveLength(0);
    expect(matchingRules([{ ...base, schedule: ALWAYS, channelIds: [2] }], { type: 'motion', channelId: 1, start: at })).toHaveLength(0);
    expect(matchingRules([{ ...base, schedule: ALWAYS, enabled: false }], { type: 'motion', channelId: 1, start: at })).toHaveLength(0);
  });

  it('parses Dahua attach lines', () => {
    expect(parseDahuaLine('Code=VideoMotion;action=Start;index=0', 5)).toEqual({ kind: 'motion', channel: 1, state: true, at: 5 });
    expect(parseDahuaLine('Code=SensorCO2;action=Pulse;index=1;data={"Value":812}', 5)).toEqual({ kind: 'co2', channel: 2, value: 812, at: 5 });
    expect(parseDahuaLine('Heartbeat', 5)).toBeUndefined();
  });
});
