import dgram from 'node:dgram';
import os from 'node:os';
import type { DeviceAnnouncer, SimDevice } from '../device';
import { handleDhipMessage, DHIP_MULTICAST } from '../dahua/dhip-responder';
import { byeXml, handleWsDiscoveryMessage, helloXml, WSD_MULTICAST } from './ws-discovery';

export interface DiscoveryHubOptions {
  /**
   * Join the discovery multicast groups on loopback and send Hello/Bye there. Only inside a private
   * network namespace: refused when any non-loopback interface exists, so nothing can leave the machine.
   */
  multicast?: boolean;
  /** Loopback listeners that also get Hello/Bye unicast (how a station on this host hears them without multicast). */
  announceTo?: { host: string; port: number }[];
}

/** Fleet-wide discovery plumbing: Hello/Bye fan-out and the shared multicast listeners. */
export interface DiscoveryHub extends DeviceAnnouncer {
  start(devices: () => SimDevice[]): Promise<void>;
  close(): Promise<void>;
}

export function onlyLoopbackInterfaces(): boolean {
  return Object.values(os.networkInterfaces()).every((addrs) => (addrs ?? []).every((a) => a.internal));
}

export function createDiscoveryHub(options: DiscoveryHubOptions = {}): DiscoveryHub {
  const multicast = options.multicast ?? false;
  if (multicast && !onlyLoopbackInterfaces()) {
    throw new Error('camsim multicast discovery runs only in a network namespace with nothing but lo (use unshare -n)');
  }
  for (const t of options.announceTo ?? []) {
    if (!/^127\./.test(t.host)) throw new Error(`announce target must be loopback, not ${t.host}`);
  }
  const groups = new Set<string>([WSD_MULTICAST.address, DHIP_MULTICAST.address]);
  const listeners: dgram.Socket[] = [];

  const send = (device: SimDevice, xml: string) => {
    const msg = Buffer.from(xml);
    if (multicast) device.sendUdp('wsDiscovery', msg, WSD_MULTICAST.port, WSD_MULTICAST.address);
    for (const t of options.announceTo ?? []) device.sendUdp('wsDiscovery', msg, t.port, t.host);
  };

  return {
    hello: (device) => send(device, helloXml(device)),
    bye: (device) => send(device, byeXml(device)),
    multicastAllowed: (address) => multicast && groups.has(address),
    prepareSocket: (sock) => {
      if (!multicast) return;
      sock.setMulticastInterface('127.0.0.1');
      sock.setMulticastTTL(1);
      sock.setMulticastLoopback(true);
    },
    async start(devices) {
      if (!multicast) return;
      const join = (group: { address: string; port: number }, onMessage: (d: SimDevice, msg: Buffer, rinfo: dgram.RemoteInfo) => void) =>
        new Promise<void>((resolve, reject) => {
          const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
          sock.once('error', reject);
          sock.on('message', (msg, rinfo) => {
            for (const d of devices()) if (d.online) onMessage(d, msg, rinfo);
          });
          // Bound to the group address, so only multicast to that group arrives here.
          sock.bind(group.port, group.address, () => {
            sock.off('error', reject);
            sock.on('error', () => undefined);
            sock.addMembership(group.address, '127.0.0.1');
            listeners.push(sock);
            resolve();
          });
        });
      await join(WSD_MULTICAST, (d, msg, rinfo) => handleWsDiscoveryMessage(d, msg, rinfo));
      await join(DHIP_MULTICAST, (d, msg, rinfo) => handleDhipMessage(d, msg, rinfo));
    },
    async close() {
      await Promise.all(listeners.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
