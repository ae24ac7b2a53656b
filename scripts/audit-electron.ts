// npm run audit:electron: electronegativity over the desktop shell (electron/main, electron/preload and the page it loads,
// renderer/index.html with its CSP), as one app so its global checks (CSP, navigation limits, permission handler) see the
// whole shell. Fails on any HIGH or MEDIUM finding; prints every finding. electronegativity exits 0 even with findings,
// so its CSV report is read here.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Findings that ask for a manual review ("manualReview" in electronegativity's report), reviewed: issue and file → why it
 * is safe. Anything else HIGH or MEDIUM fails, and so does one of these in another file.
 */
const REVIEWED: Record<string, string> = {
  'PRELOAD_JS_CHECK main/windows.ts': 'the preload (electron/preload/index.ts) exposes only contract/bridge.ts through contextBridge, with contextIsolation, sandbox and no Node integration, checked in tests/unit/electron-shell.test.ts',
};

const root = resolve(import.meta.dirname, '..');
const electronVersion = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies.electron!;
const dir = mkdtempSync(join(tmpdir(), 'wp-audit-electron-'));
try {
  const app = join(dir, 'shell');
  cpSync(join(root, 'electron/main'), join(app, 'main'), { recursive: true });
  cpSync(join(root, 'electron/preload'), join(app, 'preload'), { recursive: true });
  cpSync(join(root, 'renderer/index.html'), join(app, 'index.html'));
  const csv = join(dir, 'report.csv');
  const bin = join(root, 'node_modules/.bin/electronegativity');
  // -e: the version is given (it would ask the network for Electron's releases otherwise).
  execFileSync(bin, ['-i', app, '-e', electronVersion, '-r', '-v', 'false', '-o', csv], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
  const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).map(parseCsvLine);
  const findings = rows.map(([issue, severity, confidence, file, location, , description]) => ({ issue, severity, confidence, file, location, description }));
  const reviewed = (f: { issue?: string; file?: string }) => REVIEWED[`${f.issue} ${f.file}`];
  const failing = findings.filter((f) => (f.severity === 'HIGH' || f.severity === 'MEDIUM') && !reviewed(f));
  for (const f of findings) console.error(`${f.severity}/${f.confidence} ${f.issue} ${f.file}:${f.location} ${f.description}${reviewed(f) ? ` — reviewed: ${reviewed(f)}` : ''}`);
  console.log(JSON.stringify({ electron: electronVersion, findings: findings.length, reviewed: findings.filter(reviewed).length, high_or_medium: failing.length }));
  process.exitCode = failing.length ? 1 : 0;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}
