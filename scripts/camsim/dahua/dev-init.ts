import { constants, createDecipheriv, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import type { SimDevice } from '../device';
import { passwordWeakness } from '../password-rule';

// Initialisation of a factory-new Dahua device. Public descriptions: the DevInit.* RPC on /OutsideCmd
// without a session (DevInit.getStatus, DevInit.account; Intelbras/Dahua field notes and the RPC wrapper
// in a public Dahua web-client port), and NetSDK's CLIENT_InitDevAccount (szMac, szUserName, szPwd).
// Real firmware wraps the account in {salt, cipher, content} after Security.getEncryptInfo (public client code: an RSA key
// as "N:<hex>,E:<hex>"; salt = hex of the RSA/PKCS#1 v1.5-encrypted 16-character AES key; content = base64 of the JSON
// params AES-128-ECB encrypted with zero padding). camsim takes both forms; a device made with `devInitEncryption = false`
// answers getEncryptInfo with "Method not found", like older firmware.

export type InitResult = { ok: true } | { ok: false; error: { code: number; message: string } };

const keys = new WeakMap<SimDevice, { privateKey: KeyObject; pub: string }>();

/** The device's RSA key pair, made on first use (2048 bits, as firmware uses). */
function deviceKey(device: SimDevice): { privateKey: KeyObject; pub: string } {
  let k = keys.get(device);
  if (!k) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    const hex = (b64: string | undefined) => Buffer.from(b64 ?? '', 'base64url').toString('hex').toUpperCase();
    k = { privateKey, pub: `N:${hex(jwk.n)},E:${hex(jwk.e)}` };
    keys.set(device, k);
  }
  return k;
}

/** Security.getEncryptInfo params, or undefined for a device without encryption (older firmware). */
export function encryptInfo(device: SimDevice): { asymmetric: string; cipher: string[]; pub: string } | undefined {
  return device.devInitEncryption ? { asymmetric: 'RSA', cipher: ['AES', 'RPAC'], pub: deviceKey(device).pub } : undefined;
}

/** Opens a {salt, cipher, content} envelope; throws with the reason. */
export function openEnvelope(device: SimDevice, p: Record<string, unknown>): Record<string, unknown> {
  if (!device.devInitEncryption) throw new Error('this device does not take encrypted parameters');
  if (p.cipher !== 'AES-128') throw new Error(`unsupported cipher ${String(p.cipher)}`);
  if (typeof p.salt !== 'string' || !/^[0-9a-fA-F]{512}$/.test(p.salt) || typeof p.content !== 'string') throw new Error('salt or content malformed');
  // Node refuses PKCS#1 v1.5 private decryption (Marvin attack), so the padding is taken off here; a simulator has no timing to hide.
  const m = privateDecrypt({ key: deviceKey(device).privateKey, padding: constants.RSA_NO_PADDING }, Buffer.from(p.salt, 'hex'));
  const sep = m.indexOf(0, 2);
  if (m[0] !== 0 || m[1] !== 2 || sep < 10) throw new Error('salt does not decrypt');
  const key = m.subarray(sep + 1);
  if (key.length !== 16) throw new Error('the AES key is not 16 bytes');
  const body = Buffer.from(p.content, 'base64');
  if (body.length === 0 || body.length % 16 !== 0 || body.length > 8192) throw new Error('content is not whole AES blocks');
  const d = createDecipheriv('aes-128-ecb', key, null);
  d.setAutoPadding(false);
  const plain = Buffer.concat([d.update(body), d.final()]);
  let end = plain.length;
  while (end > 0 && plain[end - 1] === 0) end--;
  const parsed = JSON.parse(plain.subarray(0, end).toString('utf8')) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('content is not a JSON object');
  return parsed as Record<string, unknown>;
}

export function initializeDevice(device: SimDevice, sent: Record<string, unknown>): InitResult {
  if (device.initialized) return { ok: false, error: { code: 268632064, message: 'Device already initialized' } };
  let params = sent;
  if ('cipher' in sent || 'content' in sent || 'salt' in sent) {
    try {
      params = openEnvelope(device, sent);
    } catch (err) {
      return { ok: false, error: { code: 268959743, message: `Decrypt failed: ${(err as Error).message}` } };
    }
  }
  device.lastDevInitForm = params === sent ? 'plain' : 'encrypted';
  const pick = (...keys: string[]) => {
    for (const k of keys) if (typeof params[k] === 'string') return params[k] as string;
    return undefined;
  };
  const name = pick('name', 'UserName', 'userName') ?? 'admin';
  const pwd = pick('pwd', 'Pwd', 'password');
  if (!pwd) return { ok: false, error: { code: 268959743, message: 'Password missing' } };
  const weak = passwordWeakness(pwd);
  if (weak) return { ok: false, error: { code: 268959743, message: `Password too weak: ${weak}` } };
  const mail = pick('mail', 'Mail');
  if (mail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(mail)) return { ok: false, error: { code: 268959743, message: 'Invalid mail address' } };
  device.users.set(name, { username: name, password: pwd, level: 'Administrator' });
  device.resetEmail = mail || undefined;
  device.announceChange();
  return { ok: true };
}
