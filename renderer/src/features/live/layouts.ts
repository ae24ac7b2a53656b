// Grid layouts: cells on a square grid; some layouts give one camera a larger cell.
import { i18n } from '../../i18n';

export interface Cell { col: number; row: number; w: number; h: number }
export interface Layout { id: string; label: string; grid: number; cells: Cell[] }

function uniform(n: number): Layout {
  const cells: Cell[] = [];
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) cells.push({ col: c, row: r, w: 1, h: 1 });
  return { id: String(n * n), label: String(n * n), grid: n, cells };
}

/** One big cell of size `big` in the top-left corner of a `grid` square, the rest single cells. */
function featured(grid: number, big: number): Layout {
  const cells: Cell[] = [{ col: 0, row: 0, w: big, h: big }];
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) if (r >= big || c >= big) cells.push({ col: c, row: r, w: 1, h: 1 });
  }
  return { id: String(cells.length), label: String(cells.length), grid, cells };
}

export const LAYOUTS: Layout[] = [uniform(1), uniform(2), featured(3, 2), featured(4, 3), uniform(3), uniform(4), uniform(5), uniform(6), uniform(8)];
export const MAX_TILES = 64;

type Problem = 'outside' | 'overlap' | 'noCells' | 'cutsThrough' | 'mergeTwo' | 'noName' | 'nameTooLong' | 'gridRange' | 'builtIn' | 'tooManyTiles' | 'holes';
/** Why a layout cannot be, in the chosen language. */
const problem = (key: Problem, values: Record<string, string | number> = {}): string => i18n.t(`live:layoutProblem.${key}`, values);

export function layoutById(id: string, custom: Layout[] = []): Layout {
  return [...LAYOUTS, ...custom].find((l) => l.id === id) ?? LAYOUTS[1]!;
}

/** Checks a custom layout: cells inside the grid and not overlapping. */
export function validateLayout(l: Layout): string | null {
  const taken = new Set<string>();
  for (const c of l.cells) {
    if (c.w < 1 || c.h < 1 || c.col < 0 || c.row < 0 || c.col + c.w > l.grid || c.row + c.h > l.grid) return problem('outside');
    for (let r = c.row; r < c.row + c.h; r++) {
      for (let k = c.col; k < c.col + c.w; k++) {
        const key = `${r}:${k}`;
        if (taken.has(key)) return problem('overlap');
        taken.add(key);
      }
    }
  }
  return l.cells.length === 0 ? problem('noCells') : null;
}

export const MAX_CUSTOM_GRID = 8;
const MAX_NAME = 24;

/** A rectangle of grid cells, from two corners in any order. */
export function rectOf(a: { col: number; row: number }, b: { col: number; row: number }): Cell {
  const col = Math.min(a.col, b.col), row = Math.min(a.row, b.row);
  return { col, row, w: Math.abs(a.col - b.col) + 1, h: Math.abs(a.row - b.row) + 1 };
}

const overlaps = (a: Cell, b: Cell) => a.col < b.col + b.w && b.col < a.col + a.w && a.row < b.row + b.h && b.row < a.row + a.h;
const inside = (a: Cell, r: Cell) => a.col >= r.col && a.row >= r.row && a.col + a.w <= r.col + r.w && a.row + a.h <= r.row + r.h;
/** Tiles are numbered left to right, top to bottom by their top-left corner. */
const order = (cells: Cell[]) => [...cells].sort((a, b) => a.row - b.row || a.col - b.col);

/** n×n single cells. */
export function singleCells(n: number): Cell[] {
  return uniform(n).cells;
}

/** Merges the tiles in a rectangle into one; refused when the rectangle cuts through a larger tile. */
export function mergeCells(cells: Cell[], r: Cell): Cell[] | string {
  const hit = cells.filter((c) => overlaps(c, r));
  if (hit.some((c) => !inside(c, r))) return problem('cutsThrough');
  if (hit.length < 2) return problem('mergeTwo');
  return order([...cells.filter((c) => !overlaps(c, r)), r]);
}

/** Splits the tile covering a grid position back into single cells. */
export function splitCell(cells: Cell[], at: { col: number; row: number }): Cell[] {
  const c = cells.find((x) => overlaps(x, { ...at, w: 1, h: 1 }));
  if (!c || (c.w === 1 && c.h === 1)) return cells;
  const singles: Cell[] = [];
  for (let row = c.row; row < c.row + c.h; row++) for (let col = c.col; col < c.col + c.w; col++) singles.push({ col, row, w: 1, h: 1 });
  return order([...cells.filter((x) => x !== c), ...singles]);
}

/** A custom layout from the editor, or why it cannot be saved (a saved name is overwritten). */
export function customLayout(name: string, grid: number, cells: Cell[]): Layout | string {
  const label = name.trim();
  if (!label) return problem('noName');
  if (label.length > MAX_NAME) return problem('nameTooLong', { max: MAX_NAME });
  if (!Number.isInteger(grid) || grid < 1 || grid > MAX_CUSTOM_GRID) return problem('gridRange', { max: MAX_CUSTOM_GRID });
  if (LAYOUTS.some((l) => l.label === label)) return problem('builtIn', { name: label });
  const l: Layout = { id: `custom:${label}`, label, grid, cells: order(cells) };
  if (l.cells.length > MAX_TILES) return problem('tooManyTiles', { max: MAX_TILES });
  const invalid = validateLayout(l);
  if (invalid) return invalid;
  // Every grid position covered, so the grid shows no holes.
  if (l.cells.reduce((n, c) => n + c.w * c.h, 0) !== grid * grid) return problem('holes');
  return l;
}
