// `npm run bench:cloud`: one JSON line — settings sync latency, settings reads per second, login and sign-up throttles,
// rows per second of the retention pass (cloud-prune.ts), revoking a share to its stream stopping (cloud-share.ts), and
// the diagnostics zip on a station with 30 days of logs (cloud-diagnostics.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startCloud } from '../../cloud/service';
import { ClientSession } from '../../electron/core/client-session';
import { createStation } from '../../electron/core/station';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { benchDiagnostics } from './cloud-diagnostics';
import { benchPrune } from './cloud-prune';
import { benchShareRevoke } from './cloud-share';

const SYNC_SAMPLES = 200;
const RPS_MAX_REQUESTS = 20_000;
const RPS_MAX_MS = 3_000;
const RPS_CONCURRENCY = 16;
const STATION_SAMPLES = 40;

async function call(url: string, init: RequestInit): Promise<{ status: number; body: any; etag: string | null }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, etag: res.headers.get('etag') };
}

const json = (token: string | undefined, body: unknown, extra: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
  body: JSON.stringify(body),
});

const dir = mkdtempSync(join(tmpdir(), 'wp-cloud-bench-'));
const cloud = await startCloud({ region: 'de', db: { kind: 'sqlite', path: join(dir, 'bench.db') } });
try {
  const password = 'bench password 1';
  const signUp = await call(
    `${cloud.url}/v1/accounts`,
    json(undefined, { email: 'bench@example.test', region: 'de', country: 'DE', nickname: 'Bench', password, dateOfBirth: '1990-01-01' }),
  );
  if (signUp.status !== 201) throw new Error(`sign-up failed: ${signUp.status}`);
  const token = signUp.body.token as string;
  const auth = { authorization: `Bearer ${token}` };

  // Setting changed -> stored: each PUT returns only after the commit (WAL, synchronous=FULL).
  let etag = (await call(`${cloud.url}/v1/settings`, { headers: auth })).etag!;
  const samples: number[] = [];
  for (let i = 0; i < SYNC_SAMPLES; i++) {
    const t0 = performance.now();
    const r = await call(`${cloud.url}/v1/settings`, {
      ...json(token, { settings: { liveQuality: i % 2 ? 'high' : 'low', counter: i } }, { 'if-match': etag }),
      method: 'PUT',
    });
    samples.push(performance.now() - t0);
    if (r.status !== 200) throw new Error(`settings PUT failed: ${r.status}`);
    etag = r.etag!;
  }
  const stored = await call(`${cloud.url}/v1/settings`, { headers: auth });
  if (stored.body.settings.counter !== SYNC_SAMPLES - 1) throw new Error('last setting was not stored');
  samples.sort((a, b) => a - b);
  const p50 = samples[Math.floor(samples.length / 2)]!;

  // Settings reads on loopback, bounded by count and by time.
  let done = 0;
  const start = performance.now();
  const worker = async () => {
    while (done < RPS_MAX_REQUESTS && performance.now() - start < RPS_MAX_MS) {
      done++;
      const res = await fetch(`${cloud.url}/v1/settings`, { headers: auth });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`settings GET failed: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: RPS_CONCURRENCY }, worker));
  const rps = done / ((performance.now() - start) / 1000);

  // Through the station: a consent switched on the station -> its sync round done (outbox pushed, settings merged and stored).
  const station = await createStation({
    dataDir: join(dir, 'station'), mode: 'browser', secrets: nodeSecretStore(join(dir, 'station')), logger: pino({ level: 'silent' }),
    cloudUrl: cloud.url, heartbeatMs: 60_000,
  });
  const session = new ClientSession('bench');
  const dispatch = async (name: string, input: unknown) => {
    const r = await station.dispatch(name, input, session);
    if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
    return r.value;
  };
  const stationSamples: number[] = [];
  try {
    await dispatch('privacy.signUp', { email: 'station-bench@example.test', password, nickname: 'Station', country: 'DE', dateOfBirth: '1990-01-01' });
    for (let i = 0; i < STATION_SAMPLES; i++) {
      const t0 = performance.now();
      await dispatch('privacy.setConsent', { purpose: 'alarm_push', granted: i % 2 === 0, ...(i % 2 === 0 ? { password } : {}) });
      await dispatch('privacy.syncNow', {});
      stationSamples.push(performance.now() - t0);
    }
    const login = await call(`${cloud.url}/v1/auth/login`, json(undefined, { email: 'station-bench@example.test', password }));
    const doc = await call(`${cloud.url}/v1/settings`, { headers: { authorization: `Bearer ${login.body.token}` } });
    if (doc.body.settings.fields['consent.alarm_push'].value.granted !== ((STATION_SAMPLES - 1) % 2 === 0)) {
      throw new Error('the station\'s last change was not stored in the cloud');
    }
  } finally {
    await station.dispose();
  }
  stationSamples.sort((a, b) => a - b);
  const stationP50 = stationSamples[Math.floor(stationSamples.length / 2)]!;

  // Hardware Share: revoked -> the recipient's stream stops (two more sign-ups from this address).
  const share = await benchShareRevoke(dir, cloud.url);

  // Failed logins answered 401 before the service starts answering 429.
  let throttleAfter = 0;
  for (let i = 0; i < 50; i++) {
    const r = await call(`${cloud.url}/v1/auth/login`, json(undefined, { email: 'bench@example.test', password: `guess ${i}` }));
    if (r.status === 429) break;
    if (r.status !== 401) throw new Error(`unexpected login status ${r.status}`);
    throttleAfter++;
  }

  // Sign-ups from this one loopback address (the two above included) answered before the service answers 429.
  let signupThrottleAfter = 4;
  for (let i = 0; i < 50; i++) {
    const r = await call(`${cloud.url}/v1/accounts`, json(undefined, { email: `signup${i}@example.test`, region: 'de', country: 'DE', nickname: 'S', password, dateOfBirth: '1990-01-01' }));
    if (r.status === 429) break;
    if (r.status !== 201) throw new Error(`unexpected sign-up status ${r.status}`);
    signupThrottleAfter++;
  }

  const prune = await benchPrune(dir);
  const diagnostics = await benchDiagnostics(dir);

  process.stdout.write(
    `${JSON.stringify({
      sync_ms_p50: Math.round(p50 * 100) / 100,
      cloud_rps: Math.round(rps),
      login_throttle_after: throttleAfter,
      signup_throttle_after: signupThrottleAfter,
      station_sync_ms_p50: Math.round(stationP50 * 100) / 100,
      db: 'sqlite',
      sync_samples: SYNC_SAMPLES,
      rps_requests: done,
      rps_concurrency: RPS_CONCURRENCY,
      station_samples: STATION_SAMPLES,
      ...prune,
      ...share,
      ...diagnostics,
    })}\n`,
  );
} finally {
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
}
