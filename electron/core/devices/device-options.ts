import type { ChannelRegistry } from './channel-registry';
import type { UnicastTarget } from './discovery/scanner';
import type { SignalBus } from '../signal-bus';
import type { Logger } from '../log';
import type { MaskDraft } from '../../contract';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';

/** What the device area is handed by station.ts: storage, the signal bus, timings, and ports into live view, events and recording. */
export interface DeviceServiceOptions {
  db: Db;
  secrets: SecretStore;
  registry: ChannelRegistry;
  signals: SignalBus;
  logger: Logger;
  clock: () => number;
  /** Probe these addresses by unicast instead of multicasting (tests: camsim on loopback). */
  unicast?: () => UnicastTarget[];
  /** Hear Hello/Bye on this loopback port (tests: camsim's announceTo) instead of the multicast group. */
  announcePort?: number;
  /**
   * Join the WS-Discovery group for Hello/Bye (the real station does; off unless asked: it binds 3702 on every interface).
   * `port`/`interfaces` narrow it (tests: a free port on a namespace's loopback).
   */
  listenMulticast?: boolean | { port?: number; interfaces?: string[] };
  heartbeatMs?: number;
  graceMs?: number;
  scanMs?: number;
  /** The privacy masks of a channel (redaction/), carried in the device list file. */
  masks?: { of(channelId: number): MaskDraft[]; set(channelId: number, masks: MaskDraft[]): void };
  /** Called when a device's channels go away, so live view can close them. */
  forgetChannel?: (id: number) => void;
  /** The events area: watches a device's own events (returns a disposer) and hears that a device stayed offline past the grace period. */
  deviceEvents?: {
    watch(cfg: { driver: 'onvif' | 'dahua'; url: string; username: string; password: string; channelMap: Record<string, number> }): () => Promise<void>;
    offline(e: { deviceId: number; channelIds: number[]; name: string; address: string; since: number; at: number }): void;
  };
  /** Channel cover images live here (one file per channel). */
  coversDir?: string;
  /** A JPEG snapshot of a channel (live view's), for a cover taken from the channel. */
  snapshot?: (channelId: number) => Promise<Buffer>;
  /** ffprobe, for trying a stream the station's own RTSP reader hands to ffmpeg (audio, other codecs); throws when there is none. */
  ffprobePath?: () => string;
  /** Deletes a channel's recordings (a device deleted with "delete its recordings"). */
  deleteRecordings?: (channelId: number) => Promise<{ deleted: number; keptLocked: number }>;
  /** The recording index: a device's offline period as a gap on its channels' timeline (returns the id to extend next time). */
  offlineGap?: (channelId: number, start: number, end: number, extendId?: number) => number;
}
