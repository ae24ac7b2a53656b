// `npm run cloud -- --region de --port 0 --db ./cloud.db [--postgres <url>] [--tls-cert cert.pem --tls-key key.pem]
// [--controller-name … --controller-contact … --supervisory-authority …]
// [--smtp-host H --smtp-port 587 --smtp-user U --smtp-from ADDR --smtp-tls starttls|implicit|none]: mail through that relay;
// its password only from WATCHPOST_SMTP_PASSWORD (never the command line, which other users can read). Each option also
// reads WATCHPOST_SMTP_HOST, _PORT, _USER, _FROM, _TLS.
// [--controller-name … --controller-contact … --supervisory-authority …] [--directory regions.json | --peer us=https://… …]
// [--peer-key-file FILE] [--peer-ca FILE]`: runs the service on loopback (HTTPS with a certificate).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { REGION_IDS, type Region } from './domain';
import { checkSmtpConfig, type SmtpConfig } from './mail';
import { checkDirectory, startCloud } from './service';

const { values } = parseArgs({
  options: {
    region: { type: 'string', default: 'de' },
    port: { type: 'string', default: '0' },
    db: { type: 'string', default: './cloud.db' },
    postgres: { type: 'string' },
    'policy-version': { type: 'string' },
    'controller-name': { type: 'string' },
    'controller-contact': { type: 'string' },
    'supervisory-authority': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'smtp-host': { type: 'string' },
    'smtp-port': { type: 'string' },
    'smtp-user': { type: 'string' },
    'smtp-from': { type: 'string' },
    'smtp-tls': { type: 'string' },
    // The deployment's regions: a JSON file {"us": "https://…", "de": "https://…"}, and/or one --peer region=URL each.
    directory: { type: 'string' },
    peer: { type: 'string', multiple: true },
    'peer-key-file': { type: 'string' },
    'peer-ca': { type: 'string' },
  },
});

const region = values.region as Region;
if (!REGION_IDS.includes(region)) {
  process.stderr.write(`--region must be one of ${REGION_IDS.join(', ')}\n`);
  process.exit(2);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('--port must be an integer 0..65535\n');
  process.exit(2);
}

if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) {
  process.stderr.write('--tls-cert and --tls-key go together: the certificate (PEM) and its private key (PEM)\n');
  process.exit(2);
}
let tls: { cert: Buffer; key: Buffer } | undefined;
try {
  tls = values['tls-cert'] ? { cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']!) } : undefined;
} catch (err) {
  process.stderr.write(`cannot read the TLS certificate or key: ${(err as Error).message}\n`);
  process.exit(2);
}

const env = process.env;
const smtpHost = values['smtp-host'] ?? env.WATCHPOST_SMTP_HOST;
let mail: SmtpConfig | undefined;
if (smtpHost) {
  const tlsMode = values['smtp-tls'] ?? env.WATCHPOST_SMTP_TLS ?? 'starttls';
  if (!['starttls', 'implicit', 'none'].includes(tlsMode)) {
    process.stderr.write('--smtp-tls must be starttls, implicit or none\n');
    process.exit(2);
  }
  mail = {
    host: smtpHost,
    port: Number(values['smtp-port'] ?? env.WATCHPOST_SMTP_PORT ?? (tlsMode === 'implicit' ? 465 : 587)),
    user: values['smtp-user'] ?? env.WATCHPOST_SMTP_USER,
    password: env.WATCHPOST_SMTP_PASSWORD,
    from: values['smtp-from'] ?? env.WATCHPOST_SMTP_FROM ?? '',
    tls: tlsMode as SmtpConfig['tls'],
  };
  try {
    checkSmtpConfig(mail);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
} else {
  process.stderr.write('no SMTP relay configured (--smtp-host): email verification and "forgot password" are not offered\n');
}

let directory: Record<string, string> = {};
let peerKey: string | undefined;
let peerCa: Buffer | undefined;
try {
  if (values.directory) directory = JSON.parse(readFileSync(values.directory, 'utf8')) as Record<string, string>;
  for (const p of values.peer ?? []) {
    const eq = p.indexOf('=');
    if (eq < 1) throw new Error(`--peer ${p}: give region=URL, e.g. us=https://us.cloud.example`);
    directory[p.slice(0, eq)] = p.slice(eq + 1);
  }
  checkDirectory(directory);
  peerKey = values['peer-key-file'] ? readFileSync(values['peer-key-file'], 'utf8').trim() : undefined;
  if (peerKey !== undefined && peerKey.length < 16) throw new Error('--peer-key-file: the key must be at least 16 characters');
  peerCa = values['peer-ca'] ? readFileSync(values['peer-ca']) : undefined;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}

const cloud = await startCloud({
  mail,
  directory,
  peerKey,
  peerCa,
  tls,
  region,
  port,
  db: values.postgres ? { kind: 'postgres', connectionString: values.postgres } : { kind: 'sqlite', path: values.db! },
  policyVersion: values['policy-version'],
  ...(values['controller-name'] ? { controller: { name: values['controller-name'], contact: values['controller-contact'] ?? '', authority: values['supervisory-authority'] ?? '' } } : {}),
  logger: pino({ level: process.env.LOG_LEVEL ?? 'info' }, pino.destination(2)),
});
// The URL alone on stdout, so scripts and tests can read it.
process.stdout.write(`${cloud.url}\n`);

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void cloud.close().then(() => process.exit(0));
  });
}
