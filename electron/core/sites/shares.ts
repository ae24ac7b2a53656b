// Hardware Share (issue 16). The sharer's side: a share of some of this station's channels with another person's cloud
// account, its credential (a random secret, kept here only as its SHA-256 and never logged) accepted by this station's
// desk server for exactly those channels and rights, inside the share's window, playback reaching back only the history
// window; the cloud records the share and delivers the credential. The recipient's side: the shares its cloud account
// received, each added as a site (sites-service.ts) that signs in with the credential instead of a user and password.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { SHARE_WATCH_WAIT_MS } from '../../contract/cloud';
import {
  fail, SHARE_SITE_USER, SHARE_USER_BASE,
  type CallName, type Channel, type GivenShare, type Me, type ReceivedShare, type RemoteServing, type Right, type ShareRight, type Site,
  type StationError,
} from '../../contract';
import type { Grant } from '../auth/access';
import type { Logger } from '../log';
import type { CloudClient } from '../privacy/cloud-client';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';

interface Row {
  id: number; cloud_id: string; recipient_email: string; channels: string; rights: string; valid_from: number | null;
  valid_until: number | null; history_s: number | null; secret_hash: string | null; created_at: number; revoked_at: number | null;
  last_used_at: number | null; uses: number;
}

/**
 * What a share's sign-in may call: the shared cameras' pictures, their archive, PTZ, talk (with the share's `talk` right),
 * and what a desk's link needs to stay up. Everything else (settings, users, devices, other sites …) is refused as not
 * shared; the rights check still applies.
 */
const SHARED_CALLS = new Set<CallName>([
  'auth.state', 'auth.resume', 'auth.signOut', 'station.status', 'channels.list', 'sites.clock', 'streams.status',
  'live.open', 'live.close', 'live.rate', 'live.ptz.move', 'live.ptz.stop', 'live.ptz.presets', 'live.ptz.gotoPreset',
  'archive.timeline', 'archive.overview', 'archive.days', 'archive.thumbnail', 'archive.segments', 'archive.segmentRead',
  'talk.start', 'talk.audio', 'talk.stop',
]);
const TALK_CALLS = new Set<CallName>(['talk.start', 'talk.audio', 'talk.stop']);

/**
 * A share's rights as the station's rights check knows them: `talk` is not a right of a user's role but the share's own;
 * the talk calls need the channel's `audio` right, which it therefore carries into the grant (hearing the camera stays
 * the share's `audio` right: `check` takes the sound off a stream otherwise).
 */
function grantRights(shared: ShareRight[]): { me: Right[]; grant: Right[] } {
  const me = shared.filter((r): r is Exclude<ShareRight, 'talk'> => r !== 'talk');
  return { me, grant: shared.includes('talk') && !me.includes('audio') ? [...me, 'audio'] : me };
}
/** A share's last use is written at most this often (a desk calls many times a second while playing). */
const USE_WRITE_MS = 5_000;
/** The first wait before asking the cloud's watch again after it could not be asked. */
const WATCH_RETRY_MS = 2_000;

const hashOf = (secret: string) => createHash('sha256').update(secret).digest();

/** This machine's first LAN address, for a station serving on every interface (the recipient needs one it can reach). */
function lanAddress(): string | null {
  return Object.values(networkInterfaces()).flatMap((l) => l ?? []).find((a) => a.family === 'IPv4' && !a.internal)?.address ?? null;
}

export interface ShareServiceOptions {
  db: Db;
  logger: Logger;
  clock: () => number;
  /** The station's cloud account client (privacy/): the delivery channel. */
  cloud: Pick<CloudClient, 'accountCall' | 'requireAccount'>;
  /** This station serving desks (sites-service.ts): a share needs it. */
  serving: () => Promise<RemoteServing>;
  /** The station's own channels (a site's channels are that station's to share). */
  ownChannels: () => Promise<Channel[]>;
  /** The recipient's side: the sites list, and a site made from a received share. */
  sites: {
    list(): Site[];
    addShared(s: { name: string; host: string; port: number; fingerprint: string; username: string; password: string }): Promise<Site>;
    remove(id: number): Promise<unknown>;
  };
  /** Ends every sign-in made with a share's credential, and hangs up their connections (auth/). */
  endSignIns: (userId: number) => void;
  /** Whether any share's credential has a connection here now (auth/): the cloud is watched only then. */
  connected: () => boolean;
}

export class ShareService {
  private readonly log: Logger;
  private readonly lastWrite = new Map<number, number>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly o: ShareServiceOptions) {
    this.log = o.logger.child({ part: 'shares' });
    // A share's window ends on the clock, not on a call: its sessions and streams end within a second.
    this.sweeper = setInterval(() => this.sweep(), 1000);
    this.sweeper.unref();
  }

  private row(id: number): Row {
    const r = this.o.db.prepare('SELECT * FROM station_share WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw fail('share.notFound', { id });
    return r;
  }

  private stateOf(r: Row, now = this.o.clock()): GivenShare['state'] {
    if (r.revoked_at !== null) return 'revoked';
    if (r.valid_until !== null && now >= r.valid_until) return 'ended';
    if (r.valid_from !== null && now < r.valid_from) return 'pending';
    return 'active';
  }

  private out(r: Row): GivenShare {
    return {
      id: r.id, cloudId: r.cloud_id, recipientEmail: r.recipient_email, channelIds: JSON.parse(r.channels) as number[],
      rights: JSON.parse(r.rights) as ShareRight[], validFrom: r.valid_from, validUntil: r.valid_until, historySeconds: r.history_s,
      createdAt: r.created_at, revokedAt: r.revoked_at, lastUsedAt: r.last_used_at, uses: r.uses, state: this.stateOf(r),
    };
  }

  /** Shares whose window is over lose their credential; their sign-ins end now. */
  private sweep(): void {
    const now = this.o.clock();
    const over = this.o.db.prepare('SELECT id FROM station_share WHERE secret_hash IS NOT NULL AND valid_until IS NOT NULL AND valid_until <= ?').all(now) as { id: number }[];
    for (const { id } of over) {
      this.o.db.prepare('UPDATE station_share SET secret_hash = NULL WHERE id = ?').run(id);
      this.log.info({ share: id }, 'share ended: its window is over');
      this.o.endSignIns(SHARE_USER_BASE + id);
    }
  }

  // ---- the sharer's side ----

  private async create(input: Parameters<Handlers['shares.create']>[0]): Promise<GivenShare> {
    const cloud = this.o.cloud;
    const account = cloud.requireAccount();
    const serving = await this.o.serving();
    if (!serving.enabled || !serving.listening || !serving.fingerprint) throw fail('share.servingOff');
    const own = new Map((await this.o.ownChannels()).filter((c) => !c.site).map((c) => [c.id, c]));
    for (const id of input.channelIds) if (!own.has(id)) throw fail('share.unknownChannel', { field: 'channelIds', id });
    const now = this.o.clock();
    if (input.validUntil !== null && input.validUntil <= now) throw fail('share.untilPast', { field: 'validUntil' });
    if (input.validFrom !== null && input.validUntil !== null && input.validUntil <= input.validFrom) throw fail('share.untilBeforeFrom', { field: 'validUntil' });
    if (account.email.toLowerCase() === input.recipientEmail) throw fail('share.selfShare', { field: 'recipientEmail' });
    const everywhere = serving.host === '0.0.0.0' || serving.host === '::';
    const host = everywhere ? lanAddress() : serving.host;
    if (!host) throw fail('share.servingOff');
    const channelIds = [...new Set(input.channelIds)];
    const rights = [...new Set(input.rights)];
    const secret = randomBytes(32).toString('base64url');
    const names = channelIds.map((id) => own.get(id)!.name).join(', ');
    // The ledger names what went out, never the credential itself.
    const r = await cloud.accountCall(`share ${channelIds.length} camera(s) (${rights.join(', ')}) with another account, with a credential for this station`, {
      method: 'POST', path: '/v1/shares',
      body: {
        deviceId: `station:${serving.fingerprint}`, deviceName: names.length > 128 ? `${names.slice(0, 127)}…` : names,
        recipientEmail: input.recipientEmail, channels: channelIds, rights, historySeconds: input.historyHours === null ? null : input.historyHours * 3600,
        ...(input.validFrom !== null ? { validFrom: new Date(input.validFrom).toISOString() } : {}),
        ...(input.validUntil !== null ? { validUntil: new Date(input.validUntil).toISOString() } : {}),
        station: { host, port: serving.port, fingerprint: serving.fingerprint }, credential: secret,
      },
    });
    const { lastInsertRowid } = this.o.db.prepare(`INSERT INTO station_share (cloud_id, recipient_email, channels, rights, valid_from, valid_until,
        history_s, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(r.body.share.id, input.recipientEmail, JSON.stringify(channelIds), JSON.stringify(rights), input.validFrom, input.validUntil,
        input.historyHours === null ? null : input.historyHours * 3600, hashOf(secret).toString('hex'), now);
    this.log.info({ share: Number(lastInsertRowid), channels: channelIds, rights }, 'share made');
    return this.out(this.row(Number(lastInsertRowid)));
  }

  /** Ends a share here at once (credential forgotten, sessions and streams ended), then in the cloud. */
  private async revoke(id: number): Promise<GivenShare> {
    const r = this.row(id);
    if (r.revoked_at === null) {
      this.o.db.prepare('UPDATE station_share SET revoked_at = ?, secret_hash = NULL WHERE id = ?').run(this.o.clock(), id);
      this.log.info({ share: id }, 'share revoked');
      this.o.endSignIns(SHARE_USER_BASE + id);
    }
    // Pressed again after the cloud could not be reached, it tells the cloud again; a share it revoked already is fine.
    try {
      await this.o.cloud.accountCall('revoke a share', { method: 'DELETE', path: `/v1/shares/${encodeURIComponent(r.cloud_id)}` });
    } catch (err) {
      if ((err as StationError).info?.reason !== 'cloud.notFound') throw err;
    }
    return this.out(this.row(id));
  }

  /**
   * The station's account was erased (the cloud erased its shares both ways): the shares it gave go, credentials and
   * history with them, and so do the sites made from shares it received.
   */
  async eraseAll(): Promise<void> {
    const ids = (this.o.db.prepare('SELECT id FROM station_share').all() as { id: number }[]).map((r) => r.id);
    this.o.db.prepare('DELETE FROM station_share').run();
    for (const id of ids) this.o.endSignIns(SHARE_USER_BASE + id);
    for (const site of this.o.sites.list()) if (site.username.startsWith(SHARE_SITE_USER)) await this.o.sites.remove(site.id);
  }

  /** Shares whose credential still opens something here. */
  private live(): { id: number; cloud_id: string }[] {
    return this.o.db.prepare('SELECT id, cloud_id FROM station_share WHERE revoked_at IS NULL AND secret_hash IS NOT NULL').all() as { id: number; cloud_id: string }[];
  }

  /** A share the cloud has revoked or no longer has (revoked elsewhere, erased with an account) ends here too, at once. */
  private endRevokedElsewhere(given: { id: string; revokedAt: string | null }[]): void {
    const now = this.o.clock();
    for (const r of this.live()) {
      if (given.some((g) => g.id === r.cloud_id && g.revokedAt === null)) continue;
      this.o.db.prepare('UPDATE station_share SET revoked_at = ?, secret_hash = NULL WHERE id = ?').run(now, r.id);
      this.log.info({ share: r.id }, 'share revoked in the cloud');
      this.o.endSignIns(SHARE_USER_BASE + r.id);
    }
  }

  private syncedAt = 0;
  /** The shares as the cloud has them, asked with the list at most once a minute; unreachable is no change. */
  private async sync(): Promise<void> {
    const now = this.o.clock();
    if (!this.live().length || now - this.syncedAt < 60_000) return;
    this.syncedAt = now;
    try {
      this.endRevokedElsewhere((await this.o.cloud.accountCall('list the shares you gave', { method: 'GET', path: '/v1/shares' })).body.shares);
    } catch {
      /* unreachable: no change */
    }
  }

  private watching = false;
  private disposed = false;
  /**
   * While a share's credential is connected here, a long poll on the cloud (`GET /v1/shares/watch/:version`) is kept
   * open, so a share revoked elsewhere (from another station of the account, the cloud's API, an erased account) ends
   * here within a second or two of the cloud knowing. Started by each sign-in and call of a share (the first answer
   * comes at once: a new connection is checked against the cloud straight away); it ends with the last connection.
   * One request per wait (20 s) and no more while nothing is connected, so the ledger and the cloud see little of it.
   */
  private watch(): void {
    if (this.watching || this.disposed) return;
    this.watching = true;
    void (async () => {
      let version = 'none';
      let first = true;
      let failures = 0;
      try {
        while (!this.disposed && this.live().length && (first || this.o.connected())) {
          first = false;
          try {
            const r = await this.o.cloud.accountCall('watch the shares you gave for a revoke made elsewhere',
              { method: 'GET', path: `/v1/shares/watch/${version}` }, 'account', SHARE_WATCH_WAIT_MS + 10_000);
            version = r.body.version;
            failures = 0;
            this.endRevokedElsewhere(r.body.shares);
          } catch {
            // Unreachable or signed out: the shares stay as they are here; asked again while still connected, waiting
            // longer each time (2 s doubling to a minute), so an outage does not fill the ledger.
            await sleep(Math.min(60_000, WATCH_RETRY_MS * 2 ** Math.min(failures++, 5)));
          }
        }
      } finally {
        this.watching = false;
      }
    })();
  }

  // ---- what auth/ asks of a share's sign-in ----

  /** The user id a share's credential signs in as, or the refusal (revoked, ended, not yet, wrong). */
  verify(cloudId: string, secret: string): number {
    const r = this.o.db.prepare('SELECT * FROM station_share WHERE cloud_id = ?').get(cloudId) as Row | undefined;
    if (!r) throw fail('share.wrongCredential');
    const state = this.stateOf(r);
    if (state === 'revoked') throw fail('share.revoked');
    if (state === 'ended') throw fail('share.ended');
    const given = hashOf(secret);
    if (!r.secret_hash || !timingSafeEqual(given, Buffer.from(r.secret_hash, 'hex'))) throw fail('share.wrongCredential');
    if (state === 'pending') throw fail('share.notYet');
    this.used(SHARE_USER_BASE + r.id, true);
    this.watch();
    return SHARE_USER_BASE + r.id;
  }

  /** A share sign-in's user and grant now; undefined once the share is revoked, over or gone (its sign-ins then end). */
  grantOf(userId: number): { me: Me; grant: Grant } | undefined {
    const r = this.o.db.prepare('SELECT * FROM station_share WHERE id = ?').get(userId - SHARE_USER_BASE) as Row | undefined;
    if (!r || this.stateOf(r) !== 'active' || !r.secret_hash) return undefined;
    // A connection resumed after the watch ended (auth.resume, no new sign-in) starts it again.
    this.watch();
    const rights = grantRights(JSON.parse(r.rights) as ShareRight[]);
    const channels = JSON.parse(r.channels) as number[];
    return {
      me: { id: userId, name: `share #${r.id}`, roleId: 'share', roleName: 'Share', rights: rights.me, channels, mustChangePassword: false },
      grant: { rights: new Set(rights.grant), channels: new Set(channels) },
    };
  }

  /** Records a use of the credential (a sign-in, a call); written at most every few seconds. */
  used(userId: number, signIn = false): void {
    const id = userId - SHARE_USER_BASE;
    const now = this.o.clock();
    if (!signIn && now - (this.lastWrite.get(id) ?? 0) < USE_WRITE_MS) return;
    this.lastWrite.set(id, now);
    this.o.db.prepare(`UPDATE station_share SET last_used_at = ?${signIn ? ', uses = uses + 1' : ''} WHERE id = ?`).run(now, id);
  }

  /**
   * The refusal of a call made with a share's sign-in, or null: a call a share does not give, another archive than the
   * station's own, or a time before the history window. Ranges reaching back past the window are cut to it (the input is
   * the one the handler gets), so a desk's timeline simply starts there.
   */
  check(userId: number, name: CallName, input: unknown): StationError | null {
    if (!SHARED_CALLS.has(name)) return fail('share.notShared', { call: name });
    const talk = TALK_CALLS.has(name);
    if (input === undefined && !talk) return null;
    const r = this.o.db.prepare('SELECT history_s, rights FROM station_share WHERE id = ?').get(userId - SHARE_USER_BASE) as { history_s: number | null; rights: string } | undefined;
    const rights = r ? (JSON.parse(r.rights) as ShareRight[]) : [];
    // Talking through the cameras' speakers is a right of its own, refused in words before the rights check (which would
    // name the audio right the share's grant lacks).
    if (talk) return rights.includes('talk') ? null : fail('share.noTalk');
    // A desk asks every stream with its sound; a share without the audio right gets the picture alone.
    if (name === 'live.open' && r && !rights.includes('audio')) (input as { audio?: boolean }).audio = false;
    if (!name.startsWith('archive.')) return null;
    const i = input as { source?: string; from?: number; to?: number; at?: number; segmentId?: number };
    if (i.source !== undefined && i.source !== 'local') return fail('share.notShared', { call: name });
    if (!r || r.history_s === null) return null;
    const limit = this.o.clock() - r.history_s * 1000;
    const hours = Math.round(r.history_s / 360) / 10;
    if (typeof i.at === 'number' && i.at < limit) return fail('share.beforeHistory', { hours });
    if (typeof i.from === 'number' && i.from < limit) {
      if (typeof i.to === 'number' && i.to <= limit) return fail('share.beforeHistory', { hours });
      i.from = limit;
    }
    if (typeof i.segmentId === 'number') {
      const seg = this.o.db.prepare('SELECT end_ms FROM rec_segment WHERE id = ?').get(i.segmentId) as { end_ms: number } | undefined;
      if (seg && seg.end_ms < limit) return fail('share.beforeHistory', { hours });
    }
    return null;
  }

  /** A result as a share's sign-in sees it: the cameras' addresses are this station's business. */
  scrub(name: CallName, value: unknown): unknown {
    if (name !== 'channels.list' || !Array.isArray(value)) return value;
    return (value as Channel[]).map((c) => ({ ...c, mainUrl: `watchpost://shared/${c.id}/main`, subUrl: c.subUrl === null ? null : `watchpost://shared/${c.id}/sub`, hasCredentials: false }));
  }

  // ---- the recipient's side ----

  private async receivedFromCloud() {
    return (await this.o.cloud.accountCall('list the shares you received', { method: 'GET', path: '/v1/shares/received' })).body.shares;
  }

  /**
   * Tells the cloud this station holds the share's credential now (in the SecretStore, as the site's password), so the
   * cloud forgets its copy. Unreachable is no harm: the next list of received shares tells it again.
   */
  private async pickedUp(cloudId: string): Promise<void> {
    try {
      await this.o.cloud.accountCall('confirm a shared station\'s credential is stored here', { method: 'POST', path: `/v1/shares/${encodeURIComponent(cloudId)}/pickup` });
    } catch (err) {
      this.log.warn({ reason: (err as StationError).info?.reason }, 'could not tell the cloud a share\'s credential was picked up');
    }
  }

  private async received(): Promise<ReceivedShare[]> {
    const sites = this.o.sites.list();
    const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));
    const shares = await this.receivedFromCloud();
    // A share added here whose credential the cloud still holds (its pick-up did not reach the cloud): tell it again.
    for (const s of shares) if (s.credential !== null && sites.some((x) => x.username === `${SHARE_SITE_USER}${s.id}`)) await this.pickedUp(s.id);
    return shares.map((s) => ({
      id: s.id, ownerNickname: s.ownerNickname, deviceName: s.deviceName, channels: s.channels?.length ?? 0, rights: s.rights,
      validFrom: ms(s.validFrom), validUntil: ms(s.validUntil), historySeconds: s.historySeconds, createdAt: Date.parse(s.createdAt),
      revokedAt: ms(s.revokedAt), active: s.active, addable: s.station !== null && s.credential !== null,
      siteId: sites.find((x) => x.username === `${SHARE_SITE_USER}${s.id}`)?.id ?? null,
    }));
  }

  private async addReceived(id: string): Promise<Site> {
    const s = (await this.receivedFromCloud()).find((x) => x.id === id);
    if (!s) throw fail('share.notFound', { id });
    const username = `${SHARE_SITE_USER}${s.id}`;
    const added = this.o.sites.list().find((x) => x.username === username);
    if (added) return added;
    if (!s.station || !s.credential) throw fail('share.notAddable', { field: 'share' });
    // The certificate comes pinned from the share: the sharer's station made it and the cloud delivered it over HTTPS.
    const site = await this.o.sites.addShared({
      name: `${s.ownerNickname}: ${s.deviceName}`.slice(0, 64), host: s.station.host, port: s.station.port,
      fingerprint: s.station.fingerprint, username, password: s.credential,
    });
    // Stored here now (sites-service.ts keeps it in the SecretStore): the cloud need not hold it any longer.
    await this.pickedUp(s.id);
    return site;
  }

  readonly handlers: Pick<Handlers, 'shares.list' | 'shares.create' | 'shares.revoke' | 'shares.received' | 'shares.addReceived'> = {
    'shares.list': async () => (await this.sync(), this.o.db.prepare('SELECT * FROM station_share ORDER BY id DESC').all() as Row[]).map((r) => this.out(r)),
    'shares.create': (input) => this.create(input),
    'shares.revoke': ({ id }) => this.revoke(id),
    'shares.received': () => this.received(),
    'shares.addReceived': ({ id }) => this.addReceived(id),
  };

  dispose(): void {
    this.disposed = true;
    clearInterval(this.sweeper);
  }
}
