import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startLoopbackServer, type LoopbackServer } from '../../electron/core/server/loopback-server';
import { createStation, type Station } from '../../electron/core/station';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { originOf, signInAsTestAdmin } from '../helpers/auth';

let dir: string;
let station: Station;
let server: LoopbackServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wp-srv-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Watchpost</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'outside.txt'), 'secret');
  station = await createStation({ dataDir: join(dir, 'data'), mode: 'browser', secrets: nodeSecretStore(dir), logger: pino({ level: 'silent' }), heartbeatMs: 100 });
  server = await startLoopbackServer({ station, rendererDir });
});
afterAll(async () => {
  await server.close();
  await station.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((res, rej) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (r) => {
      let body = '';
      r.on('data', (d) => (body += d));
      r.on('end', () => res({ status: r.statusCode!, headers: r.headers, body }));
    });
    req.on('error', rej);
    req.end();
  });
}

/** A connection signed in as the test administrator (a transport's calls need a sign-in). */
async function connect(query = `?token=${server.token}`, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws${query}`, { headers });
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  let id = 1000;
  await signInAsTestAdmin(originOf(server), (name, input) => callOver(ws, id++, name, input));
  return ws;
}

function callOver(ws: WebSocket, id: number, name: string, input: unknown): Promise<unknown> {
  return new Promise((res) => {
    const onMsg = (data: WebSocket.RawData) => {
      const f = JSON.parse(data.toString());
      if (f.t === 'result' && f.id === id) { ws.off('message', onMsg); res(f.result); }
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ t: 'call', id, name, input }));
  });
}

const closed = (ws: WebSocket) => new Promise<number>((res) => ws.once('close', (code) => res(code)));

describe('loopback server', () => {
  it('binds 127.0.0.1 and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('rejects any request without the token', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
    expect((await get('/?token=wrong')).status).toBe(401);
    await expect(connect('')).rejects.toThrow(/401/);
    await expect(connect('?token=nope')).rejects.toThrow(/401/);
  });

  it('serves the renderer with the token, sets an HttpOnly cookie and a strict CSP', async () => {
    const r = await get(`/?token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Watchpost</title>');
    expect(String(r.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);
    expect(r.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self'/);
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    expect((await get('/assets/app.js', { cookie })).status).toBe(200);
  });

  it('refuses paths outside the renderer folder', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/assets/..%2f..%2foutside.txt']) {
      const r = await get(`${p}${p.includes('?') ? '&' : '?'}token=${server.token}`);
      expect(r.status).toBe(404);
      expect(r.body).not.toContain('secret');
    }
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin on the socket', async () => {
    expect((await get(`/?token=${server.token}`, { host: 'evil.example:80' })).status).toBe(403);
    await expect(connect(`?token=${server.token}`, { origin: 'http://evil.example' })).rejects.toThrow(/401/);
  });

  it('answers calls in result envelopes and names bad fields', async () => {
    const ws = await connect();
    const ok = (await callOver(ws, 1, 'settings.get', {})) as { ok: boolean; value: { recordingsDir: string } };
    expect(ok.ok).toBe(true);
    expect(ok.value.recordingsDir).toBe(join(dir, 'data', 'recordings'));
    expect(await callOver(ws, 2, 'settings.update', { recordingsDir: 5 })).toEqual({
      ok: false, error: { code: 'bad_input', message: 'Recordings folder has a value of the wrong kind.', reason: 'field.wrongType', params: { field: 'recordingsDir' } },
    });
    expect(await callOver(ws, 3, 'nope', {})).toMatchObject({ ok: false, error: { code: 'unknown_call' } });
    ws.close();
  });

  it('pushes contract events to every connection', async () => {
    const ws = await connect();
    const ev = await new Promise<{ t: string; name: string }>((res) => ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.t === 'signal') res(f);
    }));
    expect(ev.name).toBe('station.heartbeat');
    ws.close();
  });

  it('a garbage or oversized frame closes that connection only', async () => {
    const bystander = await connect();
    const garbage = await connect();
    const done = closed(garbage);
    garbage.send('{not json');
    expect(await done).toBe(1007);

    const big = await connect();
    const bigDone = closed(big);
    big.send(JSON.stringify({ t: 'call', id: 1, name: 'settings.get', input: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(await bigDone).toBe(1009);

    const wrongShape = await connect();
    const wrongDone = closed(wrongShape);
    wrongShape.send(JSON.stringify({ t: 'call', id: -1, name: 7 }));
    expect(await wrongDone).toBe(1007);

    expect(await callOver(bystander, 9, 'settings.get', {})).toMatchObject({ ok: true });
    bystander.close();
  });

  it('applies a valid settings change and refuses one the disk disagrees with', async () => {
    const ws = await connect();
    const rec = join(dir, 'elsewhere', 'rec');
    expect(await callOver(ws, 1, 'settings.update', { recordingsDir: rec, createFolder: true })).toMatchObject({ ok: true, value: { recordingsDir: rec } });
    expect(await callOver(ws, 2, 'settings.update', { ffmpegPath: '/definitely/not/ffmpeg' })).toEqual({
      ok: false, error: {
        code: 'bad_input', message: 'ffmpeg path: /definitely/not/ffmpeg is not an executable file.',
        reason: 'file.notExecutable', params: { field: 'ffmpegPath', path: '/definitely/not/ffmpeg' },
      },
    });
    expect(await callOver(ws, 3, 'settings.get', {})).toMatchObject({ ok: true, value: { recordingsDir: rec, ffmpegPath: null } });
    ws.close();
  });
});
