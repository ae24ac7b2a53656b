import { at, esc, list, text } from '../../net/xml';
import type { Credentials } from '../../net/http-auth';
import { NS, soapCall, SoapFault } from '../../net/soap';
import { deviceClockOffset, profilesBySource } from './onvif';

// ONVIF PTZ (PTZ Service Spec, ver20): continuous move, stop, presets, for one media profile of one device.

const TPTZ = 'http://www.onvif.org/ver20/ptz/wsdl';
const VELOCITY_SPACE = 'http://www.onvif.org/ver10/tptz/PanTiltSpaces/VelocityGenericSpace';
const ZOOM_VELOCITY_SPACE = 'http://www.onvif.org/ver10/tptz/ZoomSpaces/VelocityGenericSpace';

export interface PtzPreset { token: string; name: string }
/** The profile PTZ commands go to for one channel, or null when the channel has no PTZ. */
export interface PtzTarget { ptzUrl: string; profileToken: string }

const num = (n: number) => String(Math.round(Math.max(-1, Math.min(1, n)) * 1000) / 1000);

/** Body of ContinuousMove: pan/tilt/zoom speeds in the generic velocity spaces (-1..1); zoom only when asked (not every camera zooms). */
export function continuousMoveBody(profileToken: string, v: { pan: number; tilt: number; zoom: number }, timeoutS: number): string {
  const zoom = v.zoom !== 0 ? `<tt:Zoom x="${num(v.zoom)}" space="${ZOOM_VELOCITY_SPACE}"/>` : '';
  return (
    `<tptz:ContinuousMove xmlns:tptz="${TPTZ}" xmlns:tt="${NS.tt}"><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken>` +
    `<tptz:Velocity><tt:PanTilt x="${num(v.pan)}" y="${num(v.tilt)}" space="${VELOCITY_SPACE}"/>${zoom}</tptz:Velocity>` +
    `<tptz:Timeout>PT${Math.max(1, Math.round(timeoutS))}S</tptz:Timeout></tptz:ContinuousMove>`
  );
}

export function stopBody(profileToken: string): string {
  return `<tptz:Stop xmlns:tptz="${TPTZ}"><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken><tptz:PanTilt>true</tptz:PanTilt><tptz:Zoom>true</tptz:Zoom></tptz:Stop>`;
}

export function getPresetsBody(profileToken: string): string {
  return `<tptz:GetPresets xmlns:tptz="${TPTZ}"><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken></tptz:GetPresets>`;
}

export function gotoPresetBody(profileToken: string, presetToken: string): string {
  return `<tptz:GotoPreset xmlns:tptz="${TPTZ}"><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken><tptz:PresetToken>${esc(presetToken)}</tptz:PresetToken></tptz:GotoPreset>`;
}

/** Saves the current position; with a token it overwrites that preset, otherwise the device picks a new token. */
export function setPresetBody(profileToken: string, name: string, presetToken?: string): string {
  return (
    `<tptz:SetPreset xmlns:tptz="${TPTZ}"><tptz:ProfileToken>${esc(profileToken)}</tptz:ProfileToken>` +
    `<tptz:PresetName>${esc(name)}</tptz:PresetName>${presetToken ? `<tptz:PresetToken>${esc(presetToken)}</tptz:PresetToken>` : ''}</tptz:SetPreset>`
  );
}

/** GetPresetsResponse → presets (at most 256, names capped). */
export function parsePresets(r: unknown): PtzPreset[] {
  const out: PtzPreset[] = [];
  for (const p of list(at(r, 'Preset')).slice(0, 256)) {
    const token = (p as Record<string, unknown>)['@token'];
    if (typeof token !== 'string' || !token) continue;
    out.push({ token, name: (text(at(p, 'Name')) ?? token).slice(0, 64) || token });
  }
  return out;
}

/** GetProfiles → per channel (numbered by profilesBySource, as OnvifDriver.channels numbers them) the first profile with PTZ. */
export function ptzProfiles(r: unknown): Map<number, string | null> {
  const out = new Map<number, string | null>();
  let ch = 0;
  for (const profiles of profilesBySource(r)) out.set(++ch, profiles.find((p) => at(p.profile, 'PTZConfiguration') !== undefined)?.token ?? null);
  return out;
}

/** PTZ of one ONVIF device (device service URL + credentials). */
export class OnvifPtz {
  private clockOffsetMs = 0;
  private synced = false;
  constructor(readonly deviceUrl: string, private readonly credentials: Credentials) {}

  private async call(url: string, op: string) {
    if (!this.synced) {
      this.synced = true;
      // A device without the call: use this host's clock.
      const offset = await deviceClockOffset(this.deviceUrl).catch(() => null);
      if (offset !== null) this.clockOffsetMs = offset;
    }
    return soapCall(url, op, this.credentials, { clockOffsetMs: this.clockOffsetMs, timeoutMs: 5000 });
  }

  /** A service's address from GetCapabilities, on the host we reached (devices behind NAT report an inner one); null when not offered. */
  private async serviceUrl(category: 'Media' | 'PTZ'): Promise<string | null> {
    const r = await this.call(this.deviceUrl, `<tds:GetCapabilities xmlns:tds="${NS.tds}"><tds:Category>${category}</tds:Category></tds:GetCapabilities>`);
    const x = text(at(r, 'Capabilities', category, 'XAddr'));
    if (!x || !/^https?:\/\//.test(x)) return null;
    const u = new URL(x);
    u.host = new URL(this.deviceUrl).host;
    return u.toString();
  }

  /** Per device channel: where its PTZ commands go, or null without PTZ. */
  async targets(): Promise<Map<number, PtzTarget | null>> {
    // A device without a PTZ service faults on the PTZ category (ter:NoSuchService): no PTZ on any channel.
    const ptzUrl = await this.serviceUrl('PTZ').catch((err: unknown) => { if (err instanceof SoapFault) return null; throw err; });
    const media = (await this.serviceUrl('Media')) ?? new URL('/onvif/media_service', this.deviceUrl).toString();
    const profiles = ptzProfiles(await this.call(media, `<trt:GetProfiles xmlns:trt="${NS.trt}"/>`));
    const out = new Map<number, PtzTarget | null>();
    for (const [ch, token] of profiles) out.set(ch, ptzUrl && token ? { ptzUrl, profileToken: token } : null);
    return out;
  }

  async move(t: PtzTarget, v: { pan: number; tilt: number; zoom: number }, timeoutS: number): Promise<void> {
    await this.call(t.ptzUrl, continuousMoveBody(t.profileToken, v, timeoutS));
  }

  async stop(t: PtzTarget): Promise<void> {
    await this.call(t.ptzUrl, stopBody(t.profileToken));
  }

  async presets(t: PtzTarget): Promise<PtzPreset[]> {
    return parsePresets(await this.call(t.ptzUrl, getPresetsBody(t.profileToken)));
  }

  async gotoPreset(t: PtzTarget, token: string): Promise<void> {
    await this.call(t.ptzUrl, gotoPresetBody(t.profileToken, token));
  }

  async setPreset(t: PtzTarget, name: string, token?: string): Promise<string> {
    const r = await this.call(t.ptzUrl, setPresetBody(t.profileToken, name, token));
    return text(at(r, 'PresetToken')) ?? token ?? '';
  }
}
