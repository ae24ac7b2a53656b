import { digestHeader, pickDigest, splitChallenges } from '../net/http-auth';

// One interface for every device event source (ONVIF PullPoint, Dahua attach), so devices can wire their credentials in.

export const DEVICE_EVENT_KINDS = ['motion', 'tamper', 'door', 'pir', 'water', 'temperature', 'co2', 'light', 'intrusion', 'line_crossing', 'audio', 'temperature_alarm'] as const;
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

/** fetch with HTTP digest after a 401 challenge. */
export async function digestFetch(url: string, user: string, password: string, init: RequestInit): Promise<Response> {
  const first = await fetch(url, init);
  const challenge = pickDigest(splitChallenges(first.headers.get('www-authenticate') ?? ''));
  if (first.status !== 401 || !challenge) return first;
  await first.arrayBuffer();
  const u = new URL(url);
  const authorization = digestHeader(challenge, { username: user, password }, init.method ?? 'GET', u.pathname + u.search);
  return fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), Authorization: authorization } });
}
