// Launches the real Electron app wherever its binary exists; here (no download possible) it reports itself skipped.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/station-process';

function electronBinary(): { path?: string; why: string } {
  const dir = join(ROOT, 'node_modules/electron');
  const pathTxt = join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return { why: 'no Electron binary: node_modules/electron/path.txt is missing (the binary cannot be downloaded on this machine)' };
  const bin = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? { path: bin, why: '' } : { why: `no Electron binary at ${bin}` };
}

const bin = electronBinary();
if (!bin.path) console.warn(`[electron-app] skipped: ${bin.why}`);
const title = bin.path ? 'launches the Electron app' : `launches the Electron app — skipped: ${bin.why}`;

describe('Electron app', () => {
  it.skipIf(!bin.path)(title, async () => {
    const { _electron } = await import('playwright-core');
    const app = await _electron.launch({
      executablePath: bin.path!,
      args: [ROOT, '--no-sandbox'],
      env: { ...process.env, WATCHPOST_DATA_DIR: mkdtempSync(join(tmpdir(), 'wp-electron-')) },
    });
    try {
      const win = await app.firstWindow();
      await win.waitForSelector('.conn-open');
      expect(win.url()).toBe('app://watchpost/index.html');
      await win.click('nav [data-view=status]');
      await win.waitForSelector('[data-testid=ffmpeg-version]');
      // The sandboxed page has no Node: no require, no process.
      expect(await win.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await win.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      // The bridge is there, ipcRenderer is not.
      expect(await win.evaluate(() => typeof (globalThis as { watchpost?: { call?: unknown } }).watchpost?.call)).toBe('function');
      expect(await win.evaluate(() => typeof (globalThis as { ipcRenderer?: unknown }).ipcRenderer)).toBe('undefined');
    } finally {
      await app.close();
    }
  });
});
