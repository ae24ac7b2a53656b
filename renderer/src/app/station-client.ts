import {
  StationError, WS_PATH,
  type CallInput, type CallName, type CallOutput, type EventName, type EventPayload,
  type Result, type ServerFrame, type StationBridge,
} from '../../../electron/contract';

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** The renderer's only way to the station; it never knows which transport is underneath. */
export interface StationClient {
  readonly transport: 'electron' | 'websocket';
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
  close(): void;
}

function unwrap<T>(result: Result<unknown>): T {
  if (result.ok) return result.value as T;
  throw new StationError(result.error.code, result.error.message);
}

type AnyListener = (payload: unknown) => void;

abstract class BaseClient {
  protected readonly listeners = new Map<string, Set<AnyListener>>();
  protected readonly connListeners = new Set<(s: ConnectionState) => void>();
  protected state: ConnectionState = 'connecting';

  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void {
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
  protected deliver(name: string, payload: unknown): void {
    for (const l of this.listeners.get(name) ?? []) l(payload);
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
  constructor(private readonly bridge: StationBridge) {
    super();
    this.off = bridge.onEvent((name, payload) => this.deliver(name, payload));
    this.state = 'open';
  }
  close(): void {
    this.off();
  }
  async call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
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
    ws.onopen = () => {
      this.retryMs = 500;
      this.setState('open');
      for (const f of this.queue.splice(0)) ws.send(f);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== 'string') return;
      const frame = JSON.parse(e.data) as ServerFrame;
      if (frame.t === 'result') {
        this.pending.get(frame.id)?.resolve(frame.result);
        this.pending.delete(frame.id);
      } else if (frame.t === 'event') {
        this.deliver(frame.name, frame.payload);
      }
    };
    ws.onclose = () => {
      for (const p of this.pending.values()) {
        p.resolve({ ok: false, error: { code: 'unavailable', message: 'lost the connection to the station' } });
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
  if (window.watchpost) return new BridgeStationClient(window.watchpost);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WebSocketStationClient(`${scheme}://${location.host}${WS_PATH}`);
}
