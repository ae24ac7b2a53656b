// Redacted exports as the station keeps them: each job's row (listable, so a subject access request can attach it), its
// progress signal, and the evidence lock on its original range (taken when the export is made; `lockOriginal` /
// `releaseOriginal` by export id for the request register, which keeps it for the request's lifetime).
import { join } from 'node:path';
import { fail, type RedactedExport, type RedactionBox, type RedactionSettings } from '../../contract';
import type { ClientSession } from '../client-session';
import type { Logger } from '../log';
import type { ArchiveSource } from '../recording/archive-reader';
import { actorOf, createLock, unlock } from '../recording/evidence';
import { stationSigningKey } from '../recording/export';
import type { Handlers } from '../rpc';
import type { SignalBus } from '../signal-bus';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { burnInMasks } from './masks';
import { loadFaceDetector, previewStills, redactRange, type FaceDetector } from './redact-export';

export interface RedactionServiceOptions {
  db: Db;
  signals: SignalBus;
  logger: Logger;
  secrets: SecretStore;
  clock: () => number;
  dataDir: string;
  ffmpegPath: () => string;
  ffprobePath: () => string;
  source: () => ArchiveSource;
  channelName: (id: number) => Promise<string>;
}

interface Row { id: number; channel_id: number; from_ms: number; to_ms: number; created_at: number; state: RedactedExport['state']; folder: string; lock_id: number | null; error: string | null }
const toExport = (r: Row): RedactedExport => ({
  exportId: r.id, channelId: r.channel_id, from: r.from_ms, to: r.to_ms, createdAt: r.created_at, state: r.state, folder: r.folder, lockId: r.lock_id, error: r.error,
});

type RedactionHandlers = Pick<Handlers, 'redaction.preview' | 'redaction.start' | 'redaction.cancel' | 'redaction.list'>;

export class RedactionService {
  private readonly running = new Map<number, AbortController>();
  private readonly jobs = new Set<Promise<void>>();

  constructor(private readonly o: RedactionServiceOptions) {
    // A job the station stopped in the middle of did not finish (its partial folder is gone or never renamed).
    o.db.prepare("UPDATE redaction_export SET state = 'failed', error = 'the station stopped during the export' WHERE state = 'running'").run();
  }

  list(): RedactedExport[] {
    return (this.o.db.prepare('SELECT * FROM redaction_export ORDER BY id DESC').all() as Row[]).map(toExport);
  }

  get(exportId: number): RedactedExport {
    const r = this.o.db.prepare('SELECT * FROM redaction_export WHERE id = ?').get(exportId) as Row | undefined;
    if (!r) throw fail('redaction.notFound', { id: exportId });
    return toExport(r);
  }

  /** Locks the export's original range as evidence (again, if released); returns the lock id. */
  lockOriginal(exportId: number, reason: string, sessionId = 'station'): number {
    const e = this.get(exportId);
    if (e.lockId !== null) return e.lockId;
    const lock = createLock(this.o.db, { channelId: e.channelId, start: e.from, end: e.to, reason, at: this.o.clock(), by: actorOf(sessionId) });
    this.o.db.prepare('UPDATE redaction_export SET lock_id = ? WHERE id = ?').run(lock.id, exportId);
    return lock.id;
  }

  /** Releases the evidence lock on the export's original range (the request closed); the trail keeps why. */
  releaseOriginal(exportId: number, reason: string, sessionId = 'station'): boolean {
    const e = this.get(exportId);
    if (e.lockId === null) return false;
    const removed = unlock(this.o.db, e.lockId, reason, this.o.clock(), actorOf(sessionId));
    this.o.db.prepare('UPDATE redaction_export SET lock_id = NULL WHERE id = ?').run(exportId);
    return removed;
  }

  /** Every mask the session has not lifted (permanent ones can never be lifted). */
  private applied(channelId: number, session: ClientSession) {
    return burnInMasks(this.o.db, channelId, session).map((m) => ({ name: m.name, kind: m.kind, points: m.points }));
  }

  start(input: { channelId: number; from: number; to: number; boxes: RedactionBox[]; settings: RedactionSettings }, session: ClientSession, faces?: FaceDetector) {
    const at = this.o.clock();
    const stamp = new Date(at).toISOString().replace(/[:.]/g, '-');
    const id = Number(this.o.db.prepare("INSERT INTO redaction_export (channel_id, from_ms, to_ms, created_at, state, folder) VALUES (?, ?, ?, ?, 'running', '')")
      .run(input.channelId, input.from, input.to, at).lastInsertRowid);
    const folder = join(this.o.dataDir, 'exports', `${stamp}-redacted-${id}`);
    this.o.db.prepare('UPDATE redaction_export SET folder = ? WHERE id = ?').run(folder, id);
    const abort = new AbortController();
    this.running.set(id, abort);
    const masks = this.applied(input.channelId, session);
    const emit = (state: RedactedExport['state'], done: number, error?: string) => this.o.signals.emit('redaction.progress', { exportId: id, state, done, ...(error ? { error } : {}) });
    let lastEmit = 0;
    const job = (async () => {
      try {
        const key = await stationSigningKey(this.o.secrets);
        await redactRange({
          ffmpegPath: this.o.ffmpegPath(), ffprobePath: this.o.ffprobePath(), source: this.o.source(), channelId: input.channelId,
          camera: await this.o.channelName(input.channelId), from: input.from, to: input.to, masks, boxes: input.boxes, settings: input.settings,
          folder, key, faces, signal: abort.signal, now: this.o.clock,
          onProgress: (p) => { if (Date.now() - lastEmit > 250) { lastEmit = Date.now(); emit('running', p); } },
        });
        this.lockOriginal(id, `Original of redacted export #${id}`, session.id);
        this.o.db.prepare("UPDATE redaction_export SET state = 'done' WHERE id = ?").run(id);
        emit('done', 1);
        this.o.logger.info({ exportId: id, folder }, 'redacted export written and signed');
      } catch (err) {
        const state = abort.signal.aborted ? 'cancelled' : 'failed';
        const message = (err as Error).message;
        this.o.db.prepare('UPDATE redaction_export SET state = ?, error = ? WHERE id = ?').run(state, state === 'failed' ? message : null, id);
        emit(state, 0, state === 'failed' ? message : undefined);
        if (state === 'failed') this.o.logger.warn({ exportId: id, err: message }, 'redacted export failed');
      } finally {
        this.running.delete(id);
      }
    })();
    this.jobs.add(job);
    void job.finally(() => this.jobs.delete(job));
    return { exportId: id, folder };
  }

  /** Waits for a job (tests, dispose). */
  async settled(): Promise<void> {
    await Promise.all([...this.jobs]);
  }

  readonly handlers: RedactionHandlers = {
    'redaction.preview': async ({ channelId, at, boxes, settings }, session) => ({
      frames: await previewStills({
        ffmpegPath: this.o.ffmpegPath(), source: this.o.source(), channelId, at, boxes, settings,
        masks: this.applied(channelId, session).map((m) => m.points), faces: settings.faces ? await loadFaceDetector() : undefined,
      }),
    }),
    // A detector that cannot load is refused before anything is written.
    'redaction.start': async (input, session) => this.start(input, session, input.settings.faces ? await loadFaceDetector() : undefined),
    'redaction.cancel': ({ exportId }) => {
      const a = this.running.get(exportId);
      if (!a) throw fail('redaction.notRunning', { id: exportId });
      a.abort();
      return {};
    },
    'redaction.list': () => this.list(),
  };

  async dispose(): Promise<void> {
    for (const a of this.running.values()) a.abort();
    await this.settled();
  }
}
