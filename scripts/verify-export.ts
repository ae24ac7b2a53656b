// npm run verify-export -- <folder> [--key <base64 SPKI public key>]: checks an export's signed manifest and
// every file's hashes, and says exactly what was altered. Exit 0 only when everything verifies.
import { resolve } from 'node:path';
import { verifyExport } from '../electron/core/recording/export';

const args = process.argv.slice(2);
const keyAt = args.indexOf('--key');
const key = keyAt >= 0 ? args[keyAt + 1] : undefined;
const folder = args.find((a, i) => !a.startsWith('--') && (keyAt < 0 || i !== keyAt + 1));
if (!folder) {
  console.error('usage: npm run verify-export -- <export folder> [--key <station public key, base64 SPKI>]');
  process.exit(2);
}
const report = verifyExport(resolve(folder), key);
for (const f of report.files) console.log(`${f.status === 'ok' ? 'OK      ' : f.status.toUpperCase().padEnd(8)} ${f.name}${f.detail ? `: ${f.detail}` : ''}`);
console.log(`signature: ${report.signature}${report.signedBy ? ` (key ${report.signedBy})` : ''}${report.trustedKey === undefined ? '' : report.trustedKey ? ', this station\'s key' : ', NOT the expected key'}`);
for (const f of report.findings) console.log(`! ${f}`);
console.log(report.ok ? 'VERIFIED: the export is exactly as signed.' : 'NOT VERIFIED: see the findings above.');
process.exit(report.ok ? 0 : 1);
