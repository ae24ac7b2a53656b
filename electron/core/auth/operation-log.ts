// The operation log: who did what, on which channel or device, from where, with what result. Append-only in SQLite, each
// row carrying the hash of the one before it, so an edited, inserted or deleted past row breaks the chain (verifyOplog).
// Rows are written in batches (one transaction per turn of the event loop): thousands a second without a disk sync each.
// The chain's head (the last row's id and hash) is also kept outside the database, in `oplog-head.json` in the data
// folder, rewritten atomically after each batch and sealed with an HMAC whose key is in the SecretStore: cutting the
// newest rows off the table (which leaves a shorter chain that still holds) no longer matches the head.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** The chain's head kept outside the database. */
export interface OplogHead { lastId: number; lastHash: string; mac: string }
export const OPLOG_HEAD_FILE = 'oplog-head.json';
export const OPLOG_HEAD_KEY = 'oplog.headKey';

const headMac = (key: string, lastId: number, lastHash: string) => createHmac('sha256', key).update(`${lastId}:${lastHash}`).digest('hex');
const macOk = (key: string, h: OplogHead) => {
  const want = Buffer.from(headMac(key, h.lastId, h.lastHash), 'hex'), got = Buffer.from(h.mac, 'hex');
  return want.length === got.length && timingSafeEqual(want, got);
};

/** The head file as written, or undefined when there is none (or it is not one). */
export function readOplogHead(file: string): OplogHead | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as OplogHead;
    return Number.isInteger(h.lastId) && typeof h.lastHash === 'string' && typeof h.mac === 'string' ? h : undefined;
  } catch {
    return undefined;
  }
}

export class OperationLog {
  private lastId: number;
  private lastHash: string;
  private head?: { file: string; key: string };
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
    if (!this.db.open) return; // a call answered while the station stops, after its last flush: nowhere to write it
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
    if (!this.pending.length || !this.db.open) return;
    const rows = this.pending;
    this.pending = [];
    this.flushBatch(rows);
    this.writeHead();
  }

  private writeHead(): void {
    if (!this.head) return;
    const { file, key } = this.head;
    const h: OplogHead = { lastId: this.lastId, lastHash: this.lastHash, mac: headMac(key, this.lastId, this.lastHash) };
    writeFileSync(`${file}.tmp`, JSON.stringify(h), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  /**
   * Keeps the chain's head in `file` from now on. A head already there that the table does not reach (its newest rows were
   * cut while the station was stopped) or whose seal does not hold is written into the log itself before the head moves
   * on, so the cut stays on record.
   */
  anchor(file: string, key: string): void {
    this.flush();
    const old = readOplogHead(file);
    const where = { user: null, transport: 'station', address: 'local' } as const;
    const started = this.db.prepare("SELECT 1 FROM oplog WHERE kind = 'oplog.headStarted' LIMIT 1").get() !== undefined;
    if (old && !macOk(key, old)) this.append({ ...where, kind: 'oplog.headAltered', result: 'failed', detail: JSON.stringify({ lastId: old.lastId }) });
    else if (old && old.lastId > this.lastId) {
      this.append({ ...where, kind: 'oplog.truncated', result: 'failed', detail: JSON.stringify({ missingFrom: this.lastId + 1, missingTo: old.lastId }) });
    } else if (!old && started) this.append({ ...where, kind: 'oplog.headAltered', result: 'failed', detail: JSON.stringify({ removed: true }) });
    // The first head: from here on the head file must be there.
    if (!old && !started) this.append({ ...where, kind: 'oplog.headStarted', result: 'ok', detail: JSON.stringify({ file: OPLOG_HEAD_FILE }) });
    this.head = { file, key };
    this.flush();
    this.writeHead();
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

/**
 * Walks the chain from the anchor: the first row whose id, link or hash does not fit is named. With the head kept outside
 * (and its key, to check the seal), a table that stops short of it names how many of the newest rows are missing; a cut
 * the station found at a start is in the log as an `oplog.truncated` row, and is named too.
 */
export function verifyOplog(db: Db, head?: OplogHead, key?: string): VerifyResult {
  const chain = verifyChain(db);
  if (!chain.ok) return chain;
  const noted = db.prepare("SELECT id, detail FROM oplog WHERE kind IN ('oplog.truncated', 'oplog.headAltered') ORDER BY id LIMIT 1").get() as { id: number; detail: string } | undefined;
  if (noted) {
    const d = JSON.parse(noted.detail) as { missingFrom?: number; missingTo?: number };
    return { ok: false, rows: chain.rows, id: noted.id, problem: d.missingFrom !== undefined
      ? `the newest ${d.missingTo! - d.missingFrom + 1} rows (${d.missingFrom}..${d.missingTo}) were cut off while the station was stopped (found at its next start, row ${noted.id})`
      : `the chain's head file had been altered (found at the station's start, row ${noted.id})` };
  }
  if (!head) {
    const started = db.prepare("SELECT id FROM oplog WHERE kind = 'oplog.headStarted' LIMIT 1").get() as { id: number } | undefined;
    return started ? { ok: false, rows: chain.rows, id: started.id, problem: `the chain's head file (${OPLOG_HEAD_FILE}), kept since row ${started.id}, is missing` } : chain;
  }
  if (key !== undefined && !macOk(key, head)) return { ok: false, rows: chain.rows, id: head.lastId, problem: `the chain's head file (${OPLOG_HEAD_FILE}) was altered: its seal does not hold` };
  const last = db.prepare('SELECT id, hash FROM oplog ORDER BY id DESC LIMIT 1').get() as { id: number; hash: string } | undefined;
  const lastId = last?.id ?? 0;
  if (lastId < head.lastId) {
    const missing = head.lastId - lastId;
    return { ok: false, rows: chain.rows, id: lastId + 1, problem: `the newest ${missing} row${missing === 1 ? ' is' : 's are'} missing (rows ${lastId + 1}..${head.lastId}): the log was cut after row ${lastId}` };
  }
  const atHead = db.prepare('SELECT hash FROM oplog WHERE id = ?').get(head.lastId) as { hash: string } | undefined;
  if (atHead && atHead.hash !== head.lastHash) return { ok: false, rows: chain.rows, id: head.lastId, problem: `row ${head.lastId} is not the row the head recorded (the log was rewritten from there)` };
  return chain;
}

function verifyChain(db: Db): VerifyResult {
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
