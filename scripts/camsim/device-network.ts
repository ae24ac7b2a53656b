// A device on the loopback network: the addresses it may take, and its listeners bound on the first free port of
// its candidates (its previous port, the standard one, its offset slot, then any).
import dgram from 'node:dgram';
import type http from 'node:http';
import type { DevicePorts, PortMode } from './device-types';

const STANDARD_PORTS: DevicePorts = { http: 80, rtsp: 554, wsDiscovery: 3702, dhip: 37810 };
const OFFSET_SLOT: Record<keyof DevicePorts, number> = { http: 0, rtsp: 1, wsDiscovery: 2, dhip: 3 };
const BIND_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL', 'EPERM']);

export function isLoopback(ip: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) && ip.split('.').every((o) => Number(o) <= 255);
}

export interface PortPlan {
  mode: PortMode;
  /** Offset ports are base + index*10 + slot. */
  base: number;
  index: number;
}

function portCandidates(plan: PortPlan, kind: keyof DevicePorts, previous: number): number[] {
  const list: number[] = [];
  if (previous) list.push(previous);
  if (plan.mode === 'standard') list.push(STANDARD_PORTS[kind]);
  if (plan.mode !== 'ephemeral') list.push(plan.base + plan.index * 10 + OFFSET_SLOT[kind]);
  list.push(0);
  return [...new Set(list)];
}

/** Binds on the first candidate port that is free; other errors are thrown at once. */
export async function bindFirst<T>(plan: PortPlan, kind: keyof DevicePorts, previous: number, bind: (port: number) => Promise<T>): Promise<T> {
  let lastErr: unknown;
  for (const port of portCandidates(plan, kind, previous)) {
    try {
      return await bind(port);
    } catch (err) {
      lastErr = err;
      if (!BIND_ERRORS.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
  }
  throw lastErr;
}

/** Resolves with the bound port. */
export function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

export function bindUdp(
  host: string,
  port: number,
  prepare: (sock: dgram.Socket) => void,
  onMessage: (msg: Buffer, rinfo: dgram.RemoteInfo, sock: dgram.Socket) => void,
): Promise<{ socket: dgram.Socket; port: number }> {
  return new Promise((resolve, reject) => {
    // No reuseAddr: a second fleet on the same address must fail over to another port, not steal datagrams.
    const sock = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    const onError = (err: Error) => {
      sock.close();
      reject(err);
    };
    sock.once('error', onError);
    sock.on('message', (msg, rinfo) => onMessage(msg, rinfo, sock));
    sock.bind({ address: host, port, exclusive: true }, () => {
      sock.off('error', onError);
      sock.on('error', () => undefined);
      prepare(sock);
      resolve({ socket: sock, port: sock.address().port });
    });
  });
}
