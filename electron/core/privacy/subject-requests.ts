// The subject access request register (migration 16): who asked, what to search, the redacted exports prepared, the
// disclosure. The person's details are sealed with a key from the secret store and never logged; the request's search
// windows and its exports' original ranges stay locked as evidence while it is open; reminders as the due date nears;
// a closed request is erased after its retention.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  OPEN_STATES, SubjectPerson, type ReminderLevel, type SearchWindow, type SubjectReminders, type SubjectRequest,
  type SubjectRequestSettings, type SubjectRequestState,
} from '../../contract';
import { fail } from '../../contract/errors';
import type { Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';

const DAY = 86_400_000;
const KEY_NAME = 'privacy:subject-requests-key';
export const DEFAULT_SUBJECT_REQUEST_SETTINGS: SubjectRequestSettings = { dueDays: 30, retentionDays: 730 };

/** A redacted export as the register sees it (the redaction area's, handed in by the station). */
export interface AttachableExport { exportId: number; channelId: number; from: number; to: number; state: string }
export interface SubjectRequestPorts {
  exports: {
    list(): AttachableExport[] | Promise<AttachableExport[]>;
    /** Locks the export's original range as evidence; returns the lock's id. */
    lockOriginal(exportId: number, reason: string, sessionId: string): number;
    releaseOriginal(exportId: number, reason: string, sessionId: string): boolean;
  };
  /** Evidence locks on the request's search windows (recording/evidence.ts). */
  locks: {
    lock(l: { channelId: number; start: number; end: number; reason: string }, sessionId: string): number;
    unlock(id: number, reason: string, sessionId: string): void;
  };
}

export interface SubjectRequestOptions extends SubjectRequestPorts {
  db: Db;
  secrets: SecretStore;
  signals: SignalBus;
  clock: () => number;
  /** How often reminders are worked out and closed requests past their retention erased (default hourly). */
  everyMs?: number;
  /** When the first reminders go out after start (default 5 s). */
  firstTickMs?: number;
}

/** How a due date stands at `now`: more than a week away, within a week, within a day, or past. */
export function reminderLevel(dueAt: number, now: number): ReminderLevel {
  const left = dueAt - now;
  if (left < 0) return 'overdue';
  if (left <= DAY) return 'day';
  if (left <= 7 * DAY) return 'week';
  return 'none';
}

export const referenceOf = (id: number) => `SAR-${String(id).padStart(4, '0')}`;

interface Row {
  id: number; person_sealed: Buffer; received_at: number; due_at: number; channels: string; windows: string; state: SubjectRequestState;
  export_ids: string; lock_ids: string; refused_reason: string | null; disclosed_at: number | null; disclosure_method: string | null;
  closed_at: number | null; created_at: number; updated_at: number;
}

type SubjectRequestHandlers = Pick<Handlers, Extract<keyof Handlers, `subjectRequests.${string}`>>;

export class SubjectRequests {
  readonly handlers: SubjectRequestHandlers;
  private key: Promise<Buffer> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly first: NodeJS.Timeout;
  private lastReminders = '';

  constructor(private readonly o: SubjectRequestOptions) {
    this.handlers = {
      'subjectRequests.list': async () => ({ requests: await this.list(), settings: this.settings() }),
      'subjectRequests.create': (input, session) => this.create(input, session.id),
      'subjectRequests.update': ({ id, ...patch }, session) => this.update(id, patch, session.id),
      'subjectRequests.advance': ({ id, state }) => this.advance(id, state),
      'subjectRequests.attach': ({ id, exportId }, session) => this.attach(id, exportId, session.id),
      'subjectRequests.detach': ({ id, exportId }, session) => this.detach(id, exportId, session.id),
      'subjectRequests.disclose': ({ id, method, exportIds }, session) => this.disclose(id, method, exportIds, session.id),
      'subjectRequests.refuse': ({ id, reason }, session) => this.refuse(id, reason, session.id),
      'subjectRequests.updateSettings': (s) => this.saveSettings(s),
    };
    this.timer = setInterval(() => void this.tick(), o.everyMs ?? 3_600_000);
    this.timer.unref();
    // Soon after start, once the desktop shell listens: what is due now, and what is past its retention.
    this.first = setTimeout(() => void this.tick(), o.firstTickMs ?? 5_000);
    this.first.unref();
  }

  settings(): SubjectRequestSettings {
    const r = this.o.db.prepare('SELECT due_days, retention_days FROM subject_request_settings WHERE id = 1').get() as { due_days: number; retention_days: number } | undefined;
    return r ? { dueDays: r.due_days, retentionDays: r.retention_days } : DEFAULT_SUBJECT_REQUEST_SETTINGS;
  }

  private async saveSettings(s: SubjectRequestSettings): Promise<SubjectRequestSettings> {
    this.o.db.prepare(`INSERT INTO subject_request_settings (id, due_days, retention_days) VALUES (1, ?, ?)
      ON CONFLICT(id) DO UPDATE SET due_days = excluded.due_days, retention_days = excluded.retention_days`).run(s.dueDays, s.retentionDays);
    this.changed(null);
    return this.settings();
  }

  /** The register, the people's details in the clear (the page, and the privacy data export). */
  async list(): Promise<SubjectRequest[]> {
    const rows = this.o.db.prepare('SELECT * FROM subject_request ORDER BY closed_at IS NOT NULL, due_at, id').all() as Row[];
    const { retentionDays } = this.settings();
    return Promise.all(rows.map((r) => this.toRequest(r, retentionDays)));
  }

  /** Reminders now, the signal sent when they changed; then erases closed requests past their retention. */
  async tick(): Promise<{ reminders: SubjectReminders; erased: number }> {
    const reminders = this.reminders();
    const text = JSON.stringify(reminders);
    if (text !== this.lastReminders) {
      this.lastReminders = text;
      this.o.signals.emit('subjectRequests.reminders', reminders);
    }
    return { reminders, erased: this.prune() };
  }

  reminders(): SubjectReminders {
    const now = this.o.clock();
    const rows = this.o.db.prepare(`SELECT id, due_at FROM subject_request WHERE state IN (${OPEN_STATES.map(() => '?').join(', ')}) ORDER BY due_at, id`)
      .all(...OPEN_STATES) as { id: number; due_at: number }[];
    return {
      due: rows.map((r) => ({ id: r.id, reference: referenceOf(r.id), dueAt: r.due_at, level: reminderLevel(r.due_at, now) })).filter((r) => r.level !== 'none'),
    };
  }

  /** Erases closed requests whose retention has run out; returns how many. */
  prune(): number {
    const cutoff = this.o.clock() - this.settings().retentionDays * DAY;
    const n = this.o.db.prepare('DELETE FROM subject_request WHERE closed_at IS NOT NULL AND closed_at <= ?').run(cutoff).changes;
    if (n) this.changed(null);
    return n;
  }

  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.first);
  }

  // ---- the steps ----

  private async create(input: { person: SubjectPerson; receivedAt: number; dueAt?: number; channelIds: number[]; windows: SearchWindow[] }, sessionId: string): Promise<SubjectRequest> {
    const now = this.o.clock();
    if (input.receivedAt > now + DAY) throw fail('field.inFuture', { field: 'receivedAt' });
    const dueAt = input.dueAt ?? input.receivedAt + this.settings().dueDays * DAY;
    if (dueAt <= input.receivedAt) throw fail('subjectRequest.dueBeforeReceived', { field: 'dueAt' });
    const sealed = await this.seal(input.person);
    const channels = [...new Set(input.channelIds)];
    const id = Number(this.o.db.prepare(`INSERT INTO subject_request (person_sealed, received_at, due_at, channels, windows, state, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, 'received', ?, ?)`).run(sealed, input.receivedAt, dueAt, JSON.stringify(channels), JSON.stringify(input.windows), now, now).lastInsertRowid);
    this.relock(id, channels, input.windows, [], sessionId);
    return this.done(id);
  }

  private async update(id: number, patch: { person?: SubjectPerson; dueAt?: number; channelIds?: number[]; windows?: SearchWindow[] }, sessionId: string): Promise<SubjectRequest> {
    const row = this.open(id);
    if (patch.dueAt !== undefined && patch.dueAt <= row.received_at) throw fail('subjectRequest.dueBeforeReceived', { field: 'dueAt' });
    const channels = patch.channelIds ? [...new Set(patch.channelIds)] : (JSON.parse(row.channels) as number[]);
    const windows = patch.windows ?? (JSON.parse(row.windows) as SearchWindow[]);
    const sealed = patch.person ? await this.seal(patch.person) : row.person_sealed;
    this.o.db.prepare('UPDATE subject_request SET person_sealed = ?, due_at = ?, channels = ?, windows = ?, updated_at = ? WHERE id = ?')
      .run(sealed, patch.dueAt ?? row.due_at, JSON.stringify(channels), JSON.stringify(windows), this.o.clock(), id);
    if (patch.channelIds || patch.windows) this.relock(id, channels, windows, JSON.parse(row.lock_ids) as number[], sessionId);
    return this.done(id);
  }

  private async advance(id: number, state: 'searching' | 'prepared'): Promise<SubjectRequest> {
    const row = this.open(id);
    const allowed: Record<'searching' | 'prepared', SubjectRequestState[]> = { searching: ['received'], prepared: ['searching'] };
    if (!allowed[state].includes(row.state)) throw fail('subjectRequest.badStep', { field: 'state', from: row.state, to: state });
    if (state === 'prepared' && !(JSON.parse(row.export_ids) as number[]).length) throw fail('subjectRequest.noExport', { field: 'exportId' });
    this.o.db.prepare('UPDATE subject_request SET state = ?, updated_at = ? WHERE id = ?').run(state, this.o.clock(), id);
    return this.done(id);
  }

  private async attach(id: number, exportId: number, sessionId: string): Promise<SubjectRequest> {
    const row = this.open(id);
    const ids = JSON.parse(row.export_ids) as number[];
    if (ids.includes(exportId)) return this.done(id);
    const found = (await this.o.exports.list()).find((e) => e.exportId === exportId);
    if (!found) throw fail('subjectRequest.exportNotFound', { field: 'exportId', exportId });
    if (found.state !== 'done') throw fail('subjectRequest.exportNotReady', { field: 'exportId', exportId, state: found.state });
    this.o.exports.lockOriginal(exportId, `${referenceOf(id)}: original of a prepared export, kept while the request is open`, sessionId);
    this.o.db.prepare('UPDATE subject_request SET export_ids = ?, updated_at = ? WHERE id = ?').run(JSON.stringify([...ids, exportId]), this.o.clock(), id);
    return this.done(id);
  }

  private async detach(id: number, exportId: number, sessionId: string): Promise<SubjectRequest> {
    const row = this.open(id);
    const ids = JSON.parse(row.export_ids) as number[];
    if (!ids.includes(exportId)) throw fail('subjectRequest.exportNotAttached', { field: 'exportId', exportId });
    this.o.exports.releaseOriginal(exportId, `${referenceOf(id)}: export detached from the request`, sessionId);
    const rest = ids.filter((e) => e !== exportId);
    // A prepared request with nothing left to disclose is back to searching.
    const state = row.state === 'prepared' && !rest.length ? 'searching' : row.state;
    this.o.db.prepare('UPDATE subject_request SET export_ids = ?, state = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(rest), state, this.o.clock(), id);
    return this.done(id);
  }

  private async disclose(id: number, method: string, exportIds: number[], sessionId: string): Promise<SubjectRequest> {
    const row = this.open(id);
    if (row.state !== 'prepared') throw fail('subjectRequest.badStep', { field: 'state', from: row.state, to: 'disclosed' });
    const attached = JSON.parse(row.export_ids) as number[];
    const stray = exportIds.find((e) => !attached.includes(e));
    if (stray !== undefined) throw fail('subjectRequest.exportNotAttached', { field: 'exportIds', exportId: stray });
    const now = this.o.clock();
    this.o.db.prepare("UPDATE subject_request SET state = 'disclosed', disclosed_at = ?, disclosure_method = ?, closed_at = ?, updated_at = ? WHERE id = ?")
      .run(now, method, now, now, id);
    this.release(id, row, `${referenceOf(id)} disclosed`, sessionId);
    return this.done(id);
  }

  private async refuse(id: number, reason: string, sessionId: string): Promise<SubjectRequest> {
    const row = this.open(id);
    const now = this.o.clock();
    this.o.db.prepare("UPDATE subject_request SET state = 'refused', refused_reason = ?, closed_at = ?, updated_at = ? WHERE id = ?").run(reason, now, now, id);
    this.release(id, row, `${referenceOf(id)} refused`, sessionId);
    return this.done(id);
  }

  // ---- pieces ----

  private row(id: number): Row {
    const row = this.o.db.prepare('SELECT * FROM subject_request WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw fail('subjectRequest.notFound', { id });
    return row;
  }

  private open(id: number): Row {
    const row = this.row(id);
    if (!OPEN_STATES.includes(row.state)) throw fail('subjectRequest.closed', { reference: referenceOf(id), state: row.state });
    return row;
  }

  private async done(id: number): Promise<SubjectRequest> {
    this.changed(id);
    void this.tick();
    return this.toRequest(this.row(id), this.settings().retentionDays);
  }

  private changed(id: number | null): void {
    this.o.signals.emit('subjectRequests.changed', { id });
  }

  /** The windows' recorded part locked as evidence on each channel, replacing the request's earlier locks. */
  private relock(id: number, channels: number[], windows: SearchWindow[], old: number[], sessionId: string): void {
    for (const lockId of old) this.o.locks.unlock(lockId, `${referenceOf(id)}: search windows changed`, sessionId);
    const now = this.o.clock();
    const ids: number[] = [];
    for (const channelId of channels) for (const w of windows) {
      const end = Math.min(w.to, now);
      if (end > w.from) ids.push(this.o.locks.lock({ channelId, start: w.from, end, reason: `${referenceOf(id)}: footage searched for a subject access request` }, sessionId));
    }
    this.o.db.prepare('UPDATE subject_request SET lock_ids = ? WHERE id = ?').run(JSON.stringify(ids), id);
  }

  /** A closed request holds nothing any more: its window locks and its exports' originals go back to retention. */
  private release(id: number, row: Row, why: string, sessionId: string): void {
    for (const lockId of JSON.parse(row.lock_ids) as number[]) this.o.locks.unlock(lockId, why, sessionId);
    for (const exportId of JSON.parse(row.export_ids) as number[]) this.o.exports.releaseOriginal(exportId, why, sessionId);
    this.o.db.prepare("UPDATE subject_request SET lock_ids = '[]' WHERE id = ?").run(id);
  }

  private async toRequest(r: Row, retentionDays: number): Promise<SubjectRequest> {
    const now = this.o.clock();
    const open = OPEN_STATES.includes(r.state);
    return {
      id: r.id, reference: referenceOf(r.id), person: await this.unseal(r.person_sealed), receivedAt: r.received_at, dueAt: r.due_at,
      channelIds: JSON.parse(r.channels) as number[], windows: JSON.parse(r.windows) as SearchWindow[], state: r.state,
      exportIds: JSON.parse(r.export_ids) as number[], refusedReason: r.refused_reason,
      disclosure: r.disclosed_at !== null ? { at: r.disclosed_at, method: r.disclosure_method as NonNullable<SubjectRequest['disclosure']>['method'] } : null,
      closedAt: r.closed_at, eraseAt: r.closed_at !== null ? r.closed_at + retentionDays * DAY : null,
      reminder: open ? reminderLevel(r.due_at, now) : 'none', createdAt: r.created_at, updatedAt: r.updated_at,
    };
  }

  // ---- the person's details, sealed ----

  private cipherKey(): Promise<Buffer> {
    this.key ??= (async () => {
      const stored = await this.o.secrets.get(KEY_NAME);
      if (stored) return Buffer.from(stored, 'base64');
      const key = randomBytes(32);
      await this.o.secrets.set(KEY_NAME, key.toString('base64'));
      return key;
    })();
    return this.key;
  }

  private async seal(person: SubjectPerson): Promise<Buffer> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', await this.cipherKey(), iv);
    const body = Buffer.concat([c.update(JSON.stringify(person), 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  }

  private async unseal(sealed: Buffer): Promise<SubjectPerson> {
    const d = createDecipheriv('aes-256-gcm', await this.cipherKey(), sealed.subarray(0, 12));
    d.setAuthTag(sealed.subarray(12, 28));
    const plain = Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    return SubjectPerson.parse(JSON.parse(plain));
  }
}
