/** Where a client's media frames go: a WebSocket (browser mode) or a MessagePort (Electron). */
export interface MediaPort {
  /** One media frame: whole, or its head (encodeMediaFrameHead) followed by the payload, which is then not copied. */
  send(frame: Uint8Array, payload?: Uint8Array): void;
  /** Bytes queued towards the client; the hub skips a slow client to the next keyframe past a bound. */
  backlog(): number;
}

/** One connected renderer: its media port and what must be undone when it goes away. */
export class ClientSession {
  private readonly disposers = new Set<() => void>();
  private closed = false;
  constructor(readonly id: string, readonly media?: MediaPort) {}

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

  close(): void {
    this.closed = true;
    for (const d of [...this.disposers]) d();
  }
}
