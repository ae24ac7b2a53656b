import { describe, expect, it } from 'vitest';
import { listenAnnouncements, scan, type ScanHit } from '../../electron/core/devices/discovery/scanner';
import { onlyLoopbackInterfaces } from '../../scripts/camsim/discovery/hub';
import { placeholderMedia, startFleet } from '../../scripts/camsim/fleet';
import { describeRerunInNetns } from '../helpers/netns';

// The station's default discovery (multicast WS-Discovery + DHIP from an interface) runs only inside a private network
// namespace with nothing but lo, so no packet can reach a real network. The outer run re-runs this file under `unshare -n`.

const INNER = process.env.WATCHPOST_NETNS_INNER === '1';

describeRerunInNetns('station multicast discovery in a network namespace', 'tests/integration/devices-netns.test.ts', { WATCHPOST_NETNS_INNER: '1' }, /1 passed/);

describe.skipIf(!INNER)('inside the namespace', () => {
  it('one multicast scan hears every device over WS-Discovery and DHIP, and Hello/Bye on the group', async () => {
    expect(onlyLoopbackInterfaces()).toBe(true);
    const announcements: string[] = [];
    const stop = await listenAnnouncements({ port: 3702, address: '127.0.0.1', group: true }, (m) => announcements.push(`${m.kind}:${m.from}`));
    const fleet = await startFleet({ devices: 3, uninitialized: 1, nvr: 2, subnet: '127.0.67', media: placeholderMedia, multicast: true });
    try {
      const hits: ScanHit[] = [];
      await scan({ interfaces: ['127.0.0.1'], durationMs: 1500, onHit: (h) => hits.push(h) });
      const ips = fleet.manifest.devices.map((d) => d.ip).sort();
      expect([...new Set(hits.filter((h) => h.source === 'onvif').map((h) => h.from))].sort()).toEqual(ips);
      expect([...new Set(hits.filter((h) => h.source === 'dhip').map((h) => h.from))].sort()).toEqual(ips);
      const dhip = hits.filter((h): h is Extract<ScanHit, { source: 'dhip' }> => h.source === 'dhip');
      expect(dhip.filter((h) => !h.device.initialised).map((h) => h.from).filter((v, i, a) => a.indexOf(v) === i)).toHaveLength(1);
      for (const ip of ips) expect(announcements).toContain(`Hello:${ip}`);
      // A device that moves says Bye from its old address and Hello from the new one.
      const old = fleet.manifest.devices[0]!.ip;
      await fleet.device(0).setAddress('127.0.67.50');
      await expect.poll(() => announcements, { timeout: 3000 }).toContain('Hello:127.0.67.50');
      expect(announcements).toContain(`Bye:${old}`);
    } finally {
      await fleet.close();
      await stop();
    }
  }, 30_000);
});
