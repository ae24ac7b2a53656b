// Layouts popped out to windows of their own: the link that opens one, and how it is opened (a new browser window of
// the same station, or in the desktop app a full-screen window on a chosen display).
import type { DesktopBridge, DisplayInfo } from '../../../../electron/contract';

/** The layout a pop-out window shows, from its address (`#/live?layout=<id>&window=popout`); null in the main window. */
export function popoutLayoutOf(hash: string): string | null {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  const layout = params.get('layout') ?? '';
  return path === 'live' && params.get('window') === 'popout' && layout.length > 0 && layout.length <= 40 ? layout : null;
}

export const popoutHash = (layoutId: string) => `#/live?layout=${encodeURIComponent(layoutId)}&window=popout`;

/** The desktop shell's requests, where the page runs in the desktop app. */
export const desktopBridge = (): DesktopBridge | undefined => window.watchpost?.desktop;

export async function displays(desktop: DesktopBridge): Promise<DisplayInfo[]> {
  const r = await desktop.request('displays', {});
  return r.ok ? r.value : [];
}

/**
 * Opens the pop-out; resolves to why it did not open, or null. Browser mode: one window per layout (popping the same
 * layout out again brings its window forward). The desktop app: full screen on `displayId` (null: the primary display).
 */
export async function popOut(layoutId: string, displayId: number | null = null): Promise<{ key: 'blocked' } | { key: 'failed'; message: string } | null> {
  const desktop = desktopBridge();
  if (desktop) {
    const r = await desktop.request('popOut', { layoutId, displayId });
    return r.ok ? null : { key: 'failed', message: r.error.message };
  }
  const win = window.open(`${location.pathname}${popoutHash(layoutId)}`, `watchpost-popout-${layoutId}`, 'popup,width=1280,height=800');
  if (!win) return { key: 'blocked' };
  win.focus();
  return null;
}
