// Dahua DevInit through the station against camsim: the encrypted envelope when the device offers a key, the plain form
// only for a device without encryption, and nothing sent to a device whose key cannot be used.
import http from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CallName } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import { dahuaDevInit } from '../../electron/core/devices/drivers/dahua';
import type { Station } from '../../electron/core/station';
import { placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { fileScope } from '../helpers/fixtures';
import { startStationIn } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const session = new ClientSession('devinit-test');
const scope = fileScope();
let fleet: Fleet, st: Station;

const call = <K extends CallName>(name: K, input: unknown = {}) => stationCall(st, session, name, input);

beforeAll(async () => {
  fleet = scope.add(await startFleet({ devices: 3, channels: 1, uninitialized: 3, subnet: 'random', media: placeholderMedia }));
  fleet.device(2).devInitEncryption = false;
  ({ st } = await startStationIn(scope, scope.tempDir('wp-devinit-'), {
    heartbeatMs: 60_000,
    // DHIP only: the station knows these devices as Dahua ones, so DevInit is how they are activated.
    devices: { unicast: () => fleet.manifest.devices.map((d) => ({ address: d.ip, dhipPort: d.ports.dhip })), scanMs: 1000, heartbeatMs: 60_000 },
  }));
}, 60_000);

describe('Dahua DevInit', () => {
  it('sends the account encrypted to devices that offer a key, plain only to one that does not', async () => {
    const found = await call('devices.scan', {});
    expect(found.every((d) => d.sources.join() === 'dhip' && d.status === 'uninitialised')).toBe(true);
    const r = await call('devices.activate', { keys: found.map((d) => d.key), password: 'Sealed-Pass-42' });
    expect(r.every((x) => x.ok)).toBe(true);
    const forms = fleet.manifest.devices.map((_, i) => fleet.device(i).lastDevInitForm);
    expect(forms).toEqual(['encrypted', 'encrypted', 'plain']);
    for (let i = 0; i < 3; i++) expect(fleet.device(i).passwordOf('admin')).toBe('Sealed-Pass-42');
  }, 30_000);

  it('sends nothing to a device whose offered key is unusable, and says why', async () => {
    let accountCalls = 0;
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const m = (JSON.parse(body) as { method: string }).method;
        if (m === 'DevInit.account') accountCalls++;
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(m === 'Security.getEncryptInfo' ? { result: true, params: { asymmetric: 'RSA', cipher: ['AES'], pub: 'N:00,E:03' } } : { result: true }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as { port: number }).port;
      await expect(dahuaDevInit(`http://127.0.0.1:${port}`, 'admin', 'Never-Sent-Pass1')).rejects.toThrow(/cannot use; the password was not sent/);
      expect(accountCalls).toBe(0);
    } finally {
      server.close();
    }
  });
});
