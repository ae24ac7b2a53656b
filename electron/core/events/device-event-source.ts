import { createHash, randomBytes } from 'node:crypto';

// One interface for every device event source (ONVIF PullPoint, Dahua attach), so devices can wire their credentials in.

export const DEVICE_EVENT_KINDS = ['motion', 'tamper', 'door', 'pir', 'water', 'temperature', 'co2', 'light'] as const;
export type DeviceEventKind = (typeof DEVICE_EVENT_KINDS)[number];

export interface DeviceEvent {
  kind: DeviceEventKind;
  /** 1-based device channel. */
  channel: number;
  /** Stateful kinds: on/off. */
  state?: boolean;
  /** Value sensors: the reading. */
  value?: number;
  at: number;
  /** The device reporting the current state when a subscription starts, not a change. */
  initial?: boolean;
}

export type SourceState = { state: 'connecting' | 'connected' } | { state: 'error'; error: string };

export interface DeviceEventSourceOptions {
  url: string;
  username: string;
  password: string;
  onEvent: (e: DeviceEvent) => void;
  onState?: (s: SourceState) => void;
  clock?: () => number;
  /** First retry delay after an error; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface DeviceEventSource {
  start(): void;
  dispose(): Promise<void>;
}

/** Waits ms unless the signal aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

function authParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) if (m[1]) out[m[1].toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

/** RFC 7616 digest (MD5, qop=auth) Authorization value for a 401 challenge. */
export function digestAuthorization(challenge: string, user: string, password: string, method: string, uri: string): string {
  const p = authParams(challenge.replace(/^Digest\s+/i, ''));
  const realm = p.realm ?? '';
  const nonce = p.nonce ?? '';
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const ha1 = md5(`${user}:${realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const qop = p.qop?.split(',').map((s) => s.trim()).includes('auth') ? 'auth' : undefined;
  const response = qop ? md5(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
  const q = (s: string) => s.replace(/["\\]/g, '\\$&');
  return `Digest username="${q(user)}", realm="${q(realm)}", nonce="${q(nonce)}", uri="${q(uri)}", response="${response}", algorithm=MD5` +
    (qop ? `, qop=${qop}, nc=${nc}, cnonce="${cnonce}"` : '') + (p.opaque ? `, opaque="${q(p.opaque)}"` : '');
}

/** fetch with HTTP digest after a 401 challenge. */
export async function digestFetch(url: string, user: string, password: string, init: RequestInit): Promise<Response> {
  const first = await fetch(url, init);
  const challenge = first.headers.get('www-authenticate');
  if (first.status !== 401 || !challenge || !/^Digest/i.test(challenge)) return first;
  await first.arrayBuffer();
  const u = new URL(url);
  const authorization = digestAuthorization(challenge, user, password, init.method ?? 'GET', u.pathname + u.search);
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Authorization: authorization } });
}
