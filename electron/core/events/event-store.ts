import { SENSOR_TYPES, STATION_ALARM_TYPES, type AlarmRule, type EventType, type SensorReading, type StationEvent } from '../../contract';
import type { Db } from '../storage/db';

// Repository functions for migration 6's tables; each takes the db first.

interface EventRow {
  id: number; channel_id: number | null; type: string; source: string; start_ms: number; end_ms: number | null;
  value: number | null; unit: string | null; detail: string; snapshot_path: string | null; rule_id: number | null;
  acknowledged: number; ack_note: string | null; ack_at: number | null;
}

export function toEvent(r: EventRow): StationEvent {
  return {
    id: r.id, channelId: r.channel_id, type: r.type as EventType, source: r.source as StationEvent['source'],
    start: r.start_ms, end: r.end_ms, value: r.value, unit: r.unit, detail: r.detail, hasSnapshot: r.snapshot_path !== null,
    ruleId: r.rule_id, acknowledged: r.acknowledged === 1, ackNote: r.ack_note, ackAt: r.ack_at,
  };
}

export interface NewEvent {
  channelId: number | null; type: EventType; source: StationEvent['source']; start: number; end?: number | null;
  value?: number | null; unit?: string | null; detail?: string; ruleId?: number | null;
}

export function insertEvent(db: Db, e: NewEvent): StationEvent {
  const row = db.prepare(
    `INSERT INTO ev_event (channel_id, type, source, start_ms, end_ms, value, unit, detail, rule_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
  ).get(e.channelId, e.type, e.source, e.start, e.end ?? null, e.value ?? null, e.unit ?? null, (e.detail ?? '').slice(0, 500), e.ruleId ?? null) as EventRow;
  return toEvent(row);
}

export function getEvent(db: Db, id: number): StationEvent | undefined {
  const r = db.prepare('SELECT * FROM ev_event WHERE id = ?').get(id) as EventRow | undefined;
  return r && toEvent(r);
}

export function snapshotPathOf(db: Db, id: number): string | null {
  return (db.prepare('SELECT snapshot_path FROM ev_event WHERE id = ?').get(id) as { snapshot_path: string | null } | undefined)?.snapshot_path ?? null;
}

export function updateEvent(db: Db, id: number, patch: { end?: number; snapshotPath?: string; ruleId?: number }): StationEvent | undefined {
  if (patch.end !== undefined) db.prepare('UPDATE ev_event SET end_ms = max(start_ms, ?) WHERE id = ?').run(patch.end, id);
  if (patch.snapshotPath !== undefined) db.prepare('UPDATE ev_event SET snapshot_path = ? WHERE id = ?').run(patch.snapshotPath, id);
  if (patch.ruleId !== undefined) db.prepare('UPDATE ev_event SET rule_id = ? WHERE id = ?').run(patch.ruleId, id);
  return getEvent(db, id);
}

export interface EventFilter {
  types?: EventType[]; channelIds?: number[]; from?: number; to?: number; acknowledged?: boolean; alarmsOnly?: boolean; limit: number;
}

/** Newest first; a time range uses ev_event_start (or the per-channel index). */
export function listEvents(db: Db, f: EventFilter): StationEvent[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.types?.length) (where.push(`type IN (${f.types.map(() => '?').join(',')})`), args.push(...f.types));
  if (f.channelIds?.length) (where.push(`channel_id IN (${f.channelIds.map(() => '?').join(',')})`), args.push(...f.channelIds));
  if (f.from !== undefined) (where.push('start_ms >= ?'), args.push(f.from));
  if (f.to !== undefined) (where.push('start_ms < ?'), args.push(f.to));
  if (f.acknowledged !== undefined) (where.push('acknowledged = ?'), args.push(f.acknowledged ? 1 : 0));
  if (f.alarmsOnly) where.push(`(rule_id IS NOT NULL OR type IN (${STATION_ALARM_TYPES.map((t) => `'${t}'`).join(',')}))`);
  const sql = `SELECT * FROM ev_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY start_ms DESC, id DESC LIMIT ?`;
  return (db.prepare(sql).all(...args, f.limit) as EventRow[]).map(toEvent);
}

export function acknowledge(db: Db, ids: number[], note: string, at: number): StationEvent[] {
  const stmt = db.prepare('UPDATE ev_event SET acknowledged = 1, ack_note = ?, ack_at = ? WHERE id = ? RETURNING *');
  return db.transaction(() => ids.flatMap((id) => {
    const r = stmt.get(note || null, at, id) as EventRow | undefined;
    return r ? [toEvent(r)] : [];
  }))();
}

export function insertReading(db: Db, r: SensorReading): void {
  db.prepare('INSERT INTO ev_reading (channel_id, type, at_ms, value, unit) VALUES (?, ?, ?, ?, ?)').run(r.channelId, r.type, r.at, r.value, r.unit);
}

/** The latest reading of every (channel, sensor) pair. */
export function currentReadings(db: Db): SensorReading[] {
  const rows = db.prepare(
    `SELECT r.channel_id, r.type, r.at_ms, r.value, r.unit FROM ev_reading r
     JOIN (SELECT channel_id, type, max(at_ms) AS at_ms FROM ev_reading GROUP BY channel_id, type) m
       ON m.channel_id = r.channel_id AND m.type = r.type AND m.at_ms = r.at_ms
     GROUP BY r.channel_id, r.type ORDER BY r.channel_id, r.type`,
  ).all() as { channel_id: number; type: string; at_ms: number; value: number; unit: string }[];
  return rows.filter((r) => (SENSOR_TYPES as readonly string[]).includes(r.type))
    .map((r) => ({ channelId: r.channel_id, type: r.type as SensorReading['type'], at: r.at_ms, value: r.value, unit: r.unit }));
}

/** Readings in a range; thinned to at most maxPoints by taking every n-th. */
export function readingSeries(db: Db, channelId: number, type: SensorReading['type'], from: number, to: number, maxPoints: number): SensorReading[] {
  const rows = db.prepare('SELECT at_ms, value, unit FROM ev_reading WHERE channel_id = ? AND type = ? AND at_ms >= ? AND at_ms < ? ORDER BY at_ms')
    .all(channelId, type, from, to) as { at_ms: number; value: number; unit: string }[];
  const step = Math.max(1, Math.ceil(rows.length / maxPoints));
  return rows.filter((_, i) => i % step === 0 || i === rows.length - 1).map((r) => ({ channelId, type, at: r.at_ms, value: r.value, unit: r.unit }));
}

interface RuleRow { id: number; name: string; enabled: number; types: string; channel_ids: string | null; schedule: string; actions: string }
const toRule = (r: RuleRow): AlarmRule => ({
  id: r.id, name: r.name, enabled: r.enabled === 1, types: JSON.parse(r.types), channelIds: r.channel_ids === null ? null : JSON.parse(r.channel_ids),
  schedule: r.schedule, actions: JSON.parse(r.actions),
});

export function listRules(db: Db): AlarmRule[] {
  return (db.prepare('SELECT * FROM ev_rule ORDER BY id').all() as RuleRow[]).map(toRule);
}

export function saveRule(db: Db, rule: Omit<AlarmRule, 'id'> & { id?: number }, now: number): AlarmRule | undefined {
  const cols = [rule.name, rule.enabled ? 1 : 0, JSON.stringify(rule.types), rule.channelIds === null ? null : JSON.stringify(rule.channelIds), rule.schedule, JSON.stringify(rule.actions)];
  const row = rule.id === undefined
    ? db.prepare('INSERT INTO ev_rule (name, enabled, types, channel_ids, schedule, actions, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *').get(...cols, now)
    : db.prepare('UPDATE ev_rule SET name = ?, enabled = ?, types = ?, channel_ids = ?, schedule = ?, actions = ? WHERE id = ? RETURNING *').get(...cols, rule.id);
  return row ? toRule(row as RuleRow) : undefined;
}

export function removeRule(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM ev_rule WHERE id = ?').run(id).changes > 0;
}

/** Pruning by age (migration 7's indexes): finished events oldest first, snapshot still in use, readings oldest first. */
export const PRUNE_SQL = {
  oldEvents: 'SELECT id, snapshot_path AS path FROM ev_event WHERE start_ms < ? AND end_ms IS NOT NULL ORDER BY start_ms LIMIT ?',
  deleteEvent: 'DELETE FROM ev_event WHERE id = ?',
  snapshotInUse: 'SELECT 1 FROM ev_event WHERE snapshot_path = ? LIMIT 1',
  deleteOldReadings: 'DELETE FROM ev_reading WHERE rowid IN (SELECT rowid FROM ev_reading WHERE at_ms < ? ORDER BY at_ms LIMIT ?)',
} as const;
