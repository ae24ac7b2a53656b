import { mkdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings, StationStatus } from '../contract';
import { EventBus } from './events/event-bus';
import { createLogger, type Logger } from './log';
import { locateTool, toolVersion, type ToolName } from './media/ffmpeg';
import { createDispatcher, type Dispatch, type Handlers } from './rpc';
import { checkSettingsOnDisk, loadSettings, saveSettings } from './settings';
import { openDatabase, schemaVersion, type Db } from './storage/db';
import { migrations } from './storage/migrations';
import type { SecretStore } from './storage/secrets';
import { STATION_VERSION } from './version';

export interface StationOptions {
  dataDir: string;
  mode: 'electron' | 'browser';
  /** Electron passes its safeStorage-backed store; plain Node a key-file one. */
  secrets: SecretStore;
  logger?: Logger;
  clock?: () => number;
  env?: { PATH?: string };
  heartbeatMs?: number;
}

export interface Station {
  readonly dispatch: Dispatch;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly logDir: string;
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
  const events = new EventBus();
  let settings: Settings = loadSettings(db, opts.dataDir, logger);

  let tools: Promise<{ ffmpeg: ToolStatus; ffprobe: ToolStatus }> | undefined;
  const locateTools = () =>
    (tools ??= Promise.all([
      describeTool('ffmpeg', settings.ffmpegPath, env),
      describeTool('ffprobe', settings.ffprobePath, env),
    ]).then(([ffmpeg, ffprobe]) => ({ ffmpeg, ffprobe })));

  const handlers: Handlers = {
    'station.status': async () => ({
      version: STATION_VERSION,
      mode: opts.mode,
      startedAt,
      uptimeMs: clock() - startedAt,
      pid: process.pid,
      node: process.versions.node,
      platform: `${process.platform}-${process.arch}`,
      ...(await locateTools()),
      dataDir: folder(opts.dataDir),
      recordingsDir: folder(settings.recordingsDir),
      logDir,
      database: { path: dbPath, schemaVersion: schemaVersion(db), latestSchemaVersion: migrations.length },
    }),
    'settings.get': () => settings,
    'settings.update': (patch) => {
      checkSettingsOnDisk(patch);
      settings = { ...settings, ...patch };
      saveSettings(db, settings, clock());
      tools = undefined;
      logger.info({ fields: Object.keys(patch) }, 'settings changed');
      events.emit('settings.changed', settings);
      return settings;
    },
  };

  const heartbeat = setInterval(
    () => events.emit('station.heartbeat', { at: clock(), uptimeMs: clock() - startedAt }),
    opts.heartbeatMs ?? 5000,
  );
  heartbeat.unref();
  logger.info({ dataDir: opts.dataDir, mode: opts.mode, version: STATION_VERSION }, 'station started');

  return {
    dispatch: createDispatcher(handlers, logger),
    events,
    logger,
    logDir,
    async dispose() {
      clearInterval(heartbeat);
      db.close();
      logger.info('station stopped');
      logger.flush();
    },
  };
}
