// Electron glue only: lifecycle, one window, the security checklist, IPC. The station is electron/core.
import { app, BrowserWindow } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStation, type Station } from '../core/station';
import { useSqliteBinding } from '../core/storage/db';
import { FileSecretStore } from '../core/storage/secrets';
import { bindIpc } from './ipc';
import { safeStorageCipher } from './secret-store';
import { APP_ORIGIN, denyNavigation, lockDownSession, registerAppScheme, serveRenderer } from './security';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '..', 'renderer');
// better-sqlite3 built for Electron's ABI by scripts/electron-native.ts (the Node build stays for tests).
useSqliteBinding(join(here, '..', 'native', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));

registerAppScheme();
app.enableSandbox();
denyNavigation();

let mainWindow: BrowserWindow | undefined;
let station: Station | undefined;
let unbind: (() => void) | undefined;

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    backgroundColor: '#0f1216',
    title: 'Watchpost',
    show: false,
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

async function start(): Promise<void> {
  lockDownSession();
  serveRenderer(rendererDir);
  const dataDir = process.env.WATCHPOST_DATA_DIR ?? app.getPath('userData');
  const secrets = new FileSecretStore(dataDir, await safeStorageCipher(), 'electron safeStorage');
  station = await createStation({ dataDir, mode: 'electron', secrets });
  unbind = bindIpc(station, () => BrowserWindow.getAllWindows());
  mainWindow = createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.whenReady().then(start).catch((err: Error) => {
    console.error(`watchpost: ${err.message}`);
    app.exit(1);
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    unbind?.();
    void station?.dispose();
  });
}
