// Electron glue only: lifecycle, windows, tray, menu, the security checklist, IPC. The station is electron/core.
import { app, BrowserWindow, ipcMain, Menu, nativeImage, Notification, screen, Tray } from 'electron';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClientSession } from '../core/client-session';
import { createStation, type Station } from '../core/station';
import { useSqliteBinding } from '../core/storage/db';
import { FileSecretStore } from '../core/storage/secrets';
import { IPC, type Language, type Settings } from '../contract';
import { bindAlarmNotifications, bindReminderNotifications } from './alarm-notifier';
import { appMenu, navigateCommand } from './app-menu';
import { handleDesktopRequest, windowShot, type DesktopHandlers } from './desktop-requests';
import { languageOf, wordsFor, type Words } from './i18n';
import { bindIpc, carrySignIn } from './ipc';
import { loginItem } from './login-item';
import { safeStorageCipher } from './secret-store';
import { denyNavigation, isTrustedSender, lockDownSession, registerAppScheme, serveRenderer } from './security';
import { createAlarmTray } from './tray';
import { acknowledgeAllAlarms, watchUnackedAlarms } from './unacked-alarms';
import { AppWindows } from './windows';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '..', 'renderer');
/** Pop-out windows open at once (the saved set holds at most 32 windows). */
const MAX_POPOUTS = 16;
const trayIcon = join(here, '..', '..', 'resources', 'tray', 'tray@2x.png');
// better-sqlite3 built for Electron's ABI by scripts/electron-native.ts (the Node build stays for tests).
const sqliteBinding = join(here, '..', 'native', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
if (existsSync(sqliteBinding)) useSqliteBinding(sqliteBinding);

registerAppScheme();
app.enableSandbox();
denyNavigation();

let station: Station | undefined;
let windows: AppWindows | undefined;
const unbinds: (() => void)[] = [];

/** The language chosen in Settings (null: none yet). */
async function chosenLanguage(s: Station): Promise<Language | null> {
  const r = await s.dispatch('settings.get', {}, new ClientSession('main'));
  return r.ok ? (r.value as Settings).language : null;
}

async function start(): Promise<void> {
  lockDownSession();
  serveRenderer(rendererDir);
  const dataDir = process.env.WATCHPOST_DATA_DIR ?? app.getPath('userData');
  const secrets = new FileSecretStore(dataDir, await safeStorageCipher(), 'electron safeStorage');
  const st = (station = await createStation({ dataDir, mode: 'electron', secrets, cloudUrl: process.env.WATCHPOST_CLOUD_URL, cloudCa: process.env.WATCHPOST_CLOUD_CA ? readFileSync(process.env.WATCHPOST_CLOUD_CA, 'utf8') : undefined, devices: { listenMulticast: true }, sites: { discovery: { group: true } } }));
  const wins = (windows = new AppWindows({ dataDir, preload: join(here, 'preload.cjs') }));
  const system = app.getPreferredSystemLanguages();
  let words: Words = wordsFor(languageOf(await chosenLanguage(st), system));
  let unacked = 0;

  unbinds.push(bindIpc(st, () => BrowserWindow.getAllWindows()));
  // A click on an alarm's notification brings the main window forward and opens that camera in Live.
  unbinds.push(bindAlarmNotifications(st.signals, { Notification, imageFromJpeg: (jpeg) => nativeImage.createFromBuffer(jpeg), words: () => words }, (n) => {
    wins.focusMain()?.webContents.send(IPC.signal, 'alarm.focus', { eventId: n.event.id, channelId: n.event.channelId });
  }));
  // A subject access request nearing its due date: a click opens the Privacy page.
  unbinds.push(bindReminderNotifications(st.signals, { Notification, words: () => words }, () => wins.focusMain()?.webContents.send(IPC.command, navigateCommand('privacy'))));

  const login = loginItem(app, process.platform, app.isPackaged ? [process.execPath] : [process.execPath, app.getAppPath()]);
  const desktop: DesktopHandlers = {
    displays: () => {
      const primary = screen.getPrimaryDisplay().id;
      return screen.getAllDisplays().map((d) => ({ id: d.id, primary: d.id === primary, width: d.size.width, height: d.size.height }));
    },
    // The pop-out starts signed in as the page that asked (ipc.ts carrySignIn).
    popOut: async ({ layoutId, displayId }, sender) => {
      if (wins.popoutCount() >= MAX_POPOUTS) throw new Error(words.t('popOut.tooMany', { max: MAX_POPOUTS }));
      await carrySignIn(st, sender, wins.popOut(layoutId, displayId).webContents);
      return null;
    },
    openAtLogin: () => login.get(),
    setOpenAtLogin: ({ open }) => login.set(open),
    captureWindow: async (_, sender) => windowShot((await sender.capturePage()).toPNG(), new Date()),
  };
  ipcMain.handle(IPC.desktop, (event, name: unknown, input: unknown) => isTrustedSender(event.senderFrame)
    ? handleDesktopRequest(desktop, name, input, event.sender)
    : { ok: false, error: { code: 'unavailable', message: 'caller is not the Watchpost window' } });
  unbinds.push(() => ipcMain.removeHandler(IPC.desktop));

  const tray = createAlarmTray({
    createTray: (icon) => new Tray(icon),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    icon: nativeImage.createFromPath(trayIcon),
    fromBitmap: (bgra, size) => nativeImage.createFromBitmap(bgra, { width: size, height: size, scaleFactor: 2 }),
  }, {
    show: () => void wins.focusMain(),
    acknowledgeAll: () => void acknowledgeAllAlarms(st).catch((err: Error) => st.logger.warn({ err }, 'acknowledging all alarms from the tray failed')),
    quit: () => app.quit(),
  });
  unbinds.push(tray.dispose);
  // The menu's page shortcuts go to the main window, whichever window has the focus.
  const setMenu = () => Menu.setApplicationMenu(Menu.buildFromTemplate(appMenu(words, {
    navigate: (page) => wins.focusMain()?.webContents.send(IPC.command, navigateCommand(page)),
    quit: () => app.quit(),
  })));
  setMenu();
  unbinds.push(watchUnackedAlarms(st, (n) => tray.update((unacked = n), words)));
  unbinds.push(st.signals.subscribe((name, payload) => {
    if (name !== 'settings.changed') return;
    const next = wordsFor(languageOf((payload as Settings).language, system));
    if (next === words) return;
    words = next;
    tray.update(unacked, words);
    setMenu();
  }));
  wins.restore();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // A second launch ends at once; the running app comes forward instead.
  app.on('second-instance', () => void windows?.focusMain());
  app.whenReady().then(start).catch((err: Error) => {
    console.error(`watchpost: ${err.message}`);
    app.exit(1);
  });
  app.on('before-quit', () => windows?.quit());
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => {
    for (const unbind of unbinds.splice(0).reverse()) unbind();
    void station?.dispose();
  });
}
