import type dgram from 'node:dgram';
import type { SimDevice } from '../device';
import { isLoopback } from '../device-network';
import { decodeDhip, encodeDhip } from './dhip';
import { initializeDevice } from './dev-init';
import { dhipStyle } from '../flavours';

/** Dahua's discovery group (ConfigTool probes 239.255.255.251:37810 and broadcast). */
export const DHIP_MULTICAST = { address: '239.255.255.251', port: 37810 } as const;

/**
 * deviceInfo.Init bits 0-1 per Dahua NetSDK's DEVICE_NET_INFO_EX.byInitStatus (dhnetsdk.h):
 * 1 = account not initialised, 2 = initialised; higher bit pairs as a VTO2000A reported (Init 150).
 */
export function initFlag(device: SimDevice): number {
  return (device.initialized ? 2 : 1) | (1 << 2) | (1 << 4) | (2 << 6);
}

export function dahuaMac(device: SimDevice): string {
  return device.identity.mac.toLowerCase();
}

/** Field names as a VTO2000A and an SS 3530 answered (rroller/dahua tests; Intelbras field notes). */
export function deviceInfo(device: SimDevice): Record<string, unknown> {
  const nvr = device.kind === 'nvr';
  return {
    AlarmInputChannels: 2,
    AlarmOutputChannels: 1,
    DeviceClass: nvr ? 'NVR' : 'IPC',
    DeviceType: device.identity.model,
    Find: 'BC',
    HttpPort: device.ports.http,
    IPv4Address: { DefaultGateway: '127.0.0.1', DhcpEnable: false, IPAddress: device.ip, SubnetMask: '255.0.0.0' },
    Init: initFlag(device),
    MachineName: device.machineName,
    Manufacturer: device.flavour === 'dahua' ? 'Private' : device.identity.manufacturer,
    Port: 37777,
    RemoteVideoInputChannels: nvr ? device.channels.length : 0,
    SerialNo: device.identity.serial,
    // Dahua's unbranded firmware says "Private" here; the ONVIF name scope says Dahua.
    Vendor: device.flavour === 'dahua' ? 'Private' : device.identity.manufacturer,
    Version: device.identity.firmware,
    VideoInputChannels: nvr ? 0 : device.channels.length,
    VideoOutputChannels: nvr ? 1 : 0,
  };
}

export function handleDhipMessage(device: SimDevice, msg: Buffer, rinfo: dgram.RemoteInfo, _sock?: dgram.Socket): void {
  if (!isLoopback(rinfo.address)) return;
  const pkt = decodeDhip(msg);
  if (!pkt) return;
  const body = pkt.body as { method?: unknown; params?: Record<string, unknown>; id?: unknown };
  const style = dhipStyle(device.flavour);
  if (style === 'none') return;
  // Shipping Dahua firmware answers with request id 0 and a NUL after the JSON (tests/fixtures/devices/dahua); camsim echoes the id.
  const reply = (b: unknown) => device.sendUdp('dhip', style === 'firmware'
    ? Buffer.concat([encodeDhip(b, pkt.sessionId, 0), Buffer.alloc(1)])
    : encodeDhip(b, pkt.sessionId, pkt.requestId), rinfo.port, rinfo.address);
  if (body.method === 'DHDiscover.search') {
    const want = typeof body.params?.mac === 'string' ? body.params.mac.toLowerCase() : '';
    if (want && want !== dahuaMac(device)) return;
    reply({ mac: dahuaMac(device), method: 'client.notifyDevInfo', params: { deviceInfo: deviceInfo(device) } });
    return;
  }
  if (body.method === 'DevInit.account') {
    // Old-firmware initialisation over DHIP, addressed by MAC (NetSDK CLIENT_InitDevAccount: szMac, szUserName, szPwd).
    const p = body.params ?? {};
    const mac = typeof p.mac === 'string' ? p.mac : typeof p.Mac === 'string' ? p.Mac : '';
    if (mac.toLowerCase() !== dahuaMac(device)) return;
    const result = initializeDevice(device, p);
    reply({ id: body.id ?? 0, method: 'DevInit.account', result: result.ok, ...(result.ok ? {} : { error: result.error }) });
  }
}
