import { fail, type DeviceStatus } from '../../contract';
import type { Credentials } from '../net/http-auth';
import type { Db } from '../storage/db';
import type { SecretStore } from '../storage/secrets';

/** A row of the device table. */
export interface DeviceRow {
  id: number; name: string; driver: 'onvif' | 'dahua' | 'rtsp'; kind: 'camera' | 'nvr'; vendor: string; model: string; serial: string;
  mac: string; firmware: string; address: string; http_port: number; rtsp_port: number; service_url: string | null;
  status: DeviceStatus; channel_count: number; last_seen_at: number | null; created_at: number;
}

/** Where a device's credentials are kept in the SecretStore. */
export const secretKey = (id: number) => `device:${id}`;

export function deviceRow(db: Db, id: number): DeviceRow {
  const r = db.prepare('SELECT * FROM device WHERE id = ?').get(id) as DeviceRow | undefined;
  if (!r) throw fail('device.notFound', { id });
  return r;
}

/** The addresses of the devices in the list. */
export function addedAddresses(db: Db): Set<string> {
  return new Set((db.prepare('SELECT address FROM device').all() as { address: string }[]).map((r) => r.address));
}

/** The credentials kept for a device, if any. */
export async function storedCredentials(secrets: SecretStore, id: number): Promise<Credentials | undefined> {
  const stored = await secrets.get(secretKey(id));
  return stored ? (JSON.parse(stored) as Credentials) : undefined;
}

/** The credentials kept for a device; a clear error when there are none. */
export async function credentialsOf(secrets: SecretStore, id: number): Promise<Credentials> {
  const c = await storedCredentials(secrets, id);
  if (!c) throw fail('device.noCredentials', { id });
  return c;
}

/** An ONVIF device's service URL: the one it was added with, else the usual path on its HTTP port. */
export const onvifUrl = (r: DeviceRow) => r.service_url ?? `http://${r.address}:${r.http_port}/onvif/device_service`;
