// The Electron shell's security checklist, exercised against a fake 'electron' module (no binary here).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Handler = (...args: any[]) => any;

const fake = vi.hoisted(() => {
  const state = {
    lock: true,
    backend: 'gnome_libsecret',
    appHandlers: new Map<string, Handler>(),
    ipcHandlers: new Map<string, Handler>(),
    protocolHandler: undefined as Handler | undefined,
    schemes: [] as unknown[],
    sandbox: false,
    windows: [] as { options: any; url?: string; sent: unknown[][] }[],
    permission: undefined as Handler | undefined,
    permissionCheck: undefined as Handler | undefined,
    fetched: [] as string[],
    exitCode: undefined as number | undefined,
    quit: false,
    ready: undefined as undefined | (() => void),
  };
  class BrowserWindow {
    rec: { options: any; url?: string; sent: unknown[][] };
    webContents: { send: (...a: unknown[]) => void; on: () => void };
    constructor(options: unknown) {
      this.rec = { options, sent: [] };
      state.windows.push(this.rec);
      this.webContents = { send: (...a: unknown[]) => void this.rec.sent.push(a), on: () => {} };
    }
    static getAllWindows() { return instances; }
    once() {}
    isDestroyed() { return false; }
    isMinimized() { return false; }
    focus() {}
    async loadURL(url: string) { this.rec.url = url; }
  }
  const instances: BrowserWindow[] = [];
  const electron = {
    app: {
      enableSandbox: () => void (state.sandbox = true),
      requestSingleInstanceLock: () => state.lock,
      on: (ev: string, h: Handler) => void state.appHandlers.set(ev, h),
      whenReady: () => new Promise<void>((r) => (state.ready = r)),
      getPath: () => process.env.WATCHPOST_DATA_DIR,
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
    BrowserWindow: new Proxy(BrowserWindow, {
      construct(target, args) { const w = new target(args[0]); instances.push(w); return w; },
    }),
    ipcMain: {
      handle: (ch: string, h: Handler) => void state.ipcHandlers.set(ch, h),
      removeHandler: (ch: string) => void state.ipcHandlers.delete(ch),
    },
    Notification: Object.assign(class { on() {} show() {} }, { isSupported: () => false }),
    nativeImage: { createFromBuffer: () => ({}) },
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

async function boot(opts: { lock?: boolean; backend?: string } = {}) {
  const s = fake.state;
  Object.assign(s, { lock: opts.lock ?? true, backend: opts.backend ?? 'gnome_libsecret', windows: [], schemes: [], fetched: [], quit: false, exitCode: undefined, sandbox: false });
  s.appHandlers.clear();
  s.ipcHandlers.clear();
  fake.instances.length = 0;
  process.env.WATCHPOST_DATA_DIR = mkdtempSync(join(tmpdir(), 'wp-shell-'));
  vi.resetModules();
  await import('../../electron/main/index');
  if (s.ready) s.ready();
  // Let start() create the station and the window.
  for (let i = 0; i < 50 && s.windows.length === 0 && s.exitCode === undefined && s.lock; i++) await new Promise((r) => setTimeout(r, 20));
  return s;
}

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

  it('denies every permission except notifications', () => {
    const decide = (p: string) => { let r: boolean | undefined; s.permission!({}, p, (ok: boolean) => (r = ok)); return r; };
    expect(decide('notifications')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal', 'midi']) expect(decide(p)).toBe(false);
    expect(s.permissionCheck!({}, 'media')).toBe(false);
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
    const sender = { id: 1 };
    expect(await call({ senderFrame: top, sender }, 'settings.get', {})).toMatchObject({ ok: true });
    expect(await call({ senderFrame: top, sender }, 'settings.update', { ffmpegPath: 'x' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    for (const frame of [{ url: 'https://evil.example/', parent: null }, { url: 'app://watchpost/index.html', parent: top }, null]) {
      expect(await call({ senderFrame: frame, sender }, 'settings.get', {})).toEqual({ ok: false, error: { code: 'unavailable', message: 'caller is not the Watchpost window' } });
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
