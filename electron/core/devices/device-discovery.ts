import type { DiscoveredDevice } from '../../contract';
import type { DeviceServiceOptions } from './device-options';
import { addedAddresses } from './device-table';
import { inRange, ipv4Interfaces, listenAnnouncements, scan, sweepTargets, type ScanHit } from './discovery/scanner';
import { readScopes, WSD_MULTICAST, type WsdEndpoint } from './discovery/ws-discovery';

type DiscoveryOptions = Pick<DeviceServiceOptions, 'db' | 'signals' | 'logger' | 'clock' | 'unicast' | 'announcePort' | 'listenMulticast' | 'scanMs'>;

/** The scan results: devices heard over WS-Discovery and DHIP (scans, Hello and Bye), one row per address. */
export class DeviceDiscovery {
  private readonly found = new Map<string, DiscoveredDevice>();
  private stopAnnouncements: (() => Promise<void>) | undefined;
  private scanning: Promise<DiscoveredDevice[]> | undefined;

  constructor(private readonly o: DiscoveryOptions) {}

  get(key: string): DiscoveredDevice | undefined {
    return this.found.get(key);
  }

  all(): Iterable<DiscoveredDevice> {
    return this.found.values();
  }

  /** Hears WS-Discovery Hello/Bye when asked to (a loopback port in tests, the multicast group in the real station), so a camera plugged in later appears without a scan. */
  async listen(): Promise<void> {
    const onAnnounce = (m: { kind: 'Hello'; from: string; endpoint: WsdEndpoint } | { kind: 'Bye'; from: string; endpoint: string }) => {
      if (m.kind === 'Hello') this.hit({ source: 'onvif', from: m.from, endpoint: m.endpoint });
      // A Bye counts only from the address the device was heard at, so a stranger cannot mark it gone.
      else for (const d of this.found.values()) if (d.endpoint === m.endpoint && d.address === m.from) this.upsert({ ...d, status: 'offline' });
    };
    try {
      if (this.o.announcePort) this.stopAnnouncements = await listenAnnouncements({ port: this.o.announcePort, address: '127.0.0.1' }, onAnnounce);
      else if (this.o.listenMulticast) {
        const g = this.o.listenMulticast === true ? {} : this.o.listenMulticast;
        this.stopAnnouncements = await listenAnnouncements({ port: g.port ?? WSD_MULTICAST.port, address: '0.0.0.0', group: true, interfaces: g.interfaces }, onAnnounce);
      }
    } catch (err) {
      this.o.logger.warn({ err }, 'cannot listen for WS-Discovery Hello/Bye');
    }
  }

  upsert(d: DiscoveredDevice): void {
    this.found.set(d.key, d);
    this.o.signals.emit('devices.discovered', d);
  }

  private hit(h: ScanHit): void {
    const key = h.from;
    const prev = this.found.get(key);
    const added = addedAddresses(this.o.db).has(h.from);
    const base: DiscoveredDevice = prev ?? {
      key, address: h.from, sources: [], status: 'initialised', kind: 'camera', vendor: '', model: '', name: '', mac: '', serial: '',
      firmware: '', httpPort: 80, rtspPort: null, channels: null, xaddr: null, endpoint: null, lastSeenAt: 0,
    };
    const d = { ...base, sources: [...base.sources], lastSeenAt: this.o.clock() };
    if (h.source === 'onvif') {
      const s = readScopes(h.endpoint.scopes);
      const x = h.endpoint.xaddrs[0]!;
      d.xaddr = x;
      d.endpoint = h.endpoint.endpoint;
      d.httpPort = Number(new URL(x).port || 80);
      d.model ||= s.hardware;
      d.vendor ||= s.vendor;
      d.name ||= s.name;
      if (s.nvr) d.kind = 'nvr';
      d.status = s.factoryDefault ? 'uninitialised' : 'initialised';
      if (!d.sources.includes('onvif')) d.sources.push('onvif');
    } else {
      const v = h.device;
      Object.assign(d, {
        mac: v.mac || d.mac, vendor: v.vendor || d.vendor, model: v.model || d.model, serial: v.serial || d.serial,
        firmware: v.firmware || d.firmware, name: d.name || v.name, channels: v.channels, kind: v.nvr ? 'nvr' : d.kind,
      });
      if (!d.xaddr) d.httpPort = v.httpPort;
      // ONVIF's Profile Q scope is authoritative when both answered; DHIP's Init bits otherwise.
      if (!d.sources.includes('onvif')) d.status = v.initialised ? 'initialised' : 'uninitialised';
      if (!d.sources.includes('dhip')) d.sources.push('dhip');
    }
    if (added) d.status = 'added';
    if (JSON.stringify({ ...prev, lastSeenAt: 0 }) !== JSON.stringify({ ...d, lastSeenAt: 0 })) this.upsert(d);
    else this.found.set(key, d);
  }

  /** A scan (multicast, or the configured unicast targets), or with `range` a sweep of those addresses by unicast. */
  async scan(input: { interfaces?: string[]; durationMs?: number; range?: { from: string; to: string } }): Promise<DiscoveredDevice[]> {
    if (this.scanning) return this.scanning;
    const range = input.range;
    const swept = range ? sweepTargets(range.from, range.to) : undefined;
    if (swept && !Array.isArray(swept)) throw swept;
    const started = this.o.clock();
    const run = async () => {
      const all = ipv4Interfaces();
      const interfaces = input.interfaces?.length ? all.filter((i) => input.interfaces!.includes(i.name) || input.interfaces!.includes(i.address)).map((i) => i.address) : undefined;
      await scan({ unicast: swept ?? this.o.unicast?.(), interfaces, durationMs: input.durationMs ?? this.o.scanMs ?? 3000, onHit: (h) => this.hit(h) });
      // Not heard where this scan asked: offline (kept in the table so the installer sees it went away).
      for (const d of this.found.values()) {
        if (d.lastSeenAt < started && d.status !== 'offline' && (!range || inRange(d.address, range.from, range.to))) this.upsert({ ...d, status: 'offline' });
      }
      return this.results();
    };
    this.scanning = run().finally(() => { this.scanning = undefined; });
    return this.scanning;
  }

  results(): DiscoveredDevice[] {
    return [...this.found.values()].sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
  }

  /** Stops hearing Hello/Bye and waits for a scan under way. */
  async dispose(): Promise<void> {
    await this.stopAnnouncements?.();
    await this.scanning?.catch(() => undefined);
  }
}
