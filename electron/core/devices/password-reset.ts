import { fail, passwordProblems, StationError } from '../../contract';
import type { Credentials } from '../net/http-auth';
import type { ConfigContext } from './device-config';
import { deviceRow, secretKey, storedCredentials, type DeviceRow } from './device-table';
import { outsideCmd } from './drivers/dahua';
import { encryptKey, seal, type EncryptInfo } from './drivers/dahua-envelope';
import { unreachable } from './login-throttle';

// A forgotten device password, reset by the security code the device mails to the e-mail reserved at activation: Dahua's
// PasswdFind RPCs on /OutsideCmd, which need no login (the device's web page and ConfigTool use them; public notes on a
// Dahua-based Intelbras camera, a public port of the web client, Rapid7's Lorex write-up):
//   PasswdFind.getDescript {name} → {contactEmail, contactPhone, desc, mode}; PasswdFind.sendVerificationCode {username};
//   PasswdFind.checkAuthCode and PasswdFind.resetPassword, sealed like DevInit ({authCode}; {user, auth, pwd}).
// No public source lists PasswdFind's error codes, so a refusal is read by NetSDK's words for it ("security code check out
// fail", "security code out of time", "pwd reset disabled", "new password illegal") and a remaining-tries count if given.
// The code and the password never reach a log; the reserved address leaves the station only masked.

export type ResetSupport = 'email' | 'noEmail' | 'unsupported';

type Reply = Awaited<ReturnType<typeof outsideCmd>>;

/** "alice@example.com" → "a***@example.com": enough to recognise one's own address, not to learn someone's. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***@${address.slice(at + 1)}`;
}

const base = (r: DeviceRow) => `http://${r.address}:${r.http_port}`;
const target = (r: DeviceRow) => `${r.address}:${r.http_port}`;
const said = (r: Reply) => (typeof r.error?.message === 'string' ? r.error.message.slice(0, 200) : '');

/** One PasswdFind call; a device that cannot be reached is told as that, by address and port. */
async function ask(r: DeviceRow, method: string, params: unknown): Promise<Reply> {
  try {
    return await outsideCmd(base(r), method, params);
  } catch (err) {
    if (err instanceof StationError) throw err;
    throw unreachable(target(r), err);
  }
}

/** What the device says of its reset: offered with an address, offered without one, or not at all. */
async function describe(r: DeviceRow, username: string): Promise<{ support: ResetSupport; email?: string }> {
  let d: Reply;
  try {
    d = await ask(r, 'PasswdFind.getDescript', { name: username });
  } catch (err) {
    // Not JSON (an ONVIF camera's 404 page) or an HTTP error: no such RPC here. Unreachable stays an error.
    if (err instanceof StationError && (err.info.reason === 'device.httpError' || err.info.reason === 'device.replyTooLarge')) return { support: 'unsupported' };
    throw err;
  }
  if (d.result !== true) return { support: /reset disabled/i.test(said(d)) ? 'noEmail' : 'unsupported' };
  const email = (d.params as { contactEmail?: unknown } | undefined)?.contactEmail;
  return typeof email === 'string' && email.includes('@') ? { support: 'email', email } : { support: 'noEmail' };
}

/** Asks a device whether it offers the reset; undefined when it could not be asked (not reachable). */
export async function resetSupport(r: DeviceRow, username: string): Promise<ResetSupport | undefined> {
  if (r.driver === 'rtsp') return 'unsupported';
  return describe(r, username).then((d) => d.support, () => undefined);
}

/** The device's refusal of a code or a password, as the station words it. */
function refusal(r: Reply): StationError {
  const msg = said(r);
  const left = Number((r.params as { remainTimes?: unknown } | null | undefined)?.remainTimes);
  if (/out of time|expired|timeout/i.test(msg)) return fail('deviceReset.codeExpired');
  if (/lock|too many/i.test(msg) || (/security code/i.test(msg) && left === 0)) return fail('deviceReset.locked');
  if (/security code|auth ?code/i.test(msg)) return Number.isInteger(left) && left > 0 ? fail('deviceReset.wrongCode', { count: left }) : fail('deviceReset.codeExpired');
  if (/reset disabled/i.test(msg)) return fail('deviceReset.unsupported');
  if (/password|pwd/i.test(msg)) return fail('device.passwordRefused', { detail: msg });
  return fail('device.refused', { detail: msg || 'PasswdFind' });
}

async function usernameOf(c: ConfigContext, id: number): Promise<string> {
  return (await storedCredentials(c.secrets, id))?.username ?? 'admin';
}

/** Step 1: the device mails a security code to its reserved address; the masked address and the code's lifetime back. */
export async function startReset(c: ConfigContext, id: number): Promise<{ maskedEmail: string; validForS: number | null; support: ResetSupport }> {
  const r = deviceRow(c.db, id);
  if (r.driver === 'rtsp') throw fail('deviceReset.unsupported');
  const username = await usernameOf(c, id);
  const d = await describe(r, username);
  if (d.support === 'unsupported') throw fail('deviceReset.unsupported');
  if (d.support === 'noEmail' || !d.email) throw fail('deviceReset.noEmail');
  const sent = await ask(r, 'PasswdFind.sendVerificationCode', { username });
  if (sent.result !== true) {
    const msg = said(sent);
    if (/reset disabled/i.test(msg)) throw fail('deviceReset.noEmail');
    if (/Method not found/i.test(msg)) throw fail('deviceReset.unsupported');
    throw fail('deviceReset.mailFailed');
  }
  const period = (sent.params as { ValidPeriod?: unknown } | null | undefined)?.ValidPeriod;
  c.logger.info({ device: id, to: maskEmail(d.email) }, 'device password reset: security code requested');
  return { maskedEmail: maskEmail(d.email), validForS: typeof period === 'number' && Number.isInteger(period) && period > 0 ? period : null, support: 'email' };
}

/**
 * Step 2: the device checks the code (PasswdFind.checkAuthCode, as its own page does before asking for the password) and
 * sets the new password (PasswdFind.resetPassword); the station then keeps it for the device and its channels, so
 * recording and live view log in with it again. A password the rule refuses is refused here first: the code is not spent.
 */
export async function finishReset(c: ConfigContext, id: number, securityCode: string, password: string): Promise<{ reset: boolean }> {
  const r = deviceRow(c.db, id);
  if (r.driver === 'rtsp') throw fail('deviceReset.unsupported');
  const username = await usernameOf(c, id);
  const problems = passwordProblems(password, username);
  if (problems.length) throw fail('device.weakPassword', { field: 'newDevicePassword' }, problems.join(', '));
  // Sealed for the device's key as DevInit is; plain only for a device that answers "no such method" (older firmware).
  const info = await ask(r, 'Security.getEncryptInfo', null);
  const key = info.result === true ? encryptKey(info.params as EncryptInfo) : undefined;
  if (info.result === true && !key) throw fail('device.unusableKey');
  const sealed = (p: Record<string, string>) => (key ? seal(p, key) : p);
  const checked = await ask(r, 'PasswdFind.checkAuthCode', sealed({ authCode: securityCode }));
  if (checked.result !== true) throw refusal(checked);
  const done = await ask(r, 'PasswdFind.resetPassword', sealed({ user: username, auth: securityCode, pwd: password }));
  if (done.result !== true) throw refusal(done);
  const next: Credentials = { username, password };
  await c.secrets.set(secretKey(id), JSON.stringify(next));
  for (const ch of c.registry.idsOfDevice(id)) await c.registry.setCredentials(ch.id, next);
  // Logins refused with the old password paused this device's logins: the new one is tried at once.
  c.throttle.forget(target(r));
  await c.monitor.unwatch(id);
  c.monitor.watch(r);
  c.logger.info({ device: id }, 'device password reset with a mailed security code');
  await c.changed();
  return { reset: true };
}
