// The custom layout model behind the layout editor: merging rectangles, splitting, and what may be saved.
import { describe, expect, it } from 'vitest';
import { customLayout, LAYOUTS, mergeCells, rectOf, singleCells, splitCell, validateLayout, type Cell } from '../../renderer/src/features/live/layouts';

const area = (cells: Cell[]) => cells.reduce((n, c) => n + c.w * c.h, 0);

describe('custom layouts', () => {
  it('merges a dragged rectangle (corners in any order) into one tile, numbered first when top-left', () => {
    const cells = mergeCells(singleCells(3), rectOf({ col: 1, row: 1 }, { col: 0, row: 0 }));
    expect(cells).not.toBeTypeOf('string');
    const c = cells as Cell[];
    expect(c).toHaveLength(6);
    expect(c[0]).toEqual({ col: 0, row: 0, w: 2, h: 2 });
    expect(area(c)).toBe(9);
    expect(validateLayout({ id: 'x', label: 'x', grid: 3, cells: c })).toBeNull();
  });

  it('refuses a rectangle that cuts through a merged tile, or a single cell', () => {
    const c = mergeCells(singleCells(4), rectOf({ col: 0, row: 0 }, { col: 1, row: 1 })) as Cell[];
    expect(mergeCells(c, rectOf({ col: 1, row: 1 }, { col: 2, row: 2 }))).toMatch(/cuts through a merged tile/);
    expect(mergeCells(c, rectOf({ col: 3, row: 3 }, { col: 3, row: 3 }))).toMatch(/two or more/);
    // Taking the whole merged tile plus its neighbours is fine.
    expect(mergeCells(c, rectOf({ col: 0, row: 0 }, { col: 2, row: 2 }))).toHaveLength(1 + 7);
  });

  it('splits a merged tile back into single cells and leaves single cells alone', () => {
    const c = mergeCells(singleCells(4), rectOf({ col: 1, row: 1 }, { col: 3, row: 2 })) as Cell[];
    expect(c).toHaveLength(16 - 6 + 1);
    const back = splitCell(c, { col: 2, row: 2 });
    expect(back).toEqual(singleCells(4));
    expect(splitCell(back, { col: 0, row: 0 })).toBe(back);
  });

  it('saves only a named layout that covers its grid without overlaps', () => {
    const big = mergeCells(singleCells(3), rectOf({ col: 0, row: 0 }, { col: 1, row: 1 })) as Cell[];
    expect(customLayout('Lobby', 3, big)).toEqual({ id: 'custom:Lobby', label: 'Lobby', grid: 3, cells: big });
    expect(customLayout('  ', 3, big)).toMatch(/name the layout/);
    expect(customLayout(LAYOUTS[1]!.label, 3, big)).toMatch(/built-in layout/);
    expect(customLayout('Holes', 3, big.slice(1))).toMatch(/belong to no tile/);
    expect(customLayout('Overlap', 3, [...big, { col: 1, row: 1, w: 1, h: 1 }])).toMatch(/overlap/);
    expect(customLayout('Outside', 3, [...big.slice(0, -1), { col: 2, row: 2, w: 2, h: 1 }])).toMatch(/outside the grid/);
    expect(customLayout('Huge', 9, singleCells(9))).toMatch(/1×1 to 8×8/);
    expect(customLayout('x'.repeat(25), 3, big)).toMatch(/at most 24/);
  });
});
