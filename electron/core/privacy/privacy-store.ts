// Repository functions for the privacy tables (migration 3); each takes the database first.
import type { ConsentRecord, PrivacyAccount, Transmission, TransmissionPurpose } from '../../contract';
import { DAY_MS, STATION_RETENTION_DAYS } from '../../contract/retention';
import type { Db } from '../storage/db';
import type { ClockedField } from './field-merge';

// ---- meta ----

export function getMeta(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM privacy_meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
}
export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO privacy_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

// ---- account ----

export interface StoredAccount extends Omit<PrivacyAccount, 'photoType' | 'emailVerified' | 'suspension'> {
  accountId: string;
  restricted: boolean;
  objected: boolean;
  sessionId: string;
  expiresAt: string;
  signedInAt: number;
}

interface AccountRow {
  account_id: string; email: string; nickname: string; country: string; region: string; region_name: string;
  date_of_birth: string; restricted: number; objected: number; session_id: string; expires_at: string;
  created_at: string; signed_in_at: number;
}

export function getAccount(db: Db): StoredAccount | null {
  const r = db.prepare('SELECT * FROM privacy_account WHERE slot = 1').get() as AccountRow | undefined;
  if (!r) return null;
  return {
    accountId: r.account_id, email: r.email, nickname: r.nickname, country: r.country, region: r.region,
    regionName: r.region_name, dateOfBirth: r.date_of_birth, restricted: r.restricted === 1, objected: r.objected === 1,
    sessionId: r.session_id, expiresAt: r.expires_at, createdAt: r.created_at, signedInAt: r.signed_in_at,
  };
}

export function putAccount(db: Db, a: StoredAccount): void {
  db.prepare(`INSERT INTO privacy_account (slot, account_id, email, nickname, country, region, region_name, date_of_birth,
      restricted, objected, session_id, expires_at, created_at, signed_in_at)
    VALUES (1, @accountId, @email, @nickname, @country, @region, @regionName, @dateOfBirth, @restricted, @objected,
      @sessionId, @expiresAt, @createdAt, @signedInAt)
    ON CONFLICT(slot) DO UPDATE SET account_id = excluded.account_id, email = excluded.email, nickname = excluded.nickname,
      country = excluded.country, region = excluded.region, region_name = excluded.region_name,
      date_of_birth = excluded.date_of_birth, restricted = excluded.restricted, objected = excluded.objected,
      session_id = excluded.session_id, expires_at = excluded.expires_at, created_at = excluded.created_at,
      signed_in_at = excluded.signed_in_at`).run({ ...a, restricted: a.restricted ? 1 : 0, objected: a.objected ? 1 : 0 });
}

export function patchAccount(db: Db, patch: Partial<Pick<StoredAccount, 'email' | 'nickname' | 'country' | 'dateOfBirth' | 'restricted' | 'objected'>>): void {
  const cols: Record<string, string> = { email: 'email', nickname: 'nickname', country: 'country', dateOfBirth: 'date_of_birth', restricted: 'restricted', objected: 'objected' };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    db.prepare(`UPDATE privacy_account SET ${cols[k]} = ? WHERE slot = 1`).run(typeof v === 'boolean' ? (v ? 1 : 0) : v);
  }
}

export function deleteAccount(db: Db): boolean {
  return db.prepare('DELETE FROM privacy_account').run().changes > 0;
}

// ---- clocked fields ----

export function listFields(db: Db): Map<string, ClockedField> {
  const rows = db.prepare('SELECT key, value, clock, node FROM privacy_field').all() as { key: string; value: string; clock: number; node: string }[];
  return new Map(rows.map((r) => [r.key, { key: r.key, value: JSON.parse(r.value) as unknown, clock: r.clock, node: r.node }]));
}

export function putField(db: Db, f: ClockedField, now: number): void {
  db.prepare(`INSERT INTO privacy_field (key, value, clock, node, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(key) DO UPDATE SET value = excluded.value, clock = excluded.clock, node = excluded.node, updated_at = excluded.updated_at`)
    .run(f.key, JSON.stringify(f.value), f.clock, f.node, now);
}

export function fieldUpdatedAt(db: Db, key: string): number | null {
  return (db.prepare('SELECT updated_at AS t FROM privacy_field WHERE key = ?').get(key) as { t: number } | undefined)?.t ?? null;
}

export function clearFields(db: Db): number {
  return db.prepare('DELETE FROM privacy_field').run().changes;
}

// ---- outbox ----

export type OutboxKind = 'consent' | 'settings' | 'rights' | 'profile';
export interface OutboxEntry {
  id: number;
  kind: OutboxKind;
  payload: Record<string, unknown>;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

interface OutboxRow { id: number; kind: OutboxKind; payload: string; created_at: number; attempts: number; next_attempt_at: number; last_error: string | null }
const outboxOut = (r: OutboxRow): OutboxEntry => ({
  id: r.id, kind: r.kind, payload: JSON.parse(r.payload) as Record<string, unknown>, createdAt: r.created_at,
  attempts: r.attempts, nextAttemptAt: r.next_attempt_at, lastError: r.last_error,
});

export function enqueue(db: Db, kind: OutboxKind, payload: Record<string, unknown>, now: number): number {
  return Number(db.prepare('INSERT INTO privacy_outbox (kind, payload, created_at) VALUES (?, ?, ?)').run(kind, JSON.stringify(payload), now).lastInsertRowid);
}

/** One queued settings push stands for all local field changes, so a burst of edits syncs once. */
export function enqueueSettingsPush(db: Db, now: number): void {
  if (!db.prepare("SELECT 1 FROM privacy_outbox WHERE kind = 'settings'").get()) enqueue(db, 'settings', {}, now);
}

/** Profile edits merge into the one waiting entry: the latest value of each field is what gets sent. */
export function enqueueProfile(db: Db, patch: Record<string, unknown>, now: number): void {
  const row = db.prepare("SELECT id, payload FROM privacy_outbox WHERE kind = 'profile' ORDER BY id LIMIT 1").get() as { id: number; payload: string } | undefined;
  if (!row) return void enqueue(db, 'profile', patch, now);
  db.prepare('UPDATE privacy_outbox SET payload = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(row.payload), ...patch }), row.id);
}

export function enqueueRights(db: Db, patch: Record<string, unknown>, now: number): void {
  const row = db.prepare("SELECT id, payload FROM privacy_outbox WHERE kind = 'rights' ORDER BY id LIMIT 1").get() as { id: number; payload: string } | undefined;
  if (!row) return void enqueue(db, 'rights', patch, now);
  db.prepare('UPDATE privacy_outbox SET payload = ? WHERE id = ?').run(JSON.stringify({ ...JSON.parse(row.payload), ...patch }), row.id);
}

export function listOutbox(db: Db): OutboxEntry[] {
  return (db.prepare('SELECT * FROM privacy_outbox ORDER BY id').all() as OutboxRow[]).map(outboxOut);
}

export function outboxDone(db: Db, id: number): void {
  db.prepare('DELETE FROM privacy_outbox WHERE id = ?').run(id);
}

export function outboxFailed(db: Db, id: number, error: string, nextAttemptAt: number): void {
  db.prepare('UPDATE privacy_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?').run(error, nextAttemptAt, id);
}

export function clearOutbox(db: Db): number {
  return db.prepare('DELETE FROM privacy_outbox').run().changes;
}

// ---- consent mirror ----

interface ConsentRow {
  id: number; purpose: string; action: 'grant' | 'withdraw'; policy_version: string; policy_text_hash: string;
  app_version: string; locale: string; created_at: number; cloud_id: number | null; cloud_recorded_at: string | null;
  origin: 'station' | 'cloud';
}
const consentOut = (r: ConsentRow): ConsentRecord => ({
  id: r.id, purpose: r.purpose as ConsentRecord['purpose'], action: r.action, policyVersion: r.policy_version,
  policyTextHash: r.policy_text_hash, appVersion: r.app_version, locale: r.locale, createdAt: r.created_at,
  cloudId: r.cloud_id, cloudRecordedAt: r.cloud_recorded_at, origin: r.origin,
});

export function addConsent(db: Db, c: Omit<ConsentRecord, 'id'>): number {
  return Number(db.prepare(`INSERT INTO privacy_consent (purpose, action, policy_version, policy_text_hash, app_version, locale,
      created_at, cloud_id, cloud_recorded_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(c.purpose, c.action, c.policyVersion, c.policyTextHash, c.appVersion, c.locale, c.createdAt, c.cloudId, c.cloudRecordedAt, c.origin)
    .lastInsertRowid);
}

export function getConsent(db: Db, id: number): ConsentRecord | undefined {
  const r = db.prepare('SELECT * FROM privacy_consent WHERE id = ?').get(id) as ConsentRow | undefined;
  return r && consentOut(r);
}

export function consentRecorded(db: Db, id: number, cloudId: number, recordedAt: string): void {
  db.prepare('UPDATE privacy_consent SET cloud_id = ?, cloud_recorded_at = ? WHERE id = ?').run(cloudId, recordedAt, id);
}

export function hasCloudConsent(db: Db, cloudId: number): boolean {
  return db.prepare('SELECT 1 FROM privacy_consent WHERE cloud_id = ?').get(cloudId) !== undefined;
}

export function listConsents(db: Db): ConsentRecord[] {
  return (db.prepare('SELECT * FROM privacy_consent ORDER BY created_at, id').all() as ConsentRow[]).map(consentOut);
}

export function clearConsents(db: Db): number {
  return db.prepare('DELETE FROM privacy_consent').run().changes;
}

// ---- transmission ledger ----

export function addTransmission(db: Db, t: Omit<Transmission, 'id'>): number {
  return Number(db.prepare(`INSERT INTO transmission (at, method, endpoint, purpose, bytes_out, bytes_in, status, outcome, consent)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(t.at, t.method, t.endpoint, t.purpose, t.bytesOut, t.bytesIn, t.status, t.outcome, t.consent).lastInsertRowid);
}

export function listTransmissions(db: Db, q: { purpose?: TransmissionPurpose; text?: string; limit: number }) {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.purpose) { where.push('purpose = ?'); args.push(q.purpose); }
  if (q.text) {
    where.push("(endpoint LIKE ? ESCAPE '\\' OR outcome LIKE ? ESCAPE '\\' OR consent LIKE ? ESCAPE '\\')");
    const like = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    args.push(like, like, like);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const rows = db.prepare(`SELECT id, at, method, endpoint, purpose, bytes_out AS bytesOut, bytes_in AS bytesIn, status, outcome, consent
    FROM transmission ${clause} ORDER BY id DESC LIMIT ?`).all(...args, q.limit) as Transmission[];
  const matching = (db.prepare(`SELECT count(*) AS n FROM transmission ${clause}`).get(...args) as { n: number }).n;
  const total = (db.prepare('SELECT count(*) AS n FROM transmission').get() as { n: number }).n;
  return { rows, total, matching };
}

/** Bytes that reached the cloud for a purpose, whether it accepted them or not. */
export function sentBytes(db: Db, purpose: TransmissionPurpose): number {
  return (db.prepare('SELECT COALESCE(SUM(bytes_out), 0) AS n FROM transmission WHERE purpose = ? AND status IS NOT NULL').get(purpose) as { n: number }).n;
}

// ---- telemetry ----

export function addTelemetry(db: Db, purpose: string, payload: unknown, now: number): void {
  db.prepare('INSERT INTO telemetry_event (purpose, payload, created_at) VALUES (?, ?, ?)').run(purpose, JSON.stringify(payload), now);
}

export function pendingTelemetry(db: Db, purpose: string, limit = 1000): { id: number; payload: Record<string, unknown> }[] {
  return (db.prepare('SELECT id, payload FROM telemetry_event WHERE purpose = ? ORDER BY id LIMIT ?').all(purpose, limit) as { id: number; payload: string }[])
    .map((r) => ({ id: r.id, payload: JSON.parse(r.payload) as Record<string, unknown> }));
}

export function countTelemetry(db: Db, purpose: string): number {
  return (db.prepare('SELECT count(*) AS n FROM telemetry_event WHERE purpose = ?').get(purpose) as { n: number }).n;
}

export function dropTelemetry(db: Db, purpose: string, upToId?: number): number {
  return upToId === undefined
    ? db.prepare('DELETE FROM telemetry_event WHERE purpose = ?').run(purpose).changes
    : db.prepare('DELETE FROM telemetry_event WHERE purpose = ? AND id <= ?').run(purpose, upToId).changes;
}

export function clearTelemetry(db: Db): number {
  return db.prepare('DELETE FROM telemetry_event').run().changes;
}

// ---- retention ----

/** Deletes the station's own privacy records past their retention at `now` (electron/contract/retention.ts). */
export function pruneExpired(db: Db, now: number): { transmissions: number; unsentTelemetry: number } {
  const days = STATION_RETENTION_DAYS;
  return db.transaction(() => ({
    transmissions: db.prepare('DELETE FROM transmission WHERE at < ?').run(now - days.transmissionLedger * DAY_MS).changes,
    unsentTelemetry: db.prepare('DELETE FROM telemetry_event WHERE created_at < ?').run(now - days.unsentTelemetry * DAY_MS).changes,
  }))();
}
