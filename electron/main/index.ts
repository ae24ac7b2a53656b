// Electron glue only: lifecycle, one window, the security checklist, IPC. The station is electron/core.
import { app, BrowserWindow, nativeImage, Notification } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStation, type Station } from '../core/station';
import { useSqliteBinding } from '../core/storage/db';
import { FileSecretStore } from '../core/storage/secrets';
import { IPC } from '../contract/bridge';
import { bindAlarmNotifications } from './alarm-notifier';
import { bindIpc, openMediaSession } from './ipc';
import { safeStorageCipher } from './secret-store';
import { APP_ORIGIN, denyNavigation, lockDownSession, registerAppScheme, serveRenderer } from './security';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '..', 'renderer');
// better-sqlite3 built for Electron's ABI by scripts/electron-native.ts (the Node build stays for tests).
const sqliteBinding = join(here, '..', 'native', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
if (existsSync(sqliteBinding)) useSqliteBinding(sqliteBinding);

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
  win.webContents.on('did-finish-load', () => openMediaSession(win.webContents));
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

async function start(): Promise<void> {
  lockDownSession();
  serveRenderer(rendererDir);
  const dataDir = process.env.WATCHPOST_DATA_DIR ?? app.getPath('userData');
  const secrets = new FileSecretStore(dataDir, await safeStorageCipher(), 'electron safeStorage');
  station = await createStation({ dataDir, mode: 'electron', secrets, cloudUrl: process.env.WATCHPOST_CLOUD_URL });
  const unbindIpc = bindIpc(station, () => BrowserWindow.getAllWindows());
  // A click on an alarm's notification brings the window forward and opens that camera in Live.
  const unbindNotes = bindAlarmNotifications(station.signals, { Notification, imageFromJpeg: (jpeg) => nativeImage.createFromBuffer(jpeg) }, (n) => {
    const win = mainWindow;
    if (!win || win.isDestroyed()) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    win.webContents.send(IPC.signal, 'alarm.focus', { eventId: n.event.id, channelId: n.event.channelId });
  });
  unbind = () => {
    unbindNotes();
    unbindIpc();
  };
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
