import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { z } from 'zod';
import { fail, MaskDraft, MAX_MASKS } from '../../contract';

// The device list as a file: AES-256-GCM under a key from the passphrase (scrypt), so credentials travel only encrypted.
// Each device carries its channels' privacy masks, by the device's own channel number.

export interface DeviceFileEntry {
  name: string; address: string; httpPort: number; username: string; password: string;
  masks?: { deviceChannel: number; masks: MaskDraft[] }[];
}
const ChannelMasks = z.array(z.object({ deviceChannel: z.number().int(), masks: z.array(MaskDraft).max(MAX_MASKS) })).max(256);
const FORMAT = 'watchpost-devices';
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export function encryptDeviceFile(entries: DeviceFileEntry[], passphrase: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(passphrase, salt, 32, SCRYPT);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(JSON.stringify({ devices: entries }), 'utf8'), c.final()]);
  return JSON.stringify({ format: FORMAT, version: 1, kdf: 'scrypt', salt: salt.toString('base64'), iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') });
}

export function decryptDeviceFile(file: string, passphrase: string): DeviceFileEntry[] {
  let f: { format?: unknown; version?: unknown; salt?: unknown; iv?: unknown; tag?: unknown; data?: unknown };
  try { f = JSON.parse(file) as typeof f; } catch { throw fail('deviceFile.invalid', { field: 'deviceListFile' }); }
  if (f.format !== FORMAT || f.version !== 1 || typeof f.salt !== 'string' || typeof f.iv !== 'string' || typeof f.tag !== 'string' || typeof f.data !== 'string') {
    throw fail('deviceFile.invalid', { field: 'deviceListFile' });
  }
  const key = scryptSync(passphrase, Buffer.from(f.salt, 'base64'), 32, SCRYPT);
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(f.iv, 'base64'));
    d.setAuthTag(Buffer.from(f.tag, 'base64'));
    const plain = Buffer.concat([d.update(Buffer.from(f.data, 'base64')), d.final()]).toString('utf8');
    const parsed = JSON.parse(plain) as { devices?: unknown };
    if (!Array.isArray(parsed.devices)) throw new Error('no devices');
    return parsed.devices.filter((e): e is DeviceFileEntry => {
      const x = e as Partial<DeviceFileEntry>;
      return typeof x.address === 'string' && typeof x.httpPort === 'number' && typeof x.username === 'string' && typeof x.password === 'string' && typeof x.name === 'string';
    }).map((e) => {
      const masks = ChannelMasks.safeParse(e.masks);
      return { ...e, masks: masks.success ? masks.data : undefined };
    });
  } catch {
    throw fail('deviceFile.wrongPassphrase', { field: 'passphrase' });
  }
}
