// The encrypted DevInit envelope: the station seals, camsim (as firmware does) opens; malformed keys are not used.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { encryptKey, seal } from '../../electron/core/devices/drivers/dahua-envelope';
import { encryptInfo, initializeDevice, openEnvelope } from '../../scripts/camsim/dahua/dev-init';
import type { SimDevice } from '../../scripts/camsim/device';

/** Just what DevInit touches of a device. */
function fakeDevice(encryption = true) {
  const users = new Map<string, { username: string; password: string; level: string }>();
  return {
    devInitEncryption: encryption, lastDevInitForm: undefined, resetEmail: undefined, users,
    get initialized() { return users.size > 0; },
    announceChange() {},
  } as unknown as SimDevice;
}

describe('Dahua encrypted DevInit envelope', () => {
  it('seals params that the device opens back to the same JSON, with a fresh AES key each time', () => {
    const dev = fakeDevice();
    const info = encryptInfo(dev)!;
    expect(info.pub).toMatch(/^N:[0-9A-F]{512},E:[0-9A-F]+$/);
    const key = encryptKey(info)!;
    const account = { name: 'admin', pwd: 'Sealed-Pass-1', mail: 'a@example.com' };
    const a = seal(account, key);
    const b = seal(account, key);
    expect(a.cipher).toBe('AES-128');
    expect(a.salt).toMatch(/^[0-9a-f]{512}$/);
    expect(a.content).not.toBe(b.content);
    expect(Buffer.from(a.content, 'base64').length % 16).toBe(0);
    expect(JSON.stringify(a)).not.toContain('Sealed-Pass-1');
    expect(openEnvelope(dev, a)).toEqual(account);
    expect(openEnvelope(dev, b)).toEqual(account);
  });

  it('DevInit takes the envelope and notes the form; a tampered envelope is refused with the reason', () => {
    const dev = fakeDevice();
    const key = encryptKey(encryptInfo(dev))!;
    const env = seal({ name: 'admin', pwd: 'Sealed-Pass-1' }, key);
    const flipped = Buffer.from(env.content, 'base64');
    flipped[0]! ^= 0xff;
    expect(initializeDevice(dev, { ...env, content: flipped.toString('base64') })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^Decrypt failed/) } });
    expect(initializeDevice(dev, { ...env, salt: 'ab' })).toMatchObject({ ok: false, error: { message: 'Decrypt failed: salt or content malformed' } });
    expect(initializeDevice(dev, { ...env, cipher: 'RPAC-256' })).toMatchObject({ ok: false, error: { message: 'Decrypt failed: unsupported cipher RPAC-256' } });
    expect(dev.initialized).toBe(false);
    expect(initializeDevice(dev, env)).toEqual({ ok: true });
    expect(dev.lastDevInitForm).toBe('encrypted');
    expect(dev.users.get('admin')?.password).toBe('Sealed-Pass-1');
  });

  it('an older device offers no key and refuses the envelope', () => {
    const dev = fakeDevice(false);
    expect(encryptInfo(dev)).toBeUndefined();
    expect(() => openEnvelope(dev, {})).toThrow(/does not take encrypted/);
  });

  it('uses no key it cannot trust: malformed, short, non-RSA or without an AES cipher', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const hex = (s?: string) => Buffer.from(s ?? '', 'base64url').toString('hex');
    const pub = `N:${hex(jwk.n)},E:${hex(jwk.e)}`;
    expect(encryptKey({ asymmetric: 'RSA', cipher: ['AES'], pub })).toBeDefined();
    expect(encryptKey({ pub })).toBeDefined();
    expect(encryptKey(undefined)).toBeUndefined();
    expect(encryptKey({ pub: 42 })).toBeUndefined();
    expect(encryptKey({ pub: 'N:zz,E:010001' })).toBeUndefined();
    expect(encryptKey({ pub: `E:${hex(jwk.e)}` })).toBeUndefined();
    expect(encryptKey({ pub: 'N:C3,E:010001' })).toBeUndefined();
    expect(encryptKey({ asymmetric: 'SM2', pub })).toBeUndefined();
    expect(encryptKey({ cipher: ['RPAC'], pub })).toBeUndefined();
    expect(encryptKey({ pub: `${pub},${'x'.repeat(5000)}` })).toBeUndefined();
  });
});
