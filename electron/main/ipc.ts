import { ipcMain, MessageChannelMain, type BrowserWindow, type WebContents } from 'electron';
import { fail, IPC, type Result } from '../contract';
import type { MediaAck } from '../contract/bridge';
import { ClientSession } from '../core/client-session';
import type { Station } from '../core/station';
import { isTrustedSender } from './security';

const sessions = new Map<number, ClientSession>();

/** Each page load gets a fresh session and one MessagePort for all its media; the old one is closed. */
export function openMediaSession(contents: WebContents): void {
  sessions.get(contents.id)?.close();
  const { port1, port2 } = new MessageChannelMain();
  // A MessagePort has no bufferedAmount: the page acknowledges the bytes it has taken ({ ack: n }, MediaAck), and what was
  // sent but not yet acknowledged is the backlog on which the hub skips a slow page to the next keyframe, as on a WebSocket.
  let unacked = 0;
  port1.on('message', (e) => {
    const n = (e.data as Partial<MediaAck> | null)?.ack;
    if (typeof n === 'number' && n > 0) unacked = Math.max(0, unacked - n);
  });
  const session = new ClientSession(`wc-${contents.id}`, {
    send: (frame, payload) => {
      const data = payload ? concatFrame(frame, payload) : frame;
      unacked += data.byteLength;
      port1.postMessage(data);
    },
    backlog: () => unacked,
  }, { transport: 'electron', address: 'local' });
  session.ownConnection(() => port1.close());
  port1.start();
  sessions.set(contents.id, session);
  contents.postMessage(IPC.media, null, [port2]);
  contents.once('destroyed', () => {
    session.close();
    sessions.delete(contents.id);
  });
}

/** Binds the contract to ipcMain: sender check, then the shared dispatcher (zod + result envelope). */
export function bindIpc(station: Station, windows: () => BrowserWindow[]): () => void {
  ipcMain.handle(IPC.call, async (event, name: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isTrustedSender(event.senderFrame)) {
      station.logger.warn({ url: event.senderFrame?.url }, 'IPC call from an untrusted frame refused');
      return { ok: false, error: fail('station.untrustedCaller').info };
    }
    const session = sessions.get(event.sender.id) ?? new ClientSession(`wc-${event.sender.id}`, undefined, { transport: 'electron', address: 'local' });
    return station.dispatch(name, input, session);
  });
  const unsubscribe = station.signals.subscribe((name, payload) => {
    for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(IPC.signal, name, payload);
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
