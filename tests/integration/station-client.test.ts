// The renderer's StationClient, both implementations, against the real core (no DOM needed).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { StationError, type StationBridge } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { startLoopbackServer, type LoopbackServer } from '../../electron/core/server/loopback-server';
import { createStation, type Station } from '../../electron/core/station';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { BridgeStationClient, WebSocketStationClient, type StationClient } from '../../renderer/src/app/station-client';
import { originOf, signInAsTestAdmin } from '../helpers/auth';

let dir: string;
let station: Station;
let server: LoopbackServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-client-'));
  mkdirSync(join(dir, 'r'));
  writeFileSync(join(dir, 'r', 'index.html'), '<!doctype html>');
  station = await createStation({ dataDir: join(dir, 'data'), mode: 'browser', secrets: nodeSecretStore(dir), logger: pino({ level: 'silent' }), heartbeatMs: 50 });
  server = await startLoopbackServer({ station, rendererDir: join(dir, 'r') });
});
afterAll(async () => {
  await server.close();
  await station.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function exercise(client: StationClient) {
  const s = await client.call('settings.get', {});
  expect(s.recordingsDir).toBe(join(dir, 'data', 'recordings'));
  const err = await client.call('settings.update', { ffmpegPath: 'rel' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StationError);
  expect(err).toMatchObject({ code: 'bad_input', message: 'ffmpeg path must be an absolute path, starting with / or a drive letter.', reason: 'field.notAbsolutePath' });
  const beat = await new Promise<{ at: number }>((res) => { const off = client.on('station.heartbeat', (p) => { off(); res(p); }); });
  expect(beat.at).toBeGreaterThan(0);
}

describe('StationClient', () => {
  it('over the Electron bridge (the preload shape, wired to the same dispatcher)', async () => {
    const bridge: StationBridge = {
      call: (name, input) => station.dispatch(name, input, new ClientSession('bridge')),
      onSignal: (l) => station.signals.subscribe(l),
    };
    const client = new BridgeStationClient(bridge);
    await exercise(client);
    client.close();
  });

  it('over the WebSocket, with the same behaviour', async () => {
    (globalThis as { WebSocket?: unknown }).WebSocket = class extends WebSocket {
      constructor(url: string) { super(url, { headers: { cookie: `watchpost_token=${server.token}` } }); }
    };
    const client = new WebSocketStationClient(`ws://127.0.0.1:${server.port}/ws`);
    const states: string[] = [];
    client.onConnection((s) => states.push(s));
    // A transport's connection signs in first (the station's own sessions, as the bridge's above, are not checked).
    await signInAsTestAdmin(originOf(server), (name, input) => client.call(name as never, input as never).then((value) => ({ ok: true, value }), (e: StationError) => ({ ok: false, error: e })));
    await exercise(client);
    expect(states).toContain('open');
    client.close();
    await expect.poll(() => states.at(-1)).toBe('closed');
  });
});
