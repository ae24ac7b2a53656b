// The channels of the stored items a call or a signal names by id (an evidence lock, a bookmark, an event, a running
// export, a redacted export, a clip, a playback session), for the rights check on each item's own channels (access.ts).
import type { ItemKind } from '../../contract';
import type { Db } from '../storage/db';
import type { ItemChannels } from './access';

/** What lives in memory, not in the database: asked of the services that hold it (station.ts hands these in). */
export type HeldItems = (kind: 'export' | 'clip' | 'playback', id: number) => number[] | undefined;

export function itemChannels(db: Db, held: HeldItems = () => undefined): ItemChannels {
  const lock = db.prepare('SELECT channel_id AS c FROM rec_lock WHERE id = ?');
  const bookmark = db.prepare('SELECT channel_id AS c FROM rec_bookmark_channel WHERE bookmark_id = ?');
  const event = db.prepare('SELECT channel_id AS c FROM ev_event WHERE id = ?');
  const redaction = db.prepare('SELECT channel_id AS c FROM redaction_export WHERE id = ?');
  return (kind: ItemKind, id: number) => {
    switch (kind) {
      case 'lock': {
        const r = lock.get(id) as { c: number | null } | undefined;
        // A lock with no channel holds every channel's recordings.
        return r ? (r.c === null ? 'all' : [r.c]) : undefined;
      }
      case 'bookmark': {
        const rows = bookmark.all(id) as { c: number }[];
        return rows.length ? rows.map((r) => r.c) : undefined;
      }
      case 'event': {
        const r = event.get(id) as { c: number | null } | undefined;
        // An event of the station itself (no channel) needs the right on no camera in particular.
        return r ? (r.c === null ? [] : [r.c]) : undefined;
      }
      case 'redaction': {
        const r = redaction.get(id) as { c: number } | undefined;
        return r ? [r.c] : undefined;
      }
      default:
        return held(kind, id);
    }
  };
}
