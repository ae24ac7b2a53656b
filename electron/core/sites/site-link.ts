import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import {
  contractMajor, decodeMediaFrame, englishText, fail, isReason, SHARE_SITE_USER, StationError, WS_CLOSE_SIGNED_OUT, WS_MAX_FRAME_BYTES, WS_PATH,
  type CallName, type CallOutput, type Channel, type CallInput, type MediaFrame, type Result, type ServerFrame, type SiteState,
} from '../../contract';
import type { Logger } from '../log';
import { backoffMs } from '../media/stream-hub';

const CALL_TIMEOUT_MS = 15_000;
/**
 * A connected station that sends nothing this long — a ping (`auth.state`, sent after half of it in silence) unanswered
 * too — does not answer (a hung process: its connections stay open): the link is `not_answering` and starts again. The
 * opening handshake gets as long.
 */
export const NO_ANSWER_MS = 10_000;

export interface LinkState {
  state: SiteState;
  reason: string | null;
  retryAt: number | null;
  seenFingerprint: string | null;
  version: string | null;
  clockOffsetMs: number | null;
}

export interface SiteLinkOptions {
  /** The station's name in the desk's list (for the words of a refusal). */
  name: string;
  host: string;
  port: number;
  /** This desk's version and contract, which the remote station's are compared with at sign-in. */
  self: { version: string; contract: string };
  /** The pinned certificate; null: none trusted yet (the link stops at showing what it saw). */
  fingerprint: string | null;
  username: string;
  password: () => Promise<string>;
  /**
   * The sign-in this desk made there before (its secret, kept in the desk's SecretStore for this certificate and user), to
   * resume instead of signing in again: a password check costs the station a slow hash, each time a desk (re)connects.
   * `set` keeps a new one, or forgets it (null) when refused.
   */
  resume?: { get(): Promise<string | undefined>; set(sessionId: string | null): Promise<void> };
  logger: Logger;
  clock: () => number;
  onState(s: LinkState): void;
  onChannels(list: Channel[]): void;
  /** Every signal the remote station sends this desk's user. */
  onSignal(name: string, payload: unknown): void;
  /** How long a silent station counts as answering (tests shorten it); default NO_ANSWER_MS. */
  noAnswerMs?: number;
}

/**
 * The desk's connection to one remote station: a WebSocket over TLS whose certificate must be the pinned one (checked
 * before anything is sent: the upgrade request carries no secret), then a sign-in with that station's account, then
 * the same contract as the page speaks. Reconnects with the streams' backoff; a changed certificate or refused
 * credentials are not retried until the user acts. A station whose connection stays open but which answers nothing (a
 * hung process) is told apart from one gone: pinged when silent, it is `not_answering` after `noAnswerMs`, and so are
 * the tries to reach it that time out, until one does otherwise.
 */
export class SiteLink {
  private ws?: WebSocket;
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  private readonly media = new Map<number, (f: MediaFrame) => void>();
  private readonly dropped = new Set<() => void>();
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private beatTimer?: NodeJS.Timeout;
  /** When the station last sent anything on this connection, and whether a ping waits for its answer. */
  private lastHeard = 0;
  private pinging = false;
  private stopped = false;
  state: LinkState = { state: 'connecting', reason: null, retryAt: null, seenFingerprint: null, version: null, clockOffsetMs: null };

  constructor(private readonly o: SiteLinkOptions) {}

  get online(): boolean {
    return this.state.state === 'online';
  }

  private set(s: Partial<LinkState> & { state: SiteState }): void {
    this.state = { ...this.state, reason: null, retryAt: null, ...s };
    this.o.onState(this.state);
  }

  private get noAnswerMs(): number {
    return this.o.noAnswerMs ?? NO_ANSWER_MS;
  }

  start(): void {
    this.stopped = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.drop();
    const host = this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host;
    // Self-signed by design: trust is the pinned fingerprint, compared below, not an authority.
    const ws = new WebSocket(`wss://${host}:${this.o.port}${WS_PATH}`, { rejectUnauthorized: false, maxPayload: 64 * WS_MAX_FRAME_BYTES, handshakeTimeout: this.noAnswerMs });
    this.ws = ws;
    const began = this.o.clock();
    let opened = false;
    // Still not answering while a try times out (a hung station's address takes the connection, its TLS never answers).
    const wasSilent = this.state.state === 'not_answering';
    let silent = false;
    this.set({ state: wasSilent ? 'not_answering' : 'connecting', reason: wasSilent ? this.state.reason : null });
    let verdict: 'ok' | 'untrusted' | 'certificate_changed' = 'ok';
    ws.on('upgrade', (res) => {
      const seen = (res.socket as TLSSocket).getPeerCertificate().fingerprint256 ?? null;
      this.state.seenFingerprint = seen;
      if (this.o.fingerprint === null) verdict = 'untrusted';
      else if (seen !== this.o.fingerprint) verdict = 'certificate_changed';
    });
    ws.on('open', () => {
      opened = true;
      this.lastHeard = this.o.clock();
      this.pinging = false;
      this.beatTimer = setInterval(() => {
        if (this.ws !== ws) return;
        const quiet = this.o.clock() - this.lastHeard;
        if (quiet >= this.noAnswerMs) {
          silent = true;
          this.state.reason = `no answer for ${Math.round(quiet / 1000)} s`;
          this.o.logger.warn({ host: this.o.host, silentMs: quiet }, 'remote station not answering');
          return ws.terminate();
        }
        if (quiet >= this.noAnswerMs / 2 && !this.pinging) {
          this.pinging = true;
          // Public and quiet there: it neither shows in that station's log nor keeps this desk's sign-in from its idle end.
          void this.raw('auth.state', {}).finally(() => { if (this.ws === ws) this.pinging = false; });
        }
      }, Math.max(100, this.noAnswerMs / 4));
      this.beatTimer.unref();
      if (verdict !== 'ok') {
        this.o.logger.warn({ host: this.o.host, verdict }, 'remote station certificate not trusted');
        this.stopped = true;
        this.drop();
        return this.set({ state: verdict, reason: verdict === 'certificate_changed' ? 'the station presented another certificate' : null });
      }
      void this.signIn();
    });
    ws.on('message', (data: Buffer, isBinary) => {
      this.lastHeard = this.o.clock();
      return isBinary ? this.onMedia(data) : this.onText(data.toString());
    });
    ws.on('error', (err) => {
      this.state.reason ??= err.message;
      this.o.logger.debug({ host: this.o.host, err: err.message }, 'remote station connection error');
    });
    ws.on('close', (code, why) => {
      if (this.ws !== ws) return;
      // The station ended this desk's sign-in (the account's password changed there): said in its words until the next try.
      const reason = why.toString();
      if (code === WS_CLOSE_SIGNED_OUT && isReason(reason)) this.state.reason = englishText(reason);
      this.drop();
      if (this.stopped) return;
      this.failures++;
      const delay = backoffMs(this.failures);
      const timedOut = !opened && this.o.clock() - began >= this.noAnswerMs - 100;
      const state = silent || (wasSilent && timedOut) ? 'not_answering' : 'offline';
      this.set({ state, reason: this.state.reason ?? 'no answer', retryAt: this.o.clock() + delay });
      this.retryTimer = setTimeout(() => this.start(), delay);
      this.retryTimer.unref();
    });
  }

  private async signIn(): Promise<void> {
    const ws = this.ws;
    // The connection ended meanwhile (dropped, not answering): what it answered is no longer this link's to say.
    const gone = () => this.ws !== ws;
    this.set({ state: 'signing_in' });
    // The sign-in made before, if the station still has it (it ends them when it restarts, after its idle time, when the
    // account is disabled or its password reset), bound there to this desk's address; else the password, checked anew.
    const saved = await this.o.resume?.get();
    const resumed = saved ? await this.raw('auth.resume', { sessionId: saved }) : undefined;
    if (gone()) return;
    if (!resumed?.ok) {
      // A site made from a received share (Hardware Share) signs in with the share's credential, not an account.
      const signedIn = this.o.username.startsWith(SHARE_SITE_USER)
        ? await this.raw('auth.signInShare', { share: this.o.username.slice(SHARE_SITE_USER.length), secret: await this.o.password() })
        : await this.raw('auth.signIn', { name: this.o.username, password: await this.o.password() });
      if (gone()) return;
      if (!signedIn.ok) {
        const refused = signedIn.error.code === 'unauthenticated';
        if (refused) {
          await this.o.resume?.set(null);
          this.stopped = true;
          this.drop();
          return this.set({ state: 'auth_failed', reason: signedIn.error.message });
        }
        this.state.reason = signedIn.error.message;
        return void this.ws?.close();
      }
      await this.o.resume?.set((signedIn.value as { sessionId: string }).sessionId);
    }
    // Asked together: one round trip less before the link is up (the clock is measured alone below).
    const [status, channels] = await Promise.all([this.raw('station.status', {}), this.raw('channels.list', {})]);
    if (gone() || this.incompatible(status)) return;
    // Its clock at the middle of the round trip, against ours (the best of three: the shortest trip says the most).
    let best: { rtt: number; offset: number } | undefined;
    for (let i = 0; i < 3; i++) {
      const t0 = this.o.clock();
      const c = await this.raw('sites.clock', {});
      const t1 = this.o.clock();
      if (c.ok && (!best || t1 - t0 < best.rtt)) best = { rtt: t1 - t0, offset: (c.value as { now: number }).now - (t0 + t1) / 2 };
    }
    if (gone()) return;
    if (!status.ok || !channels.ok) {
      this.state.reason = (!status.ok ? status.error : !channels.ok ? channels.error : undefined)?.message ?? null;
      return void this.ws?.close();
    }
    const s = status.value as CallOutput<'station.status'>;
    this.failures = 0;
    this.o.onChannels(channels.value as Channel[]);
    this.set({ state: 'online', version: s.version, clockOffsetMs: best ? Math.round(best.offset) : null });
  }

  /**
   * A station of another major of the contract (`CONTRACT_VERSION`; none sent is "1.0") is not used: its calls and
   * signals may mean other things. The link stops, saying both versions, until the user retries (after an update).
   */
  private incompatible(status: Result<unknown>): boolean {
    const unknown = !status.ok && status.error.reason === 'station.unknownCall';
    if (status.ok === false && !unknown) return false;
    const s = (status.ok ? status.value : {}) as { version?: unknown; contract?: unknown };
    const contract = typeof s.contract === 'string' ? s.contract : unknown ? '?' : '1.0';
    if (contractMajor(contract) === contractMajor(this.o.self.contract)) return false;
    const version = typeof s.version === 'string' ? s.version.slice(0, 40) : null;
    this.o.logger.warn({ host: this.o.host, version, contract, ours: this.o.self.contract }, 'remote station speaks another contract');
    this.stopped = true;
    this.drop();
    this.set({
      state: 'incompatible', version,
      reason: `runs Watchpost ${version ?? '?'} (contract ${contract}), this desk ${this.o.self.version} (contract ${this.o.self.contract})`,
    });
    return true;
  }

  private onText(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if (frame.t === 'result') {
      this.pending.get(frame.id)?.(frame.result);
      this.pending.delete(frame.id);
      return;
    }
    if (frame.name === 'channels.changed' && this.online) this.o.onChannels(frame.payload as Channel[]);
    this.o.onSignal(frame.name, frame.payload);
  }

  private onMedia(data: Buffer): void {
    let frame: MediaFrame;
    try {
      frame = decodeMediaFrame(data);
    } catch {
      return;
    }
    this.media.get(frame.channel)?.(frame);
  }

  private raw(name: string, input: unknown): Promise<Result<unknown>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN) return Promise.resolve({ ok: false, error: fail('station.connectionLost').info });
    const id = this.nextId++;
    return new Promise((resolve) => {
      // A station that stops answering must not hold the desk's callers (a tile opening, a page waiting) forever.
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: fail('site.noAnswer', { seconds: CALL_TIMEOUT_MS / 1000 }).info });
      }, CALL_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, (r) => { clearTimeout(timer); resolve(r); });
      ws.send(JSON.stringify({ t: 'call', id, name, input }));
    });
  }

  /** A call on the remote station as this desk's account there; its refusal is thrown as it came. */
  async call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
    const r = await this.raw(name, input);
    // A call this desk knows and the station does not (another version): said so, with both versions.
    if (!r.ok && r.error.reason === 'station.unknownCall') {
      throw fail('site.unknownCall', { name: this.o.name, call: name, theirs: this.state.version ?? '?', ours: this.o.self.version });
    }
    if (!r.ok) throw StationError.from(r.error);
    return r.value as CallOutput<K>;
  }

  /** Media frames of one remote media channel (a `live.open` on the remote station). */
  onMediaChannel(channel: number, handler: (f: MediaFrame) => void, dropped: () => void): () => void {
    this.media.set(channel, handler);
    this.dropped.add(dropped);
    return () => {
      this.media.delete(channel);
      this.dropped.delete(dropped);
    };
  }

  /** Ends the connection and what rides on it: calls waiting get `connectionLost`, streams their end. */
  private drop(): void {
    const ws = this.ws;
    this.ws = undefined;
    clearInterval(this.beatTimer);
    this.beatTimer = undefined;
    ws?.terminate();
    for (const [, resolve] of this.pending) resolve({ ok: false, error: fail('station.connectionLost').info });
    this.pending.clear();
    const dropped = [...this.dropped];
    this.dropped.clear();
    this.media.clear();
    for (const d of dropped) d();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.drop();
  }
}
