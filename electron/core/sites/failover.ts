// Failover recording (issue 14): a station named the standby of a site (its primary) fetches the cameras that station
// records, with their credentials, over the TLS link (`failover.pairing`, refreshed on every reconnection); when the
// primary has not answered for the set time it opens those cameras itself and records them into its own archive under
// the site channel ids, until the primary answers again and records them itself; then it hands them back.
import {
  fail, siteChannelId, type StationError, splitSiteChannel, STANDBY_WAIT_DEFAULT_S,
  type CallInput, type CallName, type CallOutput, type Channel, type ChannelRecordingConfig, type FailoverCamera, type Site, type SiteStandby,
  type StandbyState, type StreamProfile, type TimelineChannel,
} from '../../contract';
import type { ClientSession } from '../client-session';
import type { Logger } from '../log';
import { StreamHub, type UpstreamSink } from '../media/stream-hub';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import type { LinkState } from './site-link';

/** A site's link as failover sees it: its state and calls on that station as this station's account there. */
export interface PrimaryLink {
  readonly online: boolean;
  readonly state: LinkState;
  call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
}

/** A recorder the recording area runs for failover, on a hub this file opened. */
export interface StandbyRecorder {
  stop(): Promise<void>;
  status(): { state: string };
}

export interface FailoverOptions {
  db: Db;
  secrets: SecretStore;
  logger: Logger;
  clock: () => number;
  ffmpegPath: () => string;
  /** Stream supervision (tests shorten it). */
  stallMs?: number;
  /** The sites area: each site's link, the site as `sites.list` shows it, and a nudge that the list (with its standby state) changed. */
  sites: { link(siteId: number): PrimaryLink | undefined; site(siteId: number): Site; changed(): void };
  /** Records a camera of the primary under its site channel id from the hub given (recording/). */
  record(channelId: number, hub: StreamHub, config: { mode: 'continuous' | 'schedule'; stream: StreamProfile; schedule: string; preMs: number; postMs: number }): StandbyRecorder;
  /** The primary side: this station's own channels, their stream URLs with credentials, and their recording settings. */
  own: { channels(): Promise<Channel[]>; streamUrl(id: number, profile: StreamProfile): Promise<string>; configs(): Promise<ChannelRecordingConfig[]> };
  /** This station's own recordings' timeline (its local archive only: another station's channels not asked of it). */
  timeline(channelIds: number[], from: number, to: number): Promise<TimelineChannel[]>;
  /** How often the standby looks at its primaries (tests keep the default). */
  tickMs?: number;
  pingMs?: number;
}

/** A camera as the standby keeps it: the pairing's answer without its credentials (those are in the secret store). */
type KeptCamera = Omit<FailoverCamera, 'credentials'>;
interface Row { site_id: number; wait_s: number; cameras: string; paired_at: number | null; error: string | null }

interface Taken {
  channelId: number; hub: StreamHub; rec: StandbyRecorder; spanId: number;
  /** Live views fed from this camera's connection (`relay`), ended at hand-back with the reason. */
  relays: Set<(reason: string) => void>;
}

/** One site this station is the standby of, while the station runs. */
interface Watch {
  siteId: number;
  /** Last time the primary was seen answering (its link online and its last ping not hanging). */
  lastSeen: number;
  /** Last ping answered, and the channels the primary's own recorders were recording then. */
  lastAnswer: number;
  primaryRecording: Set<number>;
  pingSince: number | null;
  lastPing: number;
  /** The last ping timed out with the link still up (the primary answers its link but not its calls). */
  unanswered: boolean;
  pairing: boolean;
  takeover?: { since: number; taken: Taken[]; handingBackSince: number | null };
  /** The primary's cameras this station records itself as its own channels (found at pairing and at takeover): left out. */
  recordedHere: { channelId: number; name: string; ownName: string }[];
  shown?: string;
}

const secretKey = (siteId: number) => `failover:${siteId}`;
/** A ping unanswered this long: the primary hangs (a host gone without closing its connections), it is not answering. */
const PING_HANG_MS = 5_000;
/** Hand-back waits for the primary's own recorders at most this long, then stops anyway. */
const HANDBACK_MAX_MS = 20_000;
/** Link states in which the primary answers but refuses: it is up (and recording), so nothing is taken over. */
const ANSWERING_STATES = new Set(['auth_failed', 'certificate_changed', 'untrusted']);

function withCredentials(url: string, c: { username: string; password: string } | null): string {
  if (!c) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(c.username);
  u.password = encodeURIComponent(c.password);
  return u.toString();
}

/**
 * A stream's source, to tell the same camera stream apart from others however its URL was written: the camera's address
 * and port (RTSP's default filled in) and the path and query naming its channel and stream; no credentials, no scheme.
 */
export function sourceKey(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const port = u.port || (u.protocol === 'rtsps:' ? '322' : '554');
    return `${u.hostname.toLowerCase()}:${port}${u.pathname}${u.search}`;
  } catch {
    return null;
  }
}

/**
 * Spans with the parts inside failover takeovers marked `standby` (pieces split at the takeovers' edges). Both lists
 * oldest first; takeovers do not overlap.
 */
export function markStandby(spans: readonly { start: number; end: number }[], takeovers: readonly { start: number; end: number }[]): TimelineChannel['spans'] {
  const out: TimelineChannel['spans'] = [];
  for (const s of spans) {
    let at = s.start;
    for (const t of takeovers) {
      if (t.end <= at || t.start >= s.end) continue;
      if (t.start > at) out.push({ start: at, end: t.start });
      const end = Math.min(s.end, t.end);
      out.push({ start: Math.max(at, t.start), end, standby: true });
      at = end;
    }
    if (at < s.end || at === s.start) out.push({ start: at, end: s.end });
  }
  return out;
}

export class FailoverService {
  private readonly watches = new Map<number, Watch>();
  private readonly log: Logger;
  private timer?: NodeJS.Timeout;

  constructor(private readonly o: FailoverOptions) {
    this.log = o.logger.child({ part: 'failover' });
  }

  start(): void {
    const now = this.o.clock();
    // A standby that starts while its primary is away takes over once the wait has passed from now.
    for (const r of this.rows()) this.watches.set(r.site_id, this.newWatch(r.site_id, now));
    this.timer = setInterval(() => this.tick(), this.o.tickMs ?? 1000);
    this.timer.unref();
    for (const id of this.watches.keys()) this.linkChanged(id);
  }

  private newWatch(siteId: number, now: number): Watch {
    return { siteId, lastSeen: now, lastAnswer: 0, primaryRecording: new Set(), pingSince: null, lastPing: 0, unanswered: false, pairing: false, recordedHere: [] };
  }

  private rows(): Row[] {
    return this.o.db.prepare('SELECT * FROM failover_standby ORDER BY site_id').all() as Row[];
  }

  private row(siteId: number): Row | undefined {
    return this.o.db.prepare('SELECT * FROM failover_standby WHERE site_id = ?').get(siteId) as Row | undefined;
  }

  private cameras(r: Row): KeptCamera[] {
    return JSON.parse(r.cameras) as KeptCamera[];
  }

  // ---- the primary's side ----

  /** The cameras this station records, with their credentials: only to a standby, over the TLS link. */
  private async pairingFor(session: ClientSession): Promise<{ cameras: FailoverCamera[] }> {
    if (session.peer?.transport !== 'remote') throw fail('failover.remoteOnly');
    const configs = new Map((await this.o.own.configs()).map((c) => [c.channelId, c]));
    const cameras: FailoverCamera[] = [];
    for (const c of await this.o.own.channels()) {
      const cfg = configs.get(c.id);
      if (!cfg || cfg.mode === 'off') continue;
      const u = new URL(await this.o.own.streamUrl(c.id, 'main'));
      const credentials = u.username || u.password ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) } : null;
      cameras.push({
        channelId: c.id, name: c.name, mainUrl: c.mainUrl, subUrl: c.subUrl, credentials,
        recording: { mode: cfg.mode, stream: cfg.stream, schedule: cfg.schedule, preSeconds: cfg.preSeconds, postSeconds: cfg.postSeconds },
      });
    }
    this.log.info({ address: session.peer.address, cameras: cameras.length }, 'camera list given to a standby station');
    return { cameras };
  }

  // ---- the standby's side ----

  /** Names this station the standby of a site, or no longer (what it recorded stays in its archive). */
  private async setStandby(siteId: number, enabled: boolean, waitSeconds: number): Promise<void> {
    this.o.sites.site(siteId);
    if (!enabled) {
      const w = this.watches.get(siteId);
      this.watches.delete(siteId);
      if (w) await this.handBack(w, 'no longer the standby');
      this.o.db.prepare('DELETE FROM failover_standby WHERE site_id = ?').run(siteId);
      await this.o.secrets.delete(secretKey(siteId));
      this.log.info({ site: siteId }, 'no longer the standby of the station');
      return;
    }
    this.o.db.prepare(`INSERT INTO failover_standby (site_id, wait_s) VALUES (?, ?)
      ON CONFLICT(site_id) DO UPDATE SET wait_s = excluded.wait_s`).run(siteId, waitSeconds);
    this.log.info({ site: siteId, waitSeconds }, 'standby of the station');
    if (!this.watches.has(siteId)) this.watches.set(siteId, this.newWatch(siteId, this.o.clock()));
    await this.pair(this.watches.get(siteId)!);
  }

  /** Fetches the cameras the primary records (on naming and on every reconnection); their credentials go to the secret store. */
  private async pair(w: Watch): Promise<void> {
    const link = this.o.sites.link(w.siteId);
    if (!link?.online || w.pairing) return;
    w.pairing = true;
    try {
      const { cameras } = await link.call('failover.pairing', {});
      const credentials = Object.fromEntries(cameras.filter((c) => c.credentials).map((c) => [c.channelId, c.credentials]));
      await this.o.secrets.set(secretKey(w.siteId), JSON.stringify(credentials));
      const kept: KeptCamera[] = cameras.map(({ credentials: _, ...c }) => c);
      this.o.db.prepare('UPDATE failover_standby SET cameras = ?, paired_at = ?, error = NULL WHERE site_id = ?').run(JSON.stringify(kept), this.o.clock(), w.siteId);
      w.recordedHere = await this.recordedHere(kept);
      this.log.info({ site: w.siteId, cameras: kept.length, recordedHere: w.recordedHere.length }, 'paired with the primary station');
    } catch (err) {
      const error = (err as Error).message;
      this.o.db.prepare('UPDATE failover_standby SET error = ? WHERE site_id = ?').run(error, w.siteId);
      this.log.warn({ site: w.siteId, err: error }, 'pairing with the primary station failed');
    } finally {
      w.pairing = false;
      this.show(w, true);
    }
  }

  /** The sites area: a site's link changed state. Online again: pair afresh (hand-back follows from the pings). */
  linkChanged(siteId: number): void {
    const w = this.watches.get(siteId);
    if (!w) return;
    if (this.o.sites.link(siteId)?.online) {
      w.lastSeen = this.o.clock();
      w.unanswered = false;
      void this.pair(w);
    }
    this.show(w);
  }

  /** The sites area: a site is being removed; what was taken over is handed back (nobody to hand it to: just stopped). */
  async removed(siteId: number): Promise<void> {
    const w = this.watches.get(siteId);
    this.watches.delete(siteId);
    if (w) await this.handBack(w, 'station removed');
    await this.o.secrets.delete(secretKey(siteId));
  }

  private tick(): void {
    const now = this.o.clock();
    for (const w of this.watches.values()) {
      const link = this.o.sites.link(w.siteId);
      const r = this.row(w.siteId);
      if (!r) continue;
      const hung = w.pingSince !== null && now - w.pingSince > PING_HANG_MS;
      // Seen while its link is up and its pings are answered. A ping that hangs or went unanswered: not seen since it was
      // sent (the wait counts from there, not from when that was noticed).
      if (hung) w.lastSeen = Math.min(w.lastSeen, w.pingSince!);
      else if (link?.online && !w.unanswered) w.lastSeen = now;
      if (link?.online && w.pingSince === null && now - w.lastPing >= (this.o.pingMs ?? 2000)) void this.ping(w, link);
      const refused = !!link && ANSWERING_STATES.has(link.state.state);
      if (!w.takeover && !refused && now - w.lastSeen >= r.wait_s * 1000 && this.cameras(r).length > 0) void this.takeOver(w, r);
      if (w.takeover) {
        const t = w.takeover;
        this.o.db.prepare(`UPDATE failover_span SET end_ms = ? WHERE id IN (${t.taken.map(() => '?').join(',') || 'NULL'})`).run(now, ...t.taken.map((x) => x.spanId));
        // Back once the primary answered after the takeover began; stopped once its own recorders run (or after a while).
        const back = link?.online && w.lastAnswer > t.since;
        t.handingBackSince = back ? (t.handingBackSince ?? now) : null;
        if (t.handingBackSince !== null) {
          const all = t.taken.every((x) => w.primaryRecording.has(splitSiteChannel(x.channelId)!.remoteId));
          if (all || now - t.handingBackSince >= HANDBACK_MAX_MS) void this.handBack(w, all ? 'the primary records again' : 'the primary is back');
        }
      }
      this.show(w);
    }
  }

  private async ping(w: Watch, link: PrimaryLink): Promise<void> {
    const since = (w.pingSince = this.o.clock());
    w.lastPing = since;
    try {
      // A call the primary logs quietly, and one that says which channels its own recorders record.
      const status = await link.call('recording.status', {});
      w.lastAnswer = this.o.clock();
      w.unanswered = false;
      w.primaryRecording = new Set(status.channels.filter((c) => c.state === 'recording').map((c) => c.channelId));
    } catch (err) {
      // No answer (timed out, or its link gave up waiting): not seen since the ping was sent. A refusal is an answer.
      const reason = (err as StationError).reason;
      if (reason === 'site.noAnswer' || reason === 'station.connectionLost') w.lastSeen = Math.min(w.lastSeen, since);
      if (reason === 'site.noAnswer') w.unanswered = true;
    } finally {
      w.pingSince = null;
    }
  }

  /**
   * The primary's cameras whose stream (main or sub) is one this station records itself as its own channel: taking them
   * over would open the camera a second time and keep the same pictures twice.
   */
  private async recordedHere(cameras: KeptCamera[]): Promise<Watch['recordedHere']> {
    const recording = new Set((await this.o.own.configs()).filter((c) => c.mode !== 'off').map((c) => c.channelId));
    const own = new Map<string, string>();
    for (const c of await this.o.own.channels()) {
      if (!recording.has(c.id)) continue;
      for (const url of [c.mainUrl, c.subUrl]) {
        const key = sourceKey(url);
        if (key) own.set(key, c.name);
      }
    }
    return cameras.flatMap((cam) => {
      const ownName = [cam.mainUrl, cam.subUrl].map((u) => own.get(sourceKey(u) ?? '')).find((n) => n !== undefined);
      return ownName === undefined ? [] : [{ channelId: cam.channelId, name: cam.name, ownName }];
    });
  }

  private async takeOver(w: Watch, r: Row): Promise<void> {
    const now = this.o.clock();
    const taken: Taken[] = [];
    // Set before the first await: the next tick must not take over twice.
    const takeover = { since: now, taken, handingBackSince: null };
    w.takeover = takeover;
    const stored = await this.o.secrets.get(secretKey(w.siteId));
    const credentials = (stored ? JSON.parse(stored) : {}) as Record<string, { username: string; password: string }>;
    // Asked again now: this station's own channels may have changed since the pairing.
    const here = await this.recordedHere(this.cameras(r)).catch(() => w.recordedHere);
    if (w.takeover !== takeover) return;
    w.recordedHere = here;
    for (const cam of this.cameras(r)) {
      if (here.some((h) => h.channelId === cam.channelId)) continue;
      const channelId = siteChannelId(w.siteId, cam.channelId);
      const stream = cam.recording.stream === 'sub' && cam.subUrl ? 'sub' : 'main';
      const url = withCredentials(stream === 'sub' ? cam.subUrl! : cam.mainUrl, credentials[cam.channelId] ?? null);
      const spanId = Number(this.o.db.prepare('INSERT INTO failover_span (site_id, channel_id, start_ms, end_ms) VALUES (?, ?, ?, ?)').run(w.siteId, channelId, now, now).lastInsertRowid);
      const hub = new StreamHub({
        id: `failover:${channelId}/${stream}`, url, ffmpegPath: this.o.ffmpegPath(), logger: this.log, stallMs: this.o.stallMs, clock: this.o.clock,
        ingest: process.env.WATCHPOST_INGEST === 'ffmpeg' ? 'ffmpeg' : 'auto',
      });
      // The primary's events do not reach the standby: a camera it records on events is recorded throughout.
      const mode = cam.recording.mode === 'schedule' ? 'schedule' : 'continuous';
      const rec = this.o.record(channelId, hub, { mode, stream, schedule: cam.recording.schedule, preMs: cam.recording.preSeconds * 1000, postMs: cam.recording.postSeconds * 1000 });
      taken.push({ channelId, hub, rec, spanId, relays: new Set() });
    }
    this.log.warn({ site: w.siteId, cameras: taken.length, silentS: Math.round((now - w.lastSeen) / 1000) }, 'primary station not answering: recording its cameras');
    if (here.length) this.log.info({ site: w.siteId, cameras: here.map((h) => h.channelId) }, 'cameras of the primary left out: this station records them itself');
    this.show(w, true);
  }

  private async handBack(w: Watch, why: string): Promise<void> {
    const t = w.takeover;
    if (!t) return;
    w.takeover = undefined;
    await Promise.all(t.taken.map(async (x) => {
      // Live views move back to the primary (their hubs open it anew: sites-service.ts).
      for (const end of [...x.relays]) end(`handed back to the station (${why})`);
      await x.rec.stop().catch(() => {});
      x.hub.close();
      // After the recorder's last write: the span covers everything it recorded.
      this.o.db.prepare('UPDATE failover_span SET end_ms = ? WHERE id = ?').run(this.o.clock(), x.spanId);
    }));
    this.log.info({ site: w.siteId, cameras: t.taken.length, recordedS: Math.round((this.o.clock() - t.since) / 1000), why }, 'cameras handed back to the primary station');
    this.show(w, true);
  }

  // ---- live view of the cameras taken over ----

  private takenNow(channelId: number): Taken | undefined {
    const at = splitSiteChannel(channelId);
    return at ? this.watches.get(at.siteId)?.takeover?.taken.find((x) => x.channelId === channelId) : undefined;
  }

  /** Whether this station records that site channel now as the standby of its station. */
  holds(channelId: number): boolean {
    return !!this.takenNow(channelId);
  }

  /**
   * A taken-over camera's live view (a hub's upstream: sites-service.ts `remoteStream`): the connection the standby
   * records from, fanned out (whichever stream it records, main or sub), until hand-back. Undefined when not held.
   */
  relay(channelId: number, sink: UpstreamSink): { close(): void } | undefined {
    const x = this.takenNow(channelId);
    if (!x) return undefined;
    let off: (() => void) | undefined;
    let closed = false;
    const stop = () => {
      closed = true;
      off?.();
      x.relays.delete(end);
    };
    const end = (reason: string) => {
      stop();
      sink.closed(reason);
    };
    x.relays.add(end);
    // After `open` returned: the hub's cached init and GOP come at once on attach, and its upstream must exist to take them.
    setImmediate(() => {
      if (closed) return;
      try {
        off = x.hub.attach({
          init: (data, info) => { sink.bytes(data.length); sink.part({ kind: 'init', data, info }); },
          fragment: (data, info) => { sink.bytes(data.length); sink.part({ kind: 'fragment', data, info }); },
        });
      } catch {
        end('handed back to the station');
      }
    });
    return { close: stop };
  }

  /** `failover.live`: the channels of the station with that certificate this station records now, by both ids. */
  private live(fingerprint: string): { channelId: number; standbyChannelId: number }[] {
    const site = this.o.db.prepare('SELECT id FROM site WHERE fingerprint = ?').get(fingerprint) as { id: number } | undefined;
    const taken = site ? (this.watches.get(site.id)?.takeover?.taken ?? []) : [];
    return taken.map((x) => ({ channelId: splitSiteChannel(x.channelId)!.remoteId, standbyChannelId: x.channelId }));
  }

  // ---- what the sites table shows ----

  standbyOf(siteId: number): SiteStandby | undefined {
    const r = this.row(siteId);
    const w = this.watches.get(siteId);
    if (!r || !w) return undefined;
    const cameras = this.cameras(r).length;
    const now = this.o.clock();
    const silent = now - w.lastSeen >= 2000;
    let state: StandbyState = 'watching';
    let since: number | null = null;
    let takeoverAt: number | null = null;
    if (w.takeover) {
      state = w.takeover.handingBackSince !== null ? 'handing_back' : 'recording';
      since = w.takeover.since;
    } else if (r.paired_at === null) state = 'unpaired';
    else if (silent) {
      state = 'waiting';
      since = w.lastSeen;
      takeoverAt = w.lastSeen + r.wait_s * 1000;
    }
    return {
      waitSeconds: r.wait_s, state, cameras, pairedAt: r.paired_at, recording: w.takeover?.taken.length ?? 0, since, takeoverAt, error: r.error,
      recordedHere: w.recordedHere.map(({ name, ownName }) => ({ name, ownName })),
    };
  }

  /** Tells the sites area when what the table shows changed (state or camera count), not on every tick. */
  private show(w: Watch, force = false): void {
    const s = this.standbyOf(w.siteId);
    const key = JSON.stringify(s && { ...s, since: s.state === 'waiting' ? null : s.since, takeoverAt: null });
    if (!force && key === w.shown) return;
    w.shown = key;
    this.o.sites.changed();
  }

  // ---- the timeline ----

  private takeovers(channelId: number, from: number, to: number): { start: number; end: number }[] {
    const rows = this.o.db.prepare('SELECT id, start_ms, end_ms FROM failover_span WHERE channel_id = ? AND start_ms <= ? AND end_ms >= ? ORDER BY start_ms').all(channelId, to, from) as { id: number; start_ms: number; end_ms: number }[];
    const active = new Set([...this.watches.values()].flatMap((w) => w.takeover?.taken.map((x) => x.spanId) ?? []));
    // A takeover under way reaches to now and on (its row is written once a second).
    return rows.map((r) => ({ start: r.start_ms, end: active.has(r.id) ? Infinity : r.end_ms }));
  }

  /** This station's timeline with its failover recordings of other stations' channels marked `standby`. */
  markTimeline(list: TimelineChannel[]): TimelineChannel[] {
    return list.map((c) => {
      if (!splitSiteChannel(c.channelId) || c.spans.length === 0) return c;
      const t = this.takeovers(c.channelId, c.spans[0]!.start, c.spans.at(-1)!.end);
      return t.length ? { ...c, spans: markStandby(c.spans, t) } : c;
    });
  }

  /** What this station recorded as the standby of the station with that certificate, under that station's channel ids. */
  private async coverage(fingerprint: string, channelIds: number[], from: number, to: number) {
    const site = this.o.db.prepare('SELECT id FROM site WHERE fingerprint = ?').get(fingerprint) as { id: number } | undefined;
    if (!site) return channelIds.map((channelId) => ({ channelId, spans: [] }));
    const local = this.markTimeline(await this.o.timeline(channelIds.map((id) => siteChannelId(site.id, id)), from, to));
    return channelIds.map((channelId, i) => ({
      channelId, spans: (local[i]?.spans ?? []).filter((s) => s.standby).map(({ start, end }) => ({ start, end })),
      // Where the desk copies them from (archive.segments of this station's own archive).
      standbyChannelId: siteChannelId(site.id, channelId),
    }));
  }

  readonly handlers: Pick<Handlers, 'sites.setStandby' | 'failover.pairing' | 'failover.coverage' | 'failover.live'> = {
    'sites.setStandby': async ({ id, enabled, waitSeconds }) => {
      await this.setStandby(id, enabled, waitSeconds ?? STANDBY_WAIT_DEFAULT_S);
      return this.o.sites.site(id);
    },
    'failover.pairing': (_, session) => this.pairingFor(session),
    'failover.coverage': ({ fingerprint, channelIds, from, to }) => this.coverage(fingerprint, channelIds, from, to),
    'failover.live': ({ fingerprint }) => this.live(fingerprint),
  };

  async dispose(): Promise<void> {
    clearInterval(this.timer);
    for (const w of this.watches.values()) await this.handBack(w, 'station stopping');
  }
}
