// "Create diagnostics": a zip of logs, versions, system facts, the configuration and recent errors, made for a support
// request, with every secret and every piece of personal data the station can name removed. The user sees each file
// before saving it; nothing here sends anything anywhere.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { cpus, freemem, homedir, hostname, loadavg, release, totalmem, type, uptime, userInfo } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { scrubSecrets } from '../log';

/** The newest part of each log that goes into the archive. */
export const LOG_TAIL_BYTES = 2 * 1024 * 1024;
/**
 * Logs in all, the newest first: a station whose logs are rotated (logrotate's station.log.1, .2 …) gives the newest
 * days; older files are left out. Keeps the archive quick to make (seconds) and under feedback's 5 MiB attachment.
 */
export const LOG_TOTAL_BYTES = 16 * 1024 * 1024;
const RECENT_ERRORS = 200;

export interface DiagnosticsSources {
  logDir: string;
  clock(): number;
  /** Versions, tools and folders (station.status). */
  status(): Promise<unknown>;
  /** Settings, channels, devices, recording and alarm configuration, as the contract reads them. */
  configuration(): Promise<Record<string, unknown>>;
  /** Values to remove wherever they appear: device passwords, cloud tokens, the account's email. */
  knownSecrets(): Promise<string[]>;
  /** How much of each log and of all logs (tests; default LOG_TAIL_BYTES, LOG_TOTAL_BYTES). */
  logBytes?: { each: number; total: number };
}

export interface DiagnosticsFile { name: string; bytes: number; text: string }
export interface Diagnostics { fileName: string; createdAt: number; files: DiagnosticsFile[]; zipBase64: string }

/** JSON keys whose values are never kept, whatever they hold. */
const SECRET_KEY = /pass|secret|token|cookie|authori[sz]ation|credential|e-?mail|serial|^sn$|^mac$|private|apikey|salt|hash/i;
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
const URL_HOST = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^/\s@"'<>]*@)?(\[[0-9a-f:.]+\]|[^/\s:"'<>?#]+)(:\d+)?/gi;
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g;
const MAC = /\b[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}\b/gi;
/** Candidates for IPv6; kept as addresses only with "::" or all eight groups, so times like 09:41:52 stay. */
const IPV6ISH = /(?<![\w:])[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])/gi;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Removes secrets, emails, addresses, the home folder and the machine's names from free text (a log line, a file). */
export function scrubText(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const k of known) {
    if (k.length < 4) continue;
    // Most secrets are in no log line: a plain search first, the replacement only where one is (megabytes of log).
    for (const form of new Set([k, encodeURIComponent(k), JSON.stringify(k).slice(1, -1)])) if (out.includes(form)) out = out.split(form).join('<secret>');
  }
  out = scrubSecrets(out)
    .replace(EMAIL, '<email>')
    .replace(URL_HOST, (_, scheme: string, _host: string, port = '') => `${scheme}<address>${port}`)
    .replace(MAC, '<mac>')
    .replace(IPV4, '<address>')
    .replace(IPV6ISH, (m) => (m.includes('::') || m.split(':').length === 8 ? '<address>' : m));
  const home = homedir();
  if (home.length > 1) out = out.split(home).join('~');
  for (const name of [userInfo().username, hostname()]) if (name.length >= 3) out = out.replace(new RegExp(`\\b${escape(name)}\\b`, 'g'), '<name>');
  return out;
}

/** The same for a value read as JSON: keys that name a secret lose their value, every string is scrubbed. */
export function scrubValue(value: unknown, known: readonly string[] = []): unknown {
  if (typeof value === 'string') return scrubText(value, known);
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, known));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && (typeof v === 'string' || typeof v === 'number') && v !== '' ? '<removed>' : scrubValue(v, known)]));
  }
  return value;
}

/** The newest LOG_TAIL_BYTES of a log, from its first whole line; only that part is read (a log of months is large). */
function tail(path: string, max = LOG_TAIL_BYTES): string {
  const size = statSync(path).size;
  if (size <= max) return readFileSync(path).toString('utf8');
  const cut = Buffer.alloc(max);
  const fd = openSync(path, 'r');
  try {
    let got = 0;
    while (got < cut.length) {
      const n = readSync(fd, cut, got, cut.length - got, size - max + got);
      if (n === 0) break;
      got += n;
    }
    // From the first whole line on (none: nothing whole fits).
    const nl = cut.indexOf(10);
    return nl < 0 ? '' : cut.subarray(nl + 1, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Warnings and errors among the log lines (pino JSON), newest last. */
function recentErrors(logs: string[]): unknown[] {
  const found: unknown[] = [];
  for (const text of logs) {
    for (const line of text.split('\n')) {
      if (!line.includes('"level":"warn"') && !line.includes('"level":"error"') && !line.includes('"level":"fatal"')) continue;
      try { found.push(JSON.parse(line)); } catch { /* a torn last line */ }
    }
  }
  return found.slice(-RECENT_ERRORS);
}

function systemFacts() {
  const c = cpus();
  return {
    os: type(), release: release(), arch: process.arch, cpuModel: c[0]?.model ?? 'unknown', cpuCount: c.length,
    memoryTotalBytes: totalmem(), memoryFreeBytes: freemem(), loadAverage: loadavg(), uptimeS: Math.round(uptime()),
    node: process.versions.node, processUptimeS: Math.round(process.uptime()), rssBytes: process.memoryUsage().rss,
  };
}

const README = `Watchpost diagnostics

Made by the station when you asked for it, to help find a fault. Before anything was written here the station removed
every password, token, email address, camera and network address, serial and MAC number, your home folder's path and
this computer's names (each replaced by a word in angle brackets such as <secret> or <address>). Logs are cut to their
newest ${LOG_TAIL_BYTES / 1024 / 1024} MiB each and ${LOG_TOTAL_BYTES / 1024 / 1024} MiB in all, newest first. Nothing was sent: you choose whether and to whom to give this file.
`;

export async function createDiagnostics(src: DiagnosticsSources): Promise<Diagnostics> {
  const known = (await src.knownSecrets()).filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
  const json = (v: unknown) => `${JSON.stringify(scrubValue(v, known), null, 2)}\n`;
  // Newest first: a log's rotation number (none for the one being written), then its name.
  const rotation = (n: string) => Number(/\.log\.(\d+)$/.exec(n)?.[1] ?? 0);
  const logNames = existsSync(src.logDir)
    ? readdirSync(src.logDir).filter((n) => /\.log(\.\d+)?$/.test(n)).sort((a, b) => rotation(a) - rotation(b) || a.localeCompare(b))
    : [];
  const logs: { name: string; text: string }[] = [];
  const limit = src.logBytes ?? { each: LOG_TAIL_BYTES, total: LOG_TOTAL_BYTES };
  let left = limit.total;
  for (const n of logNames) {
    if (left <= 0) break;
    const path = join(src.logDir, n);
    const take = Math.min(limit.each, left, statSync(path).size);
    const text = tail(path, take);
    left -= take;
    logs.push({ name: `logs/${n}`, text: scrubText(text, known) });
  }
  const createdAt = src.clock();
  const texts: { name: string; text: string }[] = [
    { name: 'README.txt', text: README },
    { name: 'versions.json', text: json(await src.status()) },
    { name: 'system.json', text: json(systemFacts()) },
    { name: 'configuration.json', text: json(await src.configuration()) },
    { name: 'recent-errors.json', text: json(recentErrors([...logs].reverse().map((l) => l.text))) },
    ...logs,
  ];
  const mtime = new Date(createdAt);
  const zip = zipSync(Object.fromEntries(texts.map((f) => [f.name, [strToU8(f.text), { mtime }]])), { level: 6 });
  const stamp = mtime.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return {
    fileName: `watchpost-diagnostics-${stamp}.zip`,
    createdAt,
    files: texts.map((f) => ({ name: f.name, bytes: Buffer.byteLength(f.text), text: f.text })),
    zipBase64: Buffer.from(zip).toString('base64'),
  };
}
