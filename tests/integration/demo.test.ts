// `npm run demo`: the station with camsim's simulated cameras registered, so a first run shows video.
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startStation } from '../helpers/station-process';

describe('npm run demo', () => {
  it('registers the simulated cameras (credentials kept by the station) and streams them', async () => {
    const st = await startStation({ args: ['--demo'], env: { WATCHPOST_DEMO_SUBNET: 'random' } });
    try {
      // The demo line follows the URL line the helper waits for.
      await expect.poll(() => st.output()).toMatch(/demo: 4 simulated cameras and 1 factory-new \(to activate on the Devices page\) on 127\.\d+\.\d+\.x/);
      const ws = new WebSocket(`ws://${new URL(st.url).host}/ws?token=${st.token}`);
      await new Promise((r) => ws.once('open', r));
      const events: any[] = [];
      const results = new Map<number, any>();
      ws.on('message', (d, bin) => {
        if (bin) return;
        const f = JSON.parse(d.toString());
        if (f.t === 'result') results.set(f.id, f.result);
        else events.push(f);
      });
      ws.send(JSON.stringify({ t: 'call', id: 1, name: 'channels.list', input: {} }));
      await expect.poll(() => results.get(1)).toBeTruthy();
      const channels = results.get(1).value;
      expect(channels).toHaveLength(8);
      expect(channels.every((c: any) => c.hasCredentials && c.subUrl && !c.mainUrl.includes('@'))).toBe(true);
      ws.send(JSON.stringify({ t: 'call', id: 2, name: 'live.open', input: { streamId: `${channels[0].id}/sub` } }));
      await expect.poll(() => events.some((e) => e.name === 'stream.status' && e.payload.state === 'live'), { timeout: 30_000 }).toBe(true);
      ws.close();
    } finally {
      await st.stop();
    }
  });
});
