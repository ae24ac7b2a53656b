// The consent gate in front of every cloud request: closed means no byte leaves; every attempt gets a ledger row.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudTransport, CloudUnreachable, ConsentGateClosed } from '../../electron/core/privacy/cloud-transport';
import { listTransmissions } from '../../electron/core/privacy/privacy-store';
import { openDatabase, type Db } from '../../electron/core/storage/db';

let server: Server;
let url: string;
let hits = 0;
let dir: string;
let db: Db;
beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), 'wp-transport-'));
  db = openDatabase(join(dir, 'station.db'));
});
afterAll(async () => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
  await new Promise((r) => server.close(r));
});

describe('CloudTransport', () => {
  it('sends nothing and writes no row when the gate is closed', async () => {
    const t = new CloudTransport({ db, baseUrl: url, clock: () => 1, gate: (p) => { throw new ConsentGateClosed(p, 'not granted'); } });
    await expect(t.request({ method: 'POST', path: '/v1/telemetry/user_experience_plan', purpose: 'user_experience_plan', body: { events: [{}] } }))
      .rejects.toThrow('user_experience_plan: not granted; nothing was sent');
    expect(hits).toBe(0);
    expect(listTransmissions(db, { limit: 10 }).total).toBe(0);
  });

  it('records purpose, bytes, status and the consent that allowed it', async () => {
    const t = new CloudTransport({ db, baseUrl: url, clock: () => 42, gate: () => 'grant #7 under policy 2026-05' });
    const body = { events: [{ call: 'channels.list', count: 3 }] };
    const r = await t.request({ method: 'POST', path: '/v1/telemetry/user_experience_plan', purpose: 'user_experience_plan', token: 'wps_secret', body });
    expect(r.status).toBe(202);
    expect(hits).toBe(1);
    const [row] = listTransmissions(db, { limit: 10 }).rows;
    expect(row).toMatchObject({
      at: 42, method: 'POST', endpoint: '/v1/telemetry/user_experience_plan', purpose: 'user_experience_plan',
      bytesOut: Buffer.byteLength(JSON.stringify(body)), bytesIn: 14, status: 202, outcome: 'sent', consent: 'grant #7 under policy 2026-05',
    });
    expect(JSON.stringify(row)).not.toContain('wps_secret');
  });

  it('records an attempt the cloud never answered, and says it is unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const t = new CloudTransport({ db, baseUrl: `http://127.0.0.1:${closedPort}`, clock: () => 43, gate: () => 'signed in' });
    await expect(t.request({ method: 'GET', path: '/v1/settings', purpose: 'settings_sync' })).rejects.toBeInstanceOf(CloudUnreachable);
    expect(listTransmissions(db, { limit: 1 }).rows[0]).toMatchObject({ endpoint: '/v1/settings', status: null, outcome: 'unreachable (ECONNREFUSED)' });
  });
});
