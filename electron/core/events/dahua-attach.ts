import { digestFetch, sleep, type DeviceEvent, type DeviceEventKind, type DeviceEventSource, type DeviceEventSourceOptions } from './device-event-source';

// Dahua eventManager.cgi attach: a multipart/x-mixed-replace stream of "Code=…;action=…;index=…" parts and heartbeats.

// Codes as Dahua's HTTP API (eventManager) and Amcrest firmware name them (fixtures: tests/fixtures/devices/dahua, amcrest),
// and camsim's Sensor* codes.
const CODES: Record<string, DeviceEventKind> = {
  VideoMotion: 'motion', SmartMotionHuman: 'motion', SmartMotionVehicle: 'motion', VideoBlind: 'tamper', SceneChange: 'tamper',
  AlarmLocal: 'door', CrossRegionDetection: 'intrusion', CrossLineDetection: 'line_crossing', AudioMutation: 'audio', AudioAnomaly: 'audio',
  HeatImagingTemper: 'temperature_alarm',
  SensorPIR: 'pir', SensorWaterLeak: 'water', SensorTemperature: 'temperature', SensorCO2: 'co2', SensorAmbientLight: 'light',
};
const MAX_PART = 64 * 1024;

/** One part's text ("Code=VideoMotion;action=Start;index=0") as a device event; heartbeats and unknown codes give none. */
export function parseDahuaLine(line: string, at: number): DeviceEvent | undefined {
  const fields = new Map<string, string>();
  for (const m of line.matchAll(/(Code|action|index|data)=((?:\{.*\})|[^;]*)/g)) if (m[1] && m[2] !== undefined) fields.set(m[1], m[2]);
  const kind = CODES[fields.get('Code') ?? ''];
  if (!kind) return undefined;
  const index = Number(fields.get('index') ?? 0);
  if (!Number.isInteger(index) || index < 0 || index > 1023) return undefined; // not a channel ("index=<", 1e400)
  const channel = index + 1;
  const action = fields.get('action');
  if (action === 'Pulse') {
    let value: unknown;
    try {
      value = (JSON.parse(fields.get('data') ?? '{}') as { Value?: unknown }).Value;
    } catch {
      return undefined;
    }
    return typeof value === 'number' && Number.isFinite(value) ? { kind, channel, value, at } : undefined;
  }
  if (action !== 'Start' && action !== 'Stop') return undefined;
  // A line crossing is an instant: its Start is the crossing, its Stop nothing new.
  if (kind === 'line_crossing' && action === 'Stop') return undefined;
  return { kind, channel, state: action === 'Start', at };
}

/** Splits the multipart attach stream into its parts' body lines, however the chunks fall; throws when a part outgrows 64 KB. */
export class DahuaPartReader {
  private buf = '';
  private readonly decoder = new TextDecoder();

  constructor(private readonly boundary: string) {}

  /** Characters held back until their part's boundary comes. */
  get buffered(): number { return this.buf.length; }

  push(chunk: Uint8Array): string[] {
    this.buf += this.decoder.decode(chunk, { stream: true });
    const parts = this.buf.split(`--${this.boundary}`);
    this.buf = parts.pop() ?? '';
    if (this.buf.length > MAX_PART) throw new Error('eventManager part over the size limit');
    return parts.flatMap((part) => part.split(/\r?\n\r?\n/).slice(1).join('\n').trim().split(/\r?\n/).map((l) => l.trim()));
  }
}

/** Holds the attach stream open; a silence past three heartbeats or any error reconnects with backoff. */
export class DahuaAttachSource implements DeviceEventSource {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly clock: () => number;

  constructor(private readonly opts: DeviceEventSourceOptions & { heartbeatS?: number }) {
    this.clock = opts.clock ?? Date.now;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async attachOnce(): Promise<void> {
    const hb = this.opts.heartbeatS ?? 5;
    const url = `${this.opts.url.replace(/\/$/, '')}/cgi-bin/eventManager.cgi?action=attach&codes=[All]&heartbeat=${hb}`;
    const local = new AbortController();
    const signal = AbortSignal.any([this.abort.signal, local.signal]);
    const res = await digestFetch(url, this.opts.username, this.opts.password, { method: 'GET', signal });
    if (res.status !== 200 || !res.body) {
      await res.arrayBuffer().catch(() => {});
      throw new Error(`eventManager attach: HTTP ${res.status}`);
    }
    const boundary = /boundary=("?)([^";]+)\1/.exec(res.headers.get('content-type') ?? '')?.[2] ?? 'myboundary';
    this.opts.onState?.({ state: 'connected' });
    let watchdog = setTimeout(() => local.abort(), hb * 3000);
    const reader = new DahuaPartReader(boundary);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => local.abort(), hb * 3000);
        for (const line of reader.push(chunk)) {
          const e = parseDahuaLine(line, this.clock());
          if (e) this.opts.onEvent(e);
        }
      }
      if (!this.abort.signal.aborted) throw new Error(local.signal.aborted ? 'eventManager heartbeat missed' : 'eventManager stream ended');
    } finally {
      clearTimeout(watchdog);
    }
  }

  private async run(): Promise<void> {
    let delay = this.opts.retryMs ?? 1000;
    while (!this.abort.signal.aborted) {
      try {
        this.opts.onState?.({ state: 'connecting' });
        await this.attachOnce();
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.opts.onState?.({ state: 'error', error: (err as Error).message });
        await sleep(delay, this.abort.signal);
        delay = Math.min(delay * 2, this.opts.maxRetryMs ?? 30_000);
        continue;
      }
      delay = this.opts.retryMs ?? 1000;
    }
  }

  async dispose(): Promise<void> {
    this.abort.abort();
    await this.loop?.catch(() => {});
  }
}
