import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type { SimDevice } from '../device';
import { isLoopback } from '../device-network';
import { passwordWeakness } from '../password-rule';
import { openEnvelope } from './dev-init';

// Dahua's forgotten-password flow, as the device's own web page drives it on /OutsideCmd without a login (public notes on a
// Dahua-based Intelbras camera, a public TypeScript port of the web client, Rapid7's Lorex write-up):
//   PasswdFind.getDescript {name}                      → {contactEmail, contactPhone, desc, mode}
//   PasswdFind.sendVerificationCode {username}         → the security code goes to the reserved e-mail
//   PasswdFind.checkAuthCode {salt, cipher, content}   content {authCode}
//   PasswdFind.resetPassword {salt, cipher, content}   content {user, auth, pwd}
// A real device has Dahua's service mail the code (after the app scans the QR code of `desc`); camsim mails it itself
// through the SMTP relay it was given (`--smtp`), standing in for that service. The code lives 10 minutes by the device's
// own clock (which setCurrentTime moves) and dies after 5 wrong tries. No public source lists PasswdFind's error codes:
// the numbers below are camsim's own, the messages NetSDK's error texts (NET_ERROR_SECURITY_CODE, …_TIMEOUT,
// NET_ERROR_PWD_RESET_DISABLE, NET_ERROR_PWD_ILLEGAL), which is what the station reads.

export const RESET_CODE_TTL_MS = 10 * 60_000;
export const RESET_MAX_TRIES = 5;

export const RESET_ERRORS = {
  wrong: { code: 268959800, message: 'security code check out fail' },
  expired: { code: 268959801, message: 'security code out of time' },
  locked: { code: 268959802, message: 'security code locked: too many wrong tries' },
  disabled: { code: 268959803, message: 'pwd reset disabled' },
  weak: { code: 268959804, message: 'new password illegal' },
  mail: { code: 268959805, message: 'failed to send the security code' },
} as const;

export type CodeCheck = { ok: true } | { ok: false; why: 'expired' | 'wrong' | 'locked'; left?: number };

/** One device's security code: issued, checked against the device's clock and a number of tries, spent once used. */
export class ResetCodes {
  private current: { code: string; expiresAt: number; wrong: number } | undefined;

  constructor(private readonly now: () => number, readonly ttlMs = RESET_CODE_TTL_MS, readonly maxTries = RESET_MAX_TRIES) {}

  /** A new 8-digit code; the one before it no longer works. */
  issue(): string {
    const code = String(randomInt(0, 100_000_000)).padStart(8, '0');
    this.current = { code, expiresAt: this.now() + this.ttlMs, wrong: 0 };
    return code;
  }

  /** Whether `code` is the live one; a wrong one counts a try (none issued or spent: expired, as a device says of a stale code). */
  check(code: string): CodeCheck {
    const c = this.current;
    if (!c || this.now() >= c.expiresAt) return { ok: false, why: 'expired' };
    if (c.wrong >= this.maxTries) return { ok: false, why: 'locked' };
    const a = Buffer.from(code.padEnd(8).slice(0, 64));
    const b = Buffer.from(c.code.padEnd(8));
    if (a.length === b.length && timingSafeEqual(a, b)) return { ok: true };
    c.wrong++;
    const left = this.maxTries - c.wrong;
    return left > 0 ? { ok: false, why: 'wrong', left } : { ok: false, why: 'locked' };
  }

  spend(): void {
    this.current = undefined;
  }
}

const codes = new WeakMap<SimDevice, ResetCodes>();
function codesOf(device: SimDevice): ResetCodes {
  let c = codes.get(device);
  if (!c) codes.set(device, (c = new ResetCodes(() => device.now())));
  return c;
}

type Reply = { ok: true; params: unknown } | { ok: false; error: { code: number; message: string }; params?: unknown };
const refuse = (e: { code: number; message: string }, params?: unknown): Reply => ({ ok: false, error: { ...e }, ...(params ? { params } : {}) });

/** Sealed or plain params (older firmware sends them plain, as for DevInit). */
function opened(device: SimDevice, p: Record<string, unknown>): Record<string, unknown> {
  return 'cipher' in p || 'content' in p || 'salt' in p ? openEnvelope(device, p) : p;
}

function why(r: Exclude<CodeCheck, { ok: true }>): Reply {
  if (r.why === 'wrong') return refuse(RESET_ERRORS.wrong, { remainTimes: r.left });
  return refuse(r.why === 'locked' ? RESET_ERRORS.locked : RESET_ERRORS.expired, { remainTimes: 0 });
}

async function mailCode(device: SimDevice, to: string, code: string): Promise<void> {
  const relay = device.options.smtp;
  if (!relay || !isLoopback(relay.host)) throw new Error('no mail relay');
  const transport = createTransport({ host: relay.host, port: relay.port, secure: false, ignoreTLS: true, connectionTimeout: 5000, socketTimeout: 5000 });
  try {
    await transport.sendMail({
      from: `"Device ${device.identity.serial}" <no-reply@camsim.invalid>`,
      to,
      subject: `Security code for ${device.identity.model} ${device.identity.serial}`,
      text: `Security code: ${code}\nIt is valid for ${Math.round(RESET_CODE_TTL_MS / 60_000)} minutes. Device serial number: ${device.identity.serial}.\n`,
    });
  } finally {
    transport.close();
  }
}

/** PasswdFind.* on /OutsideCmd; undefined for a method that is not one of them. */
export async function passwdFind(device: SimDevice, method: string, params: Record<string, unknown>): Promise<Reply | undefined> {
  const user = (name: unknown) => (typeof name === 'string' ? device.users.get(name) : undefined);
  switch (method) {
    case 'PasswdFind.getDescript': {
      if (!device.initialized || !user(params.name)) return refuse(RESET_ERRORS.disabled);
      // desc: the blob the QR code carries for Dahua's service; camsim's names the device and nothing secret.
      const desc = createHash('sha256').update(`${device.identity.serial}/${device.identity.mac}`).digest('hex').toUpperCase();
      return { ok: true, params: { contactEmail: device.resetEmail ?? '', contactPhone: '', desc, mode: device.resetEmail ? 2 : 0 } };
    }
    case 'PasswdFind.sendVerificationCode': {
      if (!device.resetEmail || !user(params.username)) return refuse(RESET_ERRORS.disabled);
      const code = codesOf(device).issue();
      try {
        await mailCode(device, device.resetEmail, code);
      } catch {
        codesOf(device).spend();
        return refuse(RESET_ERRORS.mail);
      }
      return { ok: true, params: { ValidPeriod: RESET_CODE_TTL_MS / 1000 } };
    }
    case 'PasswdFind.checkAuthCode': {
      const p = opened(device, params);
      const r = codesOf(device).check(typeof p.authCode === 'string' ? p.authCode : '');
      return r.ok ? { ok: true, params: null } : why(r);
    }
    case 'PasswdFind.resetPassword': {
      const p = opened(device, params);
      const u = user(p.user);
      if (!u) return refuse(RESET_ERRORS.disabled);
      const r = codesOf(device).check(typeof p.auth === 'string' ? p.auth : '');
      if (!r.ok) return why(r);
      const pwd = typeof p.pwd === 'string' ? p.pwd : '';
      // A weak password costs no try and keeps the code: the user types another.
      if (passwordWeakness(pwd)) return refuse(RESET_ERRORS.weak);
      device.users.set(u.username, { ...u, password: pwd });
      codesOf(device).spend();
      device.guard.reset();
      return { ok: true, params: null };
    }
    default:
      return undefined;
  }
}
