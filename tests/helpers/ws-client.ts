// A contract client over the station's WebSocket, for tests that set things up without clicking.
import WebSocket from 'ws';
import type { Result } from '../../electron/contract';

export interface WsClient {
  call<T = unknown>(name: string, input: unknown): Promise<T>;
  events: { name: string; payload: any }[];
  close(): void;
}

export async function wsClient(stationUrl: string): Promise<WsClient> {
  const u = new URL(stationUrl);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  let next = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const events: WsClient['events'] = [];
  ws.on('message', (d, binary) => {
    if (binary) return;
    const f = JSON.parse(d.toString());
    if (f.t === 'result') pending.get(f.id)?.(f.result);
    else events.push(f);
  });
  return {
    events,
    call<T>(name: string, input: unknown) {
      const id = next++;
      return new Promise<T>((res, rej) => {
        pending.set(id, (r) => (r.ok ? res(r.value as T) : rej(new Error(`${name}: ${r.error.code}: ${r.error.message}`))));
        ws.send(JSON.stringify({ t: 'call', id, name, input }));
      });
    },
    close: () => ws.close(),
  };
}

/** One call on a fresh connection that signs in by cookie, as a second renderer would; the station's raw Result. */
export async function cookieCall(station: { origin: string; token: string }, name: string, input: unknown): Promise<any> {
  const ws = new WebSocket(`ws://127.0.0.1:${new URL(station.origin).port}/ws`, { headers: { cookie: `watchpost_token=${station.token}` } });
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  const result = await new Promise<any>((res) => {
    ws.on('message', (d) => { const f = JSON.parse(d.toString()); if (f.t === 'result') res(f.result); });
    ws.send(JSON.stringify({ t: 'call', id: 1, name, input }));
  });
  ws.close();
  return result;
}
