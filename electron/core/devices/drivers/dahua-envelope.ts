import { constants, createCipheriv, createPublicKey, publicEncrypt, randomInt, type KeyObject } from 'node:crypto';

// Dahua's encrypted RPC parameters, as public client code describes them: Security.getEncryptInfo gives the device's RSA key
// ("N:<hex>,E:<hex>"); the client picks a 16-character AES-128 key, sends it RSA-encrypted (PKCS#1 v1.5) as `salt` (hex), and
// the JSON params AES-128-ECB encrypted with zero padding as `content` (base64), with `cipher: "AES-128"`.

export interface EncryptInfo { asymmetric?: unknown; cipher?: unknown; pub?: unknown }
export type Envelope = { salt: string; cipher: 'AES-128'; content: string };

const HEX = /^[0-9a-fA-F]+$/;

/** The device's RSA public key from getEncryptInfo's params; undefined when it offers no usable one (then the plain form is used). */
export function encryptKey(info: EncryptInfo | undefined): KeyObject | undefined {
  if (!info || typeof info.pub !== 'string' || info.pub.length > 4096) return undefined;
  if (info.asymmetric !== undefined && info.asymmetric !== 'RSA') return undefined;
  if (Array.isArray(info.cipher) && !info.cipher.some((c) => typeof c === 'string' && /^AES/.test(c))) return undefined;
  const parts = Object.fromEntries(info.pub.split(',').map((p) => p.split(':').map((s) => s.trim()) as [string, string]));
  const n = parts.N;
  const e = parts.E;
  if (!n || !e || !HEX.test(n) || !HEX.test(e) || n.length < 256) return undefined;
  const b64url = (hex: string) => Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url');
  try {
    return createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

const KEY_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Seals RPC params for the device's key. */
export function seal(params: unknown, key: KeyObject): Envelope {
  const aes = Buffer.from(Array.from({ length: 16 }, () => KEY_CHARS[randomInt(KEY_CHARS.length)]).join(''), 'latin1');
  const body = Buffer.from(JSON.stringify(params), 'utf8');
  const padded = Buffer.concat([body, Buffer.alloc((16 - (body.length % 16)) % 16)]);
  const c = createCipheriv('aes-128-ecb', aes, null);
  c.setAutoPadding(false);
  return {
    salt: publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, aes).toString('hex'),
    cipher: 'AES-128',
    content: Buffer.concat([c.update(padded), c.final()]).toString('base64'),
  };
}
