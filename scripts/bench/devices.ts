// bench:devices — one JSON line: discover_200_ms (until all 200 camsim devices are listed), activate_50_ms (batch of 50),
// heartbeat_cpu_pct_200 (station CPU, % of one core, while monitoring 200 devices); then per vendor dialect (camsim
// --flavour hikvision|dahua|axis, issue 20) discover_<flavour>_20_ms (20 such devices listed with their vendor) and
// add_<flavour>_ms (one added: identity, GetServices, profiles and stream URIs; Dahua through its CGI driver).
// camsim runs as its own process on loopback.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { ChannelRegistry } from '../../electron/core/devices/channel-registry';
import { DeviceService } from '../../electron/core/devices/device-service';
import { SignalBus } from '../../electron/core/signal-bus';
import { openDatabase } from '../../electron/core/storage/db';
import { nodeSecretStore } from '../../electron/core/storage/secrets';
import { readManifest } from '../camsim/cli-process';

const ROOT = resolve(import.meta.dirname, '../..');
const DEVICES = 200;
const UNINIT = 50;
const HEARTBEAT_MS = 2000;
const CPU_WINDOW_MS = 10_000;

const FLAVOUR_DEVICES = 20;
const VENDOR = { hikvision: 'Hikvision', dahua: 'Dahua', axis: 'Axis' } as const;

async function startCamsim(args = ['--devices', String(DEVICES), '--uninitialized', String(UNINIT)]) {
  const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/camsim/cli.ts'), ...args,
    '--no-video', '--subnet', 'random', '--control-port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const manifest = await readManifest(p, 120_000);
  return { manifest, stop: () => new Promise<void>((r) => { p.once('exit', () => r()); p.kill('SIGTERM'); }) };
}

let camsim = await startCamsim();
const dir = mkdtempSync(join(tmpdir(), 'wp-bench-dev-'));
const db = openDatabase(join(dir, 'station.db'));
const secrets = nodeSecretStore(dir);
const signals = new SignalBus();
const registry = new ChannelRegistry(db, secrets, Date.now);
const service = new DeviceService({
  db, secrets, registry, signals, logger: pino({ level: 'silent' }), clock: Date.now, heartbeatMs: HEARTBEAT_MS, graceMs: 30_000,
  unicast: () => camsim.manifest.devices.map((d) => ({ address: d.ip, wsdPort: d.ports.wsDiscovery, dhipPort: d.ports.dhip })),
});
try {
  // discover: time until every device has a row in the live table.
  const listed = new Set<string>();
  const t0 = performance.now();
  let discoverMs = NaN;
  const off = signals.subscribe((name, p) => {
    if (name !== 'devices.discovered') return;
    listed.add((p as { key: string }).key);
    if (listed.size === DEVICES && Number.isNaN(discoverMs)) discoverMs = performance.now() - t0;
  });
  await service.scan({ durationMs: 3000 });
  off();

  // activate 50 in one batch.
  const keys = service.results().filter((d) => d.status === 'uninitialised').map((d) => d.key);
  const t1 = performance.now();
  const results = await service.activate({ keys, username: 'admin', password: 'Bench-Pass-2026' });
  const activateMs = performance.now() - t1;
  const activated = results.filter((r) => r.ok).length;

  // monitor 200: the heartbeat checks each device's HTTP port; rows are written directly (adding 200 over ONVIF is not what is measured).
  const ins = db.prepare(`INSERT INTO device (name, driver, kind, address, http_port, rtsp_port, status, created_at) VALUES (?, 'onvif', 'camera', ?, ?, 554, 'online', ?)`);
  for (const d of camsim.manifest.devices) ins.run(d.id, d.ip, d.ports.http, Date.now());
  await service.start();
  await new Promise((r) => setTimeout(r, HEARTBEAT_MS + 200));
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, CPU_WINDOW_MS));
  const c = process.cpuUsage(c0);
  const cpuPct = ((c.user + c.system) / 1000 / (performance.now() - w0)) * 100;
  const online = service.list().filter((d) => d.status === 'online').length;

  // Each vendor's dialect: its own fleet, scanned until every device is listed naming that vendor, then one added.
  const dialects: Record<string, number | string> = {};
  for (const flavour of Object.keys(VENDOR) as (keyof typeof VENDOR)[]) {
    await camsim.stop();
    camsim = await startCamsim(['--devices', String(FLAVOUR_DEVICES), '--flavour', flavour]);
    const ips = new Set(camsim.manifest.devices.map((d) => d.ip));
    const seen = new Set<string>();
    const t = performance.now();
    let ms = NaN;
    const stop = signals.subscribe((name, p) => {
      const d = p as { address?: string; vendor?: string };
      if (name !== 'devices.discovered' || !ips.has(d.address ?? '') || d.vendor !== VENDOR[flavour]) return;
      seen.add(d.address!);
      if (seen.size === FLAVOUR_DEVICES && Number.isNaN(ms)) ms = performance.now() - t;
    });
    await service.scan({ durationMs: 3000 });
    stop();
    const d = camsim.manifest.devices[0]!;
    const ta = performance.now();
    const added = await service.add({ address: d.ip, httpPort: d.ports.http, username: 'admin', password: 'Camsim-2024', ...(flavour === 'dahua' ? { driver: 'dahua' as const } : {}) })
      .then((a) => a.channels.length, (err: Error) => err.message);
    dialects[`discover_${flavour}_${FLAVOUR_DEVICES}_ms`] = Math.round(ms);
    dialects[`add_${flavour}_ms`] = typeof added === 'number' && added > 0 ? Math.round(performance.now() - ta) : `failed: ${added}`;
  }

  console.log(JSON.stringify({
    discover_200_ms: Math.round(discoverMs), activate_50_ms: Math.round(activateMs), heartbeat_cpu_pct_200: Number(cpuPct.toFixed(2)),
    ...dialects,
    devices: DEVICES, listed: listed.size, activated, online_monitored: online, heartbeat_ms: HEARTBEAT_MS,
  }));
} finally {
  await service.dispose();
  db.close();
  await camsim.stop();
  rmSync(dir, { recursive: true, force: true });
}
