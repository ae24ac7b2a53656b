// Input schemas, password hashing, tokens and the age rule, without a server.
import { describe, expect, it } from 'vitest';
import { ageAt } from '../../cloud/domain';
import { ConsentBody as consentSchema, ShareBody as shareSchema, SignUpBody as signUpSchema } from '../../electron/contract/cloud';
import { hashPassword, hashToken, keyedHash, newKey, newSessionToken, verifyPassword } from '../../cloud/secrets';

describe('cloud boundary', () => {
  it('computes age in whole years at the given instant', () => {
    const at = Date.parse('2026-06-01T00:00:00Z');
    expect(ageAt('2010-06-01', at)).toBe(16);
    expect(ageAt('2010-06-02', at)).toBe(15);
    expect(ageAt('2010-05-31', at)).toBe(16);
    expect(ageAt('2008-02-29', Date.parse('2024-02-28T00:00:00Z'))).toBe(15);
  });

  it('normalises sign-up input and refuses unknown fields', () => {
    const ok = signUpSchema.parse({
      email: ' A@B.Test ', region: 'my', country: 'my', nickname: ' Nick ', password: 'long enough pw', dateOfBirth: '1999-12-31',
    });
    expect(ok).toMatchObject({ email: 'a@b.test', country: 'MY', nickname: 'Nick' });
    expect(signUpSchema.safeParse({ ...ok, isAdmin: true }).success).toBe(false);
    expect(signUpSchema.safeParse({ ...ok, dateOfBirth: '1999-02-30' }).success).toBe(false);
  });

  it('requires a SHA-256 policy hash and a known purpose', () => {
    const base = { purpose: 'cloud_storage', action: 'grant', policyVersion: '1', policyTextHash: 'f'.repeat(64), appVersion: '1', locale: 'ms-MY' };
    expect(consentSchema.safeParse(base).success).toBe(true);
    expect(consentSchema.safeParse({ ...base, policyTextHash: 'F'.repeat(64) }).success).toBe(false);
    expect(consentSchema.safeParse({ ...base, purpose: 'ads' }).success).toBe(false);
    expect(shareSchema.safeParse({ deviceId: 'a', deviceName: 'b', recipientEmail: 'c@d.test', validUntil: 'tomorrow' }).success).toBe(false);
  });

  it('hashes passwords with a salt and verifies them', async () => {
    const h1 = await hashPassword('secret password');
    const h2 = await hashPassword('secret password');
    expect(h1).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(h1).not.toBe(h2);
    expect(h1).not.toContain('secret');
    expect(await verifyPassword('secret password', h1)).toBe(true);
    expect(await verifyPassword('secret passwort', h1)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });

  it('issues opaque tokens stored as hashes, and keyed hashes that depend on the key', () => {
    const t = newSessionToken();
    expect(t).toMatch(/^wps_[A-Za-z0-9_-]{43}$/);
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(newSessionToken()).not.toBe(t);
    const k1 = newKey();
    const k2 = newKey();
    expect(keyedHash(k1, 'p', 'v')).toBe(keyedHash(k1, 'p', 'v'));
    expect(keyedHash(k1, 'p', 'v')).not.toBe(keyedHash(k2, 'p', 'v'));
    expect(keyedHash(k1, 'p', 'v')).not.toBe(keyedHash(k1, 'q', 'v'));
  });
});
