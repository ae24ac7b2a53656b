// Grid layouts: cells on a square grid; some layouts give one camera a larger cell.

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

export function layoutById(id: string, custom: Layout[] = []): Layout {
  return [...LAYOUTS, ...custom].find((l) => l.id === id) ?? LAYOUTS[1]!;
}

/** Checks a custom layout: cells inside the grid and not overlapping. */
export function validateLayout(l: Layout): string | null {
  const taken = new Set<string>();
  for (const c of l.cells) {
    if (c.w < 1 || c.h < 1 || c.col < 0 || c.row < 0 || c.col + c.w > l.grid || c.row + c.h > l.grid) return 'a cell lies outside the grid';
    for (let r = c.row; r < c.row + c.h; r++) {
      for (let k = c.col; k < c.col + c.w; k++) {
        const key = `${r}:${k}`;
        if (taken.has(key)) return 'two cells overlap';
        taken.add(key);
      }
    }
  }
  return l.cells.length === 0 ? 'a layout needs at least one cell' : null;
}
