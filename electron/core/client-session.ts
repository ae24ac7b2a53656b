/** Where a client's media frames go: a WebSocket (browser mode) or a MessagePort (Electron). */
export interface MediaPort {
  /** One media frame: whole, or its head (encodeMediaFrameHead) followed by the payload, which is then not copied. */
  send(frame: Uint8Array, payload?: Uint8Array): void;
  /** Bytes queued towards the client; the hub skips a slow client to the next keyframe past a bound. */
  backlog(): number;
}

/** The transport a client came in on and its address; sessions of the station's own code (tray, demo) have none. */
export interface Peer {
  /** remote: a desk on the LAN, over TLS (sites/remote-server.ts). */
  transport: 'browser' | 'electron' | 'remote';
  address: string;
}

/** One connected renderer: its media port and what must be undone when it goes away. */
export class ClientSession {
  private readonly disposers = new Set<() => void>();
  /** The transport's own resources (a media port): kept when a sign-in ends, closed with the connection. */
  private readonly connection = new Set<() => void>();
  private closed = false;
  /**
   * Closes the connection itself (a desk's TLS socket, a page's WebSocket): a share revoked or over leaves its peer nothing
   * open; a sign-in ended by a password change closes it saying why (`reason`, a refusal's key, sent with the close).
   */
  hangUp?: (reason?: string) => void;
  /** The sign-in this connection carries (auth/), null until it signs in. */
  signInId: string | null = null;
  /** `media` may come later than the first calls (Electron posts the page its port once the page has loaded). */
  constructor(readonly id: string, public media?: MediaPort, readonly peer?: Peer) {}

  /** Registers cleanup for when the client disconnects; returns a function that runs it early. */
  own(dispose: () => void): () => void {
    if (this.closed) {
      dispose();
      return () => {};
    }
    const once = () => {
      if (this.disposers.delete(once)) dispose();
    };
    this.disposers.add(once);
    return once;
  }

  /** Registers the transport's own cleanup, run only when the connection closes. */
  ownConnection(dispose: () => void): void {
    if (this.closed) dispose();
    else this.connection.add(dispose);
  }

  /** Ends what the client holds open (streams, playback) but keeps the connection: its sign-in ended. */
  release(): void {
    for (const d of [...this.disposers]) d();
  }

  /** Whether the connection has gone (a sign-in keeps its sessions until it ends, closed ones too). */
  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
    this.release();
    for (const d of this.connection) d();
    this.connection.clear();
  }
}
