// A row of black/white blocks near the bottom of every frame encoding a time in ms, read back from
// decoded pixels by latency benches. Live streams carry the capture time (Unix ms); replayed loops
// carry the offset in the loop (ms < 1e9), so a reader can tell the two apart.

/** Cells across the strip: 2 sync, 44 data bits (MSB first), 1 even parity, 1 sync. */
export const CODE_CELLS = 48;
export const CODE_BITS = 44;
const PARITY_CELL = 2 + CODE_BITS;
// Strip geometry as fractions of the frame, so the code reads at any decoded resolution.
const X0 = 0.02;
const X1 = 0.98;
const Y0 = 0.88;
const Y1 = 0.96;

export interface CodeRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The strip and its cells in pixels for a frame size (even values, so 4:2:0 chroma stays aligned). */
export function codeLayout(width: number, height: number): { strip: CodeRect; cells: CodeRect[] } {
  const even = (v: number): number => 2 * Math.round(v / 2);
  const x0 = even(width * X0);
  const x1 = even(width * X1);
  const y0 = even(height * Y0);
  const y1 = even(height * Y1);
  const cells: CodeRect[] = [];
  for (let i = 0; i < CODE_CELLS; i++) {
    const cx0 = even(x0 + ((x1 - x0) * i) / CODE_CELLS);
    const cx1 = even(x0 + ((x1 - x0) * (i + 1)) / CODE_CELLS);
    cells.push({ x: cx0, y: y0, w: cx1 - cx0, h: y1 - y0 });
  }
  return { strip: { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }, cells };
}

/** The bit pattern (one entry per cell, true = white) for a value. */
export function encodeTimestampCells(ms: number): boolean[] {
  const value = Math.max(0, Math.floor(ms));
  const cells: boolean[] = [true, false];
  let parity = 0;
  for (let k = CODE_BITS - 1; k >= 0; k--) {
    const bit = Math.floor(value / 2 ** k) % 2 === 1;
    if (bit) parity ^= 1;
    cells.push(bit);
  }
  cells.push(parity === 1, true);
  return cells;
}

/**
 * ffmpeg filter chain (comma-joined drawbox filters) drawing the code of `floor(t*1000)`, where t is
 * the frame's time in seconds: a black strip, then one white box per set bit, switched per frame by
 * the timeline `enable` expression (no per-pixel geq, so it costs next to nothing at 1080p).
 */
export function timestampCodeFilter(width: number, height: number): string {
  const { strip, cells } = codeLayout(width, height);
  const ms = 'floor(t*1000+0.5)';
  const bit = (k: number): string => `mod(floor(${ms}/${2 ** k}),2)`;
  const box = (r: CodeRect, enable?: string): string =>
    `drawbox=x=${r.x}:y=${r.y}:w=${r.w}:h=${r.h}:color=white:t=fill` + (enable ? `:enable='${enable}'` : '');
  const parts = [`drawbox=x=${strip.x}:y=${strip.y}:w=${strip.w}:h=${strip.h}:color=black:t=fill`];
  parts.push(box(cells[0]!), box(cells[CODE_CELLS - 1]!));
  const bitTerms: string[] = [];
  for (let k = CODE_BITS - 1; k >= 0; k--) {
    const cell = cells[2 + (CODE_BITS - 1 - k)]!;
    parts.push(box(cell, `eq(${bit(k)},1)`));
    bitTerms.push(bit(k));
  }
  parts.push(box(cells[PARITY_CELL]!, `eq(mod(${bitTerms.join('+')},2),1)`));
  return parts.join(',');
}

/**
 * Reads the code back from a decoded grey (Y plane, 1 byte per pixel) frame of any size.
 * Returns null when the sync cells or the parity do not check out.
 */
export function readTimestampCode(gray: Uint8Array, width: number, height: number): number | null {
  if (gray.length < width * height) return null;
  const { cells } = codeLayout(width, height);
  const levels = cells.map((c) => meanOfCentre(gray, width, c));
  const white = levels.map((l) => l >= 128);
  if (!white[0] || white[1] || !white[CODE_CELLS - 1]) return null;
  // Reject a frame without a strip: cells must sit clearly away from mid-grey.
  if (levels.some((l) => l > 70 && l < 185)) return null;
  let value = 0;
  let parity = 0;
  for (let i = 2; i < 2 + CODE_BITS; i++) {
    value = value * 2 + (white[i] ? 1 : 0);
    if (white[i]) parity ^= 1;
  }
  if ((parity === 1) !== white[PARITY_CELL]) return null;
  return value;
}

// The middle half of a cell in each direction, away from edges smeared by compression.
function meanOfCentre(gray: Uint8Array, width: number, c: CodeRect): number {
  const x0 = Math.floor(c.x + c.w / 4);
  const x1 = Math.max(x0 + 1, Math.ceil(c.x + (3 * c.w) / 4));
  const y0 = Math.floor(c.y + c.h / 4);
  const y1 = Math.max(y0 + 1, Math.ceil(c.y + (3 * c.h) / 4));
  let sum = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = x0; x < x1; x++) {
      sum += gray[row + x]!;
      count++;
    }
  }
  return count === 0 ? 0 : sum / count;
}
