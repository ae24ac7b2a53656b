// The offline-first pieces of the privacy sync: per-field merge by clock, backoff, and the SQLite outbox.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, compareStamp, DOC_FORMAT, mergeFields, nextClock, parseDoc, toDoc, type ClockedField } from '../../electron/core/privacy/field-merge';
import * as store from '../../electron/core/privacy/privacy-store';
import { DAY_MS, STATION_RETENTION_DAYS } from '../../electron/contract/retention';
import { openDatabase, type Db } from '../../electron/core/storage/db';

const f = (key: string, value: unknown, clock: number, node = 'a'): ClockedField => ({ key, value, clock, node });
const map = (...fields: ClockedField[]) => new Map(fields.map((x) => [x.key, x]));

describe('per-field merge by clock', () => {
  it('takes the later stamp of each field, from either side', () => {
    const local = map(f('consent.alarm_push', true, 20), f('consent.cloud_storage', false, 5));
    const remote = map(f('consent.alarm_push', false, 10, 'b'), f('consent.cloud_storage', true, 30, 'b'));
    const r = mergeFields(local, remote);
    expect(r.merged.get('consent.alarm_push')!.value).toBe(true);
    expect(r.merged.get('consent.cloud_storage')!.value).toBe(true);
    expect(r.adopt.map((x) => x.key)).toEqual(['consent.cloud_storage']);
    expect(r.pushNeeded).toBe(true);
    expect(r.maxClock).toBe(30);
  });

  it('keeps fields only one side has, and pushes only when the cloud lacks something', () => {
    const r = mergeFields(map(f('x', 1, 1)), map(f('y', 2, 2, 'b')));
    expect([...r.merged.keys()].sort()).toEqual(['x', 'y']);
    expect(r.adopt.map((x) => x.key)).toEqual(['y']);
    expect(r.pushNeeded).toBe(true);
    const same = mergeFields(map(f('x', 1, 1)), map(f('x', 1, 1)));
    expect(same.pushNeeded).toBe(false);
    expect(same.adopt).toEqual([]);
  });

  it('breaks a tie of equal clocks by station id, the same way on both sides', () => {
    const a = f('k', 'from a', 7, 'a');
    const b = f('k', 'from b', 7, 'b');
    expect(mergeFields(map(a), map(b)).merged.get('k')!.value).toBe('from b');
    expect(mergeFields(map(b), map(a)).merged.get('k')!.value).toBe('from b');
    expect(compareStamp(a, b)).toBeLessThan(0);
  });

  it('the clock never goes back, even if the wall clock does', () => {
    expect(nextClock(0, 1000)).toBe(1000);
    expect(nextClock(1000, 1000)).toBe(1001);
    expect(nextClock(5000, 1000)).toBe(5001);
  });

  it('reads and writes the cloud document, skipping malformed fields and keeping foreign keys', () => {
    const doc = toDoc([f('b', 2, 2), f('a', { granted: true }, 1)], { otherStation: { keep: 1 } });
    expect(doc.format).toBe(DOC_FORMAT);
    expect(doc.otherStation).toEqual({ keep: 1 });
    expect(Object.keys(doc.fields as object)).toEqual(['a', 'b']);
    const back = parseDoc({ ...doc, fields: { ...(doc.fields as object), bad: { value: 1, clock: 'x', node: 'n' }, worse: 3 } });
    expect([...back.keys()]).toEqual(['a', 'b']);
    expect(parseDoc({})).toEqual(new Map());
    expect(parseDoc({ format: 'other', fields: {} })).toEqual(new Map());
  });

  it('backs off 1, 2, 4 … seconds up to a cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 8000))).toEqual([1000, 2000, 4000, 8000, 8000]);
  });
});

describe('outbox in SQLite', () => {
  let dir: string;
  let db: Db;
  const open = () => {
    dir = mkdtempSync(join(tmpdir(), 'wp-outbox-'));
    db = openDatabase(join(dir, 'station.db'));
  };
  afterEach(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps entries in order across a reopen, with attempts and the next try', () => {
    open();
    const a = store.enqueue(db, 'consent', { consentId: 1, purpose: 'alarm_push' }, 100);
    store.enqueueSettingsPush(db, 101);
    store.enqueueSettingsPush(db, 102);
    store.outboxFailed(db, a, 'cloud unreachable', 5000);
    db.close();
    db = openDatabase(join(dir, 'station.db'));
    const all = store.listOutbox(db);
    expect(all.map((e) => e.kind)).toEqual(['consent', 'settings']);
    expect(all[0]).toMatchObject({ attempts: 1, nextAttemptAt: 5000, lastError: 'cloud unreachable', payload: { purpose: 'alarm_push' } });
    store.outboxDone(db, a);
    expect(store.listOutbox(db).map((e) => e.kind)).toEqual(['settings']);
  });

  it('coalesces profile and rights edits: the latest value of each field is sent once', () => {
    open();
    store.enqueueProfile(db, { nickname: 'A' }, 1);
    store.enqueueProfile(db, { country: 'FR' }, 2);
    store.enqueueProfile(db, { nickname: 'B' }, 3);
    store.enqueueRights(db, { restricted: true }, 4);
    store.enqueueRights(db, { objected: true }, 5);
    const all = store.listOutbox(db);
    expect(all).toHaveLength(2);
    expect(all[0]!.payload).toEqual({ nickname: 'B', country: 'FR' });
    expect(all[1]!.payload).toEqual({ restricted: true, objected: true });
  });

  it('filters the transmission ledger by purpose and text (LIKE wildcards taken literally)', () => {
    open();
    const row = { at: 1, method: 'GET', bytesOut: 0, bytesIn: 10, status: 200, outcome: 'sent', consent: 'c' };
    store.addTransmission(db, { ...row, endpoint: '/v1/health', purpose: 'service_info' });
    store.addTransmission(db, { ...row, endpoint: '/v1/telemetry/user_experience_plan', purpose: 'user_experience_plan', bytesOut: 99 });
    store.addTransmission(db, { ...row, endpoint: '/v1/settings', purpose: 'settings_sync', status: null, outcome: 'unreachable (ECONNREFUSED)' });
    expect(store.listTransmissions(db, { limit: 10 }).rows.map((r) => r.endpoint)).toEqual(['/v1/settings', '/v1/telemetry/user_experience_plan', '/v1/health']);
    expect(store.listTransmissions(db, { purpose: 'user_experience_plan', limit: 10 })).toMatchObject({ total: 3, matching: 1 });
    expect(store.listTransmissions(db, { text: 'unreachable', limit: 10 }).rows).toHaveLength(1);
    expect(store.listTransmissions(db, { text: '%', limit: 10 }).matching).toBe(0);
    expect(store.sentBytes(db, 'user_experience_plan')).toBe(99);
    expect(db.prepare('EXPLAIN QUERY PLAN SELECT * FROM transmission WHERE purpose = ? ORDER BY id DESC').all('x').map((r: any) => r.detail).join(' ')).toMatch(/transmission_purpose/);
  });
});

describe('station retention', () => {
  it('deletes ledger rows and unsent telemetry past their time at a moved clock, and keeps the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wp-retention-'));
    const db = openDatabase(join(dir, 'station.db'));
    try {
      const now = Date.parse('2027-03-01T00:00:00Z');
      const ago = (days: number) => now - days * DAY_MS;
      const row = { method: 'GET', endpoint: '/v1/health', purpose: 'account' as const, bytesOut: 0, bytesIn: 10, status: 200, outcome: 'sent', consent: 'contract' };
      for (const d of [STATION_RETENTION_DAYS.transmissionLedger + 1, STATION_RETENTION_DAYS.transmissionLedger - 1]) store.addTransmission(db, { ...row, at: ago(d) });
      for (const d of [STATION_RETENTION_DAYS.unsentTelemetry + 1, STATION_RETENTION_DAYS.unsentTelemetry - 1]) store.addTelemetry(db, 'user_experience_plan', { d }, ago(d));
      expect(store.pruneExpired(db, now)).toEqual({ transmissions: 1, unsentTelemetry: 1 });
      expect(store.listTransmissions(db, { limit: 10 }).rows.map((r) => r.at)).toEqual([ago(STATION_RETENTION_DAYS.transmissionLedger - 1)]);
      expect(store.pendingTelemetry(db, 'user_experience_plan').map((e) => e.payload)).toEqual([{ d: STATION_RETENTION_DAYS.unsentTelemetry - 1 }]);
      expect(store.pruneExpired(db, now)).toEqual({ transmissions: 0, unsentTelemetry: 0 });
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
