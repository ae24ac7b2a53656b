// Password hashing: Node's scrypt (memory-hard, no native dependency). N = 2^14, r = 8, p = 1 uses 16 MiB per hash and
// takes about 100-250 ms on one busy core (bench:auth signin_ms_p50): slow against guessing, quick enough for a sign-in.
// 2^15 measured 360-600 ms on the 2-core build machine under load, past the 300 ms aim.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const SCRYPT_PARAMS = { N: 2 ** 14, r: 8, p: 1, keyLength: 32, saltBytes: 16 } as const;
const MAXMEM = 128 * SCRYPT_PARAMS.N * SCRYPT_PARAMS.r * 2;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  return new Promise((res, rej) => scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem: MAXMEM * 2 }, (err, key) => (err ? rej(err) : res(key))));
}

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash, so they can grow later. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keyLength, saltBytes } = SCRYPT_PARAMS;
  const salt = randomBytes(saltBytes);
  const key = await derive(password, salt, N, r, p, keyLength);
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p), expected.length);
  return timingSafeEqual(key, expected);
}

/** A hash of nothing anyone knows, checked against when a user does not exist, so the answer takes as long either way. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hashPassword(randomBytes(16).toString('hex')));
