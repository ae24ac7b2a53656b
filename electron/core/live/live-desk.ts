// The Live page's saved views, custom layouts and tour time: kept in the station (not the browser), so a view saved at
// one desk opens at another. Repository functions take the db first; every change is pushed to every page as `live.desk`.
import { CustomLayout, SavedView, TOUR_SECONDS, type LiveDesk } from '../../contract';
import type { Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';

type DeskHandlers = Pick<Handlers, 'live.desk' | 'live.views.save' | 'live.views.delete' | 'live.layouts.save' | 'live.layouts.delete' | 'live.tour.set'>;

interface ViewRow { name: string; layout_id: string; tiles: string }
interface LayoutRow { id: string; label: string; grid: number; cells: string }

/** What is stored, read back through the contract's schemas: a row that does not parse is left out rather than break the page. */
export function readDesk(db: Db): LiveDesk {
  const views = (db.prepare('SELECT name, layout_id, tiles FROM live_view ORDER BY position, name').all() as ViewRow[])
    .flatMap((r) => { const v = SavedView.safeParse({ name: r.name, layoutId: r.layout_id, tiles: JSON.parse(r.tiles) }); return v.success ? [v.data] : []; });
  const layouts = (db.prepare('SELECT id, label, grid, cells FROM live_layout ORDER BY label').all() as LayoutRow[])
    .flatMap((r) => { const l = CustomLayout.safeParse({ id: r.id, label: r.label, grid: r.grid, cells: JSON.parse(r.cells) }); return l.success ? [l.data] : []; });
  const tour = db.prepare('SELECT seconds FROM live_tour WHERE id = 1').get() as { seconds: number } | undefined;
  return { views, layouts, tourSeconds: tour?.seconds ?? TOUR_SECONDS.initial };
}

/** A saved name keeps its place in the tour; a new one goes last. */
export function saveView(db: Db, v: SavedView): void {
  db.prepare(`INSERT INTO live_view (name, layout_id, tiles, position) VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM live_view))
    ON CONFLICT (name) DO UPDATE SET layout_id = excluded.layout_id, tiles = excluded.tiles`).run(v.name, v.layoutId, JSON.stringify(v.tiles));
}

export function deleteView(db: Db, name: string): void {
  db.prepare('DELETE FROM live_view WHERE name = ?').run(name);
}

export function saveLayout(db: Db, l: CustomLayout): void {
  db.prepare('INSERT INTO live_layout (id, label, grid, cells) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET label = excluded.label, grid = excluded.grid, cells = excluded.cells')
    .run(l.id, l.label, l.grid, JSON.stringify(l.cells));
}

export function deleteLayout(db: Db, id: string): void {
  db.prepare('DELETE FROM live_layout WHERE id = ?').run(id);
}

export function setTourSeconds(db: Db, seconds: number): void {
  db.prepare('INSERT INTO live_tour (id, seconds) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seconds = excluded.seconds').run(seconds);
}

/** The calls; each change answers the whole desk and pushes it to every page. */
export function liveDeskHandlers({ db, signals }: { db: Db; signals: SignalBus }): DeskHandlers {
  const changed = (change: () => void): LiveDesk => {
    change();
    const desk = readDesk(db);
    signals.emit('live.desk', desk);
    return desk;
  };
  return {
    'live.desk': () => readDesk(db),
    'live.views.save': (v) => changed(() => saveView(db, v)),
    'live.views.delete': ({ name }) => changed(() => deleteView(db, name)),
    'live.layouts.save': (l) => changed(() => saveLayout(db, l)),
    'live.layouts.delete': ({ id }) => changed(() => deleteLayout(db, id)),
    'live.tour.set': ({ seconds }) => changed(() => setTourSeconds(db, seconds)),
  };
}
