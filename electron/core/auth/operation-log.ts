// The operation log: who did what, on which channel or device, from where, with what result. Append-only in SQLite, each
// row carrying the hash of the one before it, so an edited, inserted or deleted past row breaks the chain (verifyOplog).
// Rows are written in batches (one transaction per turn of the event loop): thousands a second without a disk sync each.
import { createHash } from 'node:crypto';
import type { OplogEntry } from '../../contract';
import type { Db } from '../storage/db';

export interface OplogRecord {
  /** A failed sign-in has the name tried and no id. */
  user: { id: number | null; name: string } | null;
  /** The call's name ("devices.remove") or a station operation ("auth.resetAdmin", "oplog.retention"). */
  kind: string;
  channelId?: number | null;
  deviceId?: number | null;
  transport: string;
  address: string;
  result: OplogEntry['result'];
  detail?: string;
}
export interface OplogFilter {
  userName?: string;
  kind?: string;
  channelId?: number;
  from?: number;
  to?: number;
}

type Row = { id: number; at_ms: number; user_id: number | null; user_name: string | null; kind: string; channel_id: number | null; device_id: number | null; transport: string; address: string; result: string; detail: string; prev_hash: string; hash: string };

/** The hash of a row: its fields in a fixed order after the previous row's hash. */
export function rowHash(prev: string, r: Omit<Row, 'prev_hash' | 'hash'>): string {
  return createHash('sha256')
    .update(prev)
    .update(JSON.stringify([r.id, r.at_ms, r.user_id, r.user_name, r.kind, r.channel_id, r.device_id, r.transport, r.address, r.result, r.detail]))
    .digest('hex');
}

export class OperationLog {
  private lastId: number;
  private lastHash: string;
  private pending: Row[] = [];
  private flushScheduled = false;
  private readonly insert;
  private readonly flushBatch;

  constructor(private readonly db: Db, private readonly clock: () => number = Date.now) {
    const last = db.prepare('SELECT id, hash FROM oplog ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
    const anchor = db.prepare('SELECT first_id, prev_hash FROM oplog_anchor WHERE id = 1').get() as { first_id: number; prev_hash: string };
    this.lastId = last?.id ?? anchor.first_id - 1;
    this.lastHash = last?.hash ?? anchor.prev_hash;
    this.insert = db.prepare(`INSERT INTO oplog (id, at_ms, user_id, user_name, kind, channel_id, device_id, transport, address, result, detail, prev_hash, hash)
      VALUES (@id, @at_ms, @user_id, @user_name, @kind, @channel_id, @device_id, @transport, @address, @result, @detail, @prev_hash, @hash)`);
    this.flushBatch = db.transaction((rows: Row[]) => { for (const r of rows) this.insert.run(r); });
  }

  append(rec: OplogRecord): void {
    const base = {
      id: ++this.lastId, at_ms: this.clock(), user_id: rec.user?.id ?? null, user_name: rec.user?.name ?? null, kind: rec.kind,
      channel_id: rec.channelId ?? null, device_id: rec.deviceId ?? null, transport: rec.transport, address: rec.address,
      result: rec.result, detail: (rec.detail ?? '').slice(0, 2000),
    };
    const hash = rowHash(this.lastHash, base);
    this.pending.push({ ...base, prev_hash: this.lastHash, hash });
    this.lastHash = hash;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes what is waiting (also before every read and at shutdown). */
  flush(): void {
    this.flushScheduled = false;
    if (!this.pending.length) return;
    const rows = this.pending;
    this.pending = [];
    this.flushBatch(rows);
  }

  /** Newest first. */
  query(f: OplogFilter, limit: number): OplogEntry[] {
    this.flush();
    const where: string[] = [];
    const args: Record<string, unknown> = { limit };
    if (f.userName) { where.push('user_name = @userName'); args.userName = f.userName; }
    if (f.kind) {
      if (f.kind.endsWith('.')) { where.push('kind >= @kind AND kind < @kindEnd'); args.kind = f.kind; args.kindEnd = f.kind.slice(0, -1) + '/'; }
      else { where.push('kind = @kind'); args.kind = f.kind; }
    }
    if (f.channelId !== undefined) { where.push('channel_id = @channelId'); args.channelId = f.channelId; }
    if (f.from !== undefined) { where.push('at_ms >= @from'); args.from = f.from; }
    if (f.to !== undefined) { where.push('at_ms < @to'); args.to = f.to; }
    const rows = this.db.prepare(`SELECT * FROM oplog ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at_ms DESC, id DESC LIMIT @limit`).all(args) as Row[];
    return rows.map((r) => ({
      id: r.id, at: r.at_ms, user: r.user_name, kind: r.kind, channelId: r.channel_id, deviceId: r.device_id,
      transport: r.transport, address: r.address, result: r.result as OplogEntry['result'], detail: r.detail,
    }));
  }

  /**
   * Retention: rows older than `days` go. The anchor moves first (the first kept row and the hash it follows), and the
   * pruning is itself a row of the log, so a prefix cut without it shows.
   */
  prune(days: number, by: Pick<OplogRecord, 'user' | 'transport' | 'address'>): number {
    this.flush();
    const cutoff = this.clock() - days * 86_400_000;
    const first = this.db.prepare('SELECT id, prev_hash FROM oplog WHERE at_ms >= ? ORDER BY id LIMIT 1').get(cutoff) as { id: number; prev_hash: string } | undefined;
    const through = first ? first.id - 1 : this.lastId;
    const anchor = this.db.prepare('SELECT first_id FROM oplog_anchor WHERE id = 1').get() as { first_id: number };
    if (through < anchor.first_id) return 0;
    const removed = this.db.transaction(() => {
      this.db.prepare('UPDATE oplog_anchor SET first_id = ?, prev_hash = ? WHERE id = 1').run(through + 1, first?.prev_hash ?? this.lastHash);
      return this.db.prepare('DELETE FROM oplog WHERE id <= ?').run(through).changes;
    })();
    this.append({ ...by, kind: 'oplog.retention', result: 'ok', detail: JSON.stringify({ days, removed, through }) });
    this.flush();
    return removed;
  }
}

export type VerifyResult = { ok: true; rows: number } | { ok: false; rows: number; id: number; problem: string };

/** Walks the chain from the anchor: the first row whose id, link or hash does not fit is named. */
export function verifyOplog(db: Db): VerifyResult {
  const anchor = db.prepare('SELECT first_id, prev_hash FROM oplog_anchor WHERE id = 1').get() as { first_id: number; prev_hash: string };
  let expectId = anchor.first_id;
  let prev = anchor.prev_hash;
  let rows = 0;
  for (const r of db.prepare('SELECT * FROM oplog ORDER BY id').iterate() as IterableIterator<Row>) {
    if (r.id !== expectId) return { ok: false, rows, id: r.id, problem: r.id < expectId ? `row ${r.id} lies before the retention anchor (${expectId})` : `rows ${expectId}..${r.id - 1} are missing` };
    if (r.prev_hash !== prev) return { ok: false, rows, id: r.id, problem: `row ${r.id} does not follow the row before it (its previous hash differs)` };
    const h = rowHash(prev, r);
    if (h !== r.hash) return { ok: false, rows, id: r.id, problem: `row ${r.id} was changed after it was written (its hash differs)` };
    prev = r.hash;
    expectId++;
    rows++;
  }
  return { ok: true, rows };
}
