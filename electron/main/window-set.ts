// The set of open windows (the main one and its pop-outs), kept in the data folder and put back at the next start.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const Rect = z.object({ x: z.number().int(), y: z.number().int(), width: z.number().int().min(1).max(100_000), height: z.number().int().min(1).max(100_000) });
export type Rect = z.infer<typeof Rect>;

/** A pop-out shows one layout (`#/live?layout=<id>`): a built-in grid or a custom layout's id. */
export const LayoutId = z.string().regex(/^(\d{1,2}|custom:[^\n]{1,24})$/, 'must be a layout of the Live page');

const SavedWindow = z.discriminatedUnion('role', [
  z.object({ role: z.literal('main'), displayId: z.number().int(), bounds: Rect, fullScreen: z.boolean(), maximized: z.boolean() }),
  z.object({ role: z.literal('popout'), layoutId: LayoutId, displayId: z.number().int(), bounds: Rect, fullScreen: z.boolean(), maximized: z.boolean() }),
]);
export type SavedWindow = z.infer<typeof SavedWindow>;
const WindowSetFile = z.object({ version: z.literal(1), windows: z.array(SavedWindow).max(32) });

/** A display as the placement needs it: its id and the part windows may use. */
export interface DisplayArea { id: number; workArea: Rect }
/** Where a window opens: its display, bounds inside that display, and whether its display had gone. */
export type PlacedWindow = SavedWindow & { moved: boolean };

export const MAIN_SIZE = { width: 1440, height: 900 };
const MIN = { width: 480, height: 320 };

export const WINDOW_SET_FILE = 'windows.json';

/** The saved set, or [] when there is none or it cannot be read back (a damaged file is not trusted). */
export function loadWindowSet(dataDir: string): SavedWindow[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dataDir, WINDOW_SET_FILE), 'utf8'));
  } catch {
    return [];
  }
  const parsed = WindowSetFile.safeParse(raw);
  return parsed.success ? parsed.data.windows : [];
}

/** Written beside and renamed over the old file, so a crash leaves the old set or the new one, never half of one. */
export function saveWindowSet(dataDir: string, windows: SavedWindow[]): void {
  const file = join(dataDir, WINDOW_SET_FILE);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ version: 1, windows } satisfies z.infer<typeof WindowSetFile>, null, 1)}\n`);
  renameSync(tmp, file);
}

/** `r` no larger than `area` and wholly inside it. */
function fitInto(r: Rect, area: Rect): Rect {
  const width = Math.max(Math.min(r.width, area.width), Math.min(MIN.width, area.width));
  const height = Math.max(Math.min(r.height, area.height), Math.min(MIN.height, area.height));
  const x = Math.min(Math.max(r.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(r.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}

/** `r`'s size, centred in `area`. */
function centred(r: { width: number; height: number }, area: Rect): Rect {
  const width = Math.min(r.width, area.width), height = Math.min(r.height, area.height);
  return { x: area.x + Math.round((area.width - width) / 2), y: area.y + Math.round((area.height - height) / 2), width, height };
}

/**
 * Where each saved window opens now: on its display, inside it; a window whose display is gone opens centred on the
 * primary display. The main window comes first (one, made up when none was saved); pop-outs follow in their order.
 */
export function placeWindows(saved: SavedWindow[], displays: DisplayArea[], primaryId: number): PlacedWindow[] {
  const primary = displays.find((d) => d.id === primaryId) ?? displays[0];
  if (!primary) return [];
  const main = saved.find((w) => w.role === 'main')
    ?? { role: 'main' as const, displayId: primary.id, bounds: centred(MAIN_SIZE, primary.workArea), fullScreen: false, maximized: false };
  return [main, ...saved.filter((w) => w.role === 'popout')].map((w) => {
    const own = displays.find((d) => d.id === w.displayId);
    if (own) return { ...w, bounds: fitInto(w.bounds, own.workArea), moved: false };
    return { ...w, displayId: primary.id, bounds: centred(w.bounds, primary.workArea), moved: true };
  });
}

/** A new pop-out: full screen on the display asked for, or on the primary one when that display is not there. */
export function placePopout(layoutId: string, displayId: number | null, displays: DisplayArea[], primaryId: number): PlacedWindow | undefined {
  const own = displays.find((d) => d.id === displayId);
  const d = own ?? displays.find((x) => x.id === primaryId) ?? displays[0];
  if (!d) return undefined;
  return { role: 'popout', layoutId, displayId: d.id, bounds: centred(MAIN_SIZE, d.workArea), fullScreen: true, maximized: false, moved: displayId !== null && !own };
}
