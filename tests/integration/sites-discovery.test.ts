// Finding stations on the LAN (issue 14): stations serving desks answer WS-Discovery Probes for their own type
// (`wp:Station`) in the multicast group, and a desk's `sites.discover` lists those not in its list yet, with name, address,
// port, version and certificate fingerprint. Real multicast runs only inside a private network namespace with nothing but
// lo (the outer run re-runs this file under `unshare -n`), so no packet reaches a real network.
import { beforeAll, describe, expect, it } from 'vitest';
import { onlyLoopbackInterfaces } from '../../scripts/camsim/discovery/hub';
import { TEST_ADMIN } from '../helpers/auth';
import { fileScope } from '../helpers/fixtures';
import { freeTcpPort, mediaClient, serveStation, servedStationDir, type MediaClient } from '../helpers/in-process-station';
import { describeRerunInNetns } from '../helpers/netns';

const INNER = process.env.WATCHPOST_SITES_NETNS === '1';

describeRerunInNetns('station discovery in a network namespace', 'tests/integration/sites-discovery.test.ts', { WATCHPOST_SITES_NETNS: '1' }, /2 passed/);

const ok = (res: any) => {
  if (!res.ok) throw new Error(res.error.message);
  return res.value;
};

describe.skipIf(!INNER)('inside the namespace', () => {
  const scope = fileScope();
  const group = { sites: { discovery: { group: true as const } }, heartbeatMs: 60_000 };
  let a: MediaClient, b: MediaClient, old: MediaClient, desk: MediaClient;

  beforeAll(async () => {
    expect(onlyLoopbackInterfaces()).toBe(true);
    const st = await Promise.all([
      serveStation(servedStationDir(scope, 'wp-disc-a-'), group),
      serveStation(servedStationDir(scope, 'wp-disc-b-'), group),
      // A station of another major of the contract: found, and said to be of another version.
      serveStation(servedStationDir(scope, 'wp-disc-old-'), { ...group, poseAs: { version: '2.0.0', contract: '2.0' } }),
      serveStation(servedStationDir(scope, 'wp-disc-desk-'), group),
    ]);
    for (const s of st) scope.add(s);
    [a, b, old, desk] = (await Promise.all(st.map((s) => mediaClient(scope, s.server)))) as [MediaClient, MediaClient, MediaClient, MediaClient];
  }, 30_000);

  it('lists the stations that serve desks, with name, address, port, version and fingerprint; not this one, not one that does not serve', async () => {
    const serving = async (c: MediaClient, host: string) => ok(await c.call('sites.setServing', { enabled: true, host, port: await freeTcpPort() }));
    const sa = await serving(a, '127.0.0.2');
    // On every interface: it answers with its address facing the desk.
    const sb = await serving(b, '0.0.0.0');
    const so = await serving(old, '127.0.0.4');
    // The desk serves too (it must not find itself); `old` stops serving: it no longer answers.
    await serving(desk, '127.0.0.5');
    ok(await old.call('sites.setServing', { enabled: false, host: '127.0.0.4', port: so.port }));
    const status = ok(await a.call('station.status', {}));
    const found = ok(await desk.call('sites.discover', {}));
    expect(found).toHaveLength(2);
    expect(found).toEqual(expect.arrayContaining([
      { name: expect.any(String), host: '127.0.0.2', port: sa.port, fingerprint: sa.fingerprint, version: status.version, compatible: true },
      { name: expect.any(String), host: '127.0.0.1', port: sb.port, fingerprint: sb.fingerprint, version: status.version, compatible: true },
    ]));
    // Serving again, the station of another contract answers, marked as not compatible.
    ok(await old.call('sites.setServing', { enabled: true, host: '127.0.0.4', port: so.port }));
    const again = ok(await desk.call('sites.discover', {}));
    expect(again.find((s: any) => s.host === '127.0.0.4')).toMatchObject({ version: '2.0.0', compatible: false, fingerprint: so.fingerprint });
  }, 20_000);

  it('leaves out a station once it is in the list', async () => {
    const [sa] = ok(await desk.call('sites.discover', {})).filter((s: any) => s.host === '127.0.0.2');
    ok(await desk.call('sites.add', { name: sa.name, host: sa.host, port: sa.port, username: TEST_ADMIN.name, password: TEST_ADMIN.password }));
    const found = ok(await desk.call('sites.discover', {}));
    expect(found.map((s: any) => s.host).sort()).toEqual(['127.0.0.1', '127.0.0.4']);
  }, 20_000);
});
