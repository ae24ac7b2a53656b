// The zod-free part of the contract that the sandboxed preload bundles: IPC channels and the bridge shape.
import type { Result } from './index';

/** Electron IPC channels: the only channel strings in the code base. */
export const IPC = { call: 'watchpost:call', signal: 'watchpost:signal', media: 'watchpost:media' } as const;

/** What the preload exposes as window.watchpost, and what the renderer's Electron client wraps. */
export interface StationBridge {
  call(name: string, input: unknown): Promise<Result<unknown>>;
  onSignal(listener: (name: string, payload: unknown) => void): () => void;
}

/** The preload hands the media MessagePort to the page with a window message carrying this tag. */
export const MEDIA_PORT_MESSAGE = 'watchpost:media-port';
