import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { WS_MAX_FRAME_BYTES, WS_PATH } from '../../contract';
import type { Logger } from '../log';
import { serveSocket } from '../server/serve-socket';
import type { Station } from '../station';
import type { TlsIdentity } from './tls-identity';

export interface RemoteServer {
  readonly port: number;
  /** Desks connected now. */
  desks(): number;
  close(): Promise<void>;
}

/**
 * Serves desks on the LAN: the same contract as the loopback page, as a WebSocket over HTTPS with the station's own
 * certificate. No token: a desk signs in with this station's accounts (auth/ checks every call of a `remote` peer,
 * as it does a browser's), and the sign-in throttle counts per address. Nothing else is served: no page, no files.
 */
export async function startRemoteServer(station: Station, identity: TlsIdentity, host: string, port: number, log: Logger): Promise<RemoteServer> {
  const https: Server = createServer({ cert: identity.cert, key: identity.key, minVersion: 'TLSv1.2' }, (_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Watchpost: this address serves desks only.');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_MAX_FRAME_BYTES });
  let n = 0;
  https.on('upgrade', (req, socket, head) => {
    // A desk sends no Origin; a page on some web site (a browser) does, and is refused.
    if (new URL(req.url ?? '/', 'https://station').pathname !== WS_PATH || req.headers.origin !== undefined) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const address = req.socket.remoteAddress ?? '';
      log.info({ address }, 'desk connected');
      serveSocket(station, ws, socket, `desk-${++n}`, { transport: 'remote', address }, log);
    });
  });
  https.on('tlsClientError', (err) => log.debug({ err: err.message }, 'TLS handshake failed'));
  await new Promise<void>((resolve, reject) => {
    https.once('error', reject);
    https.listen(port, host, () => { https.off('error', reject); resolve(); });
  });
  log.info({ host, port: (https.address() as AddressInfo).port }, 'serving desks');
  return {
    port: (https.address() as AddressInfo).port,
    desks: () => wss.clients.size,
    async close() {
      for (const c of wss.clients) c.terminate();
      wss.close();
      https.closeAllConnections();
      await new Promise<void>((r) => https.close(() => r()));
    },
  };
}
