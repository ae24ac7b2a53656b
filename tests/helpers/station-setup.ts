// Setting a station up over its WebSocket the way several e2e tests need it: camsim channels and ONVIF event sources.
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, withCredentials, type ChannelManifest, type Fleet, type FleetManifest } from '../../scripts/camsim/fleet';
import { wsClient, type WsClient } from './ws-client';

/** Adds a camsim channel by its main and sub RTSP URLs, credentials (camsim's default admin unless given) in them; its id. */
export async function addCamsimChannel(ws: WsClient, name: string, ch: ChannelManifest, credentials?: { username: string; password: string }): Promise<number> {
  const added = await ws.call<{ id: number }>('channels.addRtsp', { name, mainUrl: withCredentials(ch.main.rtsp, credentials), subUrl: withCredentials(ch.sub.rtsp, credentials) });
  return added.id;
}

/** Adds every channel of every device in the manifest, each under its own name. */
export async function addAllCamsimChannels(stationUrl: string, manifest: FleetManifest): Promise<void> {
  const ws = await wsClient(stationUrl);
  try {
    for (const d of manifest.devices) for (const ch of d.channels) await addCamsimChannel(ws, ch.name, ch, d.credentials);
  } finally {
    ws.close();
  }
}

/** Has the station watch the ONVIF events of the fleet's first device, its channel 1 being `channelId`. */
export async function addOnvifEventSource(ws: WsClient, fleet: Fleet, channelId: number): Promise<void> {
  await ws.call('eventSources.add', { driver: 'onvif', url: `${fleet.device(0).baseUrl}/onvif/events_service`, username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD, channelMap: { '1': channelId } });
}

/** Waits until the station's (first) event source is connected. */
export async function eventSourceConnected(ws: WsClient, timeoutMs: number): Promise<void> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    if ((await ws.call<{ state: string }[]>('eventSources.list', {}))[0]?.state === 'connected') return;
  }
  throw new Error(`the event source did not connect in ${timeoutMs / 1000} s`);
}

/**
 * Records the channel continuously (its main stream unless told, 4 s segments) and returns once it has been recording for
 * `forMs`. The sub stream where what is recorded is re-encoded later (a redacted export): 1080p costs 9× the time.
 */
export async function recordContinuously(ws: WsClient, channelId: number, forMs: number, stream: 'main' | 'sub' = 'main'): Promise<void> {
  await ws.call('recording.setArchive', { segmentSeconds: 4, quotaBytes: null, freeFloorBytes: 0 });
  await ws.call('recording.setChannels', { channelIds: [channelId], mode: 'continuous', stream, schedule: '1'.repeat(336), preSeconds: 0, postSeconds: 0, retentionDays: null });
  for (let t = Date.now(); (await ws.call<{ channels: { state: string }[] }>('recording.status', {})).channels[0]?.state !== 'recording'; ) {
    if (Date.now() - t > 20_000) throw new Error('the channel did not start recording');
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, forMs));
}
