import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import type { SecretStore } from '../storage/secrets';

export interface TlsIdentity { cert: string; key: string; fingerprint: string }

const KEY = 'sites:tlsKey';

/** SHA-256 of a certificate as `AB:CD:…`, the form both sides show (Node's `fingerprint256`). */
export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/**
 * The station's own certificate for serving desks, made on first use: self-signed EC P-256, ten years. Desks pin its
 * fingerprint (as SSH pins a host key), so no authority is involved and the names in it do not matter. The certificate
 * is a file in the data folder; its private key is a secret (the SecretStore), never a plain file.
 */
export async function stationIdentity(dataDir: string, secrets: SecretStore, name: string): Promise<TlsIdentity> {
  const certPath = join(dataDir, 'remote', 'station-cert.pem');
  const key = await secrets.get(KEY);
  if (key && existsSync(certPath)) {
    const cert = readFileSync(certPath, 'utf8');
    return { cert, key, fingerprint: fingerprintOf(cert) };
  }
  const now = new Date();
  const made = await generate([{ name: 'commonName', value: `Watchpost station ${name}`.slice(0, 64) }], {
    keyType: 'ec', curve: 'P-256', algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 86_400_000), notAfterDate: new Date(now.getTime() + 10 * 365 * 86_400_000),
  });
  await secrets.set(KEY, made.private);
  mkdirSync(join(dataDir, 'remote'), { recursive: true });
  writeFileSync(certPath, made.cert);
  return { cert: made.cert, key: made.private, fingerprint: fingerprintOf(made.cert) };
}
