// Start at login: the OS's login items on macOS and Windows; on Linux an XDG autostart entry (Electron has no API there).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** The parts of Electron's app this uses. */
export interface LoginItemApp {
  getLoginItemSettings(): { openAtLogin: boolean };
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

/** An argument as a desktop entry's Exec key wants it: quoted, with ", `, $ and \ escaped. */
const quoteArg = (a: string) => `"${a.replace(/["`$\\]/g, (c) => `\\${c}`)}"`;

/** The autostart entry that starts `command` (the executable and its arguments) at login. */
export function autostartEntry(command: string[]): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=Watchpost', `Exec=${command.map(quoteArg).join(' ')}`, 'X-GNOME-Autostart-enabled=true', 'Terminal=false', ''].join('\n');
}

export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart', 'watchpost.desktop');
}

/** Reads and sets whether Watchpost starts at login; `command`: how this installation is started. */
export function loginItem(app: LoginItemApp, platform: NodeJS.Platform, command: string[], file = autostartFile()) {
  if (platform !== 'linux') {
    return {
      get: () => app.getLoginItemSettings().openAtLogin,
      set: (open: boolean) => {
        app.setLoginItemSettings({ openAtLogin: open });
        return app.getLoginItemSettings().openAtLogin;
      },
    };
  }
  const get = () => existsSync(file) && readFileSync(file, 'utf8').includes(`Exec=${command.map(quoteArg).join(' ')}`);
  return {
    get,
    set: (open: boolean) => {
      if (open) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, autostartEntry(command));
      } else {
        rmSync(file, { force: true });
      }
      return get();
    },
  };
}
