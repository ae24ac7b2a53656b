// The one API both sides speak. Isomorphic: imports nothing but zod.
import { z } from 'zod';
import { authCalls, authSignals } from './auth';
import { call, NoInput, needs } from './common';
import { bookmarkCalls } from './bookmarks';
import type { Result } from './errors';
import { deviceCalls, deviceSignals } from './devices';
import { eventCalls, eventSignals } from './events';
import { healthCalls } from './health';
import { liveCalls, liveSignals } from './live';
import { mqttCalls, mqttSignals } from './mqtt';
import { privacyCalls, privacySignals } from './privacy';
import { recordingCalls, recordingSignals } from './recording';
import { redactionCalls, redactionSignals } from './redaction';
import { subjectRequestCalls, subjectRequestSignals } from './subject-requests';
import { sitesCalls, sitesSignals } from './sites';
import { shareCalls } from './shares';

export * from './auth';
export * from './bookmarks';
export { CHANNEL_RIGHTS, STATION_RIGHTS, type Access, type ChannelRight, type ItemKind, type ItemRef, type Right, type StationRight } from './common';
export * from './countries';
export * from './devices';
export * from './events';
export * from './health';
export * from './live';
export * from './mqtt';
export * from './privacy';
export * from './recording';
export * from './redaction';
export * from './subject-requests';
export * from './sites';
export * from './shares';

export * from './errors';

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

/**
 * The contract's version, "major.minor", sent in `station.status` (a desk reads it at sign-in with another station). A change
 * an older peer cannot follow (a call removed or renamed, a field's meaning changed) raises the major; a call or an optional
 * field added raises the minor. Stations of the same major work together; a station that sends none is "1.0".
 */
export const CONTRACT_VERSION = '1.2';
/** The major of a contract version ("2.3" -> 2); 0 for anything unreadable (never compatible). */
export const contractMajor = (v: string): number => (/^\d+\.\d+$/.test(v) ? Number(v.split('.')[0]) : 0);

export const StationStatus = z.object({
  version: z.string(),
  /** CONTRACT_VERSION of this station. */
  contract: z.string(),
  mode: z.enum(['electron', 'browser']),
  startedAt: z.number(),
  uptimeMs: z.number(),
  pid: z.number(),
  node: z.string(),
  platform: z.string(),
  /** IANA zone the station's clock runs in; pages show times in it. */
  timeZone: z.string(),
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
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'field.notAbsolutePath');

/** The languages of the catalogues; the renderer and the desktop shell word things in one of them. */
export const LANGUAGES = ['en', 'zh', 'de', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export const Settings = z.object({
  ffmpegPath: absolutePath.nullable(),
  ffprobePath: absolutePath.nullable(),
  recordingsDir: absolutePath,
  /** The language chosen in Settings, for what the station's host shows itself (notifications, tray, menus); null: the system's. */
  language: z.enum(LANGUAGES).nullable(),
});
export type Settings = z.infer<typeof Settings>;

// ---- calls: name -> input and output schemas ----


export const calls = {
  'station.status': call(needs.signIn, NoInput, StationStatus),
  'settings.get': call(needs.signIn, NoInput, Settings),
  /** `createFolder`: a recordings folder that does not exist is made (else refused, so a typo makes no folders anywhere). */
  'settings.update': call(needs.station('settings'), Settings.partial().extend({ createFolder: z.boolean().optional() }).strict(), Settings),
  /** A zip of logs, versions, system facts, configuration and recent errors with secrets and personal data removed; nothing is sent. */
  'diagnostics.create': call(needs.station('settings'), NoInput, z.object({
    fileName: z.string(), createdAt: z.number(),
    files: z.array(z.object({ name: z.string(), bytes: z.number().int(), text: z.string() })),
    zipBase64: z.string(),
  })),
  ...liveCalls,
  ...privacyCalls,
  ...recordingCalls,
  ...bookmarkCalls,
  ...eventCalls,
  ...deviceCalls,
  ...authCalls,
  ...redactionCalls,
  ...subjectRequestCalls,
  ...sitesCalls,
  ...shareCalls,
  ...mqttCalls,
  ...healthCalls,
} as const;

export type CallName = keyof typeof calls;
export type CallInput<K extends CallName> = z.input<(typeof calls)[K]['input']>;
export type CallOutput<K extends CallName> = z.output<(typeof calls)[K]['output']>;
export const CALL_NAMES = Object.keys(calls) as CallName[];
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name);
}

// ---- events: name -> payload schema ----

export const signals = {
  'station.heartbeat': z.object({ at: z.number(), uptimeMs: z.number() }),
  'settings.changed': Settings,
  ...liveSignals,
  ...privacySignals,
  ...recordingSignals,
  ...eventSignals,
  ...deviceSignals,
  ...authSignals,
  ...redactionSignals,
  ...subjectRequestSignals,
  ...sitesSignals,
  ...mqttSignals,
} as const;

export type SignalName = keyof typeof signals;
export type SignalPayload<K extends SignalName> = z.output<(typeof signals)[K]>;
export const SIGNAL_NAMES = Object.keys(signals) as SignalName[];
export function isSignalName(name: unknown): name is SignalName {
  return typeof name === 'string' && Object.hasOwn(signals, name);
}

// ---- transports ----

/** Browser mode: the WebSocket path and its JSON text frames (media travels as binary frames). */
export const WS_PATH = '/ws';
export const WS_MAX_FRAME_BYTES = 1024 * 1024;
/**
 * The close code of a WebSocket whose sign-in the station ended (its account's password changed or reset); the close's
 * reason is the refusal's reason key (`auth.passwordChanged`), which the other side words.
 */
export const WS_CLOSE_SIGNED_OUT = 4001;
export const ClientFrame = z.object({
  t: z.literal('call'),
  id: z.number().int().nonnegative(),
  name: z.string().max(100),
  input: z.unknown(),
});
export type ClientFrame = z.infer<typeof ClientFrame>;
export type ServerFrame =
  | { t: 'result'; id: number; result: Result<unknown> }
  | { t: 'signal'; name: SignalName; payload: unknown };

export { DESKTOP_REQUESTS, IPC, MEDIA_PORT_MESSAGE, type DesktopBridge, type DesktopRequests, type DisplayInfo, type StationBridge, type WindowShot } from './bridge';
