// The subject access request register on real SQLite, a key-file secret store and the archive's real evidence locks:
// the person's details sealed at rest, every step checked (refusals name the field), window and export locks held while
// the request is open, reminders against an injected clock, erasure after retention; then through a whole station's
// dispatcher: the operation log never holds the person, and the privacy data export has the register in the clear.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StationError, type CallName, type SubjectReminders, type SubjectRequest } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { reminderLevel, SubjectRequests, type AttachableExport } from '../../electron/core/privacy/subject-requests';
import { actorOf, createLock, locksWithOwner, unlock } from '../../electron/core/recording/evidence';
import { SignalBus } from '../../electron/core/signal-bus';
import { openDatabase, type Db } from '../../electron/core/storage/db';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const scope = fileScope();
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);
const PERSON = { name: 'Erika Mustermann', contact: 'erika@example.test', notes: 'Blue coat, entered at the gate around noon' };
const session = new ClientSession('sar-test');

/** The register on a fresh database, its clock moved by the test; exports as the redaction area lists them, each lockable. */
function register() {
  const dir = scope.tempDir('wp-sar-');
  const db: Db = openDatabase(join(dir, 'station.db'));
  scope.defer(() => db.close());
  let now = T0;
  const exports: Array<AttachableExport & { lockId: number | null }> = [
    { exportId: 5, channelId: 1, from: T0 - 3 * DAY, to: T0 - 3 * DAY + 60_000, state: 'done', lockId: null },
    { exportId: 6, channelId: 1, from: T0 - 2 * DAY, to: T0 - 2 * DAY + 60_000, state: 'running', lockId: null },
  ];
  const signals = new SignalBus();
  const reminders: SubjectReminders[] = [];
  signals.subscribe((name, payload) => { if (name === 'subjectRequests.reminders') reminders.push(payload as SubjectReminders); });
  const by = actorOf('sar-test');
  const sar = new SubjectRequests({
    db, secrets: nodeSecretStore(dir), signals, clock: () => now,
    exports: {
      list: () => exports,
      lockOriginal: (id, reason) => {
        const e = exports.find((x) => x.exportId === id)!;
        return (e.lockId ??= createLock(db, { channelId: e.channelId, start: e.from, end: e.to, reason, at: now, by }).id);
      },
      releaseOriginal: (id, reason) => {
        const e = exports.find((x) => x.exportId === id)!;
        const had = e.lockId !== null && unlock(db, e.lockId, reason, now, by);
        e.lockId = null;
        return had;
      },
    },
    locks: {
      lock: (l) => createLock(db, { ...l, at: now, by }).id,
      unlock: (id, reason) => void unlock(db, id, reason, now, by),
    },
  });
  scope.defer(() => sar.dispose());
  const call = <K extends keyof typeof sar.handlers>(name: K, input: Parameters<(typeof sar.handlers)[K]>[0]) =>
    Promise.resolve((sar.handlers[name] as (i: unknown, s: ClientSession) => unknown)(input, session)) as Promise<SubjectRequest>;
  return { db, dir, sar, call, exports, reminders, setNow: (t: number) => { now = t; } };
}

async function refusal(p: Promise<unknown>): Promise<StationError> {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(StationError);
  return e as StationError;
}

describe('subject access request register', () => {
  it('keeps the person sealed at rest, dates the request a month out, and locks its windows while open', async () => {
    const { db, dir, call } = register();
    const r = await call('subjectRequests.create', { person: PERSON, receivedAt: T0, channelIds: [1, 2, 1], windows: [{ from: T0 - 3 * DAY, to: T0 - 3 * DAY + 3_600_000 }, { from: T0 - DAY, to: T0 + DAY }] });
    expect(r).toMatchObject({ id: 1, reference: 'SAR-0001', person: PERSON, state: 'received', dueAt: T0 + 30 * DAY, channelIds: [1, 2], reminder: 'none', exportIds: [] });
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(join(dir, 'station.db'));
    for (const secret of [PERSON.name, PERSON.contact, 'Blue coat']) expect(bytes.includes(Buffer.from(secret))).toBe(false);
    // Two channels × two windows; the second window is locked only up to now (only recorded time is evidence).
    const locks = locksWithOwner(db);
    expect(locks).toHaveLength(4);
    expect(Math.max(...locks.map((l) => l.end))).toBe(T0);
    expect(locks.every((l) => l.reason.startsWith('SAR-0001'))).toBe(true);
  });

  it('checks each step: refusals name the field, exports must be finished and attached, closing releases every lock', async () => {
    const { db, call } = register();
    const { id } = await call('subjectRequests.create', { person: PERSON, receivedAt: T0, channelIds: [1], windows: [{ from: T0 - 4 * DAY, to: T0 - 3 * DAY }] });
    let e = await refusal(call('subjectRequests.advance', { id, state: 'prepared' }));
    expect(e.info).toMatchObject({ reason: 'subjectRequest.badStep', params: { field: 'state', from: 'received', to: 'prepared' } });
    expect(e.message).toBe('Status: a request that is received cannot become prepared.');
    await call('subjectRequests.advance', { id, state: 'searching' });
    e = await refusal(call('subjectRequests.advance', { id, state: 'prepared' }));
    expect(e.info).toMatchObject({ reason: 'subjectRequest.noExport', params: { field: 'exportId' } });
    e = await refusal(call('subjectRequests.attach', { id, exportId: 6 }));
    expect(e.message).toBe('Export: export 6 is running; only a finished export can be attached.');
    e = await refusal(call('subjectRequests.attach', { id, exportId: 99 }));
    expect(e.info).toMatchObject({ code: 'not_found', reason: 'subjectRequest.exportNotFound' });
    expect((await call('subjectRequests.attach', { id, exportId: 5 })).exportIds).toEqual([5]);
    expect(locksWithOwner(db)).toHaveLength(2);
    expect((await call('subjectRequests.advance', { id, state: 'prepared' })).state).toBe('prepared');
    e = await refusal(call('subjectRequests.disclose', { id, method: 'email', exportIds: [6] }));
    expect(e.info).toMatchObject({ reason: 'subjectRequest.exportNotAttached', params: { field: 'exportIds', exportId: 6 } });
    const closed = await call('subjectRequests.disclose', { id, method: 'email', exportIds: [5] });
    expect(closed).toMatchObject({ state: 'disclosed', disclosure: { at: T0, method: 'email' }, closedAt: T0, eraseAt: T0 + 730 * DAY });
    expect(locksWithOwner(db)).toEqual([]);
    e = await refusal(call('subjectRequests.update', { id, dueAt: T0 + DAY }));
    expect(e.message).toBe('Request SAR-0001 is closed (disclosed); it can no longer be changed.');
    e = await refusal(call('subjectRequests.refuse', { id, reason: 'too late' }));
    expect(e.info.reason).toBe('subjectRequest.closed');
    e = await refusal(call('subjectRequests.create', { person: PERSON, receivedAt: T0, dueAt: T0 - DAY, channelIds: [1], windows: [{ from: T0 - DAY, to: T0 }] }));
    expect(e.message).toBe('Due date must be after the day the request was received.');
  });

  it('a refused request keeps its reason and releases its exports', async () => {
    const { db, call, exports } = register();
    const { id } = await call('subjectRequests.create', { person: PERSON, receivedAt: T0, channelIds: [1], windows: [{ from: T0 - 4 * DAY, to: T0 - 3 * DAY }] });
    await call('subjectRequests.attach', { id, exportId: 5 });
    const r = await call('subjectRequests.refuse', { id, reason: 'Identity could not be confirmed' });
    expect(r).toMatchObject({ state: 'refused', refusedReason: 'Identity could not be confirmed', closedAt: T0 });
    expect(exports[0]!.lockId).toBeNull();
    expect(locksWithOwner(db)).toEqual([]);
  });

  it('reminds a week and a day before the due date and when overdue, by the clock it is given', async () => {
    expect([8, 7, 2, 1, 0.5, -0.1].map((d) => reminderLevel(T0 + d * DAY, T0))).toEqual(['none', 'week', 'week', 'day', 'day', 'overdue']);
    const { sar, call, setNow, reminders } = register();
    await call('subjectRequests.updateSettings', { dueDays: 10, retentionDays: 730 });
    const { id } = await call('subjectRequests.create', { person: PERSON, receivedAt: T0, channelIds: [1], windows: [{ from: T0 - DAY, to: T0 }] });
    const level = async () => (await sar.tick()).reminders.due.find((d) => d.id === id)?.level ?? 'none';
    expect(await level()).toBe('none');
    setNow(T0 + 4 * DAY);
    expect(await level()).toBe('week');
    expect((await sar.list())[0]!.reminder).toBe('week');
    setNow(T0 + 9.5 * DAY);
    expect(await level()).toBe('day');
    setNow(T0 + 11 * DAY);
    expect(await level()).toBe('overdue');
    // The signal carries each change once.
    expect(reminders.map((r) => r.due[0]?.level ?? 'none')).toEqual(['none', 'week', 'day', 'overdue']);
    // The station started again sends what is due soon after start, with no change needed.
    const before = register();
    const late = await before.call('subjectRequests.create', { person: PERSON, receivedAt: T0 - 40 * DAY, dueAt: T0 - DAY, channelIds: [1], windows: [{ from: T0 - 41 * DAY, to: T0 - 40 * DAY }] });
    const bus = new SignalBus();
    const got: SubjectReminders[] = [];
    bus.subscribe((name, payload) => { if (name === 'subjectRequests.reminders') got.push(payload as SubjectReminders); });
    const after = new SubjectRequests({
      db: before.db, secrets: nodeSecretStore(before.dir), signals: bus, clock: () => T0, firstTickMs: 20,
      exports: { list: () => [], lockOriginal: () => 0, releaseOriginal: () => false }, locks: { lock: () => 0, unlock: () => {} },
    });
    scope.defer(() => after.dispose());
    await expect.poll(() => got.length).toBe(1);
    expect(got[0]!.due).toEqual([{ id: late.id, reference: late.reference, dueAt: T0 - DAY, level: 'overdue' }]);
    await call('subjectRequests.refuse', { id, reason: 'Withdrawn by the requester' });
    expect((await sar.tick()).reminders.due).toEqual([]);
  });

  it('erases a closed request once its retention has run out, never an open one', async () => {
    const { db, sar, call, setNow } = register();
    const a = await call('subjectRequests.create', { person: PERSON, receivedAt: T0, channelIds: [1], windows: [{ from: T0 - DAY, to: T0 }] });
    await call('subjectRequests.create', { person: { ...PERSON, name: 'Max' }, receivedAt: T0, channelIds: [1], windows: [{ from: T0 - DAY, to: T0 }] });
    await call('subjectRequests.refuse', { id: a.id, reason: 'Manifestly unfounded' });
    setNow(T0 + 729 * DAY);
    expect((await sar.tick()).erased).toBe(0);
    setNow(T0 + 731 * DAY);
    expect((await sar.tick()).erased).toBe(1);
    expect((await sar.list()).map((r) => r.person.name)).toEqual(['Max']);
    await call('subjectRequests.updateSettings', { dueDays: 30, retentionDays: 1 });
    expect((await sar.tick()).erased).toBe(0);
    expect((db.prepare('SELECT count(*) AS n FROM subject_request').get() as { n: number }).n).toBe(1);
  });

  it('through the station: the log names the request, never the person; the data export has the register in the clear', async () => {
    const { st } = await startStationIn(scope, scope.tempDir('wp-sar-st-'));
    const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);
    const now = Date.now();
    const r = await call('subjectRequests.create', { person: PERSON, receivedAt: now, channelIds: [3], windows: [{ from: now - DAY, to: now - DAY + 60_000 }] });
    const e = await call('subjectRequests.create', { person: { ...PERSON, name: '' }, receivedAt: now, channelIds: [3], windows: [{ from: now - DAY, to: now }] }).catch((err: StationError) => err);
    expect((e as StationError).message).toBe("Requester's name is required.");
    await call('subjectRequests.refuse', { id: r.id, reason: 'Identity could not be confirmed' });
    const log = await call('oplog.query', {});
    expect(log.map((l) => l.kind)).toEqual(expect.arrayContaining(['subjectRequests.create', 'subjectRequests.refuse']));
    expect(JSON.stringify(log)).not.toContain(PERSON.name);
    expect(JSON.stringify(log)).not.toContain(PERSON.contact);
    const exported = JSON.parse((await call('privacy.export')).json) as { subjectRequests: SubjectRequest[] };
    expect(exported.subjectRequests).toEqual([expect.objectContaining({ reference: r.reference, person: PERSON, state: 'refused', refusedReason: 'Identity could not be confirmed' })]);
  });
});
