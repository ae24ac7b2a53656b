// The one API both sides speak. Isomorphic: imports nothing but zod.
import { z } from 'zod';

export const ERROR_CODES = ['bad_input', 'not_found', 'unknown_call', 'conflict', 'unavailable', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ErrorInfo { code: ErrorCode; message: string }
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Thrown by services and by clients; carries an envelope-ready code. */
export class StationError extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
    this.name = 'StationError';
  }
}

/** "settings.ffmpegPath: must be an absolute path" — names the field and the problem. */
export function describeZodError(error: z.ZodError, root = 'input'): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}

// ---- shared shapes ----

const Folder = z.object({
  path: z.string(),
  freeBytes: z.number().nonnegative(),
  totalBytes: z.number().nonnegative(),
});

const Tool = z.discriminatedUnion('found', [
  z.object({
    found: z.literal(true),
    path: z.string(),
    version: z.string(),
    source: z.enum(['configured', 'ffmpeg-static', 'PATH']),
  }),
  z.object({ found: z.literal(false), error: z.string() }),
]);

export const StationStatus = z.object({
  version: z.string(),
  mode: z.enum(['electron', 'browser']),
  startedAt: z.number(),
  uptimeMs: z.number(),
  pid: z.number(),
  node: z.string(),
  platform: z.string(),
  ffmpeg: Tool,
  ffprobe: Tool,
  dataDir: Folder,
  recordingsDir: Folder,
  logDir: z.string(),
  database: z.object({ path: z.string(), schemaVersion: z.number().int(), latestSchemaVersion: z.number().int() }),
});
export type StationStatus = z.infer<typeof StationStatus>;

const absolutePath = z
  .string()
  .max(4096)
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');

export const Settings = z.object({
  ffmpegPath: absolutePath.nullable(),
  ffprobePath: absolutePath.nullable(),
  recordingsDir: absolutePath,
});
export type Settings = z.infer<typeof Settings>;

// ---- channels (camera streams) and live view ----

export const STREAM_PROFILES = ['main', 'sub'] as const;
export type StreamProfile = (typeof STREAM_PROFILES)[number];

const rtspUrl = z
  .string()
  .max(2048)
  .refine((u) => { try { return /^rtsps?:$/.test(new URL(u).protocol); } catch { return false; } }, 'must be an rtsp:// or rtsps:// URL');

/** A camera channel as the renderer sees it: URLs never carry credentials. */
export const Channel = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  mainUrl: z.string(),
  subUrl: z.string().nullable(),
  hasCredentials: z.boolean(),
  createdAt: z.number(),
});
export type Channel = z.infer<typeof Channel>;

export const StreamId = z.string().regex(/^\d+\/(main|sub)$/, 'must look like "<channel id>/main" or "<channel id>/sub"');

export const StreamState = z.enum(['idle', 'connecting', 'live', 'stalled', 'offline', 'auth_failed']);
export const StreamStatus = z.object({
  streamId: z.string(),
  state: StreamState,
  reason: z.string().optional(),
  retryAt: z.number().optional(),
  failures: z.number().int(),
  codec: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  /** Served by a transcoder because the renderer cannot decode the camera's codec. */
  transcoded: z.boolean().optional(),
});
export type StreamStatus = z.infer<typeof StreamStatus>;

/** Binary media frames (WebSocket binary messages / the Electron MessagePort), one layout for both. */
export const MEDIA_FRAME = { init: 0, fragment: 1, end: 2 } as const;
export interface MediaFrame {
  channel: number;
  kind: 'init' | 'fragment' | 'end';
  keyframe: boolean;
  /** For init frames: the codec string and size read from the stream's own init segment. */
  meta?: { codec: string; width: number; height: number; transcoded?: boolean };
  payload: Uint8Array;
}

/** u32 channel | u8 kind | u8 flags (bit 0: keyframe) | [init: u16 meta length | meta JSON] | payload */
export function encodeMediaFrame(f: MediaFrame): Uint8Array {
  const meta = f.meta ? new TextEncoder().encode(JSON.stringify(f.meta)) : new Uint8Array(0);
  const head = 6 + (f.kind === 'init' ? 2 + meta.length : 0);
  const out = new Uint8Array(head + f.payload.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, f.channel);
  v.setUint8(4, MEDIA_FRAME[f.kind]);
  v.setUint8(5, f.keyframe ? 1 : 0);
  if (f.kind === 'init') {
    v.setUint16(6, meta.length);
    out.set(meta, 8);
  }
  out.set(f.payload, head);
  return out;
}

export function decodeMediaFrame(buf: ArrayBuffer | Uint8Array): MediaFrame {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  if (bytes.length < 6) throw new Error('media frame: shorter than its header');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kindNo = v.getUint8(4);
  const kind = (['init', 'fragment', 'end'] as const)[kindNo];
  if (!kind) throw new Error(`media frame: unknown kind ${kindNo}`);
  let at = 6;
  let meta: MediaFrame['meta'];
  if (kind === 'init') {
    const n = v.getUint16(6);
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as MediaFrame['meta'];
    at = 8 + n;
  }
  return { channel: v.getUint32(0), kind, keyframe: (v.getUint8(5) & 1) === 1, meta, payload: bytes.subarray(at) };
}

// ---- calls: name -> input and output schemas ----

function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}
const NoInput = z.object({}).strict();

export const calls = {
  'station.status': call(NoInput, StationStatus),
  'settings.get': call(NoInput, Settings),
  'settings.update': call(Settings.partial().strict(), Settings),
  'channels.list': call(NoInput, z.array(Channel)),
  'channels.addRtsp': call(
    z.object({ name: z.string().trim().min(1).max(100), mainUrl: rtspUrl, subUrl: rtspUrl.nullable().default(null) }).strict(),
    Channel,
  ),
  'channels.rename': call(z.object({ id: z.number().int().positive(), name: z.string().trim().min(1).max(100) }).strict(), Channel),
  'channels.remove': call(z.object({ id: z.number().int().positive() }).strict(), z.object({ removed: z.boolean() })),
  'streams.status': call(NoInput, z.array(StreamStatus)),
  'streams.retry': call(z.object({ streamId: StreamId }).strict(), z.object({})),
  /** Starts sending a stream's fMP4 on this client's media channel; `hevc`: the renderer decodes H.265 itself. */
  'live.open': call(
    z.object({ streamId: StreamId, hevc: z.boolean().default(false) }).strict(),
    z.object({ channel: z.number().int().nonnegative() }),
  ),
  'live.close': call(z.object({ channel: z.number().int().nonnegative() }).strict(), z.object({})),
  'live.snapshot': call(
    z.object({ channelId: z.number().int().positive() }).strict(),
    z.object({ path: z.string(), jpegBase64: z.string(), width: z.number(), height: z.number(), takenAt: z.number() }),
  ),
} as const;

export type CallName = keyof typeof calls;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = z.output<(typeof calls)[K]['output']>;
export const CALL_NAMES = Object.keys(calls) as CallName[];
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}

// ---- events: name -> payload schema ----

export const events = {
  'station.heartbeat': z.object({ at: z.number(), uptimeMs: z.number() }),
  'settings.changed': Settings,
  'channels.changed': z.array(Channel),
  'stream.status': StreamStatus,
} as const;

export type EventName = keyof typeof events;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

// ---- transports ----

/** Browser mode: the WebSocket path and its JSON text frames (media travels as binary frames). */
export const WS_PATH = '/ws';
export const WS_MAX_FRAME_BYTES = 1024 * 1024;
export const ClientFrame = z.object({
  t: z.literal('call'),
  id: z.number().int().nonnegative(),
  name: z.string().max(100),
  input: z.unknown(),
});
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ServerFrame =
  | { t: 'result'; id: number; result: Result<unknown> }
  | { t: 'event'; name: EventName; payload: unknown };

export { IPC, MEDIA_PORT_MESSAGE, type StationBridge } from './bridge';
