// The desktop shell's pure parts, without Electron: where windows open again, the window-set file, the tray and menu
// in the chosen language, the page's desktop requests, start at login on Linux, and the unacknowledged-alarm count.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WebContents } from 'electron';
import type { StationEvent } from '../../electron/contract';
import { SignalBus } from '../../electron/core/signal-bus';
import { appMenu, navigateCommand, PAGES } from '../../electron/main/app-menu';
import { handleDesktopRequest, windowShot, type DesktopHandlers } from '../../electron/main/desktop-requests';
import { languageOf, wordsFor } from '../../electron/main/i18n';
import { autostartEntry, loginItem } from '../../electron/main/login-item';
import { trayMenu, trayTooltip, withAlarmDot } from '../../electron/main/tray';
import { acknowledgeAllAlarms, watchUnackedAlarms } from '../../electron/main/unacked-alarms';
import { loadWindowSet, placePopout, placeWindows, saveWindowSet, WINDOW_SET_FILE, type SavedWindow } from '../../electron/main/window-set';
import { VIEWS } from '../../renderer/src/app/store';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();
const left = { id: 1, workArea: { x: 0, y: 0, width: 1920, height: 1040 } };
const right = { id: 2, workArea: { x: 1920, y: 0, width: 2560, height: 1400 } };
const main = (over: Partial<SavedWindow> = {}): SavedWindow => ({ role: 'main', displayId: 1, bounds: { x: 100, y: 50, width: 1440, height: 900 }, fullScreen: false, maximized: false, ...over } as SavedWindow);
const popout = (layoutId: string, displayId: number, over: Partial<SavedWindow> = {}): SavedWindow =>
  ({ role: 'popout', layoutId, displayId, bounds: { x: 2000, y: 100, width: 1600, height: 1000 }, fullScreen: true, maximized: false, ...over } as SavedWindow);

describe('placeWindows: the saved set on the displays there are now', () => {
  it('puts each window back on its own display, inside it', () => {
    const placed = placeWindows([main(), popout('9', 2)], [left, right], 1);
    expect(placed.map((w) => [w.role, w.displayId, w.bounds, w.fullScreen, w.moved])).toEqual([
      ['main', 1, { x: 100, y: 50, width: 1440, height: 900 }, false, false],
      ['popout', 2, { x: 2000, y: 100, width: 1600, height: 1000 }, true, false],
    ]);
    expect(placed[1]).toMatchObject({ layoutId: '9' });
  });

  it('a window whose display is gone opens centred on the primary display', () => {
    const placed = placeWindows([main(), popout('custom:Gate', 2), popout('4', 7, { bounds: { x: -5000, y: 0, width: 3000, height: 2000 } })], [left], 1);
    expect(placed.map((w) => [w.displayId, w.moved])).toEqual([[1, false], [1, true], [1, true]]);
    expect(placed[1]!.bounds).toEqual({ x: 160, y: 20, width: 1600, height: 1000 });
    // Larger than the primary display: as large as its work area.
    expect(placed[2]!.bounds).toEqual({ x: 0, y: 0, width: 1920, height: 1040 });
  });

  it('pulls a window that hangs off its display (a smaller resolution now) back inside', () => {
    const [w] = placeWindows([main({ bounds: { x: 1500, y: 900, width: 2400, height: 600 } })], [left], 1);
    expect(w!.bounds).toEqual({ x: 0, y: 440, width: 1920, height: 600 });
  });

  it('makes up the main window when none was saved, and keeps only one', () => {
    expect(placeWindows([], [left, right], 2)).toEqual([{ role: 'main', displayId: 2, bounds: { x: 2480, y: 250, width: 1440, height: 900 }, fullScreen: false, maximized: false, moved: false }]);
    const placed = placeWindows([popout('9', 1), main({ displayId: 2, bounds: { x: 2000, y: 10, width: 800, height: 600 } }), main()], [left, right], 1);
    expect(placed.map((w) => [w.role, w.displayId])).toEqual([['main', 2], ['popout', 1]]);
  });

  it('a new pop-out is full screen on the display asked for, else on the primary one', () => {
    expect(placePopout('16', 2, [left, right], 1)).toMatchObject({ role: 'popout', layoutId: '16', displayId: 2, fullScreen: true, moved: false, bounds: { x: 2480, y: 250 } });
    expect(placePopout('16', 99, [left, right], 1)).toMatchObject({ displayId: 1, moved: true });
    expect(placePopout('16', null, [left, right], 1)).toMatchObject({ displayId: 1, moved: false });
  });
});

describe('the window-set file', () => {
  it('is written whole and read back; a damaged or foreign file gives no windows', () => {
    const dir = scope.tempDir('wp-winset-');
    expect(loadWindowSet(dir)).toEqual([]);
    const set = [main(), popout('custom:Back gate', 2)];
    saveWindowSet(dir, set);
    expect(loadWindowSet(dir)).toEqual(set);
    expect(JSON.parse(readFileSync(join(dir, WINDOW_SET_FILE), 'utf8'))).toMatchObject({ version: 1 });
    for (const bad of ['{"version":1,"windows":[{"role":"popout","layoutId":"../../etc","displayId":1}]}', '{"version":2,"windows":[]}', 'not json', '[]']) {
      writeFileSync(join(dir, WINDOW_SET_FILE), bad);
      expect(loadWindowSet(dir)).toEqual([]);
    }
  });
});

describe('the desktop shell in the chosen language', () => {
  it('takes the language from Settings, else the system\'s, else English', () => {
    expect(languageOf('de', ['en-US'])).toBe('de');
    expect(languageOf(null, ['fr-FR', 'es-MX'])).toBe('es');
    expect(languageOf(null, ['zh_CN'])).toBe('zh');
    expect(languageOf(null, ['fr-FR'])).toBe('en');
  });

  it('the tray says the count and offers show, acknowledge all and quit', () => {
    const done: string[] = [];
    const actions = { show: () => done.push('show'), acknowledgeAll: () => done.push('ack'), quit: () => done.push('quit') };
    const de = trayMenu(3, wordsFor('de'), actions);
    expect(de.map((i) => i.label ?? i.type)).toEqual(['3 unquittierte Alarme', 'separator', 'Watchpost anzeigen', 'Alle Alarme quittieren', 'separator', 'Watchpost beenden']);
    for (const i of de) i.click?.(undefined as never, undefined, undefined as never);
    expect(done).toEqual(['show', 'ack', 'quit']);
    expect(trayMenu(0, wordsFor('en'), actions).find((i) => i.label === 'Acknowledge all alarms')?.enabled).toBe(false);
    expect(trayTooltip(1, wordsFor('en'))).toBe('Watchpost — 1 unacknowledged alarm');
    expect(trayTooltip(0, wordsFor('es'))).toBe('Watchpost — Ninguna alarma sin confirmar');
    expect(trayTooltip(2, wordsFor('zh'))).toBe('Watchpost — 2 条未确认报警');
  });

  it('the alarm dot is red in the top-right corner and leaves the rest of the mark alone', () => {
    const size = 32, mark = Buffer.alloc(size * size * 4, 0x80);
    const dotted = withAlarmDot(mark, size);
    const px = (x: number, y: number) => [...dotted.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)];
    expect(px(28, 4)).toEqual([0x4b, 0x53, 0xe5, 0xff]);
    expect(px(4, 28)).toEqual([0x80, 0x80, 0x80, 0x80]);
    expect(mark[(4 * size + 28) * 4]).toBe(0x80);
  });

  it('the menu has the renderer\'s page shortcuts, Alt+1…9 and Alt+0, in the renderer\'s order, worded in the language', () => {
    expect([...PAGES], 'electron/main/app-menu.ts PAGES lists renderer/src/app/store.ts VIEWS, in order (a page added there needs its menu item)').toEqual([...VIEWS]);
    const went: string[] = [];
    const menu = appMenu(wordsFor('de'), { navigate: (p) => went.push(navigateCommand(p)), quit: () => went.push('quit') });
    expect(menu.map((m) => m.label)).toEqual(['Datei', 'Gehe zu', 'Ansicht', 'Fenster']);
    const go = menu[1]!.submenu as { label: string; accelerator: string; click(): void }[];
    expect(go.map((i) => [i.label, i.accelerator])).toEqual([
      ['Live', 'Alt+1'], ['Wiedergabe', 'Alt+2'], ['Aufnahmen', 'Alt+3'], ['Geräte', 'Alt+4'], ['Ereignisse', 'Alt+5'], ['Datenschutz', 'Alt+6'], ['Einstellungen', 'Alt+7'], ['Status', 'Alt+8'], ['Benutzer', 'Alt+9'], ['Zustand', 'Alt+0'],
    ]);
    go[4]!.click();
    expect(went).toEqual(['navigate:events']);
  });
});

describe('the page\'s desktop requests', () => {
  const calls: unknown[] = [];
  const handlers: DesktopHandlers = {
    displays: () => [{ id: 1, primary: true, width: 1920, height: 1080 }],
    popOut: (i) => {
      calls.push(i);
      return null;
    },
    openAtLogin: () => false,
    setOpenAtLogin: ({ open }) => open,
    // As the shell does it (index.ts), the asking page's capturePage() standing in for Electron's.
    captureWindow: async (_, sender) => windowShot((await (sender as unknown as { capturePage(): Promise<{ toPNG(): Buffer }> }).capturePage()).toPNG(), new Date(2026, 11, 2, 14, 5, 9)),
  };
  // A 1×1 PNG, as NativeImage.toPNG() gives one.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  const page = (image: Buffer) => ({ capturePage: async () => ({ toPNG: () => image }) }) as unknown as WebContents;

  it('takes a screenshot of the asking window for the feedback form, named by the local time; a window that gives none is told', async () => {
    expect(await handleDesktopRequest(handlers, 'captureWindow', {}, page(png))).toEqual({
      ok: true, value: { name: 'watchpost-20261202-140509.png', contentType: 'image/png', dataBase64: png.toString('base64'), bytes: png.length },
    });
    expect(await handleDesktopRequest(handlers, 'captureWindow', {}, page(Buffer.alloc(0))))
      .toEqual({ ok: false, error: { code: 'unavailable', message: 'the window could not be captured (it is hidden or minimised)' } });
    expect(await handleDesktopRequest(handlers, 'captureWindow', { path: '/etc/passwd' }, page(png))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  it('answers known requests with their input checked', async () => {
    expect(await handleDesktopRequest(handlers, 'displays', {})).toEqual({ ok: true, value: [{ id: 1, primary: true, width: 1920, height: 1080 }] });
    expect(await handleDesktopRequest(handlers, 'popOut', { layoutId: 'custom:Gate', displayId: 2 })).toEqual({ ok: true, value: null });
    expect(calls).toEqual([{ layoutId: 'custom:Gate', displayId: 2 }]);
    expect(await handleDesktopRequest(handlers, 'setOpenAtLogin', { open: true })).toEqual({ ok: true, value: true });
  });

  it('refuses unknown requests and bad input, and does nothing then', async () => {
    calls.length = 0;
    expect(await handleDesktopRequest(handlers, 'openDevTools', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(await handleDesktopRequest(handlers, 'popOut', { layoutId: 'javascript:alert(1)', displayId: 1 })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await handleDesktopRequest(handlers, 'popOut', { layoutId: '4', displayId: 1, url: 'https://evil.example' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await handleDesktopRequest(handlers, 'setOpenAtLogin', { open: 'yes' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(calls).toEqual([]);
    const failing = { ...handlers, popOut: () => { throw new Error('there is no display to open the window on'); } };
    expect(await handleDesktopRequest(failing, 'popOut', { layoutId: '4', displayId: null })).toEqual({ ok: false, error: { code: 'unavailable', message: 'there is no display to open the window on' } });
  });
});

describe('start at login', () => {
  it('on Linux: an XDG autostart entry with the command quoted', () => {
    expect(autostartEntry(['/opt/Watchpost/watchpost', '/home/a b/app$1'])).toContain('Exec="/opt/Watchpost/watchpost" "/home/a b/app\\$1"\n');
    const file = join(scope.tempDir('wp-autostart-'), 'autostart', 'watchpost.desktop');
    const noApp = { getLoginItemSettings: () => { throw new Error('not on Linux'); }, setLoginItemSettings: () => { throw new Error('not on Linux'); } };
    const item = loginItem(noApp, 'linux', ['/usr/bin/watchpost'], file);
    expect(item.get()).toBe(false);
    expect(item.set(true)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^\[Desktop Entry\]\nType=Application\nName=Watchpost\nExec="\/usr\/bin\/watchpost"/);
    // Another installation's entry is not ours.
    expect(loginItem(noApp, 'linux', ['/opt/other/watchpost'], file).get()).toBe(false);
    expect(item.set(false)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('elsewhere: the OS\'s login items', () => {
    let open = false;
    const item = loginItem({ getLoginItemSettings: () => ({ openAtLogin: open }), setLoginItemSettings: (s) => void (open = s.openAtLogin) }, 'win32', ['x']);
    expect(item.set(true)).toBe(true);
    expect(item.get()).toBe(true);
  });
});

describe('unacknowledged alarms for the tray', () => {
  const ev = (id: number, acknowledged = false): StationEvent => ({
    id, channelId: 1, type: 'door', source: 'onvif', start: 1, end: null, value: null, unit: null, detail: '', hasSnapshot: false, ruleId: 1, acknowledged, ackNote: null, ackAt: null,
  });

  function fakeStation(events: StationEvent[]) {
    const asked: unknown[] = [];
    const signals = new SignalBus();
    const dispatch = async (name: unknown, input: unknown) => {
      asked.push([name, input]);
      if (name === 'events.list') return { ok: true as const, value: events.filter((e) => !e.acknowledged) };
      if (name === 'events.acknowledge') {
        for (const e of events) if ((input as { ids: number[] }).ids.includes(e.id)) e.acknowledged = true;
        return { ok: true as const, value: [] };
      }
      return { ok: false as const, error: { code: 'unknown_call' as const, message: '' } };
    };
    return { dispatch, signals, asked };
  }

  it('counts at once and again when an event changes; acknowledge all clears them', async () => {
    const events = [ev(1), ev(2), ev(3, true)];
    const st = fakeStation(events);
    const counts: number[] = [];
    const stop = watchUnackedAlarms(st, (n) => counts.push(n));
    await expect.poll(() => counts).toEqual([2]);
    expect(st.asked[0]).toEqual(['events.list', { alarmsOnly: true, acknowledged: false, limit: 1000 }]);
    expect(await acknowledgeAllAlarms(st)).toBe(2);
    st.signals.emit('event.changed', { ...ev(1), acknowledged: true, ackAt: 2 });
    await expect.poll(() => counts).toEqual([2, 0]);
    stop();
    st.signals.emit('event.changed', ev(4));
    await new Promise((r) => setTimeout(r, 20));
    expect(counts).toEqual([2, 0]);
    expect(st.signals.size).toBe(0);
  });
});
