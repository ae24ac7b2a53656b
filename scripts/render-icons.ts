// Renders resources/icon.svg and resources/tray.svg into the PNG, ICO and ICNS files the installers and
// the tray use (Chromium draws the SVG at each size; the ICO and ICNS containers are written here).
// Run after changing an SVG: npx tsx scripts/render-icons.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const res = resolve(import.meta.dirname, '..', 'resources');

interface Raster { png: Buffer; rgba: Buffer }

/** The SVG drawn on a size × size canvas: its PNG and its straight (not premultiplied) RGBA pixels. */
async function raster(page: Page, svg: string, size: number): Promise<Raster> {
  const out = await page.evaluate(async ({ svg, size }) => {
    const img = new Image();
    img.src = `data:image/svg+xml;base64,${btoa(svg)}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0, size, size);
    const rgba = Array.from(ctx.getImageData(0, 0, size, size).data);
    return { png: canvas.toDataURL('image/png').split(',')[1]!, rgba };
  }, { svg, size });
  return { png: Buffer.from(out.png, 'base64'), rgba: Buffer.from(out.rgba) };
}

/** A 32-bit BMP icon entry (BITMAPINFOHEADER, bottom-up BGRA, then the 1-bit AND mask), as Windows and NSIS read. */
function bmpEntry(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour rows + mask rows
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4, 20);
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4;
      const to = ((size - 1 - y) * size + x) * 4;
      pixels[to] = rgba[from + 2]!;
      pixels[to + 1] = rgba[from + 1]!;
      pixels[to + 2] = rgba[from]!;
      pixels[to + 3] = rgba[from + 3]!;
    }
  }
  const mask = Buffer.alloc(Math.ceil(size / 32) * 4 * size); // all zero: the alpha channel decides
  return Buffer.concat([header, pixels, mask]);
}

/** ICO: BMP entries below 256 px, a PNG entry at 256 px. */
function ico(images: Map<number, Raster>): Buffer {
  const sizes = [...images.keys()].sort((a, b) => a - b);
  const data = sizes.map((s) => (s >= 256 ? images.get(s)!.png : bmpEntry(s, images.get(s)!.rgba)));
  const dir = Buffer.alloc(6 + 16 * sizes.length);
  dir.writeUInt16LE(1, 2);
  dir.writeUInt16LE(sizes.length, 4);
  let offset = dir.length;
  sizes.forEach((s, i) => {
    const e = 6 + 16 * i;
    dir.writeUInt8(s >= 256 ? 0 : s, e);
    dir.writeUInt8(s >= 256 ? 0 : s, e + 1);
    dir.writeUInt16LE(1, e + 4);
    dir.writeUInt16LE(32, e + 6);
    dir.writeUInt32LE(data[i]!.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += data[i]!.length;
  });
  return Buffer.concat([dir, ...data]);
}

/** ICNS with PNG entries, the types iconutil writes (16 … 512 px and their @2x). */
const ICNS_TYPES: [string, number][] = [
  ['icp4', 16], ['ic11', 32], ['icp5', 32], ['ic12', 64], ['ic07', 128], ['ic13', 256],
  ['ic08', 256], ['ic14', 512], ['ic09', 512], ['ic10', 1024],
];
function icns(images: Map<number, Raster>): Buffer {
  const entries = ICNS_TYPES.map(([type, size]) => {
    const png = images.get(size)!.png;
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + entries.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([head, ...entries]);
}

const browser = await chromium.launch({ executablePath: process.env.WATCHPOST_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage();
  const app = readFileSync(join(res, 'icon.svg'), 'utf8');
  const images = new Map<number, Raster>();
  for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024]) images.set(size, await raster(page, app, size));
  writeFileSync(join(res, 'icon.png'), images.get(1024)!.png);
  mkdirSync(join(res, 'icons'), { recursive: true });
  for (const size of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(join(res, 'icons', `${size}x${size}.png`), images.get(size)!.png);
  writeFileSync(join(res, 'icon.ico'), ico(new Map([16, 24, 32, 48, 64, 128, 256].map((s) => [s, images.get(s)!]))));
  writeFileSync(join(res, 'icon.icns'), icns(images));

  // Tray: white for Windows and Linux panels; black "Template" images that macOS tints for light and dark menu bars.
  const tray = readFileSync(join(res, 'tray.svg'), 'utf8');
  for (const [name, svg] of [['tray', tray], ['trayTemplate', tray.replaceAll('#ffffff', '#000000')]] as const) {
    writeFileSync(join(res, 'tray', `${name}.png`), (await raster(page, svg, 16)).png);
    writeFileSync(join(res, 'tray', `${name}@2x.png`), (await raster(page, svg, 32)).png);
  }
} finally {
  await browser.close();
}
console.log(`icons written to ${res}`);
