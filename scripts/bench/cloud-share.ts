// bench:cloud's `share_revoke_to_stop_ms`: two stations in this process on the bench's cloud, the first serving desks on
// 127.0.0.2 with a camsim camera; a share of that camera to the second station's account, added there as a site, its
// stream opened by a client of the second station; then the sharer revokes it, and the time to the recipient's stream
// leaving `live` (what turns its tile off) is measured. Target ≤ 5000 ms. `share_revoke_elsewhere_to_stop_ms`: the same
// with the share revoked through the cloud's API (as from another station of the account), which the sharing station
// learns through its watch on the cloud.
import { createServer } from 'node:net';
import { join } from 'node:path';
import pino from 'pino';
import { siteChannelId, type StreamStatus } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { createStation, type Station } from '../../electron/core/station';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { startFleet, withCredentials } from '../camsim/fleet';

const SAMPLES = 3;
/** A TCP port free on 127.0.0.2 now. */
const freePort = () => new Promise<number>((res, rej) => {
  const srv = createServer().once('error', rej).listen(0, '127.0.0.2', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => res(port));
  });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`share bench: ${what} not within ${ms} ms`);
    await sleep(20);
  }
}

export async function benchShareRevoke(dir: string, cloudUrl: string): Promise<{ share_revoke_to_stop_ms: number; share_revoke_elsewhere_to_stop_ms: number; share_samples: number }> {
  const fleet = await startFleet({ devices: 1, channels: 1, subnet: 'random' });
  const open = (name: string) => createStation({
    dataDir: join(dir, name), mode: 'browser', secrets: nodeSecretStore(join(dir, name)), logger: pino({ level: 'silent' }), cloudUrl, heartbeatMs: 60_000,
  });
  const [sharer, recipient] = await Promise.all([open('sharer'), open('recipient')]);
  let frames = 0;
  const session = new ClientSession('share-bench', { send: () => void frames++, backlog: () => 0 });
  const call = async (st: Station, name: string, input: unknown = {}): Promise<any> => {
    const r = await st.dispatch(name, input, session);
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r.value;
  };
  try {
    const password = 'share bench password 1';
    const email = 'share-recipient@example.test';
    await call(sharer, 'privacy.signUp', { email: 'share-owner@example.test', password, nickname: 'Owner', country: 'DE', dateOfBirth: '1990-01-01' });
    await call(recipient, 'privacy.signUp', { email, password, nickname: 'Recipient', country: 'DE', dateOfBirth: '1990-01-01' });
    const d = fleet.manifest.devices[0]!;
    const ch = d.channels[0]!;
    const camera = (await call(sharer, 'channels.addRtsp', { name: 'Gate', mainUrl: withCredentials(ch.main.rtsp, d.credentials), subUrl: null })).id as number;
    await call(sharer, 'sites.setServing', { enabled: true, host: '127.0.0.2', port: await freePort() });
    /** The owner's account revoking through the cloud's API, not through the sharing station. */
    const revokeInCloud = async (cloudId: string) => {
      const login = await fetch(`${cloudUrl}/v1/auth/login`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'share-owner@example.test', password }),
      });
      const { token } = (await login.json()) as { token: string };
      const t0 = performance.now();
      const r = await fetch(`${cloudUrl}/v1/shares/${cloudId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      if (r.status !== 200) throw new Error(`revoke in the cloud: ${r.status}`);
      return t0;
    };
    const samples: number[] = [];
    const elsewhere: number[] = [];
    for (let i = 0; i < 2 * SAMPLES; i++) {
      const share = await call(sharer, 'shares.create', { recipientEmail: email, channelIds: [camera], rights: ['live'] });
      const site = await call(recipient, 'shares.addReceived', { id: share.cloudId });
      await until('the shared station online', async () => ((await call(recipient, 'sites.list')).find((s: any) => s.id === site.id)?.state === 'online' ? true : undefined));
      const streamId = `${siteChannelId(site.id, camera)}/main`;
      const { channel } = await call(recipient, 'live.open', { streamId });
      const before = frames;
      await until('the first fragment', () => (frames > before + 1 ? true : undefined));
      let stoppedAt: number | undefined;
      const unsubscribe = recipient.signals.subscribe((name, payload) => {
        const s = payload as StreamStatus;
        if (name === 'stream.status' && s.streamId === streamId && s.state !== 'live') stoppedAt ??= performance.now();
      });
      let t0 = performance.now();
      if (i < SAMPLES) await call(sharer, 'shares.revoke', { id: share.id });
      else t0 = await revokeInCloud(share.cloudId);
      (i < SAMPLES ? samples : elsewhere).push((await until('the stream stopped', () => stoppedAt)) - t0);
      unsubscribe();
      await call(recipient, 'live.close', { channel });
      await call(recipient, 'sites.remove', { id: site.id });
    }
    const median = (xs: number[]) => Math.round(xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!);
    return { share_revoke_to_stop_ms: median(samples), share_revoke_elsewhere_to_stop_ms: median(elsewhere), share_samples: SAMPLES };
  } finally {
    session.close();
    await Promise.allSettled([sharer.dispose(), recipient.dispose()]);
    await fleet.close();
  }
}
