// `npm run demo`: the station with camsim's simulated cameras registered, so a first run shows video.
import { describe, expect, it } from 'vitest';
import { startStation } from '../helpers/station-process';
import { wsClient } from '../helpers/ws-client';

describe('npm run demo', () => {
  it('registers the simulated cameras (credentials kept by the station) and streams them', async () => {
    const st = await startStation({ args: ['--demo'], env: { WATCHPOST_DEMO_SUBNET: 'random' } });
    try {
      // The demo line follows the URL line the helper waits for.
      await expect.poll(() => st.output()).toMatch(/demo: 4 simulated cameras and 1 factory-new \(to activate on the Devices page\) on 127\.\d+\.\d+\.x/);
      const ws = await wsClient(st.url);
      const channels = (await ws.call<any[]>('channels.list', {})).filter((c) => !c.site);
      expect(channels).toHaveLength(8);
      expect(channels.every((c: any) => c.hasCredentials && c.subUrl && !c.mainUrl.includes('@'))).toBe(true);
      // Its cameras have speakers (their streams' DESCRIBE offers the ONVIF back channel): the tiles' Talk button shows.
      await expect.poll(async () => (await ws.call<any[]>('channels.list', {})).filter((c) => !c.site && c.speaker).length, { timeout: 20_000 }).toBe(8);
      // The fourth camera has a fisheye lens: its two channels come with the lens set, for the Live page's de-warp.
      expect(channels.filter((c: any) => c.lens).map((c: any) => [c.name, c.lens.mount])).toEqual([['cam-04 CH1', 'ceiling'], ['cam-04 CH2', 'ceiling']]);
      await ws.call('live.open', { streamId: `${channels[0].id}/sub` });
      // The demo records its sub streams from the start, so the stream may be live before this connection hears of it: asked.
      const live = async () => (await ws.call<{ streamId: string; state: string }[]>('streams.status', {})).some((x) => x.streamId === `${channels[0].id}/sub` && x.state === 'live');
      await expect.poll(live, { timeout: 30_000 }).toBe(true);
      // A second station, North yard, serving desks over TLS on 127.0.0.2: added and trusted, its two cameras shown here.
      await expect.poll(async () => (await ws.call<any[]>('sites.list', {}))[0], { timeout: 30_000 }).toMatchObject({ name: 'North yard', host: '127.0.0.2', state: 'online', channels: 2 });
      const remote = (await ws.call<any[]>('channels.list', {})).filter((c) => c.site);
      expect(remote.map((c) => c.name)).toEqual(['North yard cam-01 CH1', 'North yard cam-01 CH2']);
      await ws.call('live.open', { streamId: `${remote[0].id}/sub` });
      await expect.poll(async () => (await ws.call<{ streamId: string; state: string }[]>('streams.status', {})).some((x) => x.streamId === `${remote[0].id}/sub` && x.state === 'live'), { timeout: 30_000 }).toBe(true);
      // Sharing needs a second account's station: "Home" on 127.0.0.3 with its own page, the same cloud; this one serves desks.
      const home = /demo: a second station, for a second account to receive shares \(Devices → Shared cameras\): (http:\/\/127\.0\.0\.3:\d+\/\S*)/.exec(st.output())?.[1];
      expect(home).toBeDefined();
      expect((await fetch(home!)).status).toBe(200);
      expect(await ws.call('sites.serving', {})).toMatchObject({ enabled: true, host: '127.0.0.1', listening: true });
      // Two accounts in the demo's cloud, one per station: a camera shared here is received, added and online there.
      const h = await wsClient(home!);
      const signUp = (c: typeof ws, who: string) => c.call('privacy.signUp', { email: `${who}.${process.pid}@example.test`, password: 'correct horse battery', nickname: who, country: 'DE', dateOfBirth: '1990-05-17' });
      await signUp(ws, 'alice');
      await signUp(h, 'bob');
      await ws.call('shares.create', { recipientEmail: `bob.${process.pid}@example.test`, channelIds: [channels[0].id], rights: ['live'] });
      const [got] = await h.call<{ id: string; active: boolean }[]>('shares.received', {});
      expect(got).toMatchObject({ active: true });
      await h.call('shares.addReceived', { id: got!.id });
      await expect.poll(async () => (await h.call<{ state: string }[]>('sites.list', {}))[0]?.state, { timeout: 15_000 }).toBe('online');
      h.close();
      ws.close();
    } finally {
      await st.stop();
    }
  });
});
