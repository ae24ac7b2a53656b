// npm run verify-export -- <folder> [--key <base64 SPKI public key>] [--original <folder>]: checks an export's signed
// manifest and every file's hashes, and says exactly what was altered. A redacted export ("Export for disclosure") names
// the signed original it was made from; with --original the link is checked too (the original verifies, and its manifest
// and files are the ones the redaction names). Exit 0 only when everything verifies.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MANIFEST, verifyExport } from '../electron/core/recording/export';
import { REDACTED_FORMAT, verifyRedactionLink, type RedactedManifest } from '../electron/core/redaction/redact-export';

const args = process.argv.slice(2);
const valueOf = (flag: string) => { const at = args.indexOf(flag); return at >= 0 ? args[at + 1] : undefined; };
const key = valueOf('--key');
const originalDir = valueOf('--original');
const folder = args.find((a, i) => !a.startsWith('--') && !['--key', '--original'].includes(args[i - 1] ?? ''));
if (!folder) {
  console.error('usage: npm run verify-export -- <export folder> [--key <station public key, base64 SPKI>] [--original <the original export folder of a redacted one>]');
  process.exit(2);
}
const report = verifyExport(resolve(folder), key);
for (const f of report.files) console.log(`${f.status === 'ok' ? 'OK      ' : f.status.toUpperCase().padEnd(8)} ${f.name}${f.detail ? `: ${f.detail}` : ''}`);
console.log(`signature: ${report.signature}${report.signedBy ? ` (key ${report.signedBy})` : ''}${report.trustedKey === undefined ? '' : report.trustedKey ? ', this station\'s key' : ', NOT the expected key'}`);
for (const f of report.findings) console.log(`! ${f}`);
let ok = report.ok;
let redacted: RedactedManifest | undefined;
try { redacted = JSON.parse(readFileSync(join(resolve(folder), MANIFEST), 'utf8')) as RedactedManifest; } catch { /* reported above */ }
if (redacted?.format === REDACTED_FORMAT) {
  for (const f of redacted.files ?? []) console.log(`REDACTED ${f.name} from ${f.source?.name} (sha256 ${f.source?.sha256?.slice(0, 16)}…, ${f.source?.segments?.length ?? 0} archive segments)`);
  const a = redacted.applied;
  if (a) console.log(`applied: ${a.masks?.length ?? 0} masks, ${a.boxes?.length ?? 0} boxes, faces ${a.faces ? `${a.faces.detector} ${a.faces.version}` : 'no'}, ${a.settings?.effect}, ${a.settings?.encoder} crf ${a.settings?.crf}, audio ${a.settings?.audio ? 'kept' : 'removed'}`);
  if (originalDir) {
    const link = verifyRedactionLink(resolve(folder), resolve(originalDir), key);
    for (const f of link.findings) console.log(`! ${f}`);
    console.log(link.ok ? `LINKED: made from the signed original in ${originalDir}.` : 'NOT LINKED: see the findings above.');
    ok &&= link.ok;
  } else {
    console.log(`(the link to the original is not checked: pass --original <folder>, the "${redacted.original?.folder ?? 'original'}" folder beside this one)`);
  }
} else if (originalDir) {
  console.log('! --original was given, but this is not a redacted export');
  ok = false;
}
console.log(ok ? 'VERIFIED: the export is exactly as signed.' : 'NOT VERIFIED: see the findings above.');
process.exit(ok ? 0 : 1);
