// Camera channels, stream status and the live media channel.
import { z } from 'zod';
import { call, NoInput, needs } from './common';

export const STREAM_PROFILES = ['main', 'sub'] as const;
/** How much of a live stream a viewer is sent: every frame, or keyframes only (small tiles of a large layout: one picture a GOP). */
export const LIVE_RATES = ['full', 'keyframes'] as const;
export type LiveRate = (typeof LIVE_RATES)[number];
export type StreamProfile = (typeof STREAM_PROFILES)[number];

/** An rtsp:// or rtsps:// URL that names a host (`rtsp://` alone parses as a URL with an empty host). */
export const RtspUrl = z
  .string()
  .max(2048)
  .refine((u) => { try { return /^rtsps?:$/.test(new URL(u).protocol); } catch { return false; } }, 'field.notRtspUrl')
  .refine((u) => { try { return new URL(u).hostname !== ''; } catch { return true; } }, 'field.noHost');

/** How the station reaches a camera's speaker: the ONVIF RTSP audio back channel, or Dahua's HTTP audio upload. */
export const TalkVia = z.enum(['onvif', 'dahua']);
/** talk.audio's most: one second of 8 kHz 16-bit PCM in base64. */
export const TALK_MAX_PCM_BASE64 = Math.ceil((8000 * 2) / 3) * 4;

/** A camera channel as the renderer sees it: URLs never carry credentials. */
export const Channel = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  mainUrl: z.string(),
  subUrl: z.string().nullable(),
  hasCredentials: z.boolean(),
  createdAt: z.number(),
  /** The camera takes ONVIF PTZ commands on this channel (probed from its media profile). */
  ptz: z.boolean().default(false),
  /** The camera has a speaker here (its ONVIF audio outputs, Dahua's getCollect): `talk.start` may be used. Optional so
   *  an older station's list still parses. */
  speaker: z.boolean().optional(),
  /** The device (camera, NVR) the channel came from; none for a channel added by RTSP URL. On a desk, a remote channel's device is its station's. */
  device: z.object({ id: z.number().int().positive(), name: z.string() }).optional(),
  /** A remote station's channel (issue 14): the station it records on; its id here is namespaced (sites.ts `siteChannelId`). */
  site: z.object({ id: z.number().int().positive(), name: z.string() }).optional(),
  /** A fisheye lens: tiles can show the picture de-warped (renderer/src/features/live/fisheye.ts). */
  lens: z.lazy(() => FisheyeLens).optional(),
});
export type Channel = z.infer<typeof Channel>;

/**
 * Where a fisheye picture's circle lies and how the camera hangs: centre as fractions of the picture's width and height,
 * radius as a fraction of its height; `ceiling` looks down, `floor` up, `wall` ahead (its de-warped panorama is 180°).
 */
export const FisheyeLens = z.object({
  cx: z.number().min(0).max(1),
  cy: z.number().min(0).max(1),
  radius: z.number().min(0.05).max(1.5),
  mount: z.enum(['ceiling', 'wall', 'floor']),
}).strict();
export type FisheyeLens = z.infer<typeof FisheyeLens>;

export const StreamId = z.string().regex(/^\d+\/(main|sub)$/, 'field.notStreamId');

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
  /** The stream carries audio (this codec, e.g. mp4a.40.2): players may ask for it. */
  audio: z.string().optional(),
});
export type StreamStatus = z.infer<typeof StreamStatus>;

/** What an init frame says about the stream that follows. */
export interface MediaFrameMeta {
  /** Codec strings read from the stream's own init segment: video, and audio when this init has an audio track. */
  codec: string;
  audio?: string;
  width: number;
  height: number;
  transcoded?: boolean;
  /** Decode time (s) of the first fragment that follows, when known (a live start: the cached GOP's keyframe). */
  start?: number;
}

/** Binary media frames (WebSocket binary messages / the Electron MessagePort), one layout for both. */
export const MEDIA_FRAME = { init: 0, fragment: 1, end: 2 } as const;
export interface MediaFrame {
  channel: number;
  kind: 'init' | 'fragment' | 'end';
  keyframe: boolean;
  /** For init frames. */
  meta?: MediaFrameMeta;
  /**
   * For live fragments: when the station received it (its wall clock, ms) and its decode time (s), for the tile's latency;
   * `capturedAt`: when the camera captured it by the camera's clock (ms), where the stream says (RTCP sender reports).
   */
  stamp?: { arrivedAt: number; time: number; capturedAt?: number };
  payload: Uint8Array;
}

/**
 * u32 channel | u8 kind | u8 flags (bit 0: keyframe, bit 1: stamped, bit 2: camera time) | [init: u16 meta length | meta JSON]
 * | [stamped: f64 arrivedAt | f64 time] | [camera time: f64 capturedAt] | payload
 */
export function encodeMediaFrame(f: MediaFrame): Uint8Array {
  const head = encodeMediaFrameHead(f);
  const out = new Uint8Array(head.length + f.payload.length);
  out.set(head);
  out.set(f.payload, head.length);
  return out;
}

/** The frame without its payload, for transports that send the payload after it without copying it. */
export function encodeMediaFrameHead(f: MediaFrame): Uint8Array {
  const meta = f.meta ? new TextEncoder().encode(JSON.stringify(f.meta)) : new Uint8Array(0);
  const stamped = f.kind === 'fragment' && !!f.stamp;
  const camera = stamped && f.stamp!.capturedAt !== undefined;
  const out = new Uint8Array(6 + (f.kind === 'init' ? 2 + meta.length : 0) + (stamped ? 16 : 0) + (camera ? 8 : 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, f.channel);
  v.setUint8(4, MEDIA_FRAME[f.kind]);
  v.setUint8(5, (f.keyframe ? 1 : 0) | (stamped ? 2 : 0) | (camera ? 4 : 0));
  if (f.kind === 'init') {
    v.setUint16(6, meta.length);
    out.set(meta, 8);
  }
  if (stamped) {
    v.setFloat64(6, f.stamp!.arrivedAt);
    v.setFloat64(14, f.stamp!.time);
    if (camera) v.setFloat64(22, f.stamp!.capturedAt!);
  }
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
  let stamp: MediaFrame['stamp'];
  if (kind === 'fragment' && (v.getUint8(5) & 2) === 2) {
    const camera = (v.getUint8(5) & 4) === 4;
    if (bytes.length < (camera ? 30 : 22)) throw new Error('media frame: shorter than its stamp');
    stamp = { arrivedAt: v.getFloat64(6), time: v.getFloat64(14), ...(camera ? { capturedAt: v.getFloat64(22) } : {}) };
    at = camera ? 30 : 22;
  }
  return { channel: v.getUint32(0), kind, keyframe: (v.getUint8(5) & 1) === 1, meta, stamp, payload: bytes.subarray(at) };
}

const ptzSpeed = z.number().min(-1, 'PTZ speeds run from -1 to 1').max(1, 'PTZ speeds run from -1 to 1');
const presetToken = z.string().min(1).max(64);
export const PtzPreset = z.object({ token: z.string(), name: z.string() });
export type PtzPreset = z.infer<typeof PtzPreset>;

export const ActiveClip = z.object({
  clipId: z.number().int().positive(),
  channelId: z.number().int().positive(),
  path: z.string(),
  startedAt: z.number(),
  maxMs: z.number(),
});
export type ActiveClip = z.infer<typeof ActiveClip>;

const ClipResult = z.object({
  path: z.string(),
  bytes: z.number(),
  durationMs: z.number(),
  reason: z.enum(['user', 'max-length', 'page-gone', 'stream-restarted', 'channel-removed', 'shutdown']),
});

/** Up to 64 tiles, each a channel or empty. */
const TileChannels = z.array(z.number().int().positive().nullable()).max(64);
/** A saved view: a layout and the camera in each of its tiles. */
export const SavedView = z.object({ name: z.string().trim().min(1).max(60), layoutId: z.string().min(1).max(60), tiles: TileChannels });
export type SavedView = z.infer<typeof SavedView>;
export const LayoutCell = z.object({ col: z.number().int().min(0).max(7), row: z.number().int().min(0).max(7), w: z.number().int().min(1).max(8), h: z.number().int().min(1).max(8) });
/** Cells inside the grid, none overlapping, every grid position covered. */
function cellsFill(l: { grid: number; cells: z.infer<typeof LayoutCell>[] }): boolean {
  const taken = new Set<number>();
  for (const c of l.cells) {
    if (c.col + c.w > l.grid || c.row + c.h > l.grid) return false;
    for (let r = c.row; r < c.row + c.h; r++) for (let k = c.col; k < c.col + c.w; k++) {
      if (taken.has(r * 8 + k)) return false;
      taken.add(r * 8 + k);
    }
  }
  return taken.size === l.grid * l.grid;
}
/** A layout drawn in the layout editor (`custom:<label>`). */
const CustomLayoutFields = z.object({
  id: z.string().regex(/^custom:/, 'field.invalidFormat').max(60),
  label: z.string().trim().min(1).max(24),
  grid: z.number().int().min(1).max(8),
  cells: z.array(LayoutCell).min(1).max(64),
});
const fills = { message: 'field.invalid', path: ['cells'] };
export const CustomLayout = CustomLayoutFields.refine(cellsFill, fills);
export type CustomLayout = z.infer<typeof CustomLayout>;
/** What a Live desk keeps in the station, so it follows the user to another desk: saved views (the tour goes through them in this order), custom layouts, a tour's time per view. */
export const LiveDesk = z.object({ views: z.array(SavedView), layouts: z.array(CustomLayout), tourSeconds: z.number().int() });
export type LiveDesk = z.infer<typeof LiveDesk>;
export const TOUR_SECONDS = { min: 3, max: 600, initial: 20 } as const;

export const liveCalls = {
  'channels.list': call(needs.channelList('live', 'id'), NoInput, z.array(Channel)),
  'channels.addRtsp': call(needs.station('devices'), 
    z.object({
      name: z.string().trim().min(1).max(100), mainUrl: RtspUrl, subUrl: RtspUrl.nullable().default(null),
      /** A URL another camera already streams from is refused unless this says the user confirmed it. */
      allowSameUrl: z.boolean().default(false),
    }).strict(),
    Channel,
  ),
  'channels.rename': call(needs.station('devices'), z.object({ id: z.number().int().positive(), name: z.string().trim().min(1).max(100) }).strict(), Channel),
  /** A channel's fisheye lens, or none (`lens: null`). */
  'channels.setLens': call(needs.station('devices'), z.object({ id: z.number().int().positive(), lens: FisheyeLens.nullable() }).strict(), Channel),
  'channels.remove': call(needs.station('devices'), z.object({ id: z.number().int().positive() }).strict(), z.object({ removed: z.boolean() })),
  'streams.status': call(needs.channelList('live', 'streamId'), NoInput, z.array(StreamStatus)),
  'streams.retry': call(needs.channel('live', 'streamId'), z.object({ streamId: StreamId }).strict(), z.object({})),
  /**
   * Starts sending a stream's fMP4 on this client's media channel; `hevc`: the renderer decodes H.265 itself; `audio`: with
   * the camera's audio track (only the tile being listened to asks: audio costs decoding, and MSE plays a buffer only as far
   * as both tracks reach, so a track not heard would only add latency).
   */
  'live.open': call(needs.channel('live', 'streamId'), 
    z.object({ streamId: StreamId, hevc: z.boolean().default(false), audio: z.boolean().default(false), rate: z.enum(LIVE_RATES).default('full') }).strict(),
    z.object({ channel: z.number().int().nonnegative() }),
  ),
  'live.close': call(needs.channel('live'), z.object({ channel: z.number().int().nonnegative() }).strict(), z.object({})),
  /** Changes what an open media channel is sent; back to full rate from the stream's next keyframe. */
  'live.rate': call(needs.channel('live'), z.object({ channel: z.number().int().nonnegative(), rate: z.enum(LIVE_RATES) }).strict(), z.object({})),
  'live.snapshot': call(needs.channel('live', 'channelId'), 
    z.object({ channelId: z.number().int().positive() }).strict(),
    z.object({ path: z.string(), jpegBase64: z.string(), width: z.number(), height: z.number(), takenAt: z.number() }),
  ),
  /**
   * Local recording of what a tile shows, to a file (fMP4 from the cached keyframe, no re-encoding, timestamps from 0).
   * The station's, not the page's: one per channel (starting again gives the running one), listed by live.clips, ended at
   * `maxMinutes` or a minute after the last page that showed it went away, and kept.
   */
  'live.clipStart': call(needs.channel('export', 'channelId'), 
    z.object({ channelId: z.number().int().positive(), profile: z.enum(STREAM_PROFILES).default('main'), maxMinutes: z.number().int().min(1).max(240).default(30) }).strict(),
    ActiveClip,
  ),
  'live.clipStop': call(needs.item('export', 'clip', 'clipId'), z.object({ clipId: z.number().int().positive() }).strict(), ClipResult),
  'live.clips': call(needs.channelList('export', 'channelId'), NoInput, z.array(ActiveClip)),
  'live.desk': call(needs.signIn, NoInput, LiveDesk),
  /** Saves a view under its name (a saved name is overwritten in its place in the tour). */
  'live.views.save': call(needs.signIn, SavedView.strict(), LiveDesk),
  'live.views.delete': call(needs.signIn, z.object({ name: z.string().trim().min(1).max(60) }).strict(), LiveDesk),
  /** Saves a custom layout under its id (a saved one is overwritten). */
  'live.layouts.save': call(needs.signIn, CustomLayoutFields.strict().refine(cellsFill, fills), LiveDesk),
  /** Deletes a custom layout; views that showed it keep their cameras and open in the 4-tile layout. */
  'live.layouts.delete': call(needs.signIn, z.object({ id: z.string().min(1).max(60) }).strict(), LiveDesk),
  'live.tour.set': call(needs.signIn, z.object({ seconds: z.number().int().min(TOUR_SECONDS.min).max(TOUR_SECONDS.max) }).strict(), LiveDesk),
  /** Continuous move at these speeds (-1..1; 0 = that axis stands) until live.ptz.stop or a safety timeout. */
  'live.ptz.move': call(needs.channel('ptz', 'channelId'), 
    z.object({ channelId: z.number().int().positive(), pan: ptzSpeed, tilt: ptzSpeed, zoom: ptzSpeed.default(0) }).strict(),
    z.object({}),
  ),
  'live.ptz.stop': call(needs.channel('ptz', 'channelId'), z.object({ channelId: z.number().int().positive() }).strict(), z.object({})),
  'live.ptz.presets': call(needs.channel('ptz', 'channelId'), z.object({ channelId: z.number().int().positive() }).strict(), z.array(PtzPreset)),
  'live.ptz.gotoPreset': call(needs.channel('ptz', 'channelId'), z.object({ channelId: z.number().int().positive(), token: presetToken }).strict(), z.object({})),
  /** Saves the camera's current position under a name; with a token, overwrites that preset. */
  'live.ptz.setPreset': call(needs.channel('ptz', 'channelId'), 
    z.object({ channelId: z.number().int().positive(), name: z.string().trim().min(1, 'a preset needs a name').max(64), token: presetToken.optional() }).strict(),
    PtzPreset,
  ),
  /**
   * Two-way audio: opens the channel's speaker for this connection (the ONVIF audio back channel, else Dahua's audio
   * upload), then `talk.audio` carries the microphone and `talk.stop` ends it. One voice per speaker at a time.
   */
  'talk.start': call(needs.channel('audio', 'channelId'), z.object({ channelId: z.number().int().positive() }).strict(), z.object({ via: TalkVia })),
  /** Microphone audio: 8 kHz mono 16-bit little-endian PCM, base64 (at most 1 s a call); the station codes it to G.711. */
  'talk.audio': call(needs.channel('audio', 'channelId'),
    z.object({ channelId: z.number().int().positive(), pcm: z.string().max(TALK_MAX_PCM_BASE64).regex(/^[A-Za-z0-9+/]*={0,2}$/) }).strict(),
    z.object({}),
  ),
  /** Ends this connection's talk on the channel: how long it lasted (also when the camera had hung up before). */
  'talk.stop': call(needs.channel('audio', 'channelId'), z.object({ channelId: z.number().int().positive() }).strict(), z.object({ via: TalkVia, seconds: z.number() })),
} as const;

export const liveSignals = {
  'channels.changed': z.array(Channel),
  'stream.status': StreamStatus,
  'live.clips': z.array(ActiveClip),
  /** Saved views, custom layouts or the tour changed (at any desk). */
  'live.desk': LiveDesk,
  'live.clipEnded': ClipResult.extend({ clipId: z.number().int().positive(), channelId: z.number().int().positive() }),
} as const;
