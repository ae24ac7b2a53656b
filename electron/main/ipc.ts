import { ipcMain, MessageChannelMain, type BrowserWindow, type WebContents } from 'electron';
import { fail, IPC, type Result } from '../contract';
import type { MediaAck } from '../contract/bridge';
import { ClientSession } from '../core/client-session';
import type { Station } from '../core/station';
import { isTrustedSender } from './security';

const sessions = new Map<number, ClientSession>();
const ports = new Map<number, { close(): void }>();
/** A page that has made no call yet: a transport's connection not signed in (public signals only). */
const NOT_SIGNED_IN = new ClientSession('wc-none', undefined, { transport: 'electron', address: 'local' });

/**
 * The one session of a page (its webContents): made by its first call or its media port, whichever comes first, so a
 * sign-in the page resumes before its port arrives is the sign-in of every later call. Closed when the contents go.
 */
function sessionOf(contents: Pick<WebContents, 'id' | 'once'>): ClientSession {
  const known = sessions.get(contents.id);
  if (known) return known;
  const session = new ClientSession(`wc-${contents.id}`, undefined, { transport: 'electron', address: 'local' });
  sessions.set(contents.id, session);
  contents.once('destroyed', () => {
    ports.get(contents.id)?.close();
    ports.delete(contents.id);
    session.close();
    sessions.delete(contents.id);
  });
  return session;
}

/**
 * A page opened by another (a desktop pop-out) starts with the opener's sign-in: resumed here, in the main process, on the
 * new page's own session (the same transport, so the sign-in's binding holds), so the secret never goes into the page's
 * URL or storage. Signing out, the lock screen and idle expiry act on the sign-in, so they reach every page carrying it.
 */
export async function carrySignIn(station: Pick<Station, 'dispatch'>, opener: Pick<WebContents, 'id'>, opened: Pick<WebContents, 'id' | 'once'>): Promise<void> {
  const sessionId = sessions.get(opener.id)?.signInId;
  if (sessionId) await station.dispatch('auth.resume', { sessionId }, sessionOf(opened));
}

/** Each page load gets one MessagePort for all its media; the previous load's streams end and its port is closed. */
export function openMediaSession(contents: WebContents): void {
  const session = sessionOf(contents);
  session.release();
  ports.get(contents.id)?.close();
  const { port1, port2 } = new MessageChannelMain();
  // A MessagePort has no bufferedAmount: the page acknowledges the bytes it has taken ({ ack: n }, MediaAck), and what was
  // sent but not yet acknowledged is the backlog on which the hub skips a slow page to the next keyframe, as on a WebSocket.
  let unacked = 0;
  port1.on('message', (e) => {
    const n = (e.data as Partial<MediaAck> | null)?.ack;
    if (typeof n === 'number' && n > 0) unacked = Math.max(0, unacked - n);
  });
  session.media = {
    send: (frame, payload) => {
      const data = payload ? concatFrame(frame, payload) : frame;
      unacked += data.byteLength;
      port1.postMessage(data);
    },
    backlog: () => unacked,
  };
  ports.set(contents.id, port1);
  port1.start();
  contents.postMessage(IPC.media, null, [port2]);
}

/** Binds the contract to ipcMain: sender check, then the shared dispatcher (zod + result envelope). */
export function bindIpc(station: Station, windows: () => BrowserWindow[]): () => void {
  ipcMain.handle(IPC.call, async (event, name: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event.senderFrame)) {
      station.logger.warn({ url: event.senderFrame?.url }, 'IPC call from an untrusted frame refused');
      return { ok: false, error: fail('station.untrustedCaller').info };
    }
    return station.dispatch(name, input, sessionOf(event.sender));
  });
  const unsubscribe = station.signals.subscribe((name, payload) => {
    // Each page is sent what its user may see (auth/: a restricted user hears nothing of other cameras).
    for (const w of windows()) {
      if (w.isDestroyed()) continue;
      const seen = station.signalFor(sessions.get(w.webContents.id) ?? NOT_SIGNED_IN, name, payload);
      if (seen !== undefined) w.webContents.send(IPC.signal, name, seen);
    }
  });
  return () => {
    ipcMain.removeHandler(IPC.call);
    unsubscribe();
  };
}

/** A MessagePort message is copied anyway: head and payload become one buffer. */
function concatFrame(head: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + payload.length);
  out.set(head);
  out.set(payload, head.length);
  return out;
}
