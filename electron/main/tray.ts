// The tray icon: the count of unacknowledged alarms (tooltip, menu, a red dot on the mark) and a menu to show the app,
// acknowledge every alarm, or quit. Electron's objects are passed in, so the mapping is tested without Electron.
import type { MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { Words } from './i18n';

export interface TrayActions { show(): void; acknowledgeAll(): void; quit(): void }

export function trayTooltip(count: number, { t }: Words): string {
  return `Watchpost — ${count > 0 ? t('tray.alarms', { count }) : t('tray.noAlarms')}`;
}

export function trayMenu(count: number, { t }: Words, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: count > 0 ? t('tray.alarms', { count }) : t('tray.noAlarms'), enabled: false },
    { type: 'separator' },
    { label: t('tray.show'), click: () => actions.show() },
    { label: t('tray.acknowledgeAll'), enabled: count > 0, click: () => actions.acknowledgeAll() },
    { type: 'separator' },
    { label: t('tray.quit'), click: () => actions.quit() },
  ];
}

const DOT = [0x4b, 0x53, 0xe5, 0xff]; // #e5534b, the theme's --bad, as BGRA

/** A copy of a square BGRA bitmap with a red dot in its top-right corner (a quarter of its width across). */
export function withAlarmDot(bgra: Buffer, size: number): Buffer {
  const out = Buffer.from(bgra);
  const r = size / 4, cx = size - r, cy = r;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) out.set(DOT, (y * size + x) * 4);
    }
  }
  return out;
}

export interface TrayDeps {
  createTray(icon: NativeImage): Tray;
  buildMenu(template: MenuItemConstructorOptions[]): Electron.Menu;
  /** The mark at twice the tray's size (32 px), and the same mark made from a bitmap. */
  icon: NativeImage;
  fromBitmap(bgra: Buffer, size: number): NativeImage;
}

/** The tray, kept in step with `update(count, words)`; returns it with its disposer. */
export function createAlarmTray(deps: TrayDeps, actions: TrayActions) {
  const plain = deps.icon;
  const size = plain.getSize().width;
  const alert = size > 0 ? deps.fromBitmap(withAlarmDot(plain.toBitmap(), size), size) : plain;
  const tray = deps.createTray(plain);
  tray.on('click', () => actions.show());
  return {
    update(count: number, words: Words): void {
      tray.setImage(count > 0 ? alert : plain);
      tray.setToolTip(trayTooltip(count, words));
      tray.setContextMenu(deps.buildMenu(trayMenu(count, words, actions)));
      // Shown beside the icon on macOS only.
      if (process.platform === 'darwin') tray.setTitle(count > 0 ? String(count) : '');
    },
    dispose: () => tray.destroy(),
  };
}
