// Bookmarks of the archive: repository functions (db first) and the calls' handlers.
import { fail, type Actor, type Bookmark, type bookmarkCalls } from '../../contract';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';
import { actorOf, createLock } from './evidence';

type BookmarkHandlers = Pick<Handlers, keyof typeof bookmarkCalls>;

interface Row {
  id: number; start_ms: number; end_ms: number; name: string; note: string; tags: string; lock_ids: string;
  created_at: number; by_user: string | null; by_client: Actor['client'] | null; channels: string;
}

export interface NewBookmark { channelIds: number[]; start: number; end: number; name: string; note: string; tags: string[]; lockIds: number[]; at: number; by: Actor }
export interface BookmarkQuery { text?: string; tag?: string; channelIds?: number[]; from?: number; to?: number; limit: number }

const SELECT = `SELECT b.*, (SELECT json_group_array(channel_id) FROM rec_bookmark_channel WHERE bookmark_id = b.id) AS channels FROM rec_bookmark b`;

const toBookmark = (r: Row): Bookmark => ({
  id: r.id, channelIds: (JSON.parse(r.channels) as number[]).sort((a, b) => a - b), start: r.start_ms, end: r.end_ms,
  name: r.name, note: r.note, tags: JSON.parse(r.tags) as string[], lockIds: JSON.parse(r.lock_ids) as number[],
  createdAt: r.created_at, createdBy: r.by_client ? { user: r.by_user ?? '', client: r.by_client } : null,
});

/** Tags without repeats, in the order given. */
const uniqueTags = (tags: string[]) => [...new Set(tags)];

export function addBookmark(db: Db, b: NewBookmark): Bookmark {
  return db.transaction(() => {
    const id = Number(db.prepare('INSERT INTO rec_bookmark (start_ms, end_ms, name, note, tags, lock_ids, created_at, by_user, by_client) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(b.start, b.end, b.name, b.note, JSON.stringify(uniqueTags(b.tags)), JSON.stringify(b.lockIds), b.at, b.by.user, b.by.client).lastInsertRowid);
    const ch = db.prepare('INSERT OR IGNORE INTO rec_bookmark_channel (bookmark_id, channel_id, start_ms) VALUES (?, ?, ?)');
    for (const c of b.channelIds) ch.run(id, c, b.start);
    return getBookmark(db, id)!;
  })();
}

export function getBookmark(db: Db, id: number): Bookmark | undefined {
  const r = db.prepare(`${SELECT} WHERE b.id = ?`).get(id) as Row | undefined;
  return r && toBookmark(r);
}

export function updateBookmark(db: Db, id: number, patch: { name?: string; note?: string; tags?: string[] }): Bookmark | undefined {
  const b = getBookmark(db, id);
  if (!b) return undefined;
  db.prepare('UPDATE rec_bookmark SET name = ?, note = ?, tags = ? WHERE id = ?')
    .run(patch.name ?? b.name, patch.note ?? b.note, JSON.stringify(uniqueTags(patch.tags ?? b.tags)), id);
  return getBookmark(db, id);
}

export function removeBookmark(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM rec_bookmark WHERE id = ?').run(id).changes > 0;
}

const likePattern = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Newest first; a range finds the bookmarks that overlap [from, to). */
export function queryBookmarks(db: Db, q: BookmarkQuery): Bookmark[] {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (q.to !== undefined) { where.push('b.start_ms < ?'); args.push(q.to); }
  if (q.from !== undefined) { where.push('b.end_ms >= ?'); args.push(q.from); }
  if (q.channelIds) {
    where.push(`b.id IN (SELECT bookmark_id FROM rec_bookmark_channel WHERE channel_id IN (${q.channelIds.map(() => '?').join(',')})${q.to !== undefined ? ' AND start_ms < ?' : ''})`);
    args.push(...q.channelIds, ...(q.to !== undefined ? [q.to] : []));
  }
  // Three characters or more: the trigram index (which takes no ESCAPE, so % and _ are searched by scan). The unary +
  // keeps the walk on start_ms, which stops at `limit` hits; a common word otherwise sorts every one of its matches.
  if (q.text && q.text.length >= 3 && !/[\\%_]/.test(q.text)) { where.push('+b.id IN (SELECT rowid FROM rec_bookmark_text WHERE text LIKE ?)'); args.push(`%${q.text}%`); }
  else if (q.text) { where.push(`(b.name LIKE ? ESCAPE '\\' OR b.note LIKE ? ESCAPE '\\')`); args.push(likePattern(q.text), likePattern(q.text)); }
  if (q.tag) { where.push('EXISTS (SELECT 1 FROM json_each(b.tags) WHERE lower(value) = lower(?))'); args.push(q.tag); }
  const sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY b.start_ms DESC, b.id DESC LIMIT ?`;
  return (db.prepare(sql).all(...args, q.limit) as Row[]).map(toBookmark);
}

/** Every bookmark, oldest first: for the data export. */
export function allBookmarks(db: Db): Bookmark[] {
  return (db.prepare(`${SELECT} ORDER BY b.start_ms, b.id`).all() as Row[]).map(toBookmark);
}

export function bookmarkHandlers(o: { db: Db; clock: () => number }): BookmarkHandlers {
  const { db } = o;
  return {
    'bookmarks.add': ({ channelIds, from, to, name, note, tags, lock }, session) => {
      const at = o.clock();
      const by = actorOf(session.id);
      return db.transaction(() => {
        const reason = note ? `${name}: ${note}`.slice(0, 500) : name;
        const lockIds = lock ? channelIds.map((channelId) => createLock(db, { channelId, start: from, end: to, reason, at, by }).id) : [];
        return addBookmark(db, { channelIds, start: from, end: to, name, note, tags, lockIds, at, by });
      })();
    },
    'bookmarks.update': ({ id, ...patch }) => {
      const b = updateBookmark(db, id, patch);
      if (!b) throw fail('bookmark.notFound', { id });
      return b;
    },
    'bookmarks.remove': ({ id }) => ({ removed: removeBookmark(db, id) }),
    'bookmarks.list': (q) => queryBookmarks(db, q),
  };
}
