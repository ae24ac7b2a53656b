// Cloud services, each only under its own grant: alarm push, cloud storage of snapshots and clips, device hosting.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, extname, join, sep } from 'node:path';
import {
  fail, PURPOSE_TEXT,
  type AlarmNotice, type Channel, type Device, type HostedStation, type StoredObject,
} from '../../contract';
import type { Logger } from '../log';
import type { Handlers } from '../rpc';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';
import { TOKEN_KEY, type CloudClient } from './cloud-client';
import { ConsentGateClosed, cloudMessage } from './cloud-transport';
import { PUSH_SNAPSHOT_MAX_BYTES, STORED_OBJECT_MAX_BYTES } from '../../contract/cloud';
import type { PrivacyStatus } from './privacy-status';
import * as store from './privacy-store';

/** The cloud's limits for a push snapshot and for one stored file. */

/** A channel as alarm push and device hosting name it. */
export type NamedChannel = Pick<Channel, 'id' | 'name'>;
/** A managed device as device hosting shows it. */
export type HostableDevice = Pick<Device, 'id' | 'name' | 'kind' | 'vendor' | 'model'> & { channels: Pick<Device['channels'][number], 'channelId'>[] };

export interface CloudServicesOptions {
  db: Db;
  secrets: SecretStore;
  cloud: CloudClient;
  status: PrivacyStatus;
  log: Logger;
  /** This station's id: its hosted list and its pushes are filed under it. */
  node: string;
  dataDir: string;
  /** Where recordings and snapshots are: uploads come only from these and the clips folder. */
  mediaDirs: () => string[];
  /** The station's channels (names for pushes; hosting lists the ones of no device). */
  channels: () => Promise<NamedChannel[]>;
  /** The station's devices; null while the station is still being composed, and hosting then waits. */
  devices: () => HostableDevice[] | Promise<HostableDevice[]>;
}

function storableKind(name: string): 'snapshot' | 'clip' | null {
  const ext = extname(name).toLowerCase();
  return ext === '.jpg' || ext === '.jpeg' ? 'snapshot' : ext === '.mp4' ? 'clip' : null;
}

export class CloudServices {
  readonly handlers: Pick<Handlers,
    'privacy.storage' | 'privacy.storableFiles' | 'privacy.storeFile' | 'privacy.downloadStored' | 'privacy.deleteStored' | 'privacy.hostedStations'> = {
      'privacy.storage': () => this.storage(),
      'privacy.storableFiles': () => this.storableFiles(),
      'privacy.storeFile': (input) => this.storeFile(input.path),
      'privacy.downloadStored': (input) => this.downloadStored(input.id),
      'privacy.deleteStored': (input) => this.deleteStored(input.id),
      'privacy.hostedStations': () => this.hostedStations(),
    };

  constructor(private readonly opts: CloudServicesOptions) {}

  async pushAlarm(n: AlarmNotice): Promise<void> {
    const { db, status } = this.opts;
    const account = store.getAccount(db);
    // Off, withdrawn, paused or signed out: nothing at all is sent, not even a request.
    if (!account || status.disposed || !status.isActiveNow('alarm_push')) return;
    const token = await this.opts.secrets.get(TOKEN_KEY);
    if (!token) return;
    const ev = n.event;
    let channelName = '';
    if (ev.channelId !== null) {
      const channels = await this.opts.channels().catch(() => []);
      channelName = channels.find((c) => c.id === ev.channelId)?.name ?? `channel ${ev.channelId}`;
    }
    const snapshot = n.snapshotBase64 && Buffer.byteLength(n.snapshotBase64, 'base64') <= PUSH_SNAPSHOT_MAX_BYTES ? n.snapshotBase64 : null;
    try {
      const r = await this.opts.cloud.request({
        method: 'POST', path: '/v1/push', purpose: 'alarm_push', token,
        body: { stationId: this.opts.node, type: ev.type, channelName, occurredAt: new Date(ev.start).toISOString(), snapshotJpeg: snapshot },
      });
      if (r.status !== 201) status.lastError = `${PURPOSE_TEXT.alarm_push.title}: ${cloudMessage(r)}`;
    } catch (err) {
      // Unreachable: the ledger has the attempt; an alarm is news only now, so it is not queued for later.
      if (!(err instanceof ConsentGateClosed)) this.opts.log.warn({ err: (err as Error).message, event: ev.id }, 'alarm push not delivered');
    }
    status.changed();
  }

  /** What another station of the account may see of this one's devices: never credentials, addresses or serials. */
  private async hostedList(): Promise<{ stationName: string; devices: HostedStation['devices'] }> {
    const [devices, channels] = await Promise.all([this.opts.devices(), this.opts.channels()]);
    const ofDevices = new Set(devices.flatMap((d) => d.channels.map((c) => c.channelId)));
    return {
      stationName: hostname(),
      devices: [
        ...devices.map((d) => ({ id: `device-${d.id}`, name: d.name, kind: d.kind, model: [d.vendor, d.model].filter(Boolean).join(' '), channels: d.channels.length })),
        ...channels.filter((c) => !ofDevices.has(c.id)).map((c) => ({ id: `channel-${c.id}`, name: c.name, kind: 'rtsp camera', model: '', channels: 1 })),
      ],
    };
  }

  /** Hosts this station's device list while device hosting is active, sending it again only when it changed. */
  async hostDevices(token: string): Promise<void> {
    const { db, cloud, status } = this.opts;
    if (!status.active.has('device_hosting')) {
      // Withdrawal took every hosted list down in the cloud; a new grant sends the list afresh.
      store.setMeta(db, 'hostedHash', '');
      return;
    }
    const list = await this.hostedList();
    const hash = createHash('sha256').update(JSON.stringify(list)).digest('hex');
    if (store.getMeta(db, 'hostedHash') === hash) return;
    const r = await cloud.request({ method: 'PUT', path: `/v1/hosting/${this.opts.node}`, purpose: 'device_hosting', token, body: list });
    cloud.check(r);
    if (r.status === 200) store.setMeta(db, 'hostedHash', hash);
    else status.lastError = `${PURPOSE_TEXT.device_hosting.title}: ${cloudMessage(r)}`;
  }

  private async hostedStations(): Promise<HostedStation[]> {
    const r = await this.opts.cloud.accountCall('show the hosted device lists', { method: 'GET', path: '/v1/hosting' }, 'device_hosting');
    return r.body.stations.map((h) => ({ ...h, own: h.stationId === this.opts.node }));
  }

  private async storage() {
    const r = await this.opts.cloud.accountCall('list your cloud storage', { method: 'GET', path: '/v1/storage' }, 'cloud_storage');
    return { objects: r.body.objects, usedBytes: r.body.usedBytes, quotaBytes: r.body.quotaBytes };
  }

  private mediaRoots(): string[] {
    return [...this.opts.mediaDirs(), join(this.opts.dataDir, 'clips')];
  }

  /** A snapshot or a clip from this station's own media folders, and nothing else on the disk. */
  private readStorable(path: string): { name: string; kind: 'snapshot' | 'clip'; contentType: 'image/jpeg' | 'video/mp4'; data: Buffer } {
    const kind = storableKind(path);
    if (!kind) throw fail('storage.wrongKind', { field: 'storedFile' });
    let real: string;
    try {
      real = realpathSync(path);
    } catch {
      throw fail('file.notFound', { field: 'storedFile', path });
    }
    const roots = this.mediaRoots().flatMap((d) => {
      try { return [realpathSync(d)]; } catch { return []; }
    });
    if (!roots.some((r) => real.startsWith(r + sep))) throw fail('storage.outsideFolders', { field: 'storedFile' });
    const size = statSync(real).size;
    if (size > STORED_OBJECT_MAX_BYTES)
      throw fail('storage.tooLarge', { field: 'storedFile', sizeMiB: Number((size / 1048576).toFixed(1)), maxMiB: STORED_OBJECT_MAX_BYTES / 1048576 });
    return { name: basename(real), kind, contentType: kind === 'snapshot' ? 'image/jpeg' : 'video/mp4', data: readFileSync(real) };
  }

  /** Newest snapshots and clips of the media folders (a bounded walk: recordings can hold many files). */
  private storableFiles() {
    const found: { path: string; name: string; kind: 'snapshot' | 'clip'; bytes: number; modifiedAt: number }[] = [];
    let seen = 0;
    const walk = (dir: string, depth: number) => {
      let names: string[];
      try { names = readdirSync(dir); } catch { return; }
      for (const name of names) {
        if (++seen > 5000) return;
        const p = join(dir, name);
        let st;
        try { st = statSync(p); } catch { continue; }
        if (st.isDirectory()) { if (depth < 4) walk(p, depth + 1); continue; }
        const kind = storableKind(name);
        if (kind && st.size > 0 && st.size <= STORED_OBJECT_MAX_BYTES) found.push({ path: p, name, kind, bytes: st.size, modifiedAt: Math.round(st.mtimeMs) });
      }
    };
    for (const root of this.mediaRoots()) walk(root, 0);
    return found.sort((a, b) => b.modifiedAt - a.modifiedAt).slice(0, 100);
  }

  private async storeFile(path: string): Promise<StoredObject> {
    this.opts.cloud.requireAccount();
    // Checked before anything is read or sent.
    if (!this.opts.status.isActiveNow('cloud_storage'))
      throw fail('storage.off', { field: 'storedFile' });
    const f = this.readStorable(path);
    const r = await this.opts.cloud.accountCall('upload to cloud storage', {
      method: 'POST', path: '/v1/storage', body: { name: f.name, kind: f.kind, contentType: f.contentType, data: f.data.toString('base64') },
    }, 'cloud_storage');
    return r.body.object;
  }

  private async downloadStored(id: string) {
    const r = await this.opts.cloud.accountCall('download from cloud storage', { method: 'GET', path: `/v1/storage/${encodeURIComponent(id)}` }, 'cloud_storage');
    return { object: r.body.object, dataBase64: r.body.data };
  }

  private async deleteStored(id: string) {
    await this.opts.cloud.accountCall('delete from cloud storage', { method: 'DELETE', path: `/v1/storage/${encodeURIComponent(id)}` }, 'cloud_storage');
    return { deleted: true };
  }
}
