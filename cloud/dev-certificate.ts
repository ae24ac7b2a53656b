// A certificate authority and a server certificate for loopback (127.0.0.1, ::1, localhost), made with the openssl
// command line: for the demo's own cloud and for tests. A real deployment brings certificates from its own CA.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DevCertificate {
  /** PEM files: the CA certificate (what a station trusts), the server certificate and its key. */
  caPath: string;
  certPath: string;
  keyPath: string;
  ca: string;
  cert: string;
  key: string;
}

const CURVE = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Makes (or, with `reuse`, keeps what is already in `dir`) a CA named `caName` and a server certificate it signed for
 * `hosts` (IP addresses or DNS names; loopback by default).
 */
export function makeDevCertificate(dir: string, opts: { caName?: string; hosts?: string[]; reuse?: boolean } = {}): DevCertificate {
  mkdirSync(dir, { recursive: true });
  const p = (f: string) => join(dir, f);
  const paths = { caPath: p('ca.pem'), certPath: p('cert.pem'), keyPath: p('key.pem') };
  if (!(opts.reuse && Object.values(paths).every((f) => existsSync(f)))) {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
    openssl('req', '-x509', ...CURVE, '-keyout', p('ca.key'), '-out', paths.caPath, '-days', '3650', '-subj', `/CN=${opts.caName ?? 'Watchpost development CA'}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
    const hosts = opts.hosts ?? ['127.0.0.1', '::1', 'localhost'];
    const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    writeFileSync(p('ext.cnf'), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`);
    openssl('req', ...CURVE, '-keyout', paths.keyPath, '-out', p('cert.csr'), '-subj', `/CN=${hosts[0]}`);
    openssl('x509', '-req', '-in', p('cert.csr'), '-CA', paths.caPath, '-CAkey', p('ca.key'), '-CAcreateserial', '-out', paths.certPath, '-days', '825', '-extfile', p('ext.cnf'));
    chmodSync(paths.keyPath, 0o600);
    chmodSync(p('ca.key'), 0o600);
  }
  return { ...paths, ca: readFileSync(paths.caPath, 'utf8'), cert: readFileSync(paths.certPath, 'utf8'), key: readFileSync(paths.keyPath, 'utf8') };
}
