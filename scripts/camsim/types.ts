// The seam between camsim's media half (video/, rtsp/) and its device half (onvif/, dahua/,
// discovery/, device.ts, fleet.ts, cli.ts). Both halves import only this file from each other, besides
// the auth they share (digest-auth.ts, login-guard.ts).

export type Codec = 'h264' | 'h265';
export type Profile = 'main' | 'sub';
/** camsim's own RTSP, three vendors', and live555's (Reolink and Uniview firmware): rtsp/dialect.ts. */
export type RtspDialectName = 'generic' | 'hikvision' | 'dahua' | 'axis' | 'live555';

export interface StreamSpec {
  /** 1-based channel number on its device. */
  channel: number;
  /** Drawn on every frame. */
  channelName: string;
  profile: Profile;
  codec: Codec;
  /** main 1920x1080, sub 640x360 unless a fault changed it. */
  width: number;
  height: number;
  fps: number;
  /** Keyframe interval in seconds (default 2). */
  gopSeconds: number;
  /** true: live-encoded with the timestamp code (for latency benches); false: replayed cached loop. */
  live: boolean;
  /** Set only on a fisheye camera: its picture is a 180° circle (render-args.ts). */
  fisheye?: true;
  /** Set only on a camera with people: photographs with faces on its picture (video/face-scene.ts). */
  facePhotos?: true;
}

/** A rectangle as fractions of the picture (0..1), origin top left. */
export interface SceneRegion {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What a channel's picture shows besides its labels and timestamp code. */
export interface SceneSpec {
  /** true: the test pattern held still (its first frame), so only drawn motion moves. */
  still: boolean;
  /** A white box moving back and forth inside this region; null: none. */
  motion: SceneRegion | null;
}

/** One encoder or loop replayer per stream, shared by every RTSP client of that stream. */
export interface SimStream {
  readonly spec: StreamSpec;
  /** JPEG of the current picture. */
  snapshotJpeg(): Promise<Buffer>;
  /** PTZ: move the visible window over the scene; x, y in [-1, 1]. */
  setPan(x: number, y: number): void;
  /** Fault: change resolution mid-stream (new parameter sets, clients see the change). */
  setResolution(width: number, height: number): void;
  /** Still scene and drawn motion; switches at the next keyframe, the stream's timing continues. */
  setScene(scene: SceneSpec): void;
  close(): Promise<void>;
  /** Added by the media half: parameter sets of the current picture, once known (waits for the encoder). */
  parameterSets(): Promise<StreamParameterSets>;
  /** Added by the media half: frames from the current GOP's keyframe on, then live; returns the unsubscribe. */
  subscribe(listener: (unit: MediaUnit) => void): () => void;
  /** Added by the media half: the camera's card (a rolling store of this stream's own output); absent for live encoders. */
  readonly card?: SimCard;
}

/** A camera's SD card: what the stream put out over the last minutes, whether or not anyone watched. */
export interface SimCard {
  /** What the card holds, wall-clock ms (its rolling window: the newest minutes). */
  window(): { start: number; end: number };
  /** Frames in [from, to): from the keyframe at or before `from`, none the card lacks (resuming at a keyframe after a hole). */
  frames(from: number, to: number): Iterable<MediaUnit>;
  /** Fault: the card lacks [start, end) (a bad sector, an overwritten file). */
  lose(start: number, end: number): void;
}

/** Added by the media half: H.264 SPS/PPS, H.265 VPS/SPS/PPS, as NAL units without start codes. */
export interface StreamParameterSets {
  vps?: Buffer;
  sps: Buffer;
  pps: Buffer;
}

/** Added by the media half: one access unit (frame) of a SimStream. */
export interface MediaUnit {
  /** NAL units without start codes, in decode order; keyframes start with the parameter sets. */
  readonly nals: readonly Buffer[];
  readonly keyframe: boolean;
  /** 90 kHz RTP timestamp, monotonic across loop wraps, pans and resolution changes. */
  readonly rtpTime: number;
  /** Wall-clock ms of the frame: when the live encoder delivered it, or its scheduled time in a replayed loop. */
  readonly wallMs: number;
}

export interface RtspServerOptions {
  host: string;
  port: number;
  realm: string;
  /** Password of a user for digest auth, undefined for an unknown user. Omit for no auth. */
  passwordOf?: (username: string) => string | undefined;
  /** Maps a request path+query (`/cam/realmonitor?channel=1&subtype=0`, ONVIF URIs) to a stream. */
  resolve(pathAndQuery: string): SimStream | undefined;
  /** Maps a playback path (Dahua `/cam/playback?channel=1&starttime=…`, ONVIF replay URIs) to a stream's card and the range the URL names. */
  resolvePlayback?(pathAndQuery: string): { stream: SimStream; range?: { start: number; end: number }; onvif?: boolean } | undefined;
  /** A channel's speaker for the ONVIF audio back channel (`Require: www.onvif.org/ver20/backchannel`): undefined when the
   *  stream's channel has none (DESCRIBE then answers 551, as a server without the feature does). */
  backchannel?(pathAndQuery: string): { open(): BackchannelSink } | undefined;
  /** Shared with HTTP/ONVIF: a client IP locked out after repeated failures gets 401/403 here too. */
  lockout?: LoginGuard;
  /** How the server words its answers (rtsp/dialect.ts: SDP, challenge, headers); camsim's own, with `realm`, when absent. */
  dialect?: { name: RtspDialectName; serial: string; mac: string };
}

/** One back channel set up: the client's RTP packets (G.711 µ-law, payload type 0), then its end. */
export interface BackchannelSink {
  rtp(packet: Buffer): void;
  end(): void;
}

export interface RtspServer {
  readonly port: number;
  /** Fault: close every session now. */
  dropAll(): void;
  /** Fault: keep sockets open but send no data while on. */
  setStalled(on: boolean): void;
  /** Fault: the next packet of every session is corrupted. */
  corruptNext(): void;
  /** Fault: delay every RTSP reply by ms. */
  setReplyDelay(ms: number): void;
  close(): Promise<void>;
}

/** Lock out a client IP after N failed logins for a set time, as real devices do. */
export interface LoginGuard {
  isLocked(ip: string): { locked: boolean; retryAfterMs: number };
  recordFailure(ip: string): void;
  recordSuccess(ip: string): void;
}

/** What the media half provides the devices; fleet.ts wires the real one in (or placeholder media). */
export interface MediaBackend {
  createStream(spec: StreamSpec): SimStream;
  startRtspServer(options: RtspServerOptions): Promise<RtspServer>;
}
