// The operation log is a hash chain: `npm run verify-oplog` verifies an untouched log, and names the row someone edited or
// removed with better-sqlite3 (after dropping the append-only triggers, as anyone with the file could). `--reset-admin`
// is the way back in when no administrator can sign in, and is itself in the log.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClientSession } from '../../electron/core/client-session';
import { TEST_ADMIN } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';
import { openStation } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';
import { exitOf, ROOT, runStationCli } from '../helpers/station-process';

const scope = fileScope();
let dataDir: string;
const verify = () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/verify-oplog.ts'), dataDir], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
};
const raw = () => {
  const db = new Database(join(dataDir, 'station.db'));
  db.exec('DROP TRIGGER IF EXISTS oplog_no_update; DROP TRIGGER IF EXISTS oplog_no_delete;');
  return db;
};

beforeAll(async () => {
  dataDir = scope.tempDir('wp-oplog-');
  const st = await openStation(dataDir);
  const s = new ClientSession('page', undefined, { transport: 'browser', address: '127.0.0.1' });
  await stationCall(st, s, 'auth.setup', TEST_ADMIN);
  await stationCall(st, s, 'users.create', { name: 'night', password: 'Moonlit-shift-42', roleId: 'viewer' });
  await expect(stationCall(st, s, 'users.remove', { id: 1 })).rejects.toMatchObject({ reason: 'auth.notYourself' });
  await stationCall(st, s, 'auth.updateSettings', { idleMinutes: 20 });
  const entries = await stationCall(st, s, 'oplog.query', {});
  expect(entries.map((e) => `${e.kind}:${e.result}`)).toEqual(['auth.updateSettings:ok', 'users.remove:refused', 'users.create:ok', 'auth.setup:ok', 'oplog.headStarted:ok']);
  await st.dispose();
}, 60_000);

describe('npm run verify-oplog', () => {
  it('the log refuses edits while its triggers stand', () => {
    const db = new Database(join(dataDir, 'station.db'));
    try {
      expect(() => db.prepare("UPDATE oplog SET detail = 'x'").run()).toThrow(/append-only/);
    } finally {
      db.close();
    }
  });

  it('verifies an untouched log', () => {
    const r = verify();
    expect(r.out).toMatch(/VERIFIED: the operation log's \d+ rows form an unbroken chain/);
    expect(r.code).toBe(0);
  });

  it('names a row edited in place', () => {
    const db = raw();
    const row = db.prepare("SELECT id FROM oplog WHERE kind = 'users.remove'").get() as { id: number };
    db.prepare("UPDATE oplog SET result = 'ok' WHERE id = ?").run(row.id);
    db.close();
    const r = verify();
    expect(r.code).toBe(1);
    expect(r.out).toContain(`BROKEN at row ${row.id}: row ${row.id} was changed after it was written`);
    const back = raw();
    back.prepare("UPDATE oplog SET result = 'refused' WHERE id = ?").run(row.id);
    back.close();
    expect(verify().code).toBe(0);
  });

  it('names the gap a deleted row leaves', () => {
    const db = raw();
    const row = db.prepare("SELECT id FROM oplog WHERE kind = 'users.create'").get() as { id: number };
    db.prepare('DELETE FROM oplog WHERE id = ?').run(row.id);
    db.close();
    const r = verify();
    expect(r.code).toBe(1);
    expect(r.out).toContain(`BROKEN at row ${row.id + 1}: rows ${row.id}..${row.id} are missing`);
  });

});

describe('the newest rows cut off', () => {
  const sqlite3 = (dir: string, sql: string) => spawnSync('sqlite3', [join(dir, 'station.db'), sql], { encoding: 'utf8' });
  const verifyIn = (dir: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/verify-oplog.ts'), dir], { cwd: ROOT, encoding: 'utf8' });
    return { code: r.status, out: r.stdout + r.stderr };
  };
  async function loggedStation(): Promise<{ dir: string; last: number }> {
    const dir = scope.tempDir('wp-oplog-tail-');
    const st = await openStation(dir);
    const s = new ClientSession('page', undefined, { transport: 'browser', address: '127.0.0.1' });
    await stationCall(st, s, 'auth.setup', TEST_ADMIN);
    for (const name of ['north', 'south', 'east']) await stationCall(st, s, 'users.create', { name, password: `Gate-${name.length}-harbour-2026`, roleId: 'viewer' });
    const last = (await stationCall(st, s, 'oplog.query', { limit: 1 }))[0]!.id;
    await st.dispose();
    return { dir, last };
  }

  it('verify-oplog names how many of the newest rows are missing (deleted with sqlite3)', async () => {
    const { dir, last } = await loggedStation();
    expect(verifyIn(dir)).toMatchObject({ code: 0, out: expect.stringContaining('up to the head kept outside the database (sealed)') });
    // The shorter chain still holds on its own: only the head kept outside shows the cut.
    expect(sqlite3(dir, `DROP TRIGGER oplog_no_delete; DELETE FROM oplog WHERE id > ${last - 2};`).status).toBe(0);
    const r = verifyIn(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`BROKEN at row ${last - 1}: the newest 2 rows are missing (rows ${last - 1}..${last}): the log was cut after row ${last - 2}`);
  });

  it('a station started on a cut log writes the cut into the log, and a forged head is refused', async () => {
    const { dir, last } = await loggedStation();
    expect(sqlite3(dir, `DROP TRIGGER oplog_no_delete; DELETE FROM oplog WHERE id > ${last - 3};`).status).toBe(0);
    // Started again, the head moves on, but the cut stays on record in the chain.
    await (await openStation(dir)).dispose();
    const r = verifyIn(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`the newest 3 rows (${last - 2}..${last}) were cut off while the station was stopped`);

    const { dir: other, last: l2 } = await loggedStation();
    expect(sqlite3(other, `DROP TRIGGER oplog_no_delete; DELETE FROM oplog WHERE id > ${l2 - 1};`).status).toBe(0);
    // A head rewritten to fit the shorter table, without the key, does not hold.
    const head = JSON.parse(readFileSync(join(other, 'oplog-head.json'), 'utf8'));
    const row = sqlite3(other, `SELECT hash FROM oplog WHERE id = ${l2 - 1};`).stdout.trim();
    writeFileSync(join(other, 'oplog-head.json'), JSON.stringify({ ...head, lastId: l2 - 1, lastHash: row }));
    expect(verifyIn(other).out).toContain('was altered: its seal does not hold');
  });
});

describe('npm run station -- --reset-admin', () => {
  it('gives the administrator a new password to change at sign-in, and logs it', async () => {
    const dir = scope.tempDir('wp-reset-');
    const st = await openStation(dir);
    const s = new ClientSession('page', undefined, { transport: 'browser', address: '127.0.0.1' });
    await stationCall(st, s, 'auth.setup', TEST_ADMIN);
    await st.dispose();
    const r = await exitOf(runStationCli(['--data-dir', dir, '--reset-admin']));
    expect(r.code).toBe(0);
    const password = /administrator "admin": new password (\S+)/.exec(r.out)?.[1];
    expect(password).toBeTruthy();
    const again = scope.add(await openStation(dir));
    const page = new ClientSession('page2', undefined, { transport: 'browser', address: '127.0.0.1' });
    await expect(stationCall(again, page, 'auth.signIn', TEST_ADMIN)).rejects.toMatchObject({ reason: 'auth.wrongPassword' });
    const signed = await stationCall(again, page, 'auth.signIn', { name: 'admin', password: password! });
    expect(signed.state.me).toMatchObject({ name: 'admin', mustChangePassword: true });
    // Nothing but choosing a new password until it is chosen.
    await expect(stationCall(again, page, 'channels.list')).rejects.toMatchObject({ reason: 'auth.mustChangePassword' });
    await stationCall(again, page, 'auth.changePassword', { currentPassword: password!, newPassword: 'Fresh-start-2026' });
    expect(await stationCall(again, page, 'channels.list')).toEqual([]);
    const log = await stationCall(again, page, 'oplog.query', { kind: 'auth.' });
    expect(log.map((e) => e.kind)).toEqual(expect.arrayContaining(['auth.resetAdmin', 'auth.signIn', 'auth.changePassword']));
    expect(log.find((e) => e.kind === 'auth.resetAdmin')).toMatchObject({ transport: 'cli', result: 'ok' });
  }, 60_000);
});
