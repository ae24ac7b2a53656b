// A forgotten device password (Dahua's PasswdFind): camsim's security code — its lifetime by the device's own clock, the
// tries it allows, spent once used — and the masked reserved address the station shows.
import { describe, expect, it } from 'vitest';
import { maskEmail } from '../../electron/core/devices/password-reset';
import { RESET_CODE_TTL_MS, RESET_MAX_TRIES, ResetCodes } from '../../scripts/camsim/dahua/passwd-find';

describe('camsim security codes', () => {
  it('are 8 digits, each new one replacing the last, spent once used', () => {
    const codes = new ResetCodes(() => 0);
    const first = codes.issue();
    expect(first).toMatch(/^\d{8}$/);
    const second = codes.issue();
    if (second !== first) expect(codes.check(first)).toEqual({ ok: false, why: 'wrong', left: RESET_MAX_TRIES - 1 });
    expect(codes.check(second)).toEqual({ ok: true });
    codes.spend();
    expect(codes.check(second)).toEqual({ ok: false, why: 'expired' });
  });

  it('expire by the device clock: valid to the last millisecond of their lifetime, stale from then on', () => {
    let now = 1_000_000;
    const codes = new ResetCodes(() => now);
    const code = codes.issue();
    now += RESET_CODE_TTL_MS - 1;
    expect(codes.check(code)).toEqual({ ok: true });
    now += 1;
    expect(codes.check(code)).toEqual({ ok: false, why: 'expired' });
    // None asked for at all reads the same: a stale code.
    expect(new ResetCodes(() => now).check('12345678')).toEqual({ ok: false, why: 'expired' });
  });

  it('lock after the allowed wrong tries, the right code included, until a new one is issued', () => {
    const codes = new ResetCodes(() => 0);
    const code = codes.issue();
    const wrong = code === '00000000' ? '11111111' : '00000000';
    for (let left = RESET_MAX_TRIES - 1; left > 0; left--) expect(codes.check(wrong)).toEqual({ ok: false, why: 'wrong', left });
    expect(codes.check(wrong)).toEqual({ ok: false, why: 'locked' });
    expect(codes.check(code)).toEqual({ ok: false, why: 'locked' });
    const fresh = codes.issue();
    expect(codes.check(fresh)).toEqual({ ok: true });
  });

  it('compare a code of another length as wrong, not as a crash', () => {
    const codes = new ResetCodes(() => 0);
    codes.issue();
    expect(codes.check('1'.repeat(40))).toMatchObject({ ok: false, why: 'wrong' });
    expect(codes.check('')).toMatchObject({ ok: false, why: 'wrong' });
  });
});

describe('the reserved address, masked', () => {
  it('keeps the first letter and the domain only', () => {
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
    expect(maskEmail('a@example.com')).toBe('a***@example.com');
    expect(maskEmail('first.last+cam@mail.example.org')).toBe('f***@mail.example.org');
    // An address already masked by the device stays as it is; something that is no address shows nothing of itself.
    expect(maskEmail('a***@example.com')).toBe('a***@example.com');
    expect(maskEmail('no-address')).toBe('***');
    expect(maskEmail('@example.com')).toBe('***');
  });
});
