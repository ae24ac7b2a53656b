import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { DahuaAttachSource } from '../../electron/core/events/dahua-attach';
import type { DeviceEvent, DeviceEventSource, SourceState } from '../../electron/core/events/device-event-source';
import { OnvifPullPointSource } from '../../electron/core/events/onvif-pullpoint';

let fleet: Fleet;
beforeAll(async () => {
  fleet = await startFleet({ devices: 2, channels: 2, subnet: 'random', media: placeholderMedia, rebootMs: 300 });
}, 30_000);
afterAll(async () => fleet?.close());

async function waitFor<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function collect(make: (o: { onEvent: (e: DeviceEvent) => void; onState: (s: SourceState) => void }) => DeviceEventSource) {
  const events: DeviceEvent[] = [];
  const states: SourceState[] = [];
  const source = make({ onEvent: (e) => events.push(e), onState: (s) => states.push(s) });
  source.start();
  return { source, events, states };
}

const kinds = (events: DeviceEvent[]) => events.filter((e) => !e.initial);

describe.each([
  ['ONVIF PullPoint', (i: number) => (o: { onEvent: (e: DeviceEvent) => void; onState: (s: SourceState) => void }) =>
    new OnvifPullPointSource({ url: `${fleet.device(i).baseUrl}/onvif/events_service`, username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, retryMs: 100, maxRetryMs: 300, pullTimeoutS: 1, terminationS: 4, ...o })],
  ['Dahua attach', (i: number) => (o: { onEvent: (e: DeviceEvent) => void; onState: (s: SourceState) => void }) =>
    new DahuaAttachSource({ url: fleet.device(i).baseUrl, username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, retryMs: 100, maxRetryMs: 300, heartbeatS: 1, ...o })],
])('%s against camsim', (_name, make) => {
  it('delivers motion, door and sensor values with their channel, keeps going past a renewal, and comes back after the device was offline', async () => {
    const { source, events, states } = collect(make(0));
    try {
      await waitFor(() => states.find((s) => s.state === 'connected'));
      const cam = fleet.device(0);
      cam.raiseEvent({ kind: 'motion', channel: 2, state: true });
      cam.raiseEvent({ kind: 'door', channel: 1, state: true });
      cam.raiseEvent({ kind: 'temperature', channel: 1, value: 31.5 });
      await waitFor(() => (kinds(events).length >= 3 ? true : undefined));
      expect(kinds(events).map(({ kind, channel, state, value }) => ({ kind, channel, state, value }))).toEqual([
        { kind: 'motion', channel: 2, state: true, value: undefined },
        { kind: 'door', channel: 1, state: true, value: undefined },
        { kind: 'temperature', channel: 1, state: undefined, value: 31.5 },
      ]);
      // Past the renewal point (half the 4 s termination) the subscription still delivers.
      await new Promise((r) => setTimeout(r, 2500));
      cam.raiseEvent({ kind: 'motion', channel: 2, state: false });
      await waitFor(() => kinds(events).find((e) => e.kind === 'motion' && e.state === false));

      await cam.goOffline(800);
      await waitFor(() => states.find((s) => s.state === 'error'), 8000);
      await cam.whenOnline();
      const before = kinds(events).length;
      await waitFor(() => (states.at(-1)?.state === 'connected' ? true : undefined), 8000);
      await new Promise((r) => setTimeout(r, 200));
      cam.raiseEvent({ kind: 'co2', channel: 1, value: 900 });
      await waitFor(() => kinds(events).slice(before).find((e) => e.kind === 'co2' && e.value === 900), 8000);
    } finally {
      await source.dispose();
    }
  }, 30_000);

  it('reports a wrong password as an error and stops cleanly', async () => {
    const states: SourceState[] = [];
    const source = _name.startsWith('ONVIF')
      ? new OnvifPullPointSource({ url: `${fleet.device(1).baseUrl}/onvif/events_service`, username: DEFAULT_USERNAME, password: 'wrong-Pass1', onEvent: () => {}, onState: (s) => states.push(s), retryMs: 5000 })
      : new DahuaAttachSource({ url: fleet.device(1).baseUrl, username: DEFAULT_USERNAME, password: 'wrong-Pass1', onEvent: () => {}, onState: (s) => states.push(s), retryMs: 5000 });
    source.start();
    const err = await waitFor(() => states.find((s) => s.state === 'error'));
    expect(err).toMatchObject({ state: 'error' });
    await source.dispose();
  });
});
