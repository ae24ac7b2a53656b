// The Electron shell, exercised against a fake 'electron' module (no binary here): the security checklist, and the
// desktop parts (pop-out windows, the window set kept across starts, tray, menu, language, a second launch).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlarmNotice } from '../../electron/contract';
import type { Station } from '../../electron/core/station';
import { signInAsTestAdmin, TEST_ADMIN } from '../helpers/auth';

type Handler = (...args: any[]) => any;
interface Rect { x: number; y: number; width: number; height: number }
interface WinRec {
  options: any; url?: string; sent: unknown[][]; handlers: Map<string, Handler[]>;
  fullScreen: boolean; maximized: boolean; minimized: boolean; shown: boolean; focused: number; destroyed: boolean;
}

const fake = vi.hoisted(() => {
  const state = {
    lock: true,
    backend: 'gnome_libsecret',
    appHandlers: new Map<string, Handler>(),
    ipcHandlers: new Map<string, Handler>(),
    protocolHandler: undefined as Handler | undefined,
    schemes: [] as unknown[],
    sandbox: false,
    windows: [] as WinRec[],
    permission: undefined as Handler | undefined,
    permissionCheck: undefined as Handler | undefined,
    fetched: [] as string[],
    exitCode: undefined as number | undefined,
    quit: false,
    ready: undefined as undefined | (() => void),
    displays: [] as { id: number; bounds: Rect; workArea: Rect; size: { width: number; height: number } }[],
    trays: [] as { image: unknown; tooltip: string; menu: any; destroyed: boolean }[],
    menu: undefined as any,
    notes: [] as any[],
    station: undefined as Station | undefined,
  };
  const inside = (r: Rect, p: { x: number; y: number }) => p.x >= r.x && p.y >= r.y && p.x < r.x + r.width && p.y < r.y + r.height;
  class BrowserWindow {
    rec: WinRec;
    webContents: { id: number; send: (...a: unknown[]) => void; on: () => void; once: () => void };
    constructor(options: any) {
      this.rec = { options, sent: [], handlers: new Map(), fullScreen: false, maximized: false, minimized: false, shown: false, focused: 0, destroyed: false };
      state.windows.push(this.rec);
      this.webContents = { id: state.windows.length, send: (...a: unknown[]) => void this.rec.sent.push(a), on: () => {}, once: () => {} };
    }
    static getAllWindows() { return instances.filter((w) => !w.rec.destroyed); }
    private emit(ev: string) { for (const h of this.rec.handlers.get(ev) ?? []) h({ preventDefault() {} }); }
    on(ev: string, h: Handler) { this.rec.handlers.set(ev, [...(this.rec.handlers.get(ev) ?? []), h]); return this; }
    // The page is shown at once.
    once(ev: string, h: Handler) { if (ev === 'ready-to-show') h(); else this.on(ev, h); return this; }
    isDestroyed() { return this.rec.destroyed; }
    isMinimized() { return this.rec.minimized; }
    restore() { this.rec.minimized = false; }
    show() { this.rec.shown = true; }
    focus() { this.rec.focused++; }
    maximize() { this.rec.maximized = true; }
    isMaximized() { return this.rec.maximized; }
    setFullScreen(on: boolean) { this.rec.fullScreen = on; }
    isFullScreen() { return this.rec.fullScreen; }
    getNormalBounds(): Rect { const o = this.rec.options; return { x: o.x, y: o.y, width: o.width, height: o.height }; }
    close() { if (this.rec.destroyed) return; this.emit('close'); this.rec.destroyed = true; this.emit('closed'); }
    async loadURL(url: string) { this.rec.url = url; }
  }
  const instances: BrowserWindow[] = [];
  const image = (size: number) => ({ getSize: () => ({ width: size, height: size }), toBitmap: () => Buffer.alloc(size * size * 4, 0xff) });
  const electron = {
    app: {
      enableSandbox: () => void (state.sandbox = true),
      requestSingleInstanceLock: () => state.lock,
      on: (ev: string, h: Handler) => void state.appHandlers.set(ev, h),
      whenReady: () => new Promise<void>((r) => (state.ready = r)),
      getPath: () => process.env.WATCHPOST_DATA_DIR,
      getPreferredSystemLanguages: () => ['en-US'],
      isPackaged: false,
      getAppPath: () => '/opt/watchpost-dev',
      getLoginItemSettings: () => ({ openAtLogin: false }),
      setLoginItemSettings: () => {},
      quit: () => void (state.quit = true),
      exit: (code: number) => void (state.exitCode = code),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void state.schemes.push(...s),
      handle: (_scheme: string, h: Handler) => void (state.protocolHandler = h),
    },
    net: { fetch: async (url: string) => { state.fetched.push(url); return new Response('<html>', { headers: { 'content-type': 'text/html' } }); } },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Handler) => void (state.permission = h),
        setPermissionCheckHandler: (h: Handler) => void (state.permissionCheck = h),
        setDevicePermissionHandler: () => {},
      },
    },
    screen: {
      getAllDisplays: () => state.displays,
      getPrimaryDisplay: () => state.displays[0],
      getDisplayMatching: (r: Rect) => state.displays.find((d) => inside(d.bounds, { x: r.x + r.width / 2, y: r.y + r.height / 2 })) ?? state.displays[0],
    },
    BrowserWindow: new Proxy(BrowserWindow, {
      construct(target, args) { const w = new target(args[0]); instances.push(w); return w; },
    }),
    ipcMain: {
      handle: (ch: string, h: Handler) => void state.ipcHandlers.set(ch, h),
      removeHandler: (ch: string) => void state.ipcHandlers.delete(ch),
    },
    MessageChannelMain: class { port1 = { on() {}, start() {}, close() {}, postMessage() {} }; port2 = {}; },
    Notification: Object.assign(class { constructor(o: unknown) { state.notes.push(o); } on() {} show() {} }, { isSupported: () => true }),
    nativeImage: { createFromBuffer: () => ({}), createFromPath: () => image(32), createFromBitmap: (b: Buffer) => ({ bitmap: b }) },
    Tray: class {
      rec = { image: undefined as unknown, tooltip: '', menu: undefined as any, destroyed: false };
      constructor(img: unknown) { this.rec.image = img; state.trays.push(this.rec); }
      on() {}
      setImage(img: unknown) { this.rec.image = img; }
      setToolTip(t: string) { this.rec.tooltip = t; }
      setContextMenu(m: unknown) { this.rec.menu = m; }
      setTitle() {}
      destroy() { this.rec.destroyed = true; }
    },
    Menu: { buildFromTemplate: (template: unknown[]) => ({ template }), setApplicationMenu: (m: unknown) => void (state.menu = m) },
    safeStorage: {
      isAsyncEncryptionAvailable: async () => true,
      getSelectedStorageBackend: () => state.backend,
      encryptStringAsync: async (s: string) => Buffer.from(s).reverse(),
      decryptStringAsync: async (b: Buffer) => ({ result: Buffer.from(b).reverse().toString(), shouldReEncrypt: false }),
    },
  };
  return { state, electron, instances };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));
// The station the shell creates, kept so a test can raise an alarm on its bus and dispose of it.
vi.mock('../../electron/core/station', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../electron/core/station')>();
  return { ...real, createStation: async (o: Parameters<typeof real.createStation>[0]) => (fake.state.station = await real.createStation(o)) };
});

const DISPLAYS = {
  left: { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, size: { width: 1920, height: 1080 } },
  right: { id: 2, bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, workArea: { x: 1920, y: 0, width: 2560, height: 1400 }, size: { width: 2560, height: 1440 } },
};

async function boot(opts: { lock?: boolean; backend?: string; dataDir?: string; displays?: (typeof DISPLAYS)[keyof typeof DISPLAYS][] } = {}) {
  const s = fake.state;
  await s.station?.dispose();
  Object.assign(s, {
    lock: opts.lock ?? true, backend: opts.backend ?? 'gnome_libsecret', windows: [], schemes: [], fetched: [], quit: false, exitCode: undefined, sandbox: false,
    displays: opts.displays ?? [DISPLAYS.left, DISPLAYS.right], trays: [], menu: undefined, notes: [], station: undefined,
  });
  s.appHandlers.clear();
  s.ipcHandlers.clear();
  fake.instances.length = 0;
  process.env.WATCHPOST_DATA_DIR = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'wp-shell-'));
  process.env.XDG_CONFIG_HOME = mkdtempSync(join(tmpdir(), 'wp-xdg-'));
  vi.resetModules();
  await import('../../electron/main/index');
  if (s.ready) s.ready();
  // Let start() create the station and the window.
  for (let i = 0; i < 50 && s.windows.length === 0 && s.exitCode === undefined && s.lock; i++) await new Promise((r) => setTimeout(r, 20));
  return s;
}

afterAll(async () => {
  await fake.state.station?.dispose();
});

describe('Electron shell security checklist', () => {
  let s: typeof fake.state;
  beforeEach(async () => { s = await boot(); });

  it('opens one sandboxed, context-isolated window without Node, on app://', () => {
    expect(s.sandbox).toBe(true);
    expect(s.windows).toHaveLength(1);
    const wp = s.windows[0]!.options.webPreferences;
    expect(wp).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, webSecurity: true, allowRunningInsecureContent: false, webviewTag: false });
    expect(wp.preload).toMatch(/preload\.cjs$/);
    expect(s.windows[0]!.url).toBe('app://watchpost/index.html');
    expect(s.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }]);
  });

  it('serves app:// only from the renderer folder, with the CSP', async () => {
    const res = (await s.protocolHandler!(new Request('app://watchpost/index.html'))) as Response;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(s.fetched.at(-1)).toMatch(/^file:\/\/.*\/renderer\/index\.html$/);
    // URL parsing folds %2e%2e away: the request stays inside the renderer folder.
    await s.protocolHandler!(new Request('app://watchpost/%2e%2e/%2e%2e/etc/passwd'));
    expect(s.fetched.at(-1)).toMatch(/\/renderer\/etc\/passwd$/);
    for (const bad of ['app://watchpost/..%2f..%2fpackage.json', 'app://watchpost/assets/..%2f..%2f..%2fpackage.json', 'app://other/index.html']) {
      const before = s.fetched.length;
      expect(((await s.protocolHandler!(new Request(bad))) as Response).status).toBe(404);
      expect(s.fetched.length).toBe(before);
    }
  });

  it('denies every permission except notifications and the app page\'s microphone', () => {
    const decide = (p: string, details: object = {}) => { let r: boolean | undefined; s.permission!({}, p, (ok: boolean) => (r = ok), details); return r; };
    expect(decide('notifications')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'midi']) expect(decide(p)).toBe(false);
    expect(s.permissionCheck!({}, 'media', 'app://watchpost', {})).toBe(false);
    // Push to talk: the microphone, for our own page only; never the camera, never another origin.
    expect(decide('media', { mediaTypes: ['audio'], requestingUrl: 'app://watchpost/index.html' })).toBe(true);
    expect(decide('media', { mediaTypes: ['audio', 'video'], requestingUrl: 'app://watchpost/index.html' })).toBe(false);
    expect(decide('media', { mediaTypes: ['video'], requestingUrl: 'app://watchpost/index.html' })).toBe(false);
    expect(decide('media', { mediaTypes: ['audio'], requestingUrl: 'https://evil.example/' })).toBe(false);
    expect(decide('media', { mediaTypes: [], requestingUrl: 'app://watchpost/index.html' })).toBe(false);
    expect(s.permissionCheck!({}, 'media', 'app://watchpost', { mediaType: 'audio' })).toBe(true);
    expect(s.permissionCheck!({}, 'media', 'app://watchpost', { mediaType: 'video' })).toBe(false);
    expect(s.permissionCheck!({}, 'media', 'https://evil.example', { mediaType: 'audio' })).toBe(false);
  });

  it('denies navigation away from app://, new windows and webviews', () => {
    const handlers = new Map<string, Handler>();
    let openHandler: Handler | undefined;
    s.appHandlers.get('web-contents-created')!({}, { on: (ev: string, h: Handler) => handlers.set(ev, h), setWindowOpenHandler: (h: Handler) => (openHandler = h) });
    const nav = (url: string) => { let prevented = false; handlers.get('will-navigate')!({ preventDefault: () => (prevented = true) }, url); return prevented; };
    expect(nav('https://evil.example/')).toBe(true);
    expect(nav('file:///etc/passwd')).toBe(true);
    expect(nav('app://watchpost/index.html')).toBe(false);
    expect(openHandler!({ url: 'https://evil.example' })).toEqual({ action: 'deny' });
    let webview = false;
    handlers.get('will-attach-webview')!({ preventDefault: () => (webview = true) });
    expect(webview).toBe(true);
  });

  it('answers IPC only from its own top-level page', async () => {
    const call = s.ipcHandlers.get('watchpost:call')!;
    const top = { url: 'app://watchpost/index.html', parent: null };
    await signIn(s);
    expect(await call({ senderFrame: top, sender }, 'settings.get', {})).toMatchObject({ ok: true });
    expect(await call({ senderFrame: top, sender }, 'settings.update', { ffmpegPath: 'x' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    for (const frame of [{ url: 'https://evil.example/', parent: null }, { url: 'app://watchpost/index.html', parent: top }, null]) {
      expect(await call({ senderFrame: frame, sender }, 'settings.get', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    }
  });

  it('a second instance quits without opening a window', async () => {
    const s2 = await boot({ lock: false });
    expect(s2.quit).toBe(true);
    expect(s2.windows).toHaveLength(0);
  });

  it('refuses to keep secrets with the basic_text backend', async () => {
    const s2 = await boot({ backend: 'basic_text' });
    expect(s2.exitCode).toBe(1);
    expect(s2.windows).toHaveLength(0);
  });
});

const top = { url: 'app://watchpost/index.html', parent: null };
/** The page's webContents as an IPC event carries it. */
const page = (id: number) => ({ id, once: () => {}, postMessage: vi.fn() });
const sender = page(1);
const desktop = (s: typeof fake.state, name: string, input: unknown, frame: unknown = top) => s.ipcHandlers.get('watchpost:desktop')!({ senderFrame: frame, sender }, name, input);
const ipcCall = (s: typeof fake.state, name: string, input: unknown, from: { id: number } = sender) => s.ipcHandlers.get('watchpost:call')!({ senderFrame: top, sender: from }, name, input);
/** The page (sender 1) signed in as the test administrator, made on the station's first start. */
const signIn = (s: typeof fake.state) => signInAsTestAdmin(`electron:${process.env.WATCHPOST_DATA_DIR}`, (name, input) => ipcCall(s, name, input));
const stationCall = async (s: typeof fake.state, name: string, input: unknown) => (await signIn(s), ipcCall(s, name, input));
const savedSet = () => JSON.parse(readFileSync(join(process.env.WATCHPOST_DATA_DIR!, 'windows.json'), 'utf8')) as { windows: any[] };
const alarm: AlarmNotice = {
  event: { id: 7, channelId: 3, type: 'temperature', source: 'onvif', start: Date.UTC(2026, 0, 5, 12, 30), end: null, value: 41.5, unit: '°C', detail: '', hasSnapshot: false, ruleId: 2, acknowledged: false, ackNote: null, ackAt: null },
  ruleId: 2, ruleName: 'Serverraum', actions: ['notify'], snapshotBase64: null,
};

describe('Electron shell: windows, tray, menu, language', () => {
  it('pops a layout out to a full-screen window on the chosen display, locked down like the main one', async () => {
    const s = await boot();
    expect(await desktop(s, 'displays', {})).toEqual({ ok: true, value: [{ id: 1, primary: true, width: 1920, height: 1080 }, { id: 2, primary: false, width: 2560, height: 1440 }] });
    expect(await desktop(s, 'popOut', { layoutId: '9', displayId: 2 })).toEqual({ ok: true, value: null });
    expect(s.windows).toHaveLength(2);
    const [main, pop] = s.windows;
    expect(pop!.url).toBe('app://watchpost/index.html#/live?layout=9&window=popout');
    expect(pop!.options.webPreferences).toEqual(main!.options.webPreferences);
    expect(pop!.options).toMatchObject({ x: 2480, y: 250, width: 1440, height: 900 });
    expect(pop!.fullScreen).toBe(true);
    expect(savedSet().windows.map((w) => [w.role, w.layoutId, w.displayId, w.fullScreen])).toEqual([['main', undefined, 1, false], ['popout', '9', 2, true]]);
    // Refused: another frame, a layout id that is not one, a request that is not there. Nothing opens.
    expect(await desktop(s, 'popOut', { layoutId: '4', displayId: 1 }, { url: 'https://evil.example/', parent: null })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(await desktop(s, 'popOut', { layoutId: '../index.html', displayId: 1 })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await desktop(s, 'openDevTools', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    expect(s.windows).toHaveLength(2);
    // At most 16 pop-outs at once, said in the language of Settings.
    for (let i = 1; i < 16; i++) expect(await desktop(s, 'popOut', { layoutId: '1', displayId: 1 })).toMatchObject({ ok: true });
    await stationCall(s, 'settings.update', { language: 'es' });
    expect(await desktop(s, 'popOut', { layoutId: '1', displayId: 1 })).toEqual({ ok: false, error: { code: 'unavailable', message: 'Como máximo 16 diseños pueden estar separados a la vez; cierre primero una de sus ventanas.' } });
    expect(s.windows).toHaveLength(17);
  });

  it('opens the saved window set at the next start; a window whose display is gone opens on the primary display', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'wp-shell-'));
    writeFileSync(join(dataDir, 'windows.json'), JSON.stringify({ version: 1, windows: [
      { role: 'main', displayId: 1, bounds: { x: 40, y: 30, width: 1200, height: 800 }, fullScreen: false, maximized: true },
      { role: 'popout', layoutId: '16', displayId: 2, bounds: { x: 1920, y: 0, width: 2560, height: 1400 }, fullScreen: true, maximized: false },
      { role: 'popout', layoutId: 'custom:Back gate', displayId: 3, bounds: { x: 4480, y: 0, width: 1280, height: 1024 }, fullScreen: true, maximized: false },
    ] }));
    const s = await boot({ dataDir });
    expect(s.windows.map((w) => [w.url, w.options.x, w.options.y, w.options.width, w.options.height, w.fullScreen, w.maximized])).toEqual([
      ['app://watchpost/index.html', 40, 30, 1200, 800, false, true],
      ['app://watchpost/index.html#/live?layout=16&window=popout', 1920, 0, 2560, 1400, true, false],
      // Display 3 is gone: centred on display 1, still full screen.
      ['app://watchpost/index.html#/live?layout=custom%3ABack%20gate&window=popout', 320, 8, 1280, 1024, true, false],
    ]);
    // Closing a pop-out forgets it; quitting keeps the rest for the next start.
    fake.instances[1]!.close();
    expect(savedSet().windows.map((w) => w.layoutId ?? w.role)).toEqual(['main', 'custom:Back gate']);
    s.appHandlers.get('before-quit')!();
    fake.instances[2]!.close();
    fake.instances[0]!.close();
    expect(savedSet().windows.map((w) => [w.layoutId ?? w.role, w.displayId])).toEqual([['main', 1], ['custom:Back gate', 1]]);
    // Closing the main window closes its pop-outs.
    const s2 = await boot({ dataDir, displays: [DISPLAYS.left] });
    expect(s2.windows).toHaveLength(2);
    fake.instances[0]!.close();
    expect(s2.windows.every((w) => w.destroyed)).toBe(true);
    expect(savedSet().windows).toHaveLength(2);
  });

  it('a second launch brings the running window forward', async () => {
    const s = await boot();
    s.windows[0]!.minimized = true;
    s.appHandlers.get('second-instance')!();
    expect(s.windows[0]).toMatchObject({ minimized: false, shown: true, focused: 1 });
    expect(s.windows).toHaveLength(1);
  });

  it('tray and menu in the language of Settings; the menu\'s page shortcuts reach the main window', async () => {
    const s = await boot();
    const tray = s.trays[0]!;
    await expect.poll(() => tray.tooltip).toBe('Watchpost — No unacknowledged alarms');
    expect(tray.menu.template.map((i: any) => i.label).filter(Boolean)).toEqual(['No unacknowledged alarms', 'Show Watchpost', 'Acknowledge all alarms', 'Quit Watchpost']);
    expect(s.menu.template.map((m: any) => m.label)).toEqual(['File', 'Go', 'View', 'Window']);
    expect(await stationCall(s, 'settings.update', { language: 'de' })).toMatchObject({ ok: true, value: { language: 'de' } });
    expect(tray.tooltip).toBe('Watchpost — Keine unquittierten Alarme');
    expect(s.menu.template.map((m: any) => m.label)).toEqual(['Datei', 'Gehe zu', 'Ansicht', 'Fenster']);
    const go = s.menu.template[1].submenu;
    expect(go.map((i: any) => i.accelerator)).toEqual(go.map((_: unknown, i: number) => `Alt+${(i + 1) % 10}`));
    go.find((i: any) => i.label === 'Ereignisse').click();
    expect(s.windows[0]!.sent).toContainEqual(['watchpost:command', 'navigate:events']);
    expect(await stationCall(s, 'settings.update', { language: 'fr' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await stationCall(s, 'settings.get', {})).toMatchObject({ ok: true, value: { language: 'de' } });
  });

  it('a German setting gives a German notification', async () => {
    const s = await boot();
    s.station!.signals.emit('alarm.raised', alarm);
    expect(s.notes.map((n) => n.title)).toEqual(['Serverraum: Temperature']);
    await stationCall(s, 'settings.update', { language: 'de' });
    s.station!.signals.emit('alarm.raised', alarm);
    expect(s.notes[1]).toMatchObject({ title: 'Serverraum: Temperatur', body: `${new Intl.DateTimeFormat('de', { timeStyle: 'medium' }).format(alarm.event.start)} 41,5 °C` });
  });

  it('start at login writes and removes the autostart entry (Linux)', async () => {
    const s = await boot();
    const file = join(process.env.XDG_CONFIG_HOME!, 'autostart', 'watchpost.desktop');
    expect(await desktop(s, 'openAtLogin', {})).toEqual({ ok: true, value: false });
    expect(await desktop(s, 'setOpenAtLogin', { open: true })).toEqual({ ok: true, value: process.platform === 'linux' ? true : false });
    if (process.platform !== 'linux') return;
    expect(readFileSync(file, 'utf8')).toContain(`Exec="${process.execPath}" "/opt/watchpost-dev"`);
    expect(await desktop(s, 'setOpenAtLogin', { open: false })).toEqual({ ok: true, value: false });
    expect(existsSync(file)).toBe(false);
  });
});

describe('Electron shell: sign-in', () => {
  it('refuses calls until the page signs in; a sign-in resumed before the page\'s media port arrives holds for every later call', async () => {
    const s = await boot();
    const { openMediaSession } = await import('../../electron/main/ipc');
    const first = page(41);
    expect(await ipcCall(s, 'channels.list', {}, first)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    const made = await ipcCall(s, 'auth.setup', TEST_ADMIN, first);
    expect(made).toMatchObject({ ok: true, value: { state: { me: { name: TEST_ADMIN.name } } } });
    // A page loads: the renderer resumes its sign-in at once, and its media port comes after the load.
    const tab = page(42);
    expect(await ipcCall(s, 'auth.resume', { sessionId: made.value.sessionId }, tab)).toMatchObject({ ok: true, value: { me: { name: TEST_ADMIN.name } } });
    openMediaSession(tab as never);
    expect(tab.postMessage).toHaveBeenCalledWith('watchpost:media', null, [expect.anything()]);
    expect(await ipcCall(s, 'channels.list', {}, tab)).toEqual({ ok: true, value: [] });
    expect(await ipcCall(s, 'auth.state', {}, tab)).toMatchObject({ ok: true, value: { me: { name: TEST_ADMIN.name } } });
    // A reload gets a new port and keeps the tab's sign-in; another page is not signed in by it.
    openMediaSession(tab as never);
    expect(tab.postMessage).toHaveBeenCalledTimes(2);
    expect(await ipcCall(s, 'channels.list', {}, tab)).toMatchObject({ ok: true });
    expect(await ipcCall(s, 'channels.list', {}, page(43))).toMatchObject({ ok: false, error: { code: 'unauthenticated', reason: 'auth.signInNeeded' } });
  });

  it('a pop-out opened by a signed-in page starts signed in as its user, with nothing in its URL; the lock screen and signing out there reach it', async () => {
    const s = await boot();
    // Opened by a page that has not signed in: not signed in either.
    expect(await desktop(s, 'popOut', { layoutId: '4', displayId: 1 })).toEqual({ ok: true, value: null });
    expect(await ipcCall(s, 'auth.state', {}, fake.instances[1]!.webContents)).toMatchObject({ ok: true, value: { me: null } });
    await signIn(s);
    expect(await desktop(s, 'popOut', { layoutId: '9', displayId: 2 })).toEqual({ ok: true, value: null });
    const pop = fake.instances[2]!;
    expect(pop.rec.url).toBe('app://watchpost/index.html#/live?layout=9&window=popout');
    expect(await ipcCall(s, 'auth.state', {}, pop.webContents)).toMatchObject({ ok: true, value: { me: { name: TEST_ADMIN.name }, locked: false } });
    expect(await ipcCall(s, 'channels.list', {}, pop.webContents)).toEqual({ ok: true, value: [] });
    // The main window's lock screen locks the pop-out too, and it is told at once (auth.changed) to show its own.
    const told = () => pop.rec.sent.filter((m) => m[0] === 'watchpost:signal' && m[1] === 'auth.changed').length;
    const before = told();
    expect(await ipcCall(s, 'auth.lock', {}, sender)).toMatchObject({ ok: true, value: { locked: true } });
    await expect.poll(told).toBe(before + 1);
    expect(await ipcCall(s, 'channels.list', {}, pop.webContents)).toMatchObject({ ok: false, error: { reason: 'auth.screenLocked' } });
    expect(await ipcCall(s, 'auth.unlock', { password: TEST_ADMIN.password }, sender)).toMatchObject({ ok: true, value: { locked: false } });
    expect(await ipcCall(s, 'channels.list', {}, pop.webContents)).toMatchObject({ ok: true });
    // Signing out in the main window signs the pop-out out.
    expect(await ipcCall(s, 'auth.signOut', {}, sender)).toMatchObject({ ok: true, value: { me: null } });
    await expect.poll(told).toBe(before + 3);
    expect(await ipcCall(s, 'channels.list', {}, pop.webContents)).toMatchObject({ ok: false, error: { code: 'unauthenticated' } });
    expect(await ipcCall(s, 'auth.state', {}, pop.webContents)).toMatchObject({ ok: true, value: { me: null } });
  });
});
