import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { ClientFrame, WS_CLOSE_SIGNED_OUT, type ServerFrame } from '../../contract';
import { ClientSession, type Peer } from '../client-session';
import type { Logger } from '../log';
import type { Station } from '../station';

/** Payloads up to this size are sent in one frame with their head (copied), larger ones as a second fragment. */
const ONE_FRAME_BYTES = 16 * 1024;

/**
 * One WebSocket client of the contract, however it came (the loopback page, a desk over TLS): text frames carry calls,
 * results and the signals its user may see; binary frames carry media.
 */
export function serveSocket(station: Station, ws: WebSocket, socket: Duplex, id: string, peer: Peer, log: Logger): ClientSession {
  const push = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  // Media rides the same socket as binary frames: one connection however many tiles (Chromium allows 6 per host).
  const session = new ClientSession(id, {
    send: (frame, payload) => {
      if (ws.readyState !== ws.OPEN) return;
      if (!payload) return ws.send(frame, { binary: true });
      // A small payload (a sub stream's frame) goes in one WebSocket frame with its head: copying a few KiB costs less than
      // a second frame to write and, on the other side, to reassemble.
      if (payload.length <= ONE_FRAME_BYTES) return ws.send(Buffer.concat([frame, payload]), { binary: true });
      // A larger one goes as a second fragment of the message, written together with the head: never copied per viewer.
      socket.cork();
      ws.send(frame, { binary: true, fin: false });
      ws.send(payload, { binary: true, fin: true });
      socket.uncork();
    },
    backlog: () => ws.bufferedAmount,
  }, peer);
  session.hangUp = (reason) => {
    if (!reason) return ws.terminate();
    // A close the other side can read (its code and the reason's key); a peer that does not answer it is cut off.
    ws.close(WS_CLOSE_SIGNED_OUT, reason);
    setTimeout(() => ws.terminate(), 2000).unref();
  };
  // Each connection is sent what its user may see (auth/: a restricted user hears nothing of other cameras).
  const unsubscribe = station.signals.subscribe((name, payload) => {
    const seen = station.signalFor(session, name, payload);
    if (seen !== undefined) push({ t: 'signal', name, payload: seen });
  });
  ws.on('close', () => {
    unsubscribe();
    session.close();
  });
  ws.on('error', (err) => log.warn({ err: err.message }, 'websocket error'));
  ws.on('message', (data, isBinary) => {
    // A malformed frame ends this connection only; other viewers keep being served.
    if (isBinary) return ws.close(1003, 'binary frames are not calls');
    let frame: ClientFrame;
    try {
      frame = ClientFrame.parse(JSON.parse(data.toString()));
    } catch {
      log.warn('malformed frame; closing that connection');
      return ws.close(1007, 'malformed frame');
    }
    void station.dispatch(frame.name, frame.input, session).then((result) => push({ t: 'result', id: frame.id, result }));
  });
  return session;
}
