// Shared by the cloud tests: a service on a temp SQLite file, a tiny HTTP client, account fixtures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startCloud, type CloudHandle, type CloudOptions } from '../../cloud/service';
import type { Region } from '../../cloud/domain';
import { CONFIRMATION_HEADER } from '../../electron/contract/cloud';

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface Api {
  url: string;
  call<T = any>(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string | Buffer }): Promise<Reply<T>>;
}

export function apiFor(url: string): Api {
  return {
    url,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | Buffer | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body: typeof body === 'string' || body === undefined ? body : new Uint8Array(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
  };
}

export interface TestCloud extends Api {
  cloud: CloudHandle;
  dir: string;
  dbPath: string;
  clock: { now: number };
  close(): Promise<void>;
}

/** A service on a fresh SQLite file in a temp dir, with a clock the test can move. */
export async function startTestCloud(opts: Partial<Omit<CloudOptions, 'clock'>> & { region?: Region } = {}): Promise<TestCloud> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-cloud-'));
  const dbPath = join(dir, 'cloud.db');
  const clock = { now: Date.parse('2026-06-01T12:00:00.000Z') };
  // Suites sign up many accounts from one address; the sign-up throttle has its own test with the default.
  const throttle = { signupsPerClient: 1000, ...opts.throttle };
  const cloud = await startCloud({ region: 'de', db: { kind: 'sqlite', path: dbPath }, ...opts, throttle, clock: () => clock.now });
  return {
    ...apiFor(cloud.url),
    cloud,
    dir,
    dbPath,
    clock,
    async close() {
      await cloud.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let seq = 0;
export const PASSWORD = 'correct horse battery';

export function signUpBody(over: Record<string, unknown> = {}) {
  seq++;
  return {
    email: `user${seq}.${process.pid}@example.test`,
    region: 'de',
    country: 'DE',
    nickname: `User ${seq}`,
    password: PASSWORD,
    dateOfBirth: '1990-05-17',
    ...over,
  };
}

export interface TestAccount {
  id: string;
  email: string;
  token: string;
  sessionId: string;
}

export async function signUp(api: Api, over: Record<string, unknown> = {}): Promise<TestAccount> {
  const body = signUpBody(over);
  const r = await api.call('POST', '/v1/accounts', { body });
  if (r.status !== 201) throw new Error(`sign-up failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { id: r.body.account.id, email: r.body.account.email, token: r.body.token, sessionId: r.body.sessionId };
}

export const POLICY_HASH = createHash('sha256').update('DMSS Privacy Policy, May 2026').digest('hex');

export function consentBody(purpose: string, action: 'grant' | 'withdraw') {
  return { purpose, action, policyVersion: '2026-05', policyTextHash: POLICY_HASH, appVersion: '0.1.0', locale: 'de-DE' };
}

/** A 1x1 PNG. */
export const PNG_1PX = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/** A tiny JPEG-looking body (magic bytes and EOI); the cloud checks the magic, not the pixels. */
export const JPEG_BYTES = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('watchpost snapshot'), Buffer.from([0xff, 0xd9])]);
/** The smallest MP4 head the cloud accepts: an ftyp box. */
export const MP4_BYTES = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypisom'), Buffer.from([0, 0, 2, 0]), Buffer.from('isomiso2')]);

/** The cloud's mail through a loopback SMTP server (tests/helpers/smtp-sink.ts): no TLS, a quick first retry. */
export const mailVia = (port: number): NonNullable<CloudOptions['mail']> => ({ host: '127.0.0.1', port, from: 'Watchpost <no-reply@watchpost.test>', tls: 'none', retryBaseMs: 1000 });

/** The password typed again (POST /v1/auth/confirm): the header an export or a consent grant needs for the next few minutes. */
export async function confirmation(api: Api, token: string, password = PASSWORD): Promise<Record<string, string>> {
  const r = await api.call('POST', '/v1/auth/confirm', { token, body: { password } });
  if (r.status !== 200) throw new Error(`confirm failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { [CONFIRMATION_HEADER]: r.body.confirmation as string };
}

/** A consent grant as the station sends it: confirmed with the password first. */
export async function grant(api: Api, token: string, purpose: string, over: Record<string, unknown> = {}): Promise<Reply> {
  return api.call('POST', '/v1/consents', { token, headers: await confirmation(api, token), body: { ...consentBody(purpose, 'grant'), ...over } });
}

/** The cloud export, confirmed with the password first. */
export async function exportOf(api: Api, token: string, password = PASSWORD): Promise<Reply> {
  return api.call('GET', '/v1/export', { token, headers: await confirmation(api, token, password) });
}
