// The application menu: the renderer's page shortcuts (Alt+1…9, Alt+0) as accelerators, full screen, quit; in the chosen language.
import type { MenuItemConstructorOptions } from 'electron';
import type { Words } from './i18n';

/** The pages in the renderer's order (renderer/src/app/store.ts VIEWS; a unit test keeps the two the same). */
export const PAGES = ['live', 'playback', 'storage', 'devices', 'events', 'privacy', 'settings', 'status', 'operators', 'health'] as const;
export type Page = (typeof PAGES)[number];

export interface MenuActions { navigate(page: Page): void; quit(): void }

export function appMenu({ t }: Words, actions: MenuActions): MenuItemConstructorOptions[] {
  return [
    { label: t('menu.file'), submenu: [{ label: t('menu.quit'), accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() }] },
    { label: t('menu.go'), submenu: PAGES.map((p, i) => ({ label: t(`common:nav.${p}`), accelerator: `Alt+${(i + 1) % 10}`, click: () => actions.navigate(p) })) },
    { label: t('menu.view'), submenu: [{ label: t('menu.fullScreen'), role: 'togglefullscreen', accelerator: 'F11' }] },
    { label: t('menu.window'), submenu: [{ label: t('menu.minimize'), role: 'minimize' }, { label: t('menu.close'), role: 'close', accelerator: 'CmdOrCtrl+W' }] },
  ];
}

/** The command the renderer follows for a page ('navigate:events'). */
export const navigateCommand = (page: Page) => `navigate:${page}`;
