import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createDiagnostics, LOG_TAIL_BYTES, scrubText, scrubValue } from '../../electron/core/support/diagnostics';
import { fileScope } from '../helpers/fixtures';

const scope = fileScope();

describe('scrubbing for diagnostics', () => {
  it('removes credentials, emails, addresses and MACs, and keeps times and versions', () => {
    const line = 'rtsp://admin:Hunter22@192.168.1.64:554/Streaming/101 from fe80::1ff:fe23:4567:890a by ops@example.org mac 00:1A:2b:3C:4d:5E at 2026-12-02T09:41:52.123Z v4.11.0';
    const out = scrubText(line);
    expect(out).toBe('rtsp://<address>:554/Streaming/101 from <address> by <email> mac <mac> at 2026-12-02T09:41:52.123Z v4.11.0');
  });

  it('removes every known secret in its plain, URL-encoded and JSON-escaped forms, and the home folder', () => {
    const secret = 'p@ss wörd/"9';
    const text = `a=${secret} b=${encodeURIComponent(secret)} c=${JSON.stringify(secret)} d=${homedir()}/watchpost/data`;
    const out = scrubText(text, [secret]);
    expect(out).not.toContain('wörd');
    expect(out).not.toContain('w%C3%B6rd');
    expect(out).toContain('d=~/watchpost/data');
  });

  it('drops the values of keys that name a secret or personal data, at any depth', () => {
    expect(scrubValue({ channels: [{ name: 'Gate', password: 'x', mainUrl: 'rtsp://u:p@10.0.0.5/main', serialNumber: 'SN123', hasCredentials: true }], account: { email: 'a@b.co' } })).toEqual({
      channels: [{ name: 'Gate', password: '<removed>', mainUrl: 'rtsp://<address>/main', serialNumber: '<removed>', hasCredentials: true }],
      account: { email: '<removed>' },
    });
  });
});

describe('the diagnostics archive', () => {
  it('holds every listed file, scrubbed, with the recent errors and the newest part of long logs', async () => {
    const dir = scope.tempDir('diag-');
    const logDir = join(dir, 'logs');
    mkdirSync(logDir);
    const planted = { password: 'Planted-Pass-9731', token: 'tok_8f3e0c9a51', email: 'planted.person@example.org', ip: '10.23.45.67' };
    const filler = `${JSON.stringify({ level: 'info', msg: 'x'.repeat(200) })}\n`.repeat(Math.ceil((LOG_TAIL_BYTES * 1.5) / 220));
    writeFileSync(join(logDir, 'station.log'), [
      JSON.stringify({ level: 'info', msg: 'OLDEST LINE' }),
      filler.trimEnd(),
      JSON.stringify({ level: 'error', msg: `camera rtsp://admin:${planted.password}@${planted.ip}/live refused`, url: `http://127.0.0.1/ws?token=${planted.token}` }),
      JSON.stringify({ level: 'warn', msg: `cloud sign-in of ${planted.email} failed`, cloudToken: planted.token }),
      '',
    ].join('\n'));
    const d = await createDiagnostics({
      logDir,
      clock: () => Date.UTC(2026, 11, 2, 9, 30),
      status: async () => ({ version: '0.1.0', dataDir: { path: join(homedir(), 'data') } }),
      configuration: async () => ({ channels: [{ id: 1, name: 'Gate', mainUrl: `rtsp://admin:${planted.password}@${planted.ip}:554/main` }], cloud: { url: 'https://cloud.example' } }),
      knownSecrets: async () => [planted.password, planted.token, planted.email, 'ab'],
    });
    expect(d.fileName).toBe('watchpost-diagnostics-20261202-093000.zip');
    const zip = unzipSync(Buffer.from(d.zipBase64, 'base64'));
    expect(Object.keys(zip).sort()).toEqual(d.files.map((f) => f.name).sort());
    expect(Object.keys(zip).sort()).toEqual(['README.txt', 'configuration.json', 'logs/station.log', 'recent-errors.json', 'system.json', 'versions.json']);
    const all = Object.values(zip).map((b) => strFromU8(b)).join('\n');
    for (const v of Object.values(planted)) expect(all).not.toContain(v);
    const log = strFromU8(zip['logs/station.log']!);
    expect(log).not.toContain('OLDEST LINE');
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(LOG_TAIL_BYTES);
    const errors = JSON.parse(strFromU8(zip['recent-errors.json']!)) as { level: string; msg: string }[];
    expect(errors.map((e) => e.level)).toEqual(['error', 'warn']);
    expect(errors[0]!.msg).toBe('camera rtsp://<address>/live refused');
    expect(JSON.parse(strFromU8(zip['configuration.json']!)).channels[0].mainUrl).toBe('rtsp://<address>:554/main');
    expect(JSON.parse(strFromU8(zip['versions.json']!)).dataDir.path).toBe('~/data');
  });

  it('takes rotated logs newest first, up to the total, with the newest errors', async () => {
    const logDir = scope.tempDir('diag-rotated-');
    const logBytes = { each: 1000, total: 4000 };
    const day = `${JSON.stringify({ level: 'info', msg: 'y'.repeat(100) })}\n`.repeat(12);
    for (let i = 0; i < 12; i++) {
      writeFileSync(join(logDir, i === 0 ? 'station.log' : `station.log.${i}`), `${day}${JSON.stringify({ level: 'error', msg: `failure of day -${i}` })}\n`);
    }
    const d = await createDiagnostics({ logDir, clock: () => Date.UTC(2026, 11, 2), status: async () => ({}), configuration: async () => ({}), knownSecrets: async () => [], logBytes });
    const logs = d.files.filter((f) => f.name.startsWith('logs/'));
    // station.log is the one being written; .1 the day before, .10 older than .2.
    expect(logs.map((f) => f.name)).toEqual(['logs/station.log', 'logs/station.log.1', 'logs/station.log.2', 'logs/station.log.3']);
    expect(logs.reduce((n, f) => n + f.bytes, 0)).toBeLessThanOrEqual(logBytes.total);
    const errors = JSON.parse(d.files.find((f) => f.name === 'recent-errors.json')!.text) as { msg: string }[];
    expect(errors.map((e) => e.msg)).toEqual(['failure of day -3', 'failure of day -2', 'failure of day -1', 'failure of day -0']);
  });
});
