// Privacy masks: per channel up to 8 polygons in normalized picture coordinates, permanent or liftable. A liftable mask
// lifted (its own right, a reason; the dispatcher's guard writes the call and its reason to the operation log) stays
// lifted for that client session only. The station burns in every mask not lifted by whoever asks for the pixels.
import { fail, type MaskDraft, type MaskPoint, type PrivacyMask } from '../../contract';
import type { ClientSession } from '../client-session';
import type { Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';

interface MaskRow { id: number; channel_id: number; position: number; name: string; kind: 'permanent' | 'liftable'; points: string }
export interface StoredMask { id: number; channelId: number; name: string; kind: 'permanent' | 'liftable'; points: MaskPoint[] }

const toMask = (r: MaskRow): StoredMask => ({ id: r.id, channelId: r.channel_id, name: r.name, kind: r.kind, points: JSON.parse(r.points) as MaskPoint[] });

export function allMasks(db: Db): StoredMask[] {
  return (db.prepare('SELECT * FROM privacy_mask ORDER BY channel_id, position').all() as MaskRow[]).map(toMask);
}
export function channelMasks(db: Db, channelId: number): StoredMask[] {
  return (db.prepare('SELECT * FROM privacy_mask WHERE channel_id = ? ORDER BY position').all(channelId) as MaskRow[]).map(toMask);
}
/** Replaces a channel's masks, all or nothing (drafts are checked by the contract). */
export function saveChannelMasks(db: Db, channelId: number, drafts: readonly MaskDraft[], at: number): StoredMask[] {
  db.transaction(() => {
    db.prepare('DELETE FROM privacy_mask WHERE channel_id = ?').run(channelId);
    const ins = db.prepare('INSERT INTO privacy_mask (channel_id, position, name, kind, points, updated_at) VALUES (?, ?, ?, ?, ?, ?)');
    drafts.forEach((d, i) => ins.run(channelId, i, d.name, d.kind, JSON.stringify(d.points.map((p) => ({ x: p.x, y: p.y }))), at));
  })();
  return channelMasks(db, channelId);
}

/** Masks lifted per client session (gone with the session). */
const lifted = new WeakMap<ClientSession, Set<number>>();
const liftedBy = (session: ClientSession | undefined) => (session ? lifted.get(session) : undefined);

/** The outlines the station burns into pixels it makes for `session` (every mask when no session asks). */
export function burnInMasks(db: Db, channelId: number, session?: ClientSession): StoredMask[] {
  const off = liftedBy(session);
  return channelMasks(db, channelId).filter((m) => !off?.has(m.id));
}
export const burnInOutlines = (db: Db, channelId: number, session?: ClientSession): MaskPoint[][] => burnInMasks(db, channelId, session).map((m) => m.points);
/** The permanent ones only (applied to every export, for everyone). */
export function permanentOutlines(db: Db, channelId: number): { names: string[]; outlines: MaskPoint[][] } {
  const ms = channelMasks(db, channelId).filter((m) => m.kind === 'permanent');
  return { names: ms.map((m) => m.name), outlines: ms.map((m) => m.points) };
}

/** The masks as the device list file carries them (devices/ is handed this port). */
export function maskFilePort(o: { db: Db; signals: SignalBus; clock: () => number }) {
  return {
    of: (channelId: number): MaskDraft[] => channelMasks(o.db, channelId).map(({ name, kind, points }) => ({ name, kind, points })),
    set(channelId: number, masks: MaskDraft[]): void {
      saveChannelMasks(o.db, channelId, masks, o.clock());
      o.signals.emit('masks.changed', { channelId });
    },
  };
}

function view(db: Db, session: ClientSession): PrivacyMask[] {
  const off = liftedBy(session);
  return allMasks(db).map((m) => ({ ...m, lifted: off?.has(m.id) ?? false }));
}

type MaskHandlers = Pick<Handlers, 'masks.list' | 'masks.save' | 'masks.lift' | 'masks.restore'>;

export function maskHandlers(o: { db: Db; signals: SignalBus; clock: () => number; channelExists: (id: number) => Promise<unknown> }): MaskHandlers {
  const find = (channelId: number, id: number) => {
    const m = channelMasks(o.db, channelId).find((x) => x.id === id);
    if (!m) throw fail('mask.notFound', { id });
    return m;
  };
  return {
    'masks.list': (_, session) => view(o.db, session),
    'masks.save': async ({ channelId, masks }, session) => {
      await o.channelExists(channelId);
      saveChannelMasks(o.db, channelId, masks, o.clock());
      o.signals.emit('masks.changed', { channelId });
      return view(o.db, session);
    },
    'masks.lift': ({ channelId, id }, session) => {
      const m = find(channelId, id);
      if (m.kind !== 'liftable') throw fail('mask.notLiftable', { name: m.name });
      let set = lifted.get(session);
      if (!set) lifted.set(session, (set = new Set()));
      set.add(id);
      return view(o.db, session);
    },
    'masks.restore': ({ channelId, id }, session) => {
      find(channelId, id);
      lifted.get(session)?.delete(id);
      return view(o.db, session);
    },
  };
}
