// The app's windows: the main one and layouts popped out to their own, with one set of locked-down web preferences;
// the set is saved as it changes and opened again at the next start.
import { BrowserWindow, screen } from 'electron';
import { openMediaSession } from './ipc';
import { APP_ORIGIN } from './security';
import { loadWindowSet, placePopout, placeWindows, saveWindowSet, type DisplayArea, type PlacedWindow, type SavedWindow } from './window-set';

/** The main window's page, or a pop-out's: the Live page with that layout alone. */
export function windowUrl(w: { role: 'main' } | { role: 'popout'; layoutId: string }): string {
  const page = `${APP_ORIGIN}/index.html`;
  return w.role === 'main' ? page : `${page}#/live?layout=${encodeURIComponent(w.layoutId)}&window=popout`;
}

export function displayAreas(): { displays: DisplayArea[]; primaryId: number } {
  return { displays: screen.getAllDisplays().map((d) => ({ id: d.id, workArea: d.workArea })), primaryId: screen.getPrimaryDisplay().id };
}

type Role = { role: 'main' } | { role: 'popout'; layoutId: string };

export class AppWindows {
  private readonly open = new Map<BrowserWindow, Role>();
  private quitting = false;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  main: BrowserWindow | undefined;

  constructor(private readonly opts: { dataDir: string; preload: string }) {}

  /** Opens the saved set (the main window alone the first time); a window whose display is gone opens on the primary one. */
  restore(): void {
    const { displays, primaryId } = displayAreas();
    for (const w of placeWindows(loadWindowSet(this.opts.dataDir), displays, primaryId)) this.openWindow(w);
  }

  /** A layout in a window of its own, full screen on the display asked for (the primary one when it is not there). */
  popOut(layoutId: string, displayId: number | null): BrowserWindow {
    const { displays, primaryId } = displayAreas();
    const placed = placePopout(layoutId, displayId, displays, primaryId);
    if (!placed) throw new Error('there is no display to open the window on');
    const win = this.openWindow(placed);
    this.save();
    return win;
  }

  popoutCount(): number {
    return [...this.open.values()].filter((r) => r.role === 'popout').length;
  }

  /** Brings the main window forward (a second launch, the tray, a notification's click). */
  focusMain(): BrowserWindow | undefined {
    const win = this.main;
    if (!win || win.isDestroyed()) return undefined;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  }

  /** From now on closing windows does not change the saved set; saves it once first. */
  quit(): void {
    if (this.quitting) return;
    this.save();
    this.quitting = true;
  }

  private openWindow(w: PlacedWindow): BrowserWindow {
    // The security checklist's web preferences, the same for every window; written out here, where electronegativity
    // (npm run audit:electron) reads them.
    const win = new BrowserWindow({
      ...w.bounds, backgroundColor: '#0f1216', title: 'Watchpost', show: false,
      webPreferences: {
        preload: this.opts.preload,
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
    const role: Role = w.role === 'main' ? { role: 'main' } : { role: 'popout', layoutId: w.layoutId };
    this.open.set(win, role);
    if (role.role === 'main') this.main = win;
    win.once('ready-to-show', () => {
      win.show();
      if (w.maximized) win.maximize();
      if (w.fullScreen) win.setFullScreen(true);
    });
    win.webContents.on('did-finish-load', () => openMediaSession(win.webContents));
    const later = () => this.saveSoon();
    win.on('moved', later).on('resized', later).on('maximize', later).on('unmaximize', later).on('enter-full-screen', later).on('leave-full-screen', later);
    // Closing the main window ends the app; the pop-outs open then are opened again next time.
    if (role.role === 'main') win.on('close', () => this.quit());
    win.on('closed', () => {
      this.open.delete(win);
      if (role.role === 'main') for (const other of this.open.keys()) other.close();
      else if (!this.quitting) this.save();
    });
    void win.loadURL(windowUrl(role));
    return win;
  }

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => this.save(), 500);
  }

  private save(): void {
    clearTimeout(this.saveTimer);
    if (this.quitting) return;
    const windows: SavedWindow[] = [];
    for (const [win, role] of this.open) {
      if (win.isDestroyed()) continue;
      const bounds = win.getNormalBounds();
      windows.push({ ...role, displayId: screen.getDisplayMatching(bounds).id, bounds, fullScreen: win.isFullScreen(), maximized: win.isMaximized() });
    }
    try {
      saveWindowSet(this.opts.dataDir, windows);
    } catch (err) {
      console.error(`watchpost: the window set could not be saved: ${(err as Error).message}`);
    }
  }
}
