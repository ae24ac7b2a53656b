import { fail, passwordProblems, type ActivationResult, type DiscoveredDevice } from '../../contract';
import { deviceRefusal } from '../net/soap';
import type { DeviceDiscovery } from './device-discovery';
import type { DeviceServiceOptions } from './device-options';
import { readScopes } from './discovery/ws-discovery';
import { dahuaDevInit, dahuaFactoryNew } from './drivers/dahua';
import { OnvifDriver } from './drivers/onvif';

/**
 * A device that refused a login may have no administrator yet: asked without credentials (its ONVIF scopes, Profile Q; else
 * Dahua's DevInit.getStatus), a factory-new one comes back as a scan row the Activation dialog can take; undefined otherwise.
 */
export async function factoryNew(at: { address: string; httpPort: number; deviceUrl: string }, clock: () => number): Promise<DiscoveredDevice | undefined> {
  const row: DiscoveredDevice = {
    key: at.address, address: at.address, sources: [], status: 'uninitialised', kind: 'camera', vendor: '', model: '', name: '', mac: '',
    serial: '', firmware: '', httpPort: at.httpPort, rtspPort: null, channels: null, xaddr: null, endpoint: null, lastSeenAt: clock(),
  };
  const onvif = new OnvifDriver(at.deviceUrl);
  const scopes = readScopes(await onvif.scopes().catch(() => []));
  if (scopes.factoryDefault) {
    const info = await onvif.deviceInformation().catch(() => undefined);
    return {
      ...row, sources: ['onvif'], xaddr: at.deviceUrl, kind: scopes.nvr ? 'nvr' : 'camera', name: scopes.name, model: info?.model || scopes.hardware,
      vendor: info?.manufacturer ?? '', serial: info?.serial ?? '', firmware: info?.firmware ?? '',
    };
  }
  return (await dahuaFactoryNew(`http://${at.address}:${at.httpPort}`).catch(() => false)) ? { ...row, sources: ['dhip'] } : undefined;
}

export interface ActivationRequest { keys: string[]; username: string; password?: string; passwords?: Record<string, string>; email?: string }

/** Sets the first admin password on factory-default devices from the scan results, 16 at a time, telling progress as each one ends. */
export async function activate(
  discovery: DeviceDiscovery, o: Pick<DeviceServiceOptions, 'signals' | 'logger'>, input: ActivationRequest,
): Promise<ActivationResult[]> {
  const total = input.keys.length;
  let done = 0;
  const one = async (key: string): Promise<ActivationResult> => {
    const d = discovery.get(key);
    const password = input.passwords?.[key] ?? input.password ?? '';
    const refused = (why: { reason: string; error: ActivationResult['error'] }) => ({ key, address: d?.address ?? key, ok: false, ...why });
    const said = (e: ReturnType<typeof fail>) => refused({ reason: e.message, error: e.info });
    if (!d) return said(fail('activation.notScanned'));
    const problems = passwordProblems(password, input.username);
    if (problems.length) return said(fail('device.weakPassword', { field: 'adminPassword' }, problems.join(', ')));
    if (d.status !== 'uninitialised') return said(fail('activation.alreadyDone'));
    // Dahua DevInit carries the reset e-mail; ONVIF's CreateUsers has no place for one, which the result says.
    const viaDahua = d.sources.includes('dhip') && (!d.xaddr || Boolean(input.email));
    try {
      if (viaDahua) await dahuaDevInit(`http://${d.address}:${d.httpPort}`, input.username, password, input.email);
      else await new OnvifDriver(d.xaddr!).createAdmin(input.username, password);
      discovery.upsert({ ...d, status: 'initialised' });
      o.logger.info({ address: d.address, via: viaDahua ? 'dahua' : 'onvif' }, 'device activated');
      return { key, address: d.address, ok: true, ...(input.email && !viaDahua ? { note: 'reset e-mail not set: ONVIF has no reset e-mail' } : {}) };
    } catch (err) {
      return refused(deviceRefusal(err));
    }
  };
  const results: ActivationResult[] = new Array(total);
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const r = await one(input.keys[i]!);
      results[i] = r;
      o.signals.emit('devices.activation', { done: ++done, total, result: r });
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, total) }, worker));
  return results;
}
