// Launches the real Electron app wherever its binary exists; here (no download possible) it reports itself skipped.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElectronApplication } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { StationBridge } from '../../electron/contract';
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
const titled = (what: string) => (bin.path ? what : `${what} — skipped: ${bin.why}`);

async function launch(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<ElectronApplication> {
  const { _electron } = await import('playwright-core');
  return _electron.launch({ executablePath: bin.path!, args: [ROOT, '--no-sandbox'], env: { ...process.env, WATCHPOST_DATA_DIR: dataDir, ...env } });
}

describe('Electron app', () => {
  it.skipIf(!bin.path)(titled('launches the Electron app'), async () => {
    const app = await launch(mkdtempSync(join(tmpdir(), 'wp-electron-')));
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
      // Feedback's "Take a screenshot of this window": the main process captures the page (capturePage) as a PNG.
      const shot = await win.evaluate(() => (globalThis as { watchpost?: StationBridge }).watchpost!.desktop!.request('captureWindow', {}));
      expect(shot).toMatchObject({ ok: true, value: { contentType: 'image/png', name: expect.stringMatching(/^watchpost-\d{8}-\d{6}\.png$/) } });
      const png = Buffer.from((shot as { value: { dataBase64: string } }).value.dataBase64, 'base64');
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.readUInt32BE(16)).toBeGreaterThan(100); // the window's width, from the PNG's IHDR
    } finally {
      await app.close();
    }
  });

  it.skipIf(!bin.path)(titled('pops a layout out full screen, and opens the window set again at the next start'), { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wp-electron-'));
    const app = await launch(dataDir);
    try {
      const win = await app.firstWindow();
      await win.waitForSelector('.conn-open');
      const [pop, result] = await Promise.all([
        app.waitForEvent('window'),
        win.evaluate(() => (globalThis as { watchpost?: StationBridge }).watchpost!.desktop!.request('popOut', { layoutId: '4', displayId: null })),
      ]);
      expect(result).toEqual({ ok: true, value: null });
      await pop.waitForSelector('.popout [data-tile]');
      expect(pop.url()).toBe('app://watchpost/index.html#/live?layout=4&window=popout');
      expect(await pop.locator('[data-tile]').count()).toBe(4);
      expect(await pop.locator('nav').count()).toBe(0);
      await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.isFullScreen()).sort())).toEqual([false, true]);
      // The page cannot open what is not a layout.
      expect(await win.evaluate(() => (globalThis as { watchpost?: StationBridge }).watchpost!.desktop!.request('popOut', { layoutId: 'https://evil.example', displayId: null }))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    } finally {
      await app.close();
    }
    const saved = JSON.parse(readFileSync(join(dataDir, 'windows.json'), 'utf8')) as { windows: { role: string; layoutId?: string; fullScreen: boolean }[] };
    expect(saved.windows.map((w) => [w.role, w.layoutId ?? null, w.fullScreen])).toEqual([['main', null, false], ['popout', '4', true]]);
    const again = await launch(dataDir);
    try {
      await again.firstWindow();
      await expect.poll(() => again.windows().map((w) => w.url()).sort()).toEqual(['app://watchpost/index.html', 'app://watchpost/index.html#/live?layout=4&window=popout']);
    } finally {
      await again.close();
    }
  });

  it.skipIf(!bin.path)(titled('a second launch ends at once and the running app stays as it is'), { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wp-electron-'));
    const app = await launch(dataDir);
    try {
      await (await app.firstWindow()).waitForSelector('.conn-open');
      const second = spawn(bin.path!, [ROOT, '--no-sandbox'], { env: { ...process.env, WATCHPOST_DATA_DIR: dataDir }, stdio: 'ignore' });
      const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
      expect(code).toBe(0);
      expect(app.windows()).toHaveLength(1);
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.isVisible())).toBe(true);
    } finally {
      await app.close();
    }
  });

  it.skipIf(!bin.path)(titled('menu and start at login, in the language chosen in Settings'), { timeout: 60_000 }, async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'wp-xdg-'));
    const app = await launch(mkdtempSync(join(tmpdir(), 'wp-electron-')), { XDG_CONFIG_HOME: xdg });
    try {
      const win = await app.firstWindow();
      await win.waitForSelector('.conn-open');
      const menu = () => app.evaluate(({ Menu }) => Menu.getApplicationMenu()!.items.map((i) => i.label));
      expect(await menu()).toEqual(['File', 'Go', 'View', 'Window']);
      await win.click('nav [data-view=settings]');
      await win.selectOption('select[name=language]', 'de');
      await expect.poll(menu).toEqual(['Datei', 'Gehe zu', 'Ansicht', 'Fenster']);
      expect(await win.evaluate(() => (globalThis as { watchpost?: StationBridge }).watchpost!.call('settings.get', {}))).toMatchObject({ ok: true, value: { language: 'de' } });
      // The menu's Events item (its Alt+digit) moves the page.
      await app.evaluate(({ Menu }) => Menu.getApplicationMenu()!.items[1]!.submenu!.items.find((i) => i.label === 'Ereignisse')!.click());
      await win.waitForFunction(() => location.hash === '#/events');
      // Start at login: shown in the desktop app only; on Linux an autostart entry.
      await win.click('nav [data-view=settings]');
      await win.check('input[name=openAtLogin]');
      if (process.platform === 'linux') await expect.poll(() => existsSync(join(xdg, 'autostart', 'watchpost.desktop'))).toBe(true);
      await win.uncheck('input[name=openAtLogin]');
      if (process.platform === 'linux') await expect.poll(() => existsSync(join(xdg, 'autostart', 'watchpost.desktop'))).toBe(false);
    } finally {
      await app.close();
    }
  });
});
