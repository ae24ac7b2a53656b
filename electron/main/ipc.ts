import { ipcMain, type BrowserWindow } from 'electron';
import { IPC, type Result } from '../contract';
import type { Station } from '../core/station';
import { isTrustedSender } from './security';

/** Binds the contract to ipcMain: sender check, then the shared dispatcher (zod + result envelope). */
export function bindIpc(station: Station, windows: () => BrowserWindow[]): () => void {
  ipcMain.handle(IPC.call, async (event, name: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event.senderFrame)) {
      station.logger.warn({ url: event.senderFrame?.url }, 'IPC call from an untrusted frame refused');
      return { ok: false, error: { code: 'unavailable', message: 'caller is not the Watchpost window' } };
    }
    return station.dispatch(name, input);
  });
  const unsubscribe = station.events.subscribe((name, payload) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(IPC.event, name, payload);
  });
  return () => {
    ipcMain.removeHandler(IPC.call);
    unsubscribe();
  };
}
