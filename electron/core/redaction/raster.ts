// Masks and redaction boxes as pixels, made once in JS and handed to ffmpeg's filters (no per-pixel work per frame
// beyond filling a small grey plane): polygons filled even-odd at pixel centres, boxes moved linearly between keys.
import type { MaskPoint, RedactionBox, RedactionKey } from '../../contract';

/** Fills a polygon (normalized coordinates) into a w×h one-byte plane. */
export function fillPolygon(plane: Uint8Array, w: number, h: number, points: readonly MaskPoint[], value = 255): void {
  const xs: number[] = [];
  for (let row = 0; row < h; row++) {
    const y = (row + 0.5) / h;
    xs.length = 0;
    for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
      const a = points[i]!, b = points[j]!;
      if ((a.y > y) !== (b.y > y)) xs.push((a.x + ((y - a.y) / (b.y - a.y)) * (b.x - a.x)) * w);
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      const from = Math.max(0, Math.ceil(xs[k]! - 0.5)), to = Math.min(w - 1, Math.floor(xs[k + 1]! - 0.5));
      if (to >= from) plane.fill(value, row * w + from, row * w + to + 1);
    }
  }
}

/** The polygons as a one-byte coverage plane (255 inside). */
export function polygonPlane(polygons: readonly (readonly MaskPoint[])[], w: number, h: number): Uint8Array {
  const plane = new Uint8Array(w * h);
  for (const p of polygons) fillPolygon(plane, w, h, p);
  return plane;
}

/** An RGBA picture in PAM form (ffmpeg reads it as an image): the colour where the polygons are, transparent elsewhere. */
export function maskPam(
  polygons: readonly (readonly MaskPoint[])[], w: number, h: number, rgb: readonly [number, number, number] | readonly number[], crop?: PixelRect,
): Buffer {
  const plane = polygonPlane(polygons, w, h);
  const c = crop ?? { x: 0, y: 0, w, h };
  const header = Buffer.from(`P7\nWIDTH ${c.w}\nHEIGHT ${c.h}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n`, 'ascii');
  const px = Buffer.alloc(c.w * c.h * 4);
  for (let y = 0; y < c.h; y++) {
    for (let x = 0; x < c.w; x++) {
      if (!plane[(c.y + y) * w + c.x + x]) continue;
      const i = (y * c.w + x) * 4;
      px[i] = rgb[0]!; px[i + 1] = rgb[1]!; px[i + 2] = rgb[2]!; px[i + 3] = 255;
    }
  }
  return Buffer.concat([header, px]);
}

export interface PixelRect { x: number; y: number; w: number; h: number }

/** The even-aligned pixel rectangle holding every outline (null: none), so ffmpeg blends only that part of each frame. */
export function outlinesRect(polygons: readonly (readonly MaskPoint[])[], w: number, h: number): PixelRect | null {
  const pts = polygons.flat();
  if (!pts.length) return null;
  const x0 = Math.max(0, Math.floor((Math.min(...pts.map((p) => p.x)) * w) / 2) * 2), y0 = Math.max(0, Math.floor((Math.min(...pts.map((p) => p.y)) * h) / 2) * 2);
  const x1 = Math.min(w, Math.ceil((Math.max(...pts.map((p) => p.x)) * w) / 2) * 2), y1 = Math.min(h, Math.ceil((Math.max(...pts.map((p) => p.y)) * h) / 2) * 2);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

const FULL = { x: 0, y: 0, w: 1, h: 1 };

/** A box's place at `at` (epoch ms): held before its first key and after its last, linear in between. */
export function boxAt(keys: readonly RedactionKey[], at: number): { x: number; y: number; w: number; h: number } {
  const sorted = keys.length > 1 && keys.some((k, i) => i > 0 && k.at < keys[i - 1]!.at) ? [...keys].sort((a, b) => a.at - b.at) : keys;
  const first = sorted[0]!, last = sorted.at(-1)!;
  if (at <= first.at) return first;
  if (at >= last.at) return last;
  let i = 1;
  while (sorted[i]!.at < at) i++;
  const a = sorted[i - 1]!, b = sorted[i]!;
  const f = (at - a.at) / (b.at - a.at);
  return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f, w: a.w + (b.w - a.w) * f, h: a.h + (b.h - a.h) * f };
}

/**
 * Where the effect goes at `at`: 255 inside each box (outside it for an inverted one), in a w×h plane that ffmpeg scales
 * up to the picture. Box edges are rounded outwards, so a coarse plane never leaves an edge of the box uncovered.
 */
export function boxPlane(boxes: readonly RedactionBox[], at: number, w: number, h: number, into?: Uint8Array, view = FULL): Uint8Array {
  const plane = into ?? new Uint8Array(w * h);
  plane.fill(0);
  for (const box of boxes) {
    // In the view's own coordinates (the part of the picture the plane covers).
    const b = boxAt(box.keys, at);
    const r = { x: (b.x - view.x) / view.w, y: (b.y - view.y) / view.h, w: b.w / view.w, h: b.h / view.h };
    const x0 = Math.max(0, Math.floor(r.x * w)), x1 = Math.min(w, Math.ceil((r.x + r.w) * w));
    const y0 = Math.max(0, Math.floor(r.y * h)), y1 = Math.min(h, Math.ceil((r.y + r.h) * h));
    if (!box.inverted) {
      for (let y = y0; y < y1; y++) plane.fill(255, y * w + x0, y * w + x1);
      continue;
    }
    // Everything except the region (rounded inwards, the same cover rule seen from outside).
    const ix0 = Math.min(w, Math.ceil(r.x * w)), ix1 = Math.max(0, Math.floor((r.x + r.w) * w));
    const iy0 = Math.min(h, Math.ceil(r.y * h)), iy1 = Math.max(0, Math.floor((r.y + r.h) * h));
    for (let y = 0; y < h; y++) {
      if (y < iy0 || y >= iy1 || ix1 <= ix0) plane.fill(255, y * w, (y + 1) * w);
      else { plane.fill(255, y * w, y * w + ix0); plane.fill(255, y * w + ix1, (y + 1) * w); }
    }
  }
  return plane;
}
