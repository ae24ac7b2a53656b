// bench:cloud's `diagnostics_zip_s`: "Create diagnostics" (Status page, also what feedback attaches) on a station with 30
// days of logs, through the station's own `diagnostics.create`: the station writes one station.log and never rotates it,
// so that is one file of 30 days (8 MiB a day of pino lines with addresses, URLs, emails and a warning now and then for
// the scrubber to find). `diagnostics_zip_s_rotated`: the same days rotated daily as logrotate would keep them
// (station.log and station.log.1 … .29, names the archive takes too, the newest first up to its total). Target ≤ 5 s.
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { ClientSession } from '../../electron/core/client-session';
import { createStation } from '../../electron/core/station';
import { LOG_TAIL_BYTES, LOG_TOTAL_BYTES } from '../../electron/core/support/diagnostics';
import { nodeSecretStore } from '../../electron/core/storage/secrets';

const DAYS = 30;
/** A busy station's day of logs (64 cameras reconnecting, recordings, sign-ins): about 8 MiB. */
const DAY_BYTES = 8 * 1024 * 1024;
const SAMPLES = 3;

/** One day of log lines as pino writes them, from `start` on. */
function dayOfLog(start: number, day: number): string {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < DAY_BYTES; i++) {
    const time = start + i * 250;
    const line = i % 97 === 0
      ? JSON.stringify({ level: 'warn', time, part: 'live', channel: i % 64, url: `rtsp://admin:cam${i % 7}pass@192.168.${day}.${i % 250}:554/Streaming/101`, msg: 'stream lost; reconnecting' })
      : i % 31 === 0
        ? JSON.stringify({ level: 'info', time, part: 'auth', user: `operator${i % 5}`, address: `10.0.${day}.${i % 250}`, msg: `sign-in of ops${i % 5}@example.org` })
        : JSON.stringify({ level: 'info', time, part: 'recording', channel: i % 64, segment: i, bytes: 4_000_000 + i, msg: 'segment closed' });
    lines.push(line);
    bytes += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

type Figures = { diagnostics_zip_s: number; diagnostics_zip_s_rotated: number; diagnostics_log_mib: number; diagnostics_zip_mib: number };

export async function benchDiagnostics(dir: string): Promise<Figures> {
  const dataDir = join(dir, 'diagnostics-station');
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const now = Date.now();
  const days = Array.from({ length: DAYS }, (_, d) => DAYS - 1 - d);
  // Oldest day first, as the station appends them.
  for (const d of days) appendFileSync(join(logDir, 'station.log'), dayOfLog(now - (d + 1) * 86_400_000, d));
  const station = await createStation({
    dataDir, mode: 'browser', secrets: nodeSecretStore(dataDir), logger: pino({ level: 'silent' }), heartbeatMs: 60_000,
  });
  const session = new ClientSession('diagnostics-bench');
  let zipBytes = 0;
  /** The median seconds of SAMPLES runs; each archive must hold `logs` log files. */
  const measure = async (logs: number) => {
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const t0 = performance.now();
      const r = await station.dispatch('diagnostics.create', {}, session);
      samples.push((performance.now() - t0) / 1000);
      if (!r.ok) throw new Error(`diagnostics.create: ${r.error.message}`);
      const d = r.value as { files: { name: string }[]; zipBase64: string };
      if (d.files.filter((f) => f.name.startsWith('logs/')).length !== logs) throw new Error('not every log file is in the archive');
      zipBytes = Math.max(zipBytes, Buffer.byteLength(d.zipBase64, 'base64'));
    }
    samples.sort((a, b) => a - b);
    return Math.round(samples[Math.floor(samples.length / 2)]! * 100) / 100;
  };
  try {
    const single = await measure(1);
    // The silent logger keeps no station.log open: the folder can be laid out again as logrotate leaves it.
    rmSync(join(logDir, 'station.log'));
    for (const d of days) writeFileSync(join(logDir, d === 0 ? 'station.log' : `station.log.${d}`), dayOfLog(now - (d + 1) * 86_400_000, d));
    // Each cut to its newest part, the newest first up to the total.
    const rotated = await measure(Math.min(DAYS, LOG_TOTAL_BYTES / LOG_TAIL_BYTES));
    return {
      diagnostics_zip_s: single,
      diagnostics_zip_s_rotated: rotated,
      diagnostics_log_mib: Math.round((DAYS * DAY_BYTES) / 1024 / 1024),
      diagnostics_zip_mib: Math.round((zipBytes / 1024 / 1024) * 10) / 10,
    };
  } finally {
    session.close();
    await station.dispose();
  }
}

// Alone: `npx tsx scripts/bench/cloud-diagnostics.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'wp-diag-bench-'));
  try {
    process.stdout.write(`${JSON.stringify(await benchDiagnostics(dir))}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
