// The zod-free part of the contract that the sandboxed preload bundles: IPC channels and the bridge shape.
import type { Result } from './index';

/** Electron IPC channels: the only channel strings in the code base. */
export const IPC = {
  call: 'watchpost:call',
  signal: 'watchpost:signal',
  media: 'watchpost:media',
  /** Page -> main: the desktop shell's own requests (displays, pop-out windows, start at login, a window's screenshot). */
  desktop: 'watchpost:desktop',
  /** Main -> page: a command of the application menu ('navigate:<page>'). */
  command: 'watchpost:command',
} as const;

/** A screenshot of a window, in the shape the feedback form attaches a picked file. */
export interface WindowShot { name: string; contentType: 'image/png'; dataBase64: string; bytes: number }

/** A screen the desktop app can put a window on. */
export interface DisplayInfo { id: number; primary: boolean; width: number; height: number }

/** The desktop shell's requests, by name: input and what the reply carries. */
export interface DesktopRequests {
  displays: { input: Record<string, never>; output: DisplayInfo[] };
  popOut: { input: { layoutId: string; displayId: number | null }; output: null };
  openAtLogin: { input: Record<string, never>; output: boolean };
  setOpenAtLogin: { input: { open: boolean }; output: boolean };
  /** A PNG of the asking window as it is now (the feedback form's screenshot); nothing leaves the machine until sent. */
  captureWindow: { input: Record<string, never>; output: WindowShot };
}
export const DESKTOP_REQUESTS = ['displays', 'popOut', 'openAtLogin', 'setOpenAtLogin', 'captureWindow'] as const satisfies readonly (keyof DesktopRequests)[];

/** Electron only: what the desktop shell offers a page besides the station. */
export interface DesktopBridge {
  request<K extends keyof DesktopRequests>(name: K, input: DesktopRequests[K]['input']): Promise<Result<DesktopRequests[K]['output']>>;
  /** The application menu's commands ('navigate:live'); returns the disposer. */
  onCommand(listener: (command: string) => void): () => void;
}

/** What the preload exposes as window.watchpost, and what the renderer's Electron client wraps. */
export interface StationBridge {
  call(name: string, input: unknown): Promise<Result<unknown>>;
  onSignal(listener: (name: string, payload: unknown) => void): () => void;
  /** Present in the desktop app only. */
  desktop?: DesktopBridge;
}

/** The preload hands the media MessagePort to the page with a window message carrying this tag. */
export const MEDIA_PORT_MESSAGE = 'watchpost:media-port';
/** What the page posts back on the media port for the bytes it has taken: the main process's backlog is sent minus acknowledged. */
export interface MediaAck { ack: number }
