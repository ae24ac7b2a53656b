import { mkdirSync, rmSync, statfsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ArchiveSegment, PlaybackState, TimelineChannel, Settings, SignalName, StationStatus } from '../contract';
import { AuthService, type AuthServiceOptions } from './auth/auth-service';
import { ChannelRegistry } from './devices/channel-registry';
import { DeviceService, type DeviceServiceOptions } from './devices/device-service';
import { ClientSession } from './client-session';
import { SignalBus } from './signal-bus';
import { createDiagnostics } from './support/diagnostics';
import { EventService, isStateful } from './events/event-service';
import { HealthService } from './health/health-service';
import { createLogger, logOpened, type Logger } from './log';
import { locateTool, toolVersion, type ToolName } from './media/ffmpeg';
import { LiveService } from './live/live-service';
import { ClipRecorder } from './live/clip-recorder';
import { liveDeskHandlers } from './live/live-desk';
import { PtzService } from './live/ptz-service';
import { TalkService } from './live/talk-service';
import { PrivacyService } from './privacy/privacy-service';
import { SubjectRequests } from './privacy/subject-requests';
import { actorOf, createLock, unlock } from './recording/evidence';
import { allBookmarks, bookmarkHandlers } from './recording/bookmarks';
import { RecordingService, type RecordingServiceOptions } from './recording/recording-service';
import { timeline as archiveTimeline } from './recording/segment-index';
import { createDispatcher, type Dispatch, type Handlers } from './rpc';
import { checkSettingsOnDisk, loadSettings, saveSettings } from './settings';
import { LATEST_SCHEMA_VERSION, openDatabase, schemaVersion, type Db } from './storage/db';
import type { SecretStore } from './storage/secrets';
import { STATION_VERSION } from './version';
import { burnInOutlines, maskFilePort, maskHandlers, permanentOutlines } from './redaction/masks';
import { burnPermanentMasks } from './redaction/redact-export';
import { maskPam } from './redaction/raster';
import { RedactionService } from './redaction/redaction-service';
import { RemoteArchive, type RemoteArchiveOptions } from './sites/remote-archive';
import { FailoverService } from './sites/failover';
import { ShareService } from './sites/shares';
import { SitesService } from './sites/sites-service';
import type { DiscoveryPlace } from './sites/station-discovery';
import { CONTRACT_VERSION, MASK_RGB } from '../contract';
import { MqttPublisher, type MqttPublisherOptions } from './mqtt/mqtt-publisher';

export interface StationOptions {
  dataDir: string;
  mode: 'electron' | 'browser';
  /** Electron passes its safeStorage-backed store; plain Node a key-file one. */
  secrets: SecretStore;
  logger?: Logger;
  clock?: () => number;
  env?: { PATH?: string };
  heartbeatMs?: number;
  /** Stream supervision timings (tests shorten them). */
  media?: { graceMs?: number; stallMs?: number; clipOrphanMs?: number };
  /** The account & privacy-settings service (cloud/); none: nothing is ever sent. */
  cloudUrl?: string;
  /** PEM certificate authorities trusted for an https:// cloud instead of the system's (`--cloud-ca`). */
  cloudCa?: string;
  /** Privacy sync timings (tests shorten them). */
  privacy?: { syncEveryMs?: number; retryCapMs?: number };
  /** Recording and archive (tests fake the disk's free space and shorten timers). */
  recording?: { freeBytes?: (root: string) => number; totalBytes?: (root: string) => number; retentionEveryMs?: number; statusEveryMs?: number; fullReconcile?: boolean; backfill?: RecordingServiceOptions['backfill'] };
  /** Events and alarms (tests shorten the offline grace period and source retries). */
  eventsOptions?: { offlineGraceMs?: number; sourceRetryMs?: number; diskLowBytes?: number; diskEveryMs?: number };
  /** Operators: a first administrator to create on a station without accounts (`--admin-password-file`); sign-in throttle (tests). */
  auth?: Pick<AuthServiceOptions, 'firstAdmin' | 'throttle'>;
  /** Discovery and device monitoring (tests probe camsim by unicast and shorten timers). */
  devices?: Pick<DeviceServiceOptions, 'unicast' | 'announcePort' | 'listenMulticast' | 'heartbeatMs' | 'graceMs' | 'scanMs'>;
  /** MQTT publishing (tests shorten the reconnection wait, the stats period and the connection timeout). */
  mqtt?: Pick<MqttPublisherOptions, 'reconnectMs' | 'statsEveryMs' | 'connectTimeoutMs'>;
  /** Other stations (sites/): where stations are found on the LAN when this one serves desks or looks for them; none: not at all. */
  sites?: { discovery?: DiscoveryPlace; noAnswerMs?: number };
  /** Tests pose as a station of another version (what `station.status` says), as a desk would meet one. */
  poseAs?: { version: string; contract: string };
  /** The bound of the copies of other stations' archives (tests make it small). */
  remoteArchive?: Pick<RemoteArchiveOptions, 'maxBytes' | 'aheadMs'>;
}

export interface Station {
  readonly dispatch: Dispatch;
  readonly signals: SignalBus;
  /** A signal as this connection may see it (auth/: cut to its user's cameras), or undefined: not sent to it. */
  signalFor(session: ClientSession, name: SignalName, payload: unknown): unknown;
  readonly logger: Logger;
  readonly logDir: string;
  /** The station-offline alarm for the stations a desk knows (the sites area calls these). */
  readonly health: Pick<HealthService, 'stationOffline' | 'stationOnline'>;
  dispose(): Promise<void>;
}

type ToolStatus = StationStatus['ffmpeg'];

async function describeTool(name: ToolName, configured: string | null, env: { PATH?: string }): Promise<ToolStatus> {
  try {
    const t = locateTool(name, configured, env);
    return { found: true, path: t.path, source: t.source, version: await toolVersion(t.path) };
  } catch (err) {
    return { found: false, error: (err as Error).message };
  }
}

function folder(path: string) {
  mkdirSync(path, { recursive: true });
  const s = statfsSync(path);
  return { path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

/** Composition root: config -> services -> the API implementation. */
export async function createStation(opts: StationOptions): Promise<Station> {
  const clock = opts.clock ?? Date.now;
  const env = opts.env ?? process.env;
  const startedAt = clock();
  mkdirSync(opts.dataDir, { recursive: true });
  const logDir = join(opts.dataDir, 'logs');
  const logger = opts.logger ?? createLogger(logDir);
  const dbPath = join(opts.dataDir, 'station.db');
  const db: Db = openDatabase(dbPath);
  const signals = new SignalBus();
  // Operators: accounts, sign-in, the rights check in the dispatcher, the operation log (electron/core/auth).
  const auth = new AuthService({
    db, signals, logger, clock, ...opts.auth, dataDir: opts.dataDir, secrets: opts.secrets,
    // The channels of items held in memory by the services made below, for the rights check on calls naming them.
    heldItems: (kind, id) => {
      if (kind !== 'clip') return recording.channelsOf(kind, id);
      const clip = clips.list().find((c) => c.clipId === id);
      return clip ? [clip.channelId] : undefined;
    },
  });
  await auth.start();
  let settings: Settings = loadSettings(db, opts.dataDir, logger);

  let tools: Promise<{ ffmpeg: ToolStatus; ffprobe: ToolStatus }> | undefined;
  const locateTools = () =>
    (tools ??= Promise.all([
      describeTool('ffmpeg', settings.ffmpegPath, env),
      describeTool('ffprobe', settings.ffprobePath, env),
    ]).then(([ffmpeg, ffprobe]) => ({ ffmpeg, ffprobe })));

  const registry = new ChannelRegistry(db, opts.secrets, clock);
  // Many stations, one desk (electron/core/sites): serving desks over TLS; remote stations' channels, streams and events.
  // Made before the services that may open a remote channel's stream (a recorder starting at once); its ports are called
  // only once it starts, at the end.
  const sites = new SitesService({
    db, secrets: opts.secrets, signals, logger, clock, dataDir: opts.dataDir, discovery: opts.sites?.discovery, noAnswerMs: opts.sites?.noAnswerMs,
    self: { name: hostname(), version: opts.poseAs?.version ?? STATION_VERSION, contract: opts.poseAs?.contract ?? CONTRACT_VERSION },
    station: () => station,
    channelsChanged: () => void channelsChanged(),
    ingest: (e) => void eventService.ingest(e),
    stateful: isStateful,
    offline: { raise: (id, name, reason) => health.stationOffline(id, name, reason), end: (id) => health.stationOnline(id) },
    removed: (id) => remoteArchive.forget(id),
    restream: (streamId): boolean => live.restream(streamId),
  });
  // Other stations' archives on this desk (sites/remote-archive.ts): their timeline asked of them, their recordings copied here to play and export.
  // What this station recorded itself of another station's channels (as its standby) plays from its own archive.
  const remoteArchive = new RemoteArchive({
    dataDir: opts.dataDir, logger, site: (id) => sites.archiveLink(id), standbys: (id) => sites.standbysOf(id),
    own: (channelId, from, to): { segment: ArchiveSegment; file: string }[] => recording.ownSegments(channelId, from, to),
    ...opts.remoteArchive,
  });
  remoteArchive.prune(sites.siteIds());
  registry.setRemote(sites);
  const ffmpegPath = () => locateTool('ffmpeg', settings.ffmpegPath, env).path;
  // Privacy masks (electron/core/redaction): burnt into every picture the station makes, less those the asking session lifted.
  const burnIn = (channelId: number, session?: ClientSession) => {
    const outlines = burnInOutlines(db, channelId, session);
    return outlines.length ? { key: JSON.stringify(outlines), overlay: (w: number, h: number) => maskPam(outlines, w, h, MASK_RGB) } : null;
  };
  const live = new LiveService({
    registry, signals, logger, ffmpegPath, clock, burnIn,
    snapshotsDir: () => join(opts.dataDir, 'snapshots'),
    graceMs: opts.media?.graceMs, stallMs: opts.media?.stallMs,
    remoteStream: (channelId, profile) => sites.remoteStream(channelId, profile),
  });
  const clips = new ClipRecorder({
    registry, signals, logger, clock, hub: (id) => live.hub(id), dir: () => join(opts.dataDir, 'clips'), orphanMs: opts.media?.clipOrphanMs,
  });
  const channelsChanged = async () => signals.emit('channels.changed', await registry.listAll());

  // Privacy: account, consents, sync outbox, transmission ledger, telemetry (electron/core/privacy).
  // Support: a zip with every secret and personal detail removed, shown to the user before it goes anywhere.
  const diagnosticsSession = new ClientSession('diagnostics');
  const diagnostics = () => {
    const read = async <K extends 'station.status' | 'devices.list' | 'recording.config' | 'alarms.rules' | 'eventSources.list' | 'events.settings'>(name: K) =>
      handlers[name]({} as never, diagnosticsSession);
    return createDiagnostics({
      logDir, clock,
      status: () => read('station.status'),
      configuration: async () => ({
        settings, channels: await registry.list(), devices: await read('devices.list'), recording: await read('recording.config'),
        alarmRules: await read('alarms.rules'), eventSources: await read('eventSources.list'), eventSettings: await read('events.settings'),
        cloud: { configured: opts.cloudUrl != null },
      }),
      knownSecrets: async () => (await Promise.all((await opts.secrets.keys()).map((k) => opts.secrets.get(k)))).filter((v): v is string => !!v),
    });
  };
  const privacy = new PrivacyService({
    db, secrets: opts.secrets, signals, logger, clock, cloudUrl: opts.cloudUrl ?? null, cloudCa: opts.cloudCa, dataDir: opts.dataDir,
    mediaDirs: () => [settings.recordingsDir, join(opts.dataDir, 'snapshots')],
    facts: async () => ({
      cameras: (await registry.list()).length,
      streams: live.status().map((s) => ({ codec: s.codec ?? null, width: s.width ?? null, height: s.height ?? null, state: s.state })),
    }),
    channels: () => registry.list(),
    devices: () => devices.list(),
    bookmarks: () => allBookmarks(db),
    subjectRequests: () => subjectRequests.list(),
    diagnostics,
    ...opts.privacy,
  });

  // Recording, archive, playback, export (electron/core/recording): recorders are consumers of the live hubs.
  const recording = new RecordingService({
    db, root: settings.recordingsDir, dataDir: opts.dataDir, live, registry, signals, secrets: opts.secrets, logger, clock, ffmpegPath, burnIn,
    // This station's failover recordings of other stations' channels are marked on its timeline (not their own spans).
    markStandby: (list): TimelineChannel[] => failover.markTimeline(list),
    burnMasks: (path, channelId) => burnPermanentMasks({ ffmpegPath: ffmpegPath(), ffprobePath: locateTool('ffprobe', settings.ffprobePath, env).path, path, masks: permanentOutlines(db, channelId) }),
    // A folder chosen on the storage page is the station's setting too.
    rootChanged: (recordingsDir) => {
      settings = { ...settings, recordingsDir };
      saveSettings(db, settings, clock());
      signals.emit('settings.changed', settings);
    },
    remote: remoteArchive,
    ...opts.recording,
  });
  await recording.start();
  // Redacted exports for disclosure (electron/core/redaction): the range exported signed, then re-encoded with masks and boxes.
  const redaction = new RedactionService({
    db, signals, logger, secrets: opts.secrets, clock, dataDir: opts.dataDir, ffmpegPath,
    ffprobePath: () => locateTool('ffprobe', settings.ffprobePath, env).path,
    source: () => recording.localSource(),
    channelName: async (id) => { try { return (await registry.get(id)).name; } catch { return `Channel ${id}`; } },
  });
  // Subject access requests (privacy/subject-requests.ts): their search windows and exports' originals locked while open.
  const subjectRequests = new SubjectRequests({
    db, secrets: opts.secrets, signals, clock,
    exports: redaction,
    locks: {
      lock: (l, sessionId) => createLock(db, { ...l, at: clock(), by: actorOf(sessionId) }).id,
      unlock: (id, reason, sessionId) => void unlock(db, id, reason, clock(), actorOf(sessionId)),
    },
  });

  // Events, alarms, sensors (electron/core/events): device event sources, station-made events, alarm rules.
  const eventService = new EventService({
    db, signals, live, recording, motionGrid: recording.motionGrid, secrets: opts.secrets, logger, clock, ffmpegPath,
    recordingsDir: () => settings.recordingsDir, freeBytes: opts.recording?.freeBytes,
    ...opts.eventsOptions,
  });
  await eventService.start();

  // Devices: discovery, activation, the device list and its heartbeat (electron/core/devices).
  const devices = new DeviceService({
    db, secrets: opts.secrets, registry, signals, logger, clock, forgetChannel: (id) => live.forgetChannel(id),
    ffprobePath: () => locateTool('ffprobe', settings.ffprobePath, env).path, ...opts.devices,
    deviceEvents: {
      watch: (cfg) => eventService.watchDevice(cfg),
      offline: (e) => eventService.ingest({
        channelId: e.channelIds[0] ?? null, type: 'device_offline', source: 'station', at: e.at,
        detail: `${e.name} (${e.address}) unreachable since ${new Date(e.since).toISOString()}`,
      }),
    },
    offlineGap: (channelId, start, end, extendId) => recording.offlineGap(channelId, start, end, extendId),
    coversDir: join(opts.dataDir, 'covers'),
    snapshot: async (channelId) => (await live.snapshot(channelId)).jpeg,
    deleteRecordings: (channelId) => recording.deleteChannelRecordings(channelId),
    masks: maskFilePort({ db, signals, clock }),
  });
  await devices.start();
  // Edge backfill asks the device how its card is played (Profile G replay URI, the clock's zone for Dahua's playback URL).
  recording.useDeviceCards((channelId, stream) => devices.playbackOf(channelId, stream));
  // PTZ of device channels (electron/core/live/ptz-service.ts): asked of each device in the background, again when devices change.
  const ptz = new PtzService({ registry, ptzOf: (deviceId) => devices.ptzOf(deviceId), logger, onChanged: () => void channelsChanged() });
  signals.subscribe((name) => { if (name === 'devices.changed') ptz.devicesChanged(); });
  void ptz.probe();
  // Two-way audio (electron/core/live/talk-service.ts): which device channels have a speaker, asked in the background as PTZ is.
  const talk = new TalkService({
    registry, talkOf: (channelId) => devices.talkOf(channelId), logger, clock, onChanged: () => void channelsChanged(),
    recorder: (session) => auth.recorder(session),
  });
  // Channels added by URL are asked too (their stream's DESCRIBE); a round with nothing new asks nothing.
  signals.subscribe((name) => { if (name === 'devices.changed' || name === 'channels.changed') talk.devicesChanged(); });
  void talk.probe();

  // Station health (electron/core/health): the Health page's figures and the channel-stopped alarm; the sites area adds
  // remote stations through `otherStations` and raises their offline alarms with health.stationOffline/stationOnline.
  const healthSession = new ClientSession('health');
  // Failover recording (sites/failover.ts): this station as the standby of others, and the camera list it gives its own.
  const failoverSession = new ClientSession('failover');
  const failover = new FailoverService({
    db, secrets: opts.secrets, logger, clock, ffmpegPath, stallMs: opts.media?.stallMs,
    sites: { link: (id) => sites.linkOf(id), site: (id) => sites.site(id), changed: () => sites.standbyChanged() },
    record: (channelId, hub, config) => recording.recordFrom(channelId, hub, config),
    own: {
      channels: () => registry.list(),
      streamUrl: (id, profile) => registry.streamUrl(id, profile),
      configs: async () => (await recording.handlers['recording.config']({}, failoverSession)).channels,
    },
    // Only what this station recorded itself: `failover.coverage` asks no other station (a hanging primary would hold it).
    timeline: async (channelIds, from, to) => archiveTimeline(db, channelIds, from, to),
  });
  sites.setFailover(failover);

  const health = new HealthService({
    db, signals, logger, clock, startedAt, version: STATION_VERSION, name: () => hostname(),
    logFile: join(logDir, 'station.log'),
    channels: () => registry.list(),
    recorders: () => recording.status().channels,
    writeQueue: () => recording.archive.budget.state(),
    volumes: async () => {
      const f = await recording.handlers['recording.forecast']({ channels: [] }, healthSession);
      return [{ path: settings.recordingsDir, totalBytes: f.disk.totalBytes, freeBytes: f.disk.freeBytes, forecastDays: f.days, limitedBy: f.limitedBy }];
    },
    streams: () => live.status(),
    alarms: { raise: (a) => eventService.raiseAlarm(a), end: (id) => eventService.endAlarm(id) },
    otherStations: () => sites.stations(),
  });
  await health.start();
  // MQTT publishing (electron/core/mqtt): availability, channel status, events, alarms, health, snapshots on request.
  const mqtt = new MqttPublisher({
    db, secrets: opts.secrets, signals, logger, clock, ...opts.mqtt,
    channels: () => registry.list(),
    streams: () => live.status(),
    devices: () => devices.list(),
    // Sent, not kept: a home automation asking every few seconds must not fill the snapshots folder.
    snapshot: async (channelId) => {
      const s = await live.snapshot(channelId);
      rmSync(s.path, { force: true });
      return s.jpeg;
    },
    // The Health page's figures of this station (health/), as `<prefix>/stats`.
    health: async () => health.handlers['health.get']({}, healthSession),
  });
  await mqtt.start();

  // Hardware Share (sites/shares.ts): shares of this station's cameras, served through the desk server with auth/'s
  // checks; received shares added as sites. The cloud (privacy/) records and delivers them.
  const shares = new ShareService({
    db, logger, clock, cloud: privacy.cloud, serving: () => sites.serving(), ownChannels: () => registry.list(),
    sites: {
      list: () => sites.list(), addShared: (s) => sites.addShared(s),
      remove: async (id) => sites.handlers['sites.remove']({ id }, shareSession),
    },
    endSignIns: (userId) => auth.endShare(userId),
    connected: () => auth.shareConnected(),
  });
  const shareSession = new ClientSession('shares');
  auth.setShares(shares);

  const recordingHandlers = recording.handlers;
  const handlers: Handlers = {
    'station.status': async () => ({
      version: opts.poseAs?.version ?? STATION_VERSION,
      contract: opts.poseAs?.contract ?? CONTRACT_VERSION,
      mode: opts.mode,
      startedAt,
      uptimeMs: clock() - startedAt,
      pid: process.pid,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      ...(await locateTools()),
      dataDir: folder(opts.dataDir),
      recordingsDir: folder(settings.recordingsDir),
      logDir,
      database: { path: dbPath, schemaVersion: schemaVersion(db), latestSchemaVersion: LATEST_SCHEMA_VERSION },
    }),
    'settings.get': () => settings,
    'settings.update': ({ createFolder, ...patch }) => {
      checkSettingsOnDisk(patch, createFolder);
      const next = { ...settings, ...patch };
      // A new recordings folder applies at once; the setting is stored with the index change.
      recording.setRoot(next.recordingsDir, () => saveSettings(db, next, clock()));
      settings = next;
      tools = undefined;
      logger.info({ fields: Object.keys(patch) }, 'settings changed');
      signals.emit('settings.changed', settings);
      return settings;
    },
    'channels.list': () => registry.listAll(),
    'channels.addRtsp': async (input) => {
      const channel = await registry.addRtsp(input);
      logger.info({ channel: channel.id, url: channel.mainUrl }, 'channel added');
      await channelsChanged();
      return channel;
    },
    'channels.rename': async ({ id, name }) => {
      const channel = await registry.rename(id, name);
      await channelsChanged();
      return channel;
    },
    'channels.setLens': async ({ id, lens }) => {
      const channel = await registry.setLens(id, lens);
      await channelsChanged();
      return channel;
    },
    'channels.remove': async ({ id }) => {
      clips.forgetChannel(id);
      live.forgetChannel(id);
      const removed = await registry.remove(id);
      await channelsChanged();
      return { removed };
    },
    'streams.status': () => live.status(),
    'streams.retry': ({ streamId }) => (live.retry(streamId), {}),
    'live.open': async ({ streamId, hevc, audio, rate }, session) => ({ channel: await live.open(session, streamId, hevc, audio, rate) }),
    'live.close': ({ channel }, session) => (live.close(session, channel), {}),
    'live.rate': ({ channel, rate }, session) => (live.setRate(session, channel, rate), {}),
    'live.clipStart': ({ channelId, profile, maxMinutes }, session) => clips.start(session, channelId, profile, maxMinutes * 60_000),
    'live.clipStop': ({ clipId }) => clips.stop(clipId),
    'live.clips': (_, session) => clips.list(session),
    // PTZ of a remote station's camera goes to that station (sites/); the desk's own through its devices.
    'live.ptz.move': async (input, session) => (await (sites.relay('live.ptz.move', input) ?? ptz.move(session, input.channelId, input)), {}),
    'live.ptz.stop': async (input) => (await (sites.relay('live.ptz.stop', input) ?? ptz.stop(input.channelId)), {}),
    'live.ptz.presets': (input) => sites.relay('live.ptz.presets', input) ?? ptz.presets(input.channelId),
    'live.ptz.gotoPreset': async (input) => (await (sites.relay('live.ptz.gotoPreset', input) ?? ptz.gotoPreset(input.channelId, input.token)), {}),
    'live.ptz.setPreset': (input) => sites.relay('live.ptz.setPreset', input) ?? ptz.setPreset(input.channelId, input.name, input.token),
    'talk.start': (input, session) => sites.relay('talk.start', input) ?? talk.start(session, input.channelId),
    'talk.audio': async (input, session) => (await (sites.relay('talk.audio', input) ?? talk.audio(session, input.channelId, input.pcm)), {}),
    'talk.stop': async (input, session) => sites.relay('talk.stop', input) ?? talk.stop(session, input.channelId),
    'live.snapshot': async ({ channelId }, session) => {
      const s = await live.snapshot(channelId, session);
      return { path: s.path, jpegBase64: s.jpeg.toString('base64'), width: s.width, height: s.height, takenAt: s.takenAt };
    },
    'diagnostics.create': () => diagnostics(),
    ...privacy.handlers,
    ...recordingHandlers,
    // Another station's channels: their recording settings changed and their event recording started on that station
    // (sites/), as the desk's account there, with that station's revision; the desk records none of them itself.
    'recording.setChannels': (input, session) => sites.setChannels(input) ?? recordingHandlers['recording.setChannels'](input, session),
    'recording.trigger': (input, session) => sites.relay('recording.trigger', input) ?? recordingHandlers['recording.trigger'](input, session),
    ...bookmarkHandlers({ db, clock }),
    ...liveDeskHandlers({ db, signals }),
    ...devices.handlers,
    ...eventService.handlers,
    ...auth.handlers,
    ...maskHandlers({ db, signals, clock, channelExists: (id) => registry.get(id) }),
    ...redaction.handlers,
    ...subjectRequests.handlers,
    ...sites.handlers,
    ...failover.handlers,
    ...shares.handlers,
    // Erasing the account ends what it shared and what it was given (the cloud erased both ways).
    'privacy.erase': async (input, session) => {
      const receipt = await privacy.handlers['privacy.erase'](input, session);
      await shares.eraseAll();
      return receipt;
    },
    ...mqtt.handlers,
    ...health.handlers,
  };

  // Sync starts once the device area, which hosting reads, exists.
  privacy.start();

  const heartbeat = setInterval(
    () => signals.emit('station.heartbeat', { at: clock(), uptimeMs: clock() - startedAt }),
    opts.heartbeatMs ?? 5000,
  );
  heartbeat.unref();
  logger.info({ dataDir: opts.dataDir, mode: opts.mode, version: STATION_VERSION }, 'station started');

  const station: Station = {
    dispatch: privacy.observe(createDispatcher(handlers, logger, auth.guard)),
    signals,
    // A playback session's state is its owner's alone (the rights check would send it to every user with playback on its cameras).
    signalFor: (session, name, payload) =>
      name === 'playback.state' && recording.playbackOwner((payload as PlaybackState).sessionId) !== session ? undefined : auth.signalFor(session, name, payload),
    logger,
    logDir,
    health,
    async dispose() {
      clearInterval(heartbeat);
      shares.dispose();
      await failover.dispose();
      await sites.dispose();
      await mqtt.dispose();
      health.dispose();
      await eventService.dispose();
      await ptz.dispose();
      await talk.dispose();
      await devices.dispose();
      subjectRequests.dispose();
      await redaction.dispose();
      await recording.dispose();
      remoteArchive.dispose();
      clips.dispose();
      live.dispose();
      await privacy.dispose();
      auth.dispose();
      db.close();
      await logOpened(logger);
      logger.info('station stopped');
      logger.flush();
    },
  };
  await sites.start();
  failover.start();
  return station;
}
