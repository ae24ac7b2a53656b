// A contract client over the station's WebSocket, for tests that set things up without clicking.
import WebSocket from 'ws';
import { decodeMediaFrame, type MediaFrame, type Result } from '../../electron/contract';
import { signInAsTestAdmin } from './auth';

export interface WsClient {
  call<T = unknown>(name: string, input: unknown): Promise<T>;
  events: { name: string; payload: any }[];
  /** Media frames received (their heads, without the bytes), when asked for with `media`. */
  frames: Omit<MediaFrame, 'payload'>[];
  close(): void;
}

/** Signed in as the test administrator (auth.ts) unless `signIn` is false; `media`: keeps the media frames' heads. */
export async function wsClient(stationUrl: string, opts: { signIn?: boolean; media?: boolean } = {}): Promise<WsClient> {
  const u = new URL(stationUrl);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`);
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  let next = 1;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const events: WsClient['events'] = [];
  const frames: WsClient['frames'] = [];
  ws.on('message', (d, binary) => {
    if (binary) {
      if (opts.media) {
        const { payload: _, ...head } = decodeMediaFrame(new Uint8Array(d as Buffer));
        frames.push(head);
      }
      return;
    }
    const f = JSON.parse(d.toString());
    if (f.t === 'result') pending.get(f.id)?.(f.result);
    else events.push(f);
  });
  const raw = (name: string, input: unknown) => new Promise<Result<unknown>>((res) => {
    const id = next++;
    pending.set(id, res);
    ws.send(JSON.stringify({ t: 'call', id, name, input }));
  });
  if (opts.signIn !== false) await signInAsTestAdmin(u.origin, raw);
  return {
    events, frames,
    async call<T>(name: string, input: unknown) {
      const r = await raw(name, input);
      if (!r.ok) throw new Error(`${name}: ${r.error.code}: ${r.error.message}`);
      return r.value as T;
    },
    close: () => ws.close(),
  };
}

/** One call on a fresh connection that comes in by cookie, as a second renderer would (signed in as the test administrator); the station's raw Result. */
export async function cookieCall(station: { origin: string; token: string }, name: string, input: unknown): Promise<any> {
  const ws = new WebSocket(`ws://127.0.0.1:${new URL(station.origin).port}/ws`, { headers: { cookie: `watchpost_token=${station.token}` } });
  await new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
  let next = 1;
  const pending = new Map<number, (r: any) => void>();
  ws.on('message', (d) => { const f = JSON.parse(d.toString()); if (f.t === 'result') pending.get(f.id)?.(f.result); });
  const call = (n: string, i: unknown) => new Promise<any>((res) => { const id = next++; pending.set(id, res); ws.send(JSON.stringify({ t: 'call', id, name: n, input: i })); });
  await signInAsTestAdmin(station.origin, call);
  const result = await call(name, input);
  ws.close();
  return result;
}
