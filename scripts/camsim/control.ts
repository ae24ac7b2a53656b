import http from 'node:http';
import { z } from 'zod';
import type { SimDevice } from './device';
import { EVENT_KINDS, VALUE_EVENT_KINDS } from './device-types';
import { deviceManifest, type Fleet } from './fleet';
import type { CamsimRtspServer, RtspServerStats } from './rtsp/rtsp-server';

// The fault and event control endpoint: JSON over HTTP, bound to 127.0.0.1 only.

export const FaultSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('drop-rtsp') }),
  z.object({ type: z.literal('stall'), seconds: z.number().positive().optional(), on: z.boolean().optional() }),
  z.object({ type: z.literal('offline'), seconds: z.number().positive() }),
  z.object({ type: z.literal('reboot'), seconds: z.number().positive().optional() }),
  z.object({
    type: z.literal('resolution'),
    channel: z.number().int().positive().default(1),
    profile: z.enum(['main', 'sub']).default('main'),
    width: z.number().int().min(16).max(7680),
    height: z.number().int().min(16).max(4320),
  }),
  z.object({ type: z.literal('corrupt') }),
  z.object({ type: z.literal('lockout'), ip: z.string().optional(), seconds: z.number().positive().optional() }),
  z.object({ type: z.literal('slow'), ms: z.number().int().min(0).max(120_000) }),
  z.object({ type: z.literal('clear') }),
  /** The ONVIF audio back channel off (DESCRIBE with its Require tag answers 551): talk reaches the speaker only by Dahua's upload. */
  z.object({ type: z.literal('backchannel'), on: z.boolean() }),
  /** The card lacks [start, end) (epoch ms) of a channel's stream; playback skips it to the next keyframe. */
  z.object({
    type: z.literal('card-gap'),
    channel: z.number().int().positive().default(1),
    profile: z.enum(['main', 'sub']).default('main'),
    start: z.number().int().nonnegative(),
    end: z.number().int().positive(),
  }),
]);
export type Fault = z.infer<typeof FaultSchema>;

export const EventSchema = z.object({
  kind: z.enum(EVENT_KINDS as [string, ...string[]]),
  channel: z.number().int().positive().default(1),
  state: z.boolean().optional(),
  value: z.number().optional(),
});

const fraction = z.number().min(0).max(1);
export const SceneSchema = z.object({
  channel: z.number().int().positive().default(1),
  /** Hold the test pattern still, so only the drawn object moves (default: on while motion is drawn). */
  still: z.boolean().optional(),
  /** Region (fractions of the picture) where a box moves; null stops it. Kept clear of the timestamp code strip. */
  motion: z
    .object({ x: fraction, y: fraction, w: fraction.positive(), h: fraction.positive() })
    .refine((r) => r.x + r.w <= 1 && r.y + r.h <= 1, 'the region must lie inside the picture')
    .refine((r) => r.y + r.h <= 0.86, 'the region must stay above the timestamp code (y + h <= 0.86)')
    .nullable()
    .default(null),
});

const stallTimers = new WeakMap<SimDevice, NodeJS.Timeout>();

/** Applies a fault to a device; shared by the control endpoint and the CLI's --fault flags. */
export async function applyFault(device: SimDevice, fault: Fault): Promise<void> {
  switch (fault.type) {
    case 'drop-rtsp':
      device.rtspServer?.dropAll();
      return;
    case 'stall': {
      const on = fault.on ?? true;
      device.rtspServer?.setStalled(on);
      clearTimeout(stallTimers.get(device));
      if (on && fault.seconds) {
        const t = setTimeout(() => device.rtspServer?.setStalled(false), fault.seconds * 1000);
        t.unref();
        stallTimers.set(device, t);
      }
      return;
    }
    case 'offline':
      await device.goOffline(fault.seconds * 1000);
      return;
    case 'reboot':
      await device.reboot(fault.seconds !== undefined ? fault.seconds * 1000 : undefined);
      return;
    case 'resolution':
      device.setResolution(fault.channel, fault.profile, fault.width, fault.height);
      return;
    case 'corrupt':
      device.rtspServer?.corruptNext();
      return;
    case 'lockout':
      if (fault.ip) device.guard.lock(fault.ip, fault.seconds !== undefined ? fault.seconds * 1000 : undefined);
      else if (fault.seconds !== undefined) device.guard.setLockMs(fault.seconds * 1000);
      else device.guard.reset();
      return;
    case 'card-gap':
      device.stream(fault.channel, fault.profile)?.card?.lose(fault.start, fault.end);
      return;
    case 'backchannel':
      device.backchannel = fault.on;
      return;
    case 'slow':
      device.setReplyDelay(fault.ms);
      return;
    case 'clear':
      device.setReplyDelay(0);
      device.rtspServer?.setStalled(false);
      clearTimeout(stallTimers.get(device));
      device.guard.reset();
      return;
  }
}

/** Parses the CLI form `<device>:<type>[:<arg>]`, e.g. cam-02:offline:10, cam-01:slow:800, cam-03:stall. */
export function parseFaultFlag(flag: string): { device: string; fault: Fault } {
  const [device, type, arg] = flag.split(':');
  if (!device || !type) throw new Error(`--fault wants <device>:<type>[:<arg>], got ${flag}`);
  const n = arg === undefined ? undefined : Number(arg);
  const raw: Record<string, unknown> = { type };
  if (type === 'offline' || type === 'reboot' || type === 'stall') {
    if (n !== undefined) raw.seconds = n;
  } else if (type === 'slow') raw.ms = n;
  else if (type === 'lockout' && arg !== undefined) raw.seconds = n;
  else if (type === 'resolution') {
    const m = /^(\d+)x(\d+)$/.exec(arg ?? '');
    if (!m) throw new Error('resolution wants WxH, e.g. cam-01:resolution:1280x720');
    Object.assign(raw, { width: Number(m[1]), height: Number(m[2]) });
  }
  return { device, fault: FaultSchema.parse(raw) };
}

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}

/**
 * Every device's RTSP counters added up (frames sent and dropped because a client read too slowly, …): what a bench needs
 * to tell a station that lost frames from one that was never sent them. A device's counters restart when it comes back
 * from offline or a reboot; placeholder media has none.
 */
export function rtspStats(fleet: Fleet): RtspServerStats {
  const sum: RtspServerStats = { connections: 0, playingSessions: 0, bytesSent: 0, framesSent: 0, framesDropped: 0, slowDisconnects: 0 };
  for (const d of fleet.devices) {
    const s = (d.rtspServer as Partial<CamsimRtspServer> | undefined)?.stats?.();
    if (s) for (const k of Object.keys(sum) as (keyof RtspServerStats)[]) sum[k] += s[k];
  }
  return sum;
}

export function startControlServer(fleet: Fleet, options: { port?: number } = {}): Promise<ControlServer> {
  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://control');
      if (req.method === 'GET' && url.pathname === '/manifest') return send(res, 200, { ...fleet.manifest, control: controlUrl });
      if (req.method === 'GET' && url.pathname === '/stats') return send(res, 200, rtspStats(fleet));
      const m = /^\/devices\/([\w-]+)(?:\/(fault|events|address|scene|talk))?$/.exec(url.pathname);
      if (!m) return send(res, 404, { ok: false, error: 'not found' });
      const id = m[1] ?? '';
      const device = fleet.devices.find((d) => d.id === id || String(d.index) === id);
      if (!device) return send(res, 404, { ok: false, error: `no device ${id}` });
      if (!m[2] && req.method === 'GET') return send(res, 200, deviceManifest(device));
      if (m[2] === 'talk' && req.method === 'GET') return send(res, 200, device.channels.map((c) => ({ channel: c.channel, speaker: c.speaker, talks: c.talks })));
      if (req.method !== 'POST') return send(res, 405, { ok: false, error: 'POST only' });
      try {
        const body = await readJson(req);
        if (m[2] === 'fault') {
          await applyFault(device, FaultSchema.parse(body));
        } else if (m[2] === 'events') {
          const e = EventSchema.parse(body);
          const kind = e.kind as (typeof EVENT_KINDS)[number];
          if (VALUE_EVENT_KINDS.has(kind) && e.value === undefined) throw new Error(`${kind} needs a value`);
          device.raiseEvent({ kind, channel: e.channel, ...(e.state !== undefined ? { state: e.state } : {}), ...(e.value !== undefined ? { value: e.value } : {}) });
        } else if (m[2] === 'scene') {
          const sc = SceneSchema.parse(body);
          const still = sc.still ?? (sc.motion !== null || (device.channel(sc.channel)?.scene.still ?? false));
          device.setScene(sc.channel, { still, motion: sc.motion });
        } else if (m[2] === 'address') {
          const { ip } = z.object({ ip: z.string() }).parse(body);
          await device.setAddress(ip);
        }
        send(res, 200, { ok: true, device: deviceManifest(device) });
      } catch (err) {
        send(res, 400, { ok: false, error: err instanceof z.ZodError ? err.issues : (err as Error).message });
      }
    })();
  });
  let controlUrl = '';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: options.port ?? 0 }, () => {
      server.off('error', reject);
      const addr = server.address();
      controlUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      resolve({
        url: controlUrl,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
