import {
  decodeMediaFrame, fail, MEDIA_PORT_MESSAGE, StationError, WS_CLOSE_SIGNED_OUT, WS_PATH,
  type MediaFrame,
  type CallInput, type CallName, type CallOutput, type SignalName, type SignalPayload,
  type Result, type ServerFrame, type StationBridge,
} from '../../../electron/contract';
import type { MediaAck } from '../../../electron/contract/bridge';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The renderer's only way to the station; it never knows which transport is underneath. */
export interface StationClient {
  readonly transport: 'electron' | 'websocket';
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
  on<K extends SignalName>(name: K, listener: (payload: SignalPayload<K>) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /**
   * The station ended this page's sign-in and closed its connection (`WS_CLOSE_SIGNED_OUT`): the reason's key it gave
   * (`auth.passwordChanged`, `auth.passwordReset`), for the sign-in page to say why. Told before the connection's state.
   */
  onSignedOut(listener: (reason: string) => void): () => void;
  /** Receives the binary media frames of one channel (a `live.open` result); frames that came first are replayed. */
  onMedia(channel: number, listener: (frame: MediaFrame) => void): () => void;
  close(): void;
}

function unwrap<T>(result: Result<unknown>): T {
  if (result.ok) return result.value as T;
  throw StationError.from(result.error);
}

type AnyListener = (payload: unknown) => void;

abstract class BaseClient {
  protected readonly listeners = new Map<string, Set<AnyListener>>();
  protected readonly connListeners = new Set<(s: ConnectionState) => void>();
  protected readonly signedOutListeners = new Set<(reason: string) => void>();
  protected state: ConnectionState = 'connecting';

  on<K extends SignalName>(name: K, listener: (payload: SignalPayload<K>) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as AnyListener);
    return () => set.delete(listener as AnyListener);
  }
  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connListeners.add(listener);
    listener(this.state);
    return () => this.connListeners.delete(listener);
  }
  onSignedOut(listener: (reason: string) => void): () => void {
    this.signedOutListeners.add(listener);
    return () => this.signedOutListeners.delete(listener);
  }
  protected deliver(name: string, payload: unknown): void {
    for (const l of this.listeners.get(name) ?? []) l(payload);
  }
  private readonly media = new Map<number, (f: MediaFrame) => void>();
  // Frames may overtake the call result that names their channel; hold them briefly.
  private readonly early = new Map<number, { at: number; frames: MediaFrame[] }>();

  onMedia(channel: number, listener: (frame: MediaFrame) => void): () => void {
    this.media.set(channel, listener);
    for (const f of this.early.get(channel)?.frames ?? []) listener(f);
    this.early.delete(channel);
    return () => this.media.delete(channel);
  }
  protected deliverMedia(data: ArrayBuffer): void {
    const frame = decodeMediaFrame(data);
    const l = this.media.get(frame.channel);
    if (l) return l(frame);
    const now = Date.now();
    for (const [ch, e] of this.early) if (now - e.at > 5000) this.early.delete(ch);
    const e = this.early.get(frame.channel) ?? { at: now, frames: [] };
    if (e.frames.length < 500) e.frames.push(frame);
    this.early.set(frame.channel, e);
  }
  protected setState(s: ConnectionState): void {
    this.state = s;
    for (const l of this.connListeners) l(s);
  }
}

/** Electron: the preload's window.watchpost bridge over IPC. */
export class BridgeStationClient extends BaseClient implements StationClient {
  readonly transport = 'electron';
  private readonly off: () => void;
  /** `portSource`: where the preload posts the media port (the window; absent in tests without media). */
  constructor(private readonly bridge: StationBridge, portSource?: Window) {
    super();
    this.off = bridge.onSignal((name, payload) => this.deliver(name, payload));
    this.state = 'open';
    // The preload hands over one MessagePort for all media of this page.
    const onMessage = (e: MessageEvent) => {
      if (e.source !== portSource || e.data !== MEDIA_PORT_MESSAGE || !e.ports[0]) return;
      const port = e.ports[0];
      port.onmessage = (m) => {
        const data = m.data as Uint8Array;
        this.deliverMedia(data.slice().buffer);
        // Taken: the main process counts what is not yet acknowledged as this page's backlog (a slow page is skipped ahead).
        port.postMessage({ ack: data.byteLength } satisfies MediaAck);
      };
      port.start();
      this.portReady();
    };
    portSource?.addEventListener('message', onMessage);
    this.removeListener = () => portSource?.removeEventListener('message', onMessage);
  }
  private portReady: () => void = () => {};
  private readonly removeListener: () => void;
  /** Resolves once the media port has arrived (it follows the page load). */
  readonly mediaReady = new Promise<void>((r) => (this.portReady = r));
  close(): void {
    this.off();
    this.removeListener();
  }
  async call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
    if (name === 'live.open' || name === 'playback.open') await this.mediaReady;
    return unwrap(await this.bridge.call(name, input));
  }
}

/** Browser mode: one WebSocket for every call and event, reconnecting with backoff. */
export class WebSocketStationClient extends BaseClient implements StationClient {
  readonly transport = 'websocket';
  private ws?: WebSocket;
  private nextId = 1;
  private retryMs = 500;
  private closed = false;
  private readonly pending = new Map<number, { resolve: (r: Result<unknown>) => void }>();
  private readonly queue: string[] = [];

  constructor(private readonly url: string) {
    super();
    this.connect();
  }

  private connect(): void {
    this.setState('connecting');
    const ws = (this.ws = new WebSocket(this.url));
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      this.retryMs = 500;
      this.setState('open');
      for (const f of this.queue.splice(0)) ws.send(f);
    };
    ws.onmessage = (e) => {
      if (e.data instanceof ArrayBuffer) return this.deliverMedia(e.data);
      if (typeof e.data !== 'string') return;
      const frame = JSON.parse(e.data) as ServerFrame;
      if (frame.t === 'result') {
        this.pending.get(frame.id)?.resolve(frame.result);
        this.pending.delete(frame.id);
      } else if (frame.t === 'signal') {
        this.deliver(frame.name, frame.payload);
      }
    };
    ws.onclose = (e) => {
      if (e.code === WS_CLOSE_SIGNED_OUT) for (const l of this.signedOutListeners) l(e.reason);
      for (const p of this.pending.values()) {
        p.resolve({ ok: false, error: fail('station.connectionLost').info });
      }
      this.pending.clear();
      this.queue.length = 0;
      this.setState('closed');
      if (this.closed) return;
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }

  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
    const id = this.nextId++;
    const frame = JSON.stringify({ t: 'call', id, name, input });
    return new Promise<Result<unknown>>((resolve) => {
      this.pending.set(id, { resolve });
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame);
      else this.queue.push(frame);
    }).then((r) => unwrap<CallOutput<K>>(r));
  }
}

declare global {
  interface Window { watchpost?: StationBridge }
}

export function createStationClient(): StationClient {
  if (window.watchpost) return new BridgeStationClient(window.watchpost, window);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WebSocketStationClient(`${scheme}://${location.host}${WS_PATH}`);
}
