// Encryption in transit: the cloud serves HTTPS with a configured certificate; a station talks to it only over a
// certificate it can verify (its --cloud-ca), refuses plain HTTP to anything but this computer, and says so in words.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCloud, type CloudHandle } from '../../cloud';
import { makeDevCertificate, type DevCertificate } from '../../cloud/dev-certificate';
import type { CallName, PrivacyState, StationError } from '../../electron/contract';
import { ClientSession } from '../../electron/core/client-session';
import type { Station } from '../../electron/core/station';
import { fileScope } from '../helpers/fixtures';
import { openStation } from '../helpers/in-process-station';
import { stationCall } from '../helpers/station-call';

const scope = fileScope();
const session = new ClientSession('tls-test');
const call = <K extends CallName>(st: Station, name: K, input: unknown = {}) => stationCall(st, session, name, input);
let dir: string, ca: DevCertificate, otherCa: DevCertificate, otherHost: DevCertificate, cloud: CloudHandle, otherHostCloud: CloudHandle;

beforeAll(async () => {
  dir = scope.tempDir('wp-tls-');
  ca = makeDevCertificate(join(dir, 'ca'));
  otherCa = makeDevCertificate(join(dir, 'other-ca'), { caName: 'Someone else' });
  otherHost = makeDevCertificate(join(dir, 'other-host'), { hosts: ['cloud.example.test'] });
  [cloud, otherHostCloud] = await Promise.all([
    startCloud({ region: 'de', db: { kind: 'sqlite', path: join(dir, 'cloud.db') }, tls: ca }),
    startCloud({ region: 'de', db: { kind: 'sqlite', path: join(dir, 'other-host.db') }, tls: otherHost }),
  ]);
  scope.add(cloud);
  scope.add(otherHostCloud);
});

async function station(cloudUrl: string, cloudCa?: string): Promise<Station> {
  const st = await openStation(scope.tempDir('wp-tls-st-'), { cloudUrl, cloudCa, heartbeatMs: 60_000, privacy: { retryCapMs: 400, syncEveryMs: 60_000 } });
  scope.defer(() => st.dispose().catch(() => {}));
  return st;
}
const signUp = (st: Station, n: number) =>
  call(st, 'privacy.signUp', { email: `tls${n}.${process.pid}@example.test`, password: 'correct horse battery', nickname: 'Ada', country: 'DE', dateOfBirth: '1990-05-17' });
const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('not refused'); }, (e: StationError) => e);

describe('HTTPS between station and cloud', () => {
  it('serves HTTPS; a station trusting the CA in --cloud-ca signs up over it', async () => {
    expect(cloud.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const st = await station(cloud.url, ca.ca);
    const s: PrivacyState = await call(st, 'privacy.checkCloud');
    expect(s.cloud).toMatchObject({ reachable: true, refused: null, region: 'de' });
    await signUp(st, 1);
    expect((await call(st, 'privacy.state')).account?.email).toBe(`tls1.${process.pid}@example.test`);
  });

  it('refuses a certificate it cannot verify (system roots only, another CA, another host), with a clear message and nothing sent', async () => {
    for (const [i, [url, trust]] of ([[cloud.url, undefined], [cloud.url, otherCa.ca], [otherHostCloud.url, otherHost.ca]] as const).entries()) {
      const st = await station(url, trust);
      const s = await call(st, 'privacy.checkCloud');
      expect(s.cloud, `case ${i}`).toMatchObject({ reachable: false, refused: 'certificate' });
      const e = await refusal(signUp(st, 10 + i));
      expect(e.reason, `case ${i}`).toBe('cloud.untrustedCertificate');
      expect(e.message).toContain(`The cloud at ${url} could not prove who it is`);
      const ledger = await call(st, 'privacy.ledger', { limit: 10 });
      expect(ledger.rows.length).toBeGreaterThan(0);
      for (const row of ledger.rows) expect(row).toMatchObject({ status: null, bytesOut: 0, bytesIn: 0, outcome: expect.stringMatching(/^unreachable \(certificate not verified: [A-Z_]+\)$/) });
      expect((await call(st, 'privacy.state')).account).toBeNull();
    }
  });

  it('refuses plain HTTP to anything but this computer before a byte leaves', async () => {
    // TEST-NET-1: never reached, because the station does not try.
    const url = 'http://192.0.2.1:8435';
    const st = await station(url);
    expect((await call(st, 'privacy.checkCloud')).cloud).toMatchObject({ reachable: false, refused: 'plain_http' });
    const e = await refusal(signUp(st, 20));
    expect(e.reason).toBe('cloud.plainHttp');
    expect(e.message).toContain(`The cloud at ${url} is not on this computer and does not use HTTPS`);
    const rows = (await call(st, 'privacy.ledger', { limit: 10 })).rows;
    expect(rows.map((r) => r.outcome)).toContain('unreachable (plain HTTP refused (192.0.2.1 is not this computer))');
    expect(rows.every((r) => r.bytesOut === 0 && r.status === null)).toBe(true);
  });
});
