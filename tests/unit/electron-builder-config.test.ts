// electron-builder cannot package here (no Electron zip), but its config is validated offline against its schema.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../electron-builder.json' with { type: 'json' };

const ROOT = join(import.meta.dirname, '..', '..');
/** Width and height from a PNG's IHDR. */
const pngSize = (png: Buffer) => [png.readUInt32BE(16), png.readUInt32BE(20)];
const read = (rel: string) => readFileSync(join(ROOT, rel));

const require = createRequire(import.meta.url);
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(c: unknown, log: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

describe('electron-builder configuration', () => {
  it('is valid for electron-builder 26', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validation really checks (a bad key fails)', async () => {
    await expect(validateConfiguration({ ...config, bogusKey: 1 }, new DebugLogger(false))).rejects.toThrow(/unknown property 'bogusKey'/);
  });

  it('flips the security fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
  });

  it('builds AppImage and deb, an NSIS installer and a dmg', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toBe('nsis');
    expect(config.mac.target).toBe('dmg');
    expect(config.directories.output).toBe('dist/package');
    expect(config.artifactName).toContain('${version}');
  });

  it('has real icons: a 1024 px PNG, Linux sizes, an ICO up to 256 px, an ICNS up to 1024 px', () => {
    expect(pngSize(read('resources/icon.png'))).toEqual([1024, 1024]);
    const linux = readdirSync(join(ROOT, config.linux.icon)).sort();
    expect(linux).toEqual(expect.arrayContaining(['16x16.png', '32x32.png', '256x256.png', '512x512.png']));
    for (const f of linux) expect(pngSize(read(`${config.linux.icon}/${f}`)).join('x')).toBe(f.replace('.png', ''));

    const ico = read(config.win.icon);
    expect(ico.readUInt16LE(2)).toBe(1); // an icon, not a cursor
    const sizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i] || 256);
    expect(sizes).toEqual(expect.arrayContaining([16, 32, 48, 256]));

    const icns = read(config.mac.icon);
    expect(icns.toString('ascii', 0, 4)).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types = new Map<string, Buffer>();
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) types.set(icns.toString('ascii', at, at + 4), icns.subarray(at + 8, at + icns.readUInt32BE(at + 4)));
    expect(pngSize(types.get('ic10')!)).toEqual([1024, 1024]);
    expect(pngSize(types.get('ic07')!)).toEqual([128, 128]);
  });

  it('has monochrome tray icons at 16 px and @2x', () => {
    for (const name of ['tray', 'trayTemplate']) {
      expect(pngSize(read(`resources/tray/${name}.png`))).toEqual([16, 16]);
      expect(pngSize(read(`resources/tray/${name}@2x.png`))).toEqual([32, 32]);
    }
  });
});
