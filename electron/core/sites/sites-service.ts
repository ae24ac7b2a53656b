import {
  CONTRACT_VERSION, contractMajor, fail, siteChannelId, splitSiteChannel, StationError,
  type CallInput, type FoundStation, type CallName, type CallOutput, type Channel, type StationEntry, type EventType, type RemoteServing, type Site, type StationEvent, type StreamProfile,
} from '../../contract';
import type { Logger } from '../log';
import { Fmp4Reader } from '../media/fmp4';
import type { StreamHubOptions, UpstreamSink } from '../media/stream-hub';
import type { Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Station } from '../station';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import type { FailoverService } from './failover';
import { startRemoteServer, type RemoteServer } from './remote-server';
import { SiteLink, type LinkState } from './site-link';
import { addressFacing, answerStationProbes, probeStations, type DiscoveryPlace } from './station-discovery';
import { stationIdentity } from './tls-identity';

interface Row { id: number; name: string; host: string; port: number; username: string; fingerprint: string | null; channels: string }
type Opener = NonNullable<StreamHubOptions['open']>;
type Mirrored = { channelId: number | null; type: EventType; source: StationEvent['source'] };

export interface SitesServiceOptions {
  db: Db;
  secrets: SecretStore;
  signals: SignalBus;
  logger: Logger;
  clock: () => number;
  dataDir: string;
  /** Where stations are found on the LAN (answered while serving, asked by `sites.discover`); none: not at all. */
  discovery?: DiscoveryPlace;
  /** This station as it answers a desk looking for stations, and as a remote station's version is compared with. */
  self: { name: string; version: string; contract: string };
  /** The station itself, served to desks (known once composed). */
  station: () => Station;
  /** The desk's channel list changed (remote channels came, went or were renamed). */
  channelsChanged: () => void;
  /** A remote station's event, mirrored into this desk's events (its channel id namespaced). */
  ingest: (e: { channelId: number | null; type: EventType; source: StationEvent['source']; state?: boolean; at?: number; detail?: string }) => void;
  /** Stateful event kinds (they open and close). */
  stateful: (type: EventType) => boolean;
  /** The station alarm of a station that went away (health/), by the id the Health page knows it by; ended when it is back. */
  offline: { raise(id: string, name: string, reason: string): void; end(id: string): void };
  /** A site was removed (its copy of that station's archive goes: remote-archive.ts). */
  removed?: (id: number) => void;
  /** A relayed stream's source moved: its live hub opens a new upstream (false: nobody watches it any more). */
  restream?: (streamId: string) => boolean;
  /** How long a connected station may answer nothing before its link says `not_answering` (site-link.ts; tests shorten it). */
  noAnswerMs?: number;
}

/** Where a remote stream's live view comes from now: its own station, this station's takeover, or another station's. */
interface Relay { siteId: number; via: 'primary' | 'self' | number; moving?: boolean }
/** How long a standby's answer to `failover.live` is kept (every tile of a station away asks it). */
const STANDBY_LIVE_MS = 2000;
const STANDBY_REFUSED_MS = 60_000;

const secretKey = (id: number) => `site:${id}`;
/** The sign-in a site's link resumes on reconnecting (site-link.ts), kept with the certificate and user it was made for. */
const sessionKey = (id: number) => `site-session:${id}`;
/** A site as the Health page and its station alarms name it. */
const healthId = (id: number) => `site-${id}`;

/**
 * Many stations, one desk. Serving: this station speaks its contract to desks on the LAN over TLS when the user turns
 * it on. Desk: the stations added by address, one `SiteLink` each; their channels join this station's list under
 * namespaced ids, their streams become this station's hubs (one upstream per remote stream, shared by every tile), their
 * events are mirrored into this station's events with the station named, so alarm rules and the events list cover them.
 */
export class SitesService {
  private server?: RemoteServer;
  private serveError: string | null = null;
  private fingerprint: string | null = null;
  private readonly links = new Map<number, SiteLink>();
  /** Remote events mirrored, by site and remote id: what closes it here while open, null once closed. */
  private readonly mirrored = new Map<string, Mirrored | null>();
  private readonly log: Logger;
  /** Stops answering desks' Probes (set while serving with discovery on). */
  private answering?: () => Promise<void>;
  /** Failover recording (failover.ts): the standby state of each site this station is the standby of. */
  private failover?: Pick<FailoverService, 'linkChanged' | 'standbyOf' | 'removed' | 'holds' | 'relay'>;
  /** Remote streams relayed now, by stream id, and where from; and those whose station is away with no standby holding them. */
  private readonly relays = new Map<string, Relay>();
  private readonly waiting = new Map<string, { siteId: number; remoteId: number }>();
  private readonly standbyLiveCache = new Map<string, { until: number; answer: Promise<{ channelId: number; standbyChannelId: number }[]> }>();
  private relayTimer?: NodeJS.Timeout;

  constructor(private readonly o: SitesServiceOptions) {
    this.log = o.logger.child({ part: 'sites' });
  }

  async start(): Promise<void> {
    const s = this.servingRow();
    if (s.enabled) await this.serve(s.host, s.port).catch(() => {});
    for (const r of this.rows()) await this.link(r);
    this.relayTimer = setInterval(() => this.moveRelays(), 1000);
    this.relayTimer.unref();
  }

  // ---- serving desks ----

  private servingRow(): { enabled: number; host: string; port: number } {
    return this.o.db.prepare('SELECT enabled, host, port FROM site_serving WHERE id = 1').get() as { enabled: number; host: string; port: number };
  }

  private async serve(host: string, port: number): Promise<void> {
    await this.stopAnswering();
    await this.server?.close();
    this.server = undefined;
    this.serveError = null;
    try {
      const identity = await stationIdentity(this.o.dataDir, this.o.secrets, host);
      this.fingerprint = identity.fingerprint;
      this.server = await startRemoteServer(this.o.station(), identity, host, port, this.log);
      await this.answerProbes(host, this.server.port, identity.fingerprint);
    } catch (err) {
      this.serveError = (err as Error).message;
      this.log.warn({ host, port, err: this.serveError }, 'cannot serve desks');
      throw fail('site.cannotServe', { host, port, error: this.serveError });
    }
  }

  async serving(): Promise<RemoteServing> {
    const s = this.servingRow();
    // The fingerprint is shown before serving is on, so it can be read out to the desk's user in advance.
    this.fingerprint ??= (await stationIdentity(this.o.dataDir, this.o.secrets, s.host)).fingerprint;
    return { enabled: !!s.enabled, host: s.host, port: s.port, fingerprint: this.fingerprint, listening: !!this.server, error: this.serveError, desks: this.server?.desks() ?? 0 };
  }

  private async setServing(enabled: boolean, host: string, port: number): Promise<RemoteServing> {
    if (enabled) await this.serve(host, port);
    else {
      await this.stopAnswering();
      await this.server?.close();
      this.server = undefined;
      this.serveError = null;
    }
    this.o.db.prepare('UPDATE site_serving SET enabled = ?, host = ?, port = ? WHERE id = 1').run(enabled ? 1 : 0, host, port);
    this.log.info({ enabled, host, port }, 'serving desks changed');
    return this.serving();
  }

  // ---- stations found on the LAN (station-discovery.ts) ----

  /** While serving: answers desks' Probes for stations with this one's address, port, name, version and fingerprint. */
  private async answerProbes(host: string, port: number, fingerprint: string): Promise<void> {
    await this.stopAnswering();
    if (!this.o.discovery) return;
    const everywhere = host === '0.0.0.0' || host === '::';
    try {
      this.answering = await answerStationProbes(this.o.discovery, (prober) => ({ ...this.o.self, host: everywhere ? addressFacing(prober) : host, port, fingerprint }));
    } catch (err) {
      // Serving works without it: desks still add this station by address.
      this.log.warn({ err: (err as Error).message }, 'cannot answer desks looking for stations');
    }
  }

  private async stopAnswering(): Promise<void> {
    const stop = this.answering;
    this.answering = undefined;
    await stop?.();
  }

  /** Stations on the LAN serving desks, less those in the list already (by address or certificate) and this one. */
  private async discover(): Promise<FoundStation[]> {
    if (!this.o.discovery) throw fail('site.discoveryOff');
    const rows = this.rows();
    const known = (s: { host: string; port: number; fingerprint: string }) =>
      s.fingerprint === this.fingerprint || rows.some((r) => (r.host === s.host && r.port === s.port) || r.fingerprint === s.fingerprint);
    const found = await probeStations(this.o.discovery, 1500);
    return found.filter((s) => !known(s)).sort((a, b) => a.name.localeCompare(b.name) || a.host.localeCompare(b.host)).map((s) => ({
      name: s.name, host: s.host, port: s.port, fingerprint: s.fingerprint, version: s.version || null,
      compatible: contractMajor(s.contract) === contractMajor(CONTRACT_VERSION),
    }));
  }

  // ---- the stations this desk knows ----

  private rows(): Row[] {
    return this.o.db.prepare('SELECT * FROM site ORDER BY id').all() as Row[];
  }

  private row(id: number): Row {
    const r = this.o.db.prepare('SELECT * FROM site WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw fail('site.notFound', { id });
    return r;
  }

  private toSite(r: Row): Site {
    const s: LinkState = this.links.get(r.id)?.state ?? { state: 'offline', reason: null, retryAt: null, seenFingerprint: null, version: null, clockOffsetMs: null };
    return {
      id: r.id, name: r.name, host: r.host, port: r.port, username: r.username, fingerprint: r.fingerprint,
      seenFingerprint: s.seenFingerprint, state: s.state, reason: s.reason, retryAt: s.retryAt, version: s.version,
      clockOffsetMs: s.clockOffsetMs, channels: (JSON.parse(r.channels) as unknown[]).length,
      ...this.standbyOf(r.id),
    };
  }

  list(): Site[] {
    return this.rows().map((r) => this.toSite(r));
  }

  private changed(): void {
    this.o.signals.emit('sites.changed', this.list());
  }

  private async link(r: Row): Promise<SiteLink> {
    this.links.get(r.id)?.stop();
    let wasOnline = false;
    const link = new SiteLink({
      name: r.name, self: this.o.self, host: r.host, port: r.port, fingerprint: r.fingerprint, username: r.username, logger: this.log, clock: this.o.clock,
      noAnswerMs: this.o.noAnswerMs,
      password: async () => (await this.o.secrets.get(secretKey(r.id))) ?? '',
      // Resumed only at the certificate pinned now and as the same user: a sign-in is never sent to another station.
      resume: {
        get: async () => {
          const saved = await this.o.secrets.get(sessionKey(r.id));
          const s = saved ? (JSON.parse(saved) as { fingerprint: string; username: string; sessionId: string }) : undefined;
          return s && r.fingerprint !== null && s.fingerprint === r.fingerprint && s.username === r.username ? s.sessionId : undefined;
        },
        set: (sessionId) => (sessionId === null
          ? this.o.secrets.delete(sessionKey(r.id))
          : this.o.secrets.set(sessionKey(r.id), JSON.stringify({ fingerprint: r.fingerprint, username: r.username, sessionId }))),
      },
      onState: (s) => {
        this.failover?.linkChanged(r.id);
        this.changed();
        if (s.state === 'online') {
          wasOnline = true;
          this.o.offline.end(healthId(r.id));
        } else {
          this.closeMirrored(r.id);
          // Offline, refused or presenting another certificate after it was up: the desk no longer sees its cameras.
          if (wasOnline && s.state !== 'connecting' && s.state !== 'signing_in') this.o.offline.raise(healthId(r.id), r.name, s.reason ?? s.state);
        }
      },
      onChannels: (list) => {
        this.o.db.prepare('UPDATE site SET channels = ? WHERE id = ?').run(JSON.stringify(list), r.id);
        this.o.channelsChanged();
        this.changed();
      },
      onSignal: (name, payload) => {
        if (name === 'event.changed') this.mirror(r.id, payload as StationEvent);
        if (name === 'recording.changed') this.o.signals.emit('sites.recordingChanged', { siteId: r.id, revision: (payload as { revision: number }).revision });
      },
    });
    this.links.set(r.id, link);
    link.start();
    return link;
  }

  private async add(input: { name?: string; host: string; port: number; username: string; password: string }): Promise<Site> {
    const taken = this.o.db.prepare('SELECT id FROM site WHERE host = ? AND port = ?').get(input.host, input.port);
    if (taken) throw fail('site.duplicate', { field: 'host', host: input.host, port: input.port });
    const { lastInsertRowid } = this.o.db.prepare('INSERT INTO site (name, host, port, username, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(input.name || `${input.host}:${input.port}`, input.host, input.port, input.username, this.o.clock());
    const id = Number(lastInsertRowid);
    await this.o.secrets.set(secretKey(id), input.password);
    this.log.info({ site: id, host: input.host, port: input.port }, 'station added');
    const link = await this.link(this.row(id));
    // Wait for the certificate (or the refusal), so the page can show it at once for comparison.
    const until = this.o.clock() + 10_000;
    while (link.state.state === 'connecting' && link.state.seenFingerprint === null && this.o.clock() < until) await new Promise((r) => setTimeout(r, 50));
    return this.toSite(this.row(id));
  }

  /**
   * A site made from a received share (sites/shares.ts): its certificate pinned from the share (the sharer's station made
   * it, the cloud delivered it over HTTPS), its credential kept as the site's password, signed in with as a share.
   */
  async addShared(s: { name: string; host: string; port: number; fingerprint: string; username: string; password: string }): Promise<Site> {
    const taken = this.o.db.prepare('SELECT id FROM site WHERE host = ? AND port = ?').get(s.host, s.port);
    if (taken) throw fail('site.duplicate', { field: 'host', host: s.host, port: s.port });
    const { lastInsertRowid } = this.o.db.prepare('INSERT INTO site (name, host, port, username, fingerprint, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s.name, s.host, s.port, s.username, s.fingerprint, this.o.clock());
    const id = Number(lastInsertRowid);
    await this.o.secrets.set(secretKey(id), s.password);
    this.log.info({ site: id, host: s.host, port: s.port }, 'shared station added');
    await this.link(this.row(id));
    this.changed();
    return this.toSite(this.row(id));
  }

  private async trust(id: number, fingerprint: string): Promise<Site> {
    const r = this.row(id);
    const seen = this.links.get(id)?.state.seenFingerprint ?? null;
    if (seen === null) throw fail('site.notSeen', { host: r.host, port: r.port });
    if (seen !== fingerprint) throw fail('site.otherCertificate', { field: 'fingerprint', seen });
    this.o.db.prepare('UPDATE site SET fingerprint = ? WHERE id = ?').run(fingerprint, id);
    this.log.info({ site: id }, 'station certificate trusted');
    await this.link(this.row(id));
    return this.toSite(this.row(id));
  }

  private async remove(id: number): Promise<boolean> {
    const r = this.o.db.prepare('SELECT id FROM site WHERE id = ?').get(id);
    if (!r) return false;
    await this.failover?.removed(id);
    this.links.get(id)?.stop();
    this.links.delete(id);
    this.closeMirrored(id);
    this.o.db.prepare('DELETE FROM site WHERE id = ?').run(id);
    await this.o.secrets.delete(secretKey(id));
    await this.o.secrets.delete(sessionKey(id));
    this.o.removed?.(id);
    this.o.channelsChanged();
    this.changed();
    return true;
  }

  // ---- failover recording (failover.ts) ----

  setFailover(f: Pick<FailoverService, 'linkChanged' | 'standbyOf' | 'removed' | 'holds' | 'relay'>): void {
    this.failover = f;
  }

  private standbyOf(id: number): { standby?: Site['standby'] } {
    const standby = this.failover?.standbyOf(id);
    return standby ? { standby } : {};
  }

  /** A site's link (failover watches it and pairs over it). */
  linkOf(id: number): SiteLink | undefined {
    return this.links.get(id);
  }

  /** A site as `sites.list` shows it. */
  site(id: number): Site {
    return this.toSite(this.row(id));
  }

  /** The sites' standby state changed: the list goes out again. */
  standbyChanged(): void {
    this.changed();
  }

  // ---- what the rest of the station sees ----

  /** Remote channels under their desk ids, with their station named; the last known list while a station is offline. */
  channels(): Channel[] {
    return this.rows().flatMap((r) => (JSON.parse(r.channels) as Channel[]).map((c) => ({
      // Where the desk gets it: the station, not the camera (whose address is that station's business).
      ...c, id: siteChannelId(r.id, c.id), site: { id: r.id, name: r.name }, hasCredentials: false,
      mainUrl: `watchpost://${r.host}:${r.port}/${c.id}/main`, subUrl: c.subUrl === null ? null : `watchpost://${r.host}:${r.port}/${c.id}/sub`,
    })));
  }

  /** A remote channel by its desk id, or undefined for the station's own. */
  channel(id: number): Channel | undefined {
    return splitSiteChannel(id) ? this.channels().find((c) => c.id === id) : undefined;
  }

  /**
   * A remote stream as a hub's upstream: `live.open` on the remote station (the codec as it is, audio included: this
   * station's viewers and transcoder decide), its media frames parsed back into fMP4 parts. While that station is not
   * connected and its cameras are recorded by a standby (failover), from the standby instead: this station's own takeover
   * (`FailoverService.relay`), else another station that answers `failover.live` with it (as this desk's account there).
   * `moveRelays` moves it back once the station is connected again, and to a standby once one holds it.
   */
  remoteStream(channelId: number, profile: StreamProfile): Opener | undefined {
    const at = splitSiteChannel(channelId);
    if (!at || !this.o.db.prepare('SELECT id FROM site WHERE id = ?').get(at.siteId)) return undefined;
    const streamId = `${channelId}/${profile}`;
    return (sink) => {
      const link = this.links.get(at.siteId);
      let closed = false;
      let inner: { close(): void } | undefined;
      const mine: Relay = { siteId: at.siteId, via: 'primary' };
      const forget = () => { if (this.relays.get(streamId) === mine) this.relays.delete(streamId); };
      const out: UpstreamSink = { part: (p) => sink.part(p), bytes: (n) => sink.bytes(n), closed: (reason) => { forget(); if (!closed) { closed = true; sink.closed(reason); } } };
      this.waiting.delete(streamId);
      this.relays.set(streamId, mine);
      if (link?.online) inner = this.relayFrom(link, `${at.remoteId}/${profile}`, out);
      else if ((inner = this.failover?.relay(channelId, out))) mine.via = 'self';
      else {
        // Why, where the station said (a share revoked or over, a refused sign-in): the tile shows it.
        const why = link?.state.state === 'auth_failed' && link.state.reason ? link.state.reason : `the station is ${link?.state.state ?? 'offline'}`;
        void this.standbyLive(at.siteId, at.remoteId).then((found) => {
          if (closed) return;
          if (!found) {
            this.waiting.set(streamId, at);
            return out.closed(why);
          }
          mine.via = found.siteId;
          inner = this.relayFrom(found.link, `${found.standbyChannelId}/${profile}`, out);
        });
      }
      return {
        close: () => {
          closed = true;
          forget();
          inner?.close();
        },
      };
    };
  }

  /** `live.open` of a stream on another station through its link, as an upstream. */
  private relayFrom(link: SiteLink, remoteStreamId: string, sink: UpstreamSink): { close(): void } {
    let closed = false;
    let remote: number | undefined;
    let unregister = () => {};
    const end = (reason: string) => { if (!closed) { closed = true; unregister(); sink.closed(reason); } };
    let reader = new Fmp4Reader();
    void link.call('live.open', { streamId: remoteStreamId, hevc: true, audio: true, rate: 'full' }).then(({ channel }) => {
      remote = channel;
      if (closed) return void link.call('live.close', { channel }).catch(() => {});
      unregister = link.onMediaChannel(channel, (f) => {
        if (f.kind === 'init') reader = new Fmp4Reader();
        if (f.kind === 'end') return end('the station ended the stream');
        sink.bytes(f.payload.length);
        try {
          // A view of the message's bytes (ws never reuses a message's memory), parsed as it is: copied no second time.
          const payload = Buffer.from(f.payload.buffer, f.payload.byteOffset, f.payload.byteLength);
          for (const part of reader.push(payload)) sink.part(part);
        } catch (err) {
          end((err as Error).message);
        }
      }, () => end('the connection to the station was lost'));
    }, (err: Error) => end(err.message));
    return {
      close: () => {
        if (closed) return;
        closed = true;
        unregister();
        if (remote !== undefined) void link.call('live.close', { channel: remote }).catch(() => {});
      },
    };
  }

  /** The station online now that records this site's camera as its standby (asked `failover.live`, answers kept briefly). */
  private async standbyLive(siteId: number, remoteId: number): Promise<{ siteId: number; link: SiteLink; standbyChannelId: number } | undefined> {
    const r = this.o.db.prepare('SELECT fingerprint FROM site WHERE id = ?').get(siteId) as { fingerprint: string | null } | undefined;
    if (!r?.fingerprint) return undefined;
    const fingerprint = r.fingerprint;
    const now = this.o.clock();
    for (const [id, link] of this.links) {
      if (id === siteId || !link.online) continue;
      const key = `${siteId}:${id}`;
      let kept = this.standbyLiveCache.get(key);
      if (!kept || now >= kept.until) {
        const asked: { until: number; answer: Promise<{ channelId: number; standbyChannelId: number }[]> } = { until: now + STANDBY_LIVE_MS, answer: Promise.resolve([]) };
        // A refusal (no live right there), an older station without the call, or no answer: holds none, asked again
        // only after a while (a refusal is a row in that station's log).
        asked.answer = link.call('failover.live', { fingerprint }).catch(() => ((asked.until = this.o.clock() + STANDBY_REFUSED_MS), []));
        this.standbyLiveCache.set(key, (kept = asked));
      }
      const found = (await kept.answer).find((c) => c.channelId === remoteId);
      if (found && link.online) return { siteId: id, link, standbyChannelId: found.standbyChannelId };
    }
    return undefined;
  }

  /**
   * Every second: a stream relayed from a standby moves back to its station once that is connected again; a stream whose
   * station is away moves to a standby once one holds its camera (rather than waiting out its hub's backoff).
   */
  private moveRelays(): void {
    const restream = this.o.restream;
    if (!restream) return;
    for (const [streamId, r] of this.relays) {
      if (r.via === 'primary' || r.moving || !this.links.get(r.siteId)?.online) continue;
      r.moving = true;
      if (!restream(streamId)) this.relays.delete(streamId);
    }
    for (const [streamId, w] of this.waiting) {
      const channelId = siteChannelId(w.siteId, w.remoteId);
      const now = () => {
        this.waiting.delete(streamId);
        restream(streamId);
      };
      if (this.links.get(w.siteId)?.online || this.failover?.holds(channelId)) now();
      else void this.standbyLive(w.siteId, w.remoteId).then((found) => { if (found && this.waiting.has(streamId)) now(); });
    }
  }

  /** The Health page's cards of the other stations: each online one's own `health.get`, asked now (5 s at most). */
  stations(): Promise<StationEntry[]> {
    return Promise.all(this.rows().map(async (r): Promise<StationEntry> => {
      const link = this.links.get(r.id);
      const s = link?.state.state ?? 'offline';
      const state = s === 'online' ? 'online' : s === 'connecting' || s === 'signing_in' ? 'connecting' : 'offline';
      const health = link?.online
        ? await Promise.race([link.call('health.get', {}).catch(() => undefined), new Promise<undefined>((res) => setTimeout(res, 5000))])
        : undefined;
      return {
        id: healthId(r.id), name: r.name, state,
        ...(link?.state.retryAt ? { retryAt: link.state.retryAt } : {}),
        ...(state !== 'online' && link?.state.reason ? { error: link.state.reason } : {}),
        ...(health ? { health } : {}),
      };
    }));
  }

  /**
   * A call about one remote channel (PTZ, talk, an event recording started by hand), made on its station under the
   * channel's id there, as this desk's account there; undefined for this station's own channels.
   */
  relay<K extends CallName>(name: K, input: CallInput<K> & { channelId: number }): Promise<CallOutput<K>> | undefined {
    const at = splitSiteChannel(input.channelId);
    if (!at) return undefined;
    if (!this.o.db.prepare('SELECT id FROM site WHERE id = ?').get(at.siteId)) return Promise.reject(fail('channel.notFound', { id: input.channelId }));
    return this.onSite(at.siteId, name, { ...input, channelId: at.remoteId });
  }

  /**
   * A call on a site, as this desk's account there: refused at once while that station is not connected (nothing waits
   * on it). Its refusals come back as it gave them, but for a right that account lacks there (said as that station's,
   * naming the account: the desk user's own rights are not what is missing) and a channel it does not know (under the
   * desk's id of it).
   */
  private async onSite<K extends CallName>(siteId: number, name: K, input: CallInput<K>): Promise<CallOutput<K>> {
    const r = this.row(siteId);
    const link = this.links.get(siteId);
    if (!link?.online) throw fail('site.notConnected', { name: r.name, state: link?.state.state ?? 'offline' });
    try {
      return await link.call(name, input);
    } catch (err) {
      if (!(err instanceof StationError)) throw err;
      if (err.reason === 'auth.missingRight' || err.reason === 'auth.missingChannelRight') {
        throw fail('site.missingRight', { name: r.name, user: r.username, right: String(err.params?.right ?? '') });
      }
      if (err.reason === 'channel.notFound' && typeof err.params?.id === 'number') throw fail('channel.notFound', { id: siteChannelId(siteId, err.params.id) });
      throw err;
    }
  }

  /**
   * `recording.setChannels` of remote channels (their desk ids, all of one station): changed on their station with the
   * revision read there (`sites.recordingConfig`), so a change someone else made there since is refused by that station;
   * undefined when every channel named is this station's own.
   */
  setChannels(input: CallInput<'recording.setChannels'>): Promise<CallOutput<'recording.setChannels'>> | undefined {
    const at = input.channelIds.map(splitSiteChannel);
    if (at.every((a) => a === null)) return undefined;
    const siteId = at[0]?.siteId;
    if (siteId === undefined || at.some((a) => a?.siteId !== siteId)) return Promise.reject(fail('site.oneStation', { field: 'channelIds' }));
    return this.onSite(siteId, 'recording.setChannels', { ...input, channelIds: at.map((a) => a!.remoteId) })
      .then((list) => list.map((c) => ({ ...c, channelId: siteChannelId(siteId, c.channelId) })));
  }

  /** A site's recording settings as its Recording page reads them, its channels under their desk ids (the revision its own). */
  private async recordingConfig(siteId: number): Promise<CallOutput<'sites.recordingConfig'>> {
    const c = await this.onSite(siteId, 'recording.config', {});
    return {
      ...c,
      channels: c.channels.map((x) => ({ ...x, channelId: siteChannelId(siteId, x.channelId) })),
      motionIndexBytes: Object.fromEntries(Object.entries(c.motionIndexBytes).map(([k, v]) => [String(siteChannelId(siteId, Number(k))), v])),
    };
  }

  // ---- another station's archive (remote-archive.ts) ----

  /** The stations in the list (their archive copies outside it go). */
  siteIds(): number[] {
    return this.rows().map((r) => r.id);
  }

  /** A site's link for its archive, with its clock minus ours; refused at once when it is not connected (no waiting). */
  archiveLink(siteId: number): { link: Pick<SiteLink, 'call'>; offsetMs: number } {
    const link = this.links.get(siteId);
    const r = this.o.db.prepare('SELECT name FROM site WHERE id = ?').get(siteId) as { name: string } | undefined;
    if (!r) throw fail('site.notFound', { id: siteId });
    if (!link?.online) throw fail('site.notConnected', { name: r.name, state: link?.state.state ?? 'offline' });
    return { link, offsetMs: link.state.clockOffsetMs ?? 0 };
  }

  /**
   * The stations that may have recorded a site's cameras as its standby (failover): the site's pinned certificate, and
   * every other station online now with its link and offset. None while the site's certificate is not trusted.
   */
  standbysOf(siteId: number): { fingerprint: string; others: { siteId: number; link: Pick<SiteLink, 'call'>; offsetMs: number }[] } | undefined {
    const r = this.o.db.prepare('SELECT fingerprint FROM site WHERE id = ?').get(siteId) as { fingerprint: string | null } | undefined;
    if (!r?.fingerprint) return undefined;
    const others = [...this.links].filter(([id, l]) => id !== siteId && l.online).map(([id, link]) => ({ siteId: id, link, offsetMs: link.state.clockOffsetMs ?? 0 }));
    return { fingerprint: r.fingerprint, others };
  }

  /** A remote event into this desk's events: opened once, closed when it ends there (or the station goes away). */
  private mirror(siteId: number, e: StationEvent): void {
    const key = `${siteId}:${e.id}`;
    const ev: Mirrored = { channelId: e.channelId === null ? null : siteChannelId(siteId, e.channelId), type: e.type, source: e.source };
    const seen = this.mirrored.get(key);
    if (seen === undefined) {
      const stateful = this.o.stateful(e.type);
      this.mirrored.set(key, stateful && e.end === null ? ev : null);
      this.o.ingest({ ...ev, at: e.start, detail: `${this.row(siteId).name}: ${e.detail}`.slice(0, 500), ...(stateful ? { state: true } : {}) });
      if (stateful && e.end !== null) this.o.ingest({ ...ev, at: e.end, state: false });
    } else if (seen && e.end !== null) {
      this.mirrored.set(key, null);
      this.o.ingest({ ...ev, at: e.end, state: false });
    }
    if (this.mirrored.size > 10_000) for (const [k, o] of this.mirrored) if (!o) this.mirrored.delete(k);
  }

  /** Events still open from a station that went away end now: nothing will tell this desk when they end there. */
  private closeMirrored(siteId: number): void {
    for (const [key, ev] of this.mirrored) {
      if (!ev || !key.startsWith(`${siteId}:`)) continue;
      this.mirrored.set(key, null);
      this.o.ingest({ ...ev, state: false });
    }
  }

  readonly handlers: Pick<Handlers, 'sites.discover' | 'sites.clock' | 'sites.serving' | 'sites.setServing' | 'sites.list' | 'sites.add' | 'sites.trust' | 'sites.setCredentials' | 'sites.retry' | 'sites.remove'
    | 'sites.recordingConfig' | 'sites.recordingStatus' | 'sites.setArchive'> = {
    'sites.serving': () => this.serving(),
    'sites.setServing': ({ enabled, host, port }) => this.setServing(enabled, host, port),
    'sites.list': () => this.list(),
    'sites.discover': () => this.discover(),
    'sites.clock': () => ({ now: this.o.clock() }),
    'sites.add': (input) => this.add(input),
    'sites.trust': ({ id, fingerprint }) => this.trust(id, fingerprint),
    'sites.setCredentials': async ({ id, username, password }) => {
      this.row(id);
      this.o.db.prepare('UPDATE site SET username = ? WHERE id = ?').run(username, id);
      await this.o.secrets.set(secretKey(id), password);
      // New credentials are checked, not passed over by the sign-in made with the old ones.
      await this.o.secrets.delete(sessionKey(id));
      await this.link(this.row(id));
      return this.toSite(this.row(id));
    },
    'sites.retry': async ({ id }) => (await this.link(this.row(id)), this.toSite(this.row(id))),
    'sites.remove': async ({ id }) => ({ removed: await this.remove(id) }),
    // Another station's recording settings, read and changed there (its own rights and revisions apply).
    'sites.recordingConfig': ({ id }) => this.recordingConfig(id),
    'sites.recordingStatus': async ({ id }) => {
      const s = await this.onSite(id, 'recording.status', {});
      return { ...s, channels: s.channels.map((c) => ({ ...c, channelId: siteChannelId(id, c.channelId) })) };
    },
    'sites.setArchive': ({ id, ...settings }) => this.onSite(id, 'recording.setArchive', settings),
  };

  async dispose(): Promise<void> {
    clearInterval(this.relayTimer);
    await this.stopAnswering();
    for (const l of this.links.values()) l.stop();
    this.links.clear();
    await this.server?.close();
  }
}
