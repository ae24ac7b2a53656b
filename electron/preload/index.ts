// Sandboxed preload: exposes the contract's bridge as window.watchpost and nothing else.
// Only the zod-free bridge module is bundled; the main process validates names and inputs.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC, MEDIA_PORT_MESSAGE, type DesktopBridge, type StationBridge } from '../contract/bridge';
import type { Result } from '../contract';

const desktop: DesktopBridge = {
  request(name, input) {
    return ipcRenderer.invoke(IPC.desktop, String(name).slice(0, 40), input) as Promise<Result<never>>;
  },
  onCommand(listener) {
    const handler = (_e: Electron.IpcRendererEvent, command: unknown) => listener(String(command));
    ipcRenderer.on(IPC.command, handler);
    return () => void ipcRenderer.removeListener(IPC.command, handler);
  },
};

const bridge: StationBridge = {
  call(name, input) {
    return ipcRenderer.invoke(IPC.call, String(name).slice(0, 100), input) as Promise<Result<unknown>>;
  },
  onSignal(listener) {
    const handler = (_e: Electron.IpcRendererEvent, name: unknown, payload: unknown) => listener(String(name), payload);
    ipcRenderer.on(IPC.signal, handler);
    return () => void ipcRenderer.removeListener(IPC.signal, handler);
  },
  desktop,
};

contextBridge.exposeInMainWorld('watchpost', bridge);

// The media MessagePort cannot cross contextBridge; it is handed to the page as a window message.
ipcRenderer.on(IPC.media, (e) => window.postMessage(MEDIA_PORT_MESSAGE, location.origin === 'null' ? '*' : location.origin, e.ports));
