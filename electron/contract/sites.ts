// Many stations, one desk (issue 14): a station may serve desks on the LAN over TLS, and a desk adds other stations by
// address. The desk's own core is its gateway: the renderer talks to its own station only, and a remote station's
// channels appear in `channels.list` under ids namespaced by station (`siteChannelId`).
import { z } from 'zod';
import { call, NoInput, needs } from './common';
import { ArchiveSettings, ChannelRecordingConfig, RecordingConfig, RecordingStatus } from './recording';

/** A remote channel's id on the desk: the site's number times a million plus its id on that station. */
export const SITE_CHANNEL_BASE = 1_000_000;
export const siteChannelId = (siteId: number, remoteId: number): number => siteId * SITE_CHANNEL_BASE + remoteId;
/** The site and remote id of a desk channel id, or null for the station's own channels. */
export function splitSiteChannel(id: number): { siteId: number; remoteId: number } | null {
  if (id < SITE_CHANNEL_BASE) return null;
  return { siteId: Math.floor(id / SITE_CHANNEL_BASE), remoteId: id % SITE_CHANNEL_BASE };
}

/** SHA-256 of the certificate, as `AB:CD:…` (32 pairs). */
export const Fingerprint = z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'field.notFingerprint');
const host = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:\-[\]]+$/, 'field.notHost');
const port = z.number().int().min(1).max(65535);

/** Serving desks on the LAN: off by default. */
export const RemoteServing = z.object({
  enabled: z.boolean(),
  host,
  port,
  /** The station's own certificate (made on first use). */
  fingerprint: Fingerprint.nullable(),
  /** Listening now, or why not. */
  listening: z.boolean(),
  error: z.string().nullable(),
  /** Desks connected now. */
  desks: z.number().int().nonnegative(),
});
export type RemoteServing = z.infer<typeof RemoteServing>;

/**
 * `incompatible`: the station speaks another major of the contract (`CONTRACT_VERSION`): not used until one of them is
 * updated. `not_answering`: its connection was open but it answered nothing for a while (a hung station), or the tries
 * to reach it since time out; tried again like `offline`.
 */
export const SITE_STATES = ['connecting', 'untrusted', 'certificate_changed', 'signing_in', 'auth_failed', 'incompatible', 'online', 'offline', 'not_answering'] as const;
export type SiteState = (typeof SITE_STATES)[number];

/**
 * Failover recording: this station as the standby of a site (its primary). `unpaired`: no camera list fetched yet;
 * `watching`: the primary answers; `waiting`: it stopped answering, the standby takes over at `takeoverAt`; `recording`:
 * the standby records its cameras since `since`; `handing_back`: the primary answers again, the standby records until
 * the primary's own recorders run (at most a short while).
 */
export const STANDBY_STATES = ['unpaired', 'watching', 'waiting', 'recording', 'handing_back'] as const;
export type StandbyState = (typeof STANDBY_STATES)[number];
export const STANDBY_WAIT_DEFAULT_S = 30;
const waitSeconds = z.number().int().min(2).max(3600);

export const SiteStandby = z.object({
  waitSeconds,
  state: z.enum(STANDBY_STATES),
  /** The primary's cameras known from the last pairing (those it records). */
  cameras: z.number().int().nonnegative(),
  /** Epoch ms of the last pairing (refreshed on every reconnection). */
  pairedAt: z.number().nullable(),
  /** Cameras this station records for the primary now. */
  recording: z.number().int().nonnegative(),
  /** Epoch ms the state began (recording: since when). */
  since: z.number().nullable(),
  /** While waiting: when the standby takes over if the primary stays away. */
  takeoverAt: z.number().nullable(),
  /** The last pairing's failure, if it failed. */
  error: z.string().nullable(),
  /**
   * The primary's cameras this station records already as its own channels (the same camera address, port and stream
   * path): a takeover leaves them out rather than record them twice. `name` the primary's, `ownName` this station's.
   */
  recordedHere: z.array(z.object({ name: z.string(), ownName: z.string() })).default([]),
});
export type SiteStandby = z.infer<typeof SiteStandby>;

/** A camera of the primary as its standby needs it: where to reach it, with what, and how the primary records it. */
export const FailoverCamera = z.object({
  channelId: z.number().int().positive(),
  name: z.string(),
  /** Without credentials (those are apart, below). */
  mainUrl: z.string(),
  subUrl: z.string().nullable(),
  /** Sent only over a desk's TLS link; the standby keeps them in its secret store. */
  credentials: z.object({ username: z.string(), password: z.string() }).nullable(),
  recording: ChannelRecordingConfig.pick({ mode: true, stream: true, schedule: true, preSeconds: true, postSeconds: true }),
});
export type FailoverCamera = z.infer<typeof FailoverCamera>;

export const Site = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  host: z.string(),
  port,
  username: z.string(),
  /** The pinned certificate; null until the user compared and trusted it. */
  fingerprint: Fingerprint.nullable(),
  /** The certificate the station presented on the last connection. */
  seenFingerprint: Fingerprint.nullable(),
  state: z.enum(SITE_STATES),
  reason: z.string().nullable(),
  /** Epoch ms of the next try while offline. */
  retryAt: z.number().nullable(),
  /** The remote station's version, once signed in. */
  version: z.string().nullable(),
  /** Its clock minus ours (ms), measured over the round trip at sign-in. */
  clockOffsetMs: z.number().nullable(),
  channels: z.number().int().nonnegative(),
  /** This station as the standby of that one (failover recording); absent when it is not. */
  standby: SiteStandby.optional(),
});
export type Site = z.infer<typeof Site>;

/** A station on the LAN that serves desks, found by `sites.discover` (WS-Discovery, its own type `wp:Station`). */
export const FoundStation = z.object({
  name: z.string(),
  host: z.string(),
  port,
  fingerprint: Fingerprint,
  version: z.string().nullable(),
  /** Speaks the same major of the contract as this desk. */
  compatible: z.boolean(),
});
export type FoundStation = z.infer<typeof FoundStation>;

export const sitesCalls = {
  /** This station serving desks: its address, port and certificate. */
  'sites.serving': call(needs.station('settings'), NoInput, RemoteServing),
  'sites.setServing': call(needs.station('settings'), z.object({ enabled: z.boolean(), host, port }), RemoteServing),
  /** This station's clock, for a desk measuring the offset between them over the round trip. */
  'sites.clock': call(needs.signIn, NoInput, z.object({ now: z.number() })),
  /** The stations this desk knows. */
  'sites.list': call(needs.signIn, NoInput, z.array(Site)),
  /** Adds a station by address; it is connected to, and its certificate shown to be compared before anything is sent. */
  'sites.add': call(needs.station('devices'), z.object({
    name: z.string().trim().max(64).optional(), host, port, username: z.string().trim().min(1).max(64), password: z.string().min(1).max(128),
  }), Site),
  /** Stations on the LAN serving desks that are not in the list yet (about 1.5 s of listening for their answers). */
  'sites.discover': call(needs.station('devices'), NoInput, z.array(FoundStation)),
  /** Pins the certificate the user compared (first connection, or a changed certificate the user accepts). */
  'sites.trust': call(needs.station('devices'), z.object({ id: z.number().int().positive(), fingerprint: Fingerprint }), Site),
  'sites.setCredentials': call(needs.station('devices'), z.object({
    id: z.number().int().positive(), username: z.string().trim().min(1).max(64), password: z.string().min(1).max(128),
  }), Site),
  'sites.retry': call(needs.station('devices'), z.object({ id: z.number().int().positive() }), Site),
  'sites.remove': call(needs.station('devices'), z.object({ id: z.number().int().positive() }), z.object({ removed: z.boolean() })),
  /**
   * A site's recording settings as its own Recording page reads them (`recording.config` there, as this desk's account
   * there: that station's rights apply), its channels under their desk ids. Its `revision` is that station's: passed
   * back with `recording.setChannels` of those channels or with `sites.setArchive`, a change someone else made there
   * since (another desk, that station's own page) is refused as `settings.changedMeanwhile`.
   */
  'sites.recordingConfig': call(needs.station('recordingSettings'), z.object({ id: z.number().int().positive() }).strict(), RecordingConfig),
  /** What a site's recorders do now (`recording.status` there), its channels under their desk ids. */
  'sites.recordingStatus': call(needs.channelList('live', 'channelId', 'channels'), z.object({ id: z.number().int().positive() }).strict(), RecordingStatus),
  /** A site's archive limits, changed there (`recording.setArchive`, with that station's revision); its folder is its own business. */
  'sites.setArchive': call(needs.station('recordingSettings'),
    ArchiveSettings.extend({ id: z.number().int().positive(), revision: z.number().int().nonnegative().optional() }).strict(), ArchiveSettings),
  /**
   * Names this station the standby of a site (or no longer): it fetches the cameras that station records (`failover.pairing`
   * there, refreshed on every reconnection) and, when that station has not answered for `waitSeconds`, records them itself
   * until it is back.
   */
  'sites.setStandby': call(needs.station('devices'), z.object({
    id: z.number().int().positive(), enabled: z.boolean(), waitSeconds: waitSeconds.default(STANDBY_WAIT_DEFAULT_S),
  }), Site),
  /**
   * Served to a standby over the TLS link only (refused on any other transport): the cameras this station records, with
   * their credentials.
   */
  'failover.pairing': call(needs.station('devices'), NoInput, z.object({ cameras: z.array(FailoverCamera) })),
  /**
   * What this station recorded as the standby of the station with certificate `fingerprint`, for that station's channel
   * ids: a desk that knows both merges them into those channels' timelines. `standbyChannelId`: this station's id of
   * that channel, under which it serves those recordings (`archive.segments`/`segmentRead`) to the desk; absent when
   * this station is not the standby of that one. Only channels whose standby recordings the user may play back here
   * (playback on `standbyChannelId`) are answered.
   */
  'failover.coverage': call(needs.channelList('playback', 'standbyChannelId'), z.object({
    fingerprint: Fingerprint,
    channelIds: z.array(z.number().int().positive()).min(1).max(64),
    from: z.number().int().nonnegative(),
    to: z.number().int().nonnegative(),
  }).strict(), z.array(z.object({
    channelId: z.number().int().positive(),
    spans: z.array(z.object({ start: z.number(), end: z.number() })),
    standbyChannelId: z.number().int().positive().optional(),
  }))),
  /**
   * The cameras of the station with certificate `fingerprint` that this station records now as its standby (that station
   * not answering): `channelId` that station's id, `standbyChannelId` this station's, whose `live.open` fans out the
   * connection the standby records from. A desk whose link to that station is down opens their live view here. Only
   * channels the user may view live here (live on `standbyChannelId`) are answered.
   */
  'failover.live': call(needs.channelList('live', 'standbyChannelId'), z.object({ fingerprint: Fingerprint }).strict(), z.array(z.object({
    channelId: z.number().int().positive(),
    standbyChannelId: z.number().int().positive(),
  }))),
} as const;

export const sitesSignals = {
  'sites.changed': z.array(Site),
  /** A site's recording settings changed there (its `recording.changed`, by whoever): this desk's pages showing them read them again. */
  'sites.recordingChanged': z.object({ siteId: z.number().int().positive(), revision: z.number().int().nonnegative() }),
} as const;
