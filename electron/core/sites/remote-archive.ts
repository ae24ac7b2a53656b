// Another station's archive on the desk (issue 14): its timeline asked of it through the SiteLink, its recordings
// copied on demand into an archive of the desk's own — a SQLite index of the same schema and the segment files under
// the data folder, one per site — so the recording area's ArchiveCursor, PlaybackSession and export read it unchanged.
// Every instant is moved by the link's measured clock offset on the way: desk time = their time - offset.
// Failover: what another station recorded of a station's cameras as its standby while it was away (`failover.coverage`
// there) joins that station's timeline marked `standby`, and its segments are copied from that station into the same copy.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import {
  fail, SEGMENT_READ_MAX, siteChannelId, splitSiteChannel, StationError,
  type ArchiveSegment, type CallInput, type CallName, type CallOutput, type TimelineChannel,
} from '../../contract';
import type { Logger } from '../log';
import { overviewBuckets } from '../recording/archive-density';
import type { ArchiveSource } from '../recording/archive-reader';
import { segmentFile } from '../recording/segment-file';
import { deleteSegment, insertSegment, updateSegment } from '../recording/segment-index';
import { openDatabase, type Db } from '../storage/db';

/** A site's link as the archive needs it: calls as this desk's account there, and its clock minus ours (ms). */
export interface ArchiveLink {
  link: { call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> };
  offsetMs: number;
}

export interface RemoteArchiveOptions {
  dataDir: string;
  logger: Logger;
  /** The site's link, or the refusal (not connected, unknown) thrown. */
  site(siteId: number): ArchiveLink;
  /** The copies of every site together stay below this (oldest used first out); default 4 GiB. */
  maxBytes?: number;
  /** How far ahead of a playing clock (in archive time, at 1×) copies are made; default 60 s. */
  aheadMs?: number;
  /** A copy asked for this recently is not evicted (it may be playing); default 60 s. */
  keepMs?: number;
  /**
   * The stations that may have recorded a site's cameras as its standby (failover): the site's pinned certificate, and
   * every other station online now; undefined while the site is not trusted.
   */
  standbys?(siteId: number): { fingerprint: string; others: (ArchiveLink & { siteId: number })[] } | undefined;
  /** How long a standby's answer is used again (a timeline scrub asks it at most this often); default 5 s. */
  coverageMs?: number;
  /** How long a timeline waits for a standby's answer before it goes without (the answer still serves later askers); default 3 s. */
  coverageWaitMs?: number;
  /**
   * This station's own recordings of a site's channel (made as that station's standby: sites/failover.ts), from its own
   * archive, each segment with its file: playback and export take them where the site has none, as the timeline shows.
   */
  own?(channelId: number, from: number, to: number): { segment: ArchiveSegment; file: string }[];
}

interface Cache { db: Db; source: ArchiveSource; bytes: number }
interface Row { id: number; bytes: number; closed: number }
/** What a standby station (`siteId`) recorded of a channel (its id on its own station) in the desk's clock, and its id there. */
interface Cover { siteId: number; channelId: number; standbyChannelId?: number; spans: { start: number; end: number }[] }
/** A standby's answer about one station's channels over a range, kept a short while. */
interface CoverEntry { ids: number[]; from: number; to: number; at: number; answer: Promise<Cover[]> }
/**
 * One station's segments of a channel: the channel's own station's, or a standby's (`from`: the station they are copied
 * from; `SELF`: this station's own archive, whose segments are indexed where they lie, `files`, never copied).
 */
interface Listing { from: number; off: number; segments: ArchiveSegment[]; files?: Map<number, string> }
/** `Listing.from` of this station's own recordings (site ids are positive). */
const SELF = 0;

const DAY_MS = 86_400_000;

/** The copy's folder of a site (removed with the site). */
export const siteArchiveDir = (dataDir: string, siteId: number) => join(dataDir, 'site-archives', String(siteId));

export class RemoteArchive {
  private readonly caches = new Map<number, Cache>();
  /** Copies under way, by site and remote segment id (a second asker waits on the first). */
  private readonly copying = new Map<string, Promise<void>>();
  /** Per desk channel: segments known on a station (start in desk time → that station) and not copied yet, and copies running. */
  private readonly pending = new Map<number, { starts: Map<number, number>; running: number }>();
  /** Standbys' coverage, by standby and site (`${standby}:${site}`). */
  private readonly covers = new Map<string, CoverEntry[]>();
  /** When each copied segment was last asked for (by cache path), for eviction. */
  private readonly used = new Map<string, number>();
  private readonly log: Logger;
  private disposed = false;

  constructor(private readonly o: RemoteArchiveOptions) {
    this.log = o.logger.child({ part: 'remote-archive' });
  }

  /** Copies of sites no longer in the list go (a site removed while the desk was down). */
  prune(siteIds: number[]): void {
    let names: string[] = [];
    try { names = readdirSync(join(this.o.dataDir, 'site-archives')); } catch { return; }
    for (const n of names) if (!siteIds.includes(Number(n))) this.forget(Number(n));
  }

  private cache(siteId: number): Cache {
    let c = this.caches.get(siteId);
    if (!c && this.disposed) throw new Error('the station is stopping');
    if (!c) {
      const dir = siteArchiveDir(this.o.dataDir, siteId);
      mkdirSync(join(dir, 'files'), { recursive: true });
      const db = openDatabase(join(dir, 'index.db'));
      // This station's own segments indexed here (absolute paths) are not copies: they do not count against the bound.
      const bytes = (db.prepare('SELECT path, bytes FROM rec_segment').all() as { path: string; bytes: number }[]).reduce((n, r) => (isAbsolute(r.path) ? n : n + r.bytes), 0);
      c = { db, bytes, source: { id: `site-${siteId}`, db, root: join(dir, 'files'), label: `site ${siteId}` } };
      this.caches.set(siteId, c);
    }
    return c;
  }

  private at(channelId: number): { siteId: number; remoteId: number } {
    const at = splitSiteChannel(channelId);
    if (!at) throw fail('channel.notFound', { id: channelId });
    return at;
  }

  sourceOf(channelId: number): ArchiveSource {
    return this.cache(this.at(channelId).siteId).source;
  }

  // ---- asked of the station ----

  /** Each site's channels asked in one call; a station that cannot answer gives its channels empty with the reason. */
  async timeline(channelIds: number[], from: number, to: number): Promise<TimelineChannel[]> {
    const out = new Map<number, TimelineChannel>();
    await Promise.all([...this.bySite(channelIds)].map(async ([siteId, remoteIds]) => {
      // In parallel with the station's own: what its standbys recorded while it was away (also while it is offline).
      const covered = this.coverage(siteId, remoteIds, from, to);
      try {
        const { link, offsetMs: off } = this.o.site(siteId);
        const theirs = await link.call('archive.timeline', { source: 'local', channelIds: remoteIds, from: from + off, to: to + off });
        const iv = <T extends { start: number; end: number }>(x: T): T => ({ ...x, start: x.start - off, end: x.end - off });
        for (const t of theirs) {
          out.set(siteChannelId(siteId, t.channelId), {
            channelId: siteChannelId(siteId, t.channelId), spans: t.spans.map(iv), filled: t.filled.map(iv), gaps: t.gaps.map(iv),
            events: t.events.map((e) => ({ ...e, at: e.at - off, ...(e.end !== undefined ? { end: e.end - off } : {}) })),
            // Their evidence locks are theirs to lift: the desk shows its own (recording-service keeps them).
            locks: [],
          });
        }
      } catch (err) {
        const info = err instanceof StationError ? err.info : { code: 'internal' as const, message: (err as Error).message };
        for (const id of remoteIds) {
          out.set(siteChannelId(siteId, id), { channelId: siteChannelId(siteId, id), spans: [], filled: [], gaps: [], events: [], locks: [], unavailable: info });
        }
      }
      for (const c of await covered) {
        const t = out.get(siteChannelId(siteId, c.channelId));
        if (t) t.spans = [...t.spans, ...c.spans.map((x) => ({ ...x, standby: true as const }))].sort((a, b) => a.start - b.start);
      }
    }));
    return channelIds.map((id) => out.get(id)!);
  }

  async overview(channelIds: number[], from: number, to: number, maxPoints: number): Promise<Map<number, { recorded: number[]; events: number[] }>> {
    const out = new Map<number, { recorded: number[]; events: number[] }>();
    // The desk's buckets (their station's are the same but for the clock offset, nothing at hour scale): standbys' spans go into them.
    const { start, bucketMs, n } = overviewBuckets(from, to, maxPoints);
    await Promise.all([...this.bySite(channelIds)].map(async ([siteId, remoteIds]) => {
      const covered = this.coverage(siteId, remoteIds, from, to);
      try {
        const { link, offsetMs: off } = this.o.site(siteId);
        const r = await link.call('archive.overview', { source: 'local', channelIds: remoteIds, from: Math.max(0, from + off), to: to + off, maxPoints });
        for (const c of r.channels) out.set(siteChannelId(siteId, c.channelId), { recorded: c.recorded, events: c.events });
      } catch (err) {
        this.log.debug({ site: siteId, err: (err as Error).message }, 'overview not had from the station');
      }
      for (const c of await covered) {
        const id = siteChannelId(siteId, c.channelId);
        const o = out.get(id) ?? { recorded: new Array<number>(n).fill(0), events: new Array<number>(n).fill(0) };
        out.set(id, o);
        for (const x of c.spans) {
          for (let b = Math.max(0, Math.floor((x.start - start) / bucketMs)); b < n && start + b * bucketMs < x.end; b++) {
            const ms = Math.min(x.end, start + (b + 1) * bucketMs) - Math.max(x.start, start + b * bucketMs);
            // Rounded up to a thousandth as the station's own are, so a moment of recording still shows.
            if (ms > 0) o.recorded[b] = Math.min(1, (o.recorded[b] ?? 0) + Math.ceil((ms / bucketMs) * 1000) / 1000);
          }
        }
      }
    }));
    return out;
  }

  async days(channelIds: number[], from: number, to: number, utcOffsetMinutes: number): Promise<string[]> {
    const day = (t: number) => new Date(t + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
    const days = await Promise.all([...this.bySite(channelIds)].map(async ([siteId, remoteIds]) => {
      const covered = this.coverage(siteId, remoteIds, from, to);
      let theirs: string[] = [];
      try {
        const { link, offsetMs: off } = this.o.site(siteId);
        theirs = await link.call('archive.days', { source: 'local', channelIds: remoteIds, from: Math.max(0, from + off), to: to + off, utcOffsetMinutes });
      } catch { /* their channels show no days; their standbys' may */ }
      const standby = (await covered).flatMap((c) => c.spans.flatMap((x) => {
        const out = [day(Math.min(x.end, to))];
        for (let t = Math.max(x.start, from); t <= Math.min(x.end, to); t += DAY_MS) out.push(day(t));
        return out;
      }));
      return [...theirs, ...standby];
    }));
    return [...new Set(days.flat())].sort();
  }

  async thumbnail(channelId: number, at: number): Promise<{ jpegBase64: string; at: number } | null> {
    const { siteId, remoteId } = this.at(channelId);
    const { link, offsetMs: off } = this.o.site(siteId);
    const t = await link.call('archive.thumbnail', { source: 'local', channelId: remoteId, at: Math.max(0, at + off) });
    return t && { ...t, at: t.at - off };
  }

  async motionSearch(channelIds: number[], q: Omit<CallInput<'archive.motionSearch'>, 'channelIds' | 'source'>): Promise<CallOutput<'archive.motionSearch'>> {
    const out: CallOutput<'archive.motionSearch'> = { hits: [], coveredMs: {}, indexBytes: {}, truncated: false };
    await Promise.all([...this.bySite(channelIds)].map(async ([siteId, remoteIds]) => {
      try {
        const { link, offsetMs: off } = this.o.site(siteId);
        const r = await link.call('archive.motionSearch', { ...q, source: 'local', channelIds: remoteIds, from: Math.max(0, q.from + off), to: q.to + off });
        out.hits.push(...r.hits.map((h) => ({ ...h, channelId: siteChannelId(siteId, h.channelId), start: h.start - off, end: h.end - off })));
        for (const id of remoteIds) {
          out.coveredMs[siteChannelId(siteId, id)] = r.coveredMs[id] ?? 0;
          out.indexBytes[siteChannelId(siteId, id)] = r.indexBytes[id] ?? 0;
        }
        out.truncated ||= r.truncated;
      } catch (err) {
        this.log.debug({ site: siteId, err: (err as Error).message }, 'motion search not had from the station');
      }
    }));
    return out;
  }

  // ---- what their standbys recorded (failover) ----

  /**
   * What the site's standbys recorded of its channels over [from, to] (desk time): every other station online is asked
   * (`failover.coverage` with the site's pinned certificate) in parallel; an answer is used again for a short while, over
   * a range padded on both sides, so scrubbing a timeline does not ask each station every time (a few ranges are kept
   * per station: the strip's view and a playing session's copying ahead ask about different ones). A station slow to
   * answer is not waited for long (`wait`: it is, for an export and copying ahead): its answer serves the next askers.
   */
  private async coverage(siteId: number, remoteIds: number[], from: number, to: number, wait = false): Promise<Cover[]> {
    const s = this.o.standbys?.(siteId);
    if (!s?.others.length) return [];
    const now = Date.now();
    const ttl = this.o.coverageMs ?? 5000;
    const answers = await Promise.all(s.others.map((o) => {
      const key = `${o.siteId}:${siteId}`;
      const fresh = (this.covers.get(key) ?? []).filter((e) => now - e.at < ttl);
      let e = fresh.find((x) => from >= x.from && to <= x.to && remoteIds.every((id) => x.ids.includes(id)));
      if (!e) {
        const pad = Math.min(Math.max(0, to - from), DAY_MS);
        // The channels asked lately are asked again with these (a call names at most 64).
        const more = [...new Set([...remoteIds, ...(fresh.at(-1)?.ids ?? [])])];
        const ids = more.length <= 64 ? more : remoteIds;
        e = { ids, from: from - pad, to: to + pad, at: now, answer: this.askCoverage(o, s.fingerprint, ids, from - pad, to + pad) };
        this.covers.set(key, [...fresh.slice(-3), e]);
      }
      return wait ? e.answer : this.bounded(e.answer);
    }));
    return answers.flat().filter((c) => remoteIds.includes(c.channelId))
      .map((c) => ({ ...c, spans: c.spans.filter((x) => x.end >= from && x.start <= to) }))
      .filter((c) => c.spans.length > 0);
  }

  /** An answer, or none when it takes longer than a timeline should wait for it (default 3 s). */
  private bounded(answer: Promise<Cover[]>): Promise<Cover[]> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Cover[]>((res) => { timer = setTimeout(() => res([]), this.o.coverageWaitMs ?? 3000); timer.unref(); });
    return Promise.race([answer, late]).finally(() => clearTimeout(timer));
  }

  private async askCoverage(o: ArchiveLink & { siteId: number }, fingerprint: string, channelIds: number[], from: number, to: number): Promise<Cover[]> {
    try {
      const off = o.offsetMs;
      const r = await o.link.call('failover.coverage', { fingerprint, channelIds, from: Math.max(0, Math.round(from + off)), to: Math.max(0, Math.round(to + off)) });
      return r.filter((c) => c.spans.length > 0).map((c) => ({
        siteId: o.siteId, channelId: c.channelId, ...(c.standbyChannelId ? { standbyChannelId: c.standbyChannelId } : {}),
        spans: c.spans.map((x) => ({ start: x.start - off, end: x.end - off })),
      }));
    } catch (err) {
      // Not its standby, an older station without the call, or refusing this desk's account there: no coverage.
      this.log.debug({ site: o.siteId, err: (err as Error).message }, 'failover coverage not had from the station');
      return [];
    }
  }

  private bySite(channelIds: number[]): Map<number, number[]> {
    const m = new Map<number, number[]>();
    for (const id of channelIds) {
      const { siteId, remoteId } = this.at(id);
      m.set(siteId, [...(m.get(siteId) ?? []), remoteId]);
    }
    return m;
  }

  // ---- copied for playback and export ----

  /**
   * Copies the segment playback at `at` starts from: the one holding it, else the next (the one before when
   * rewinding). The rest of the neighbourhood follows in the background (`follow`).
   */
  async prepare(channelId: number, at: number, speed: number): Promise<void> {
    const back = speed < 0;
    const lists = await this.list(channelId, back ? at - 60_000 : at, back ? at : at + 60_000);
    const all = lists.flatMap((l) => l.segments.map((seg) => ({ seg, l, start: seg.start - l.off }))).sort((a, b) => a.start - b.start);
    const first = back ? all.findLast((x) => x.start <= at) : all[0];
    if (first) await this.copy(channelId, first.seg, first.l);
  }

  /** Copies every segment overlapping [from, to] (export), oldest first. */
  async fetch(channelId: number, from: number, to: number, signal?: AbortSignal): Promise<void> {
    for (let t = from; t < to;) {
      const lists = await this.list(channelId, t, to, true);
      for (const l of lists) {
        for (const s of l.segments) {
          if (signal?.aborted) throw new DOMException('export cancelled', 'AbortError');
          await this.copy(channelId, s, l);
        }
      }
      // A listing holds at most 500 segments: go on after the last one of the shortest full listing.
      const full = lists.filter((l) => l.segments.length >= 500);
      if (!full.length) return;
      const last = Math.min(...full.map((l) => l.segments.at(-1)!.end - l.off));
      if (last <= t) return;
      t = last;
    }
  }

  /** Keeps copying the archive ahead of a playing clock (behind it when rewinding), one pass a second. */
  follow(channelIds: number[], clock: () => { at: number; speed: number }): () => void {
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const { at, speed } = clock();
        const span = (this.o.aheadMs ?? 60_000) * Math.max(1, Math.abs(speed));
        for (const id of channelIds) {
          await this.fetch(id, speed < 0 ? Math.max(0, at - span) : at, speed < 0 ? at : at + span).catch((err: Error) => {
            this.log.debug({ channel: id, err: err.message }, 'copy ahead of playback failed');
          });
        }
      } finally {
        busy = false;
      }
    };
    void tick();
    const timer = setInterval(() => void tick(), 1000);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** True while the channel's station has more after `after` that is not copied yet, or a copy is running. */
  more(channelId: number, after: number): boolean {
    const p = this.pending.get(channelId);
    if (!p) return false;
    if (p.running > 0) return true;
    // A station gone away sends nothing more: what only it has ends where its copy does.
    return [...p.starts].some(([start, from]) => start > after - 1000 && this.reachable(from));
  }

  private reachable(siteId: number): boolean {
    if (siteId === SELF) return true;
    try { this.o.site(siteId); return true; } catch { return false; }
  }

  /**
   * A channel's segments over [from, to] (desk time), each listing with the offset it was listed with: its station's own,
   * and those of its standbys where they recorded it (failover; `wait`: for a slow standby too). Refused as its station
   * refuses only when no standby has any.
   */
  private async list(channelId: number, from: number, to: number, wait = false): Promise<Listing[]> {
    const { siteId, remoteId } = this.at(channelId);
    const range = (off: number) => ({ from: Math.max(0, Math.round(from + off)), to: Math.max(0, Math.round(to + off)) });
    const covered = this.coverage(siteId, [remoteId], from, to, wait);
    const out: Listing[] = [];
    let refused: unknown;
    try {
      const { link, offsetMs: off } = this.o.site(siteId);
      out.push({ from: siteId, off, segments: await link.call('archive.segments', { channelId: remoteId, ...range(off) }) });
    } catch (err) {
      refused = err;
    }
    const own = out[0];
    // Where the station has the same time itself (the hand-back's overlap), its own recording is played.
    const inOwn = (s: ArchiveSegment, off: number) => !!own?.segments.some((o) => o.start - own.off <= s.start - off && o.end - own.off >= s.end - off);
    for (const c of await covered) {
      if (!c.standbyChannelId) continue;
      try {
        const { link, offsetMs: off } = this.o.site(c.siteId);
        const segments = await link.call('archive.segments', { channelId: c.standbyChannelId, ...range(off) });
        out.push({ from: c.siteId, off, segments: segments.filter((s) => !inOwn(s, off)) });
      } catch (err) {
        this.log.debug({ site: c.siteId, err: (err as Error).message }, 'a standby\'s segments not had from the station');
      }
    }
    // This station's own recordings of the channel (its takeovers as the site's standby), where the site has none.
    const mine = (this.o.own?.(channelId, from, to) ?? []).filter((m) => !inOwn(m.segment, 0));
    if (mine.length) out.push({ from: SELF, off: 0, segments: mine.map((m) => m.segment), files: new Map(mine.map((m) => [m.segment.id, m.file])) });
    if (!out.length) throw refused;
    const p = this.pendingOf(channelId);
    const cache = this.cache(siteId);
    if (this.o.own) this.dropGone(cache, channelId, from, to);
    for (const l of out) {
      for (const s of l.segments) {
        const have = cache.db.prepare('SELECT id, bytes, closed FROM rec_segment WHERE path = ?').get(this.pathIn(channelId, l, s.id)) as Row | undefined;
        if (!have || have.bytes < s.bytes) p.starts.set(s.start - l.off, l.from);
      }
    }
    return out;
  }

  private pendingOf(channelId: number) {
    let p = this.pending.get(channelId);
    if (!p) this.pending.set(channelId, (p = { starts: new Map(), running: 0 }));
    return p;
  }

  /**
   * Where a remote segment's copy lives, relative to the site's folder: the desk channel, then the segment's id there
   * (a standby's with its station's number first: segment ids are each station's own).
   */
  private pathOf(channelId: number, from: number, remoteSegmentId: number): string {
    return from === this.at(channelId).siteId ? `${channelId}/${remoteSegmentId}.mp4` : `${channelId}/s${from}-${remoteSegmentId}.mp4`;
  }

  /** A listed segment's path in the copy's index: this station's own file where it lies, else where its copy goes. */
  private pathIn(channelId: number, l: Listing, segmentId: number): string {
    return l.files?.get(segmentId) ?? this.pathOf(channelId, l.from, segmentId);
  }

  /** This station's own segments indexed in the copy whose file retention has deleted since: out of the index too. */
  private dropGone(cache: Cache, channelId: number, from: number, to: number): void {
    const rows = cache.db.prepare('SELECT id, path FROM rec_segment WHERE channel_id = ? AND start_ms <= ? AND end_ms >= ?').all(channelId, to, from) as { id: number; path: string }[];
    for (const r of rows) if (isAbsolute(r.path) && !existsSync(r.path)) deleteSegment(cache.db, r.id);
  }

  /** Copies one remote segment (or what it grew by since the last copy) from the station listing it, indexed in the desk's clock. */
  private copy(channelId: number, seg: ArchiveSegment, l: Listing): Promise<void> {
    const { siteId } = this.at(channelId);
    const off = l.off;
    const path = this.pathIn(channelId, l, seg.id);
    const key = `${siteId}:${path}`;
    this.used.set(`${siteId}:${path}`, Date.now());
    const running = this.copying.get(key);
    if (running) return running;
    const p = this.pendingOf(channelId);
    p.running++;
    const job = this.copyNow(siteId, l.from, channelId, seg, off, path).finally(() => {
      p.running--;
      this.copying.delete(key);
    });
    this.copying.set(key, job);
    return job;
  }

  private async copyNow(siteId: number, from: number, channelId: number, seg: ArchiveSegment, off: number, path: string): Promise<void> {
    const cache = this.cache(siteId);
    const have = cache.db.prepare('SELECT id, bytes, closed FROM rec_segment WHERE path = ?').get(path) as Row | undefined;
    const done = () => this.pending.get(channelId)?.starts.delete(seg.start - off);
    if (have && (have.bytes >= seg.bytes || !seg.bytes)) return void done();
    // This station's own segment (SELF) is only indexed: its file is where it lies, read by the cursor in place.
    if (from !== SELF) await this.copyBytes(cache, from, channelId, seg, path, have?.bytes ?? 0);
    // The site was removed while its bytes came (its folder is gone, and so is this copy), or the desk is stopping.
    if (this.caches.get(siteId) !== cache) {
      if (!this.disposed) rmSync(siteArchiveDir(this.o.dataDir, siteId), { recursive: true, force: true });
      return;
    }
    // Indexed only once its bytes are here: a cursor never meets a row whose file is shorter.
    const keyframes = seg.keyframes.map(([offsetMs, byte]) => ({ offsetMs, byte }));
    const row = {
      channel_id: channelId, stream: seg.stream, start_ms: seg.start - off, end_ms: seg.end - off, bytes: seg.bytes, path, codec: seg.codec,
      width: seg.width, height: seg.height, timescale: seg.timescale, base_dts: seg.baseDts, init_bytes: seg.initBytes, closed: seg.closed ? 1 : 0, keyframes,
    };
    if (have) updateSegment(cache.db, have.id, { end_ms: row.end_ms, bytes: row.bytes, keyframes, closed: seg.closed });
    else {
      const id = insertSegment(cache.db, row);
      if (seg.fromCamera) cache.db.prepare('UPDATE rec_segment SET from_camera = 1 WHERE id = ?').run(id);
    }
    if (from !== SELF) cache.bytes += seg.bytes - (have?.bytes ?? 0);
    done();
    this.evict();
  }

  private async copyBytes(cache: Cache, from: number, channelId: number, seg: ArchiveSegment, path: string, at: number): Promise<void> {
    const { link } = this.o.site(from);
    const file = segmentFile(cache.source.root, path);
    mkdirSync(dirname(file), { recursive: true });
    const fd = openSync(file, at > 0 ? 'r+' : 'w');
    try {
      while (at < seg.bytes) {
        const r = await link.call('archive.segmentRead', { channelId: seg.channelId, segmentId: seg.id, offset: at, length: Math.min(SEGMENT_READ_MAX, seg.bytes - at) });
        const data = Buffer.from(r.dataBase64, 'base64');
        if (!data.length) throw fail('archive.noSegment', { id: seg.id, channelId });
        writeSync(fd, data, 0, data.length, at);
        at += data.length;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Beyond the bound, the copies asked for longest ago go (never one asked for in the last minute). */
  private evict(): void {
    const max = this.o.maxBytes ?? 4 * 1024 ** 3;
    let total = [...this.caches.values()].reduce((n, c) => n + c.bytes, 0);
    if (total <= max) return;
    // Never this station's own files (absolute paths): they are its archive's, not copies.
    const rows = [...this.caches].flatMap(([siteId, c]) => (c.db.prepare('SELECT id, path, bytes FROM rec_segment').all() as { id: number; path: string; bytes: number }[])
      .filter((r) => !isAbsolute(r.path)).map((r) => ({ ...r, siteId, c, used: this.used.get(`${siteId}:${r.path}`) ?? 0 })));
    rows.sort((a, b) => a.used - b.used || a.id - b.id);
    const recent = Date.now() - (this.o.keepMs ?? 60_000);
    for (const r of rows) {
      if (total <= max || r.used > recent) break;
      try { unlinkSync(segmentFile(r.c.source.root, r.path)); } catch { /* already gone */ }
      deleteSegment(r.c.db, r.id);
      r.c.bytes -= r.bytes;
      total -= r.bytes;
      this.used.delete(`${r.siteId}:${r.path}`);
    }
    this.log.info({ bytes: total }, 'copies of other stations\' archives evicted to their bound');
  }

  /** A site removed: its copy goes. */
  forget(siteId: number): void {
    const c = this.caches.get(siteId);
    this.caches.delete(siteId);
    try { c?.db.close(); } catch { /* already closed */ }
    for (const id of [...this.pending.keys()]) if (splitSiteChannel(id)?.siteId === siteId) this.pending.delete(id);
    for (const key of [...this.covers.keys()]) if (key.split(':').includes(String(siteId))) this.covers.delete(key);
    rmSync(siteArchiveDir(this.o.dataDir, siteId), { recursive: true, force: true });
  }

  dispose(): void {
    this.disposed = true;
    for (const c of this.caches.values()) { try { c.db.close(); } catch { /* already closed */ } }
    this.caches.clear();
  }
}
