import { fail } from '../../../contract';
import { encryptKey, seal, type EncryptInfo } from './dahua-envelope';
import http from 'node:http';
import { DeviceAuthError, digestFetch, digestHeader, pickDigest, splitChallenges, type Credentials } from '../../net/http-auth';
import { measuredZone, type ChannelStreams, type DeviceInfo } from './onvif';
import { localTime, parsePosixTz } from '../posix-tz';

/** What Dahua's clients declare as an audio upload's length: far more than any talk sends. */
const DAHUA_AUDIO_LENGTH = 9_999_999;

/** An audio upload under way: A-law bytes in; `ended` says why the device or the network ended it. */
export interface DahuaAudio { send(alaw: Buffer): void; close(): void; ended: Promise<string> }

/** One JSON-RPC call on /OutsideCmd (no session), reply size-capped. */
export async function outsideCmd(base: string, method: string, params: unknown): Promise<{ result?: unknown; params?: unknown; error?: { message?: unknown } }> {
  const res = await fetch(new URL('/OutsideCmd', base), {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ method, params, id: 1, session: 0 }),
    signal: AbortSignal.timeout(8000),
  });
  const raw = await res.text();
  if (raw.length > 16 * 1024) throw fail('device.replyTooLarge');
  try { return JSON.parse(raw) as { result?: unknown; params?: unknown; error?: { message?: unknown } }; } catch { throw fail('device.httpError', { status: res.status }); }
}

/**
 * Dahua DevInit on /OutsideCmd: the account sealed in the {salt, cipher, content} envelope with the key from
 * Security.getEncryptInfo, as current firmware wants; the plain {name, pwd} form only when the device offers no key.
 */
export async function dahuaDevInit(base: string, username: string, password: string, email?: string): Promise<'encrypted' | 'plain'> {
  const account = { name: username, pwd: password, ...(email ? { mail: email } : {}) };
  // Only a device that answers "no such method" gets the plain form; one that offers a key we cannot use gets nothing.
  const info = await outsideCmd(base, 'Security.getEncryptInfo', null);
  const key = info.result === true ? encryptKey(info.params as EncryptInfo) : undefined;
  if (info.result === true && !key) throw fail('device.unusableKey');
  const r = await outsideCmd(base, 'DevInit.account', key ? seal(account, key) : account);
  if (r.result !== true) throw fail('device.refused', { detail: typeof r.error?.message === 'string' ? r.error.message.slice(0, 200) : 'DevInit' });
  return key ? 'encrypted' : 'plain';
}

/** Whether a device on this HTTP base is factory-new by Dahua's DevInit.getStatus (no login; Init 1 = not initialised). */
export async function dahuaFactoryNew(base: string): Promise<boolean> {
  const r = await outsideCmd(base, 'DevInit.getStatus', null);
  return r.result === true && (r.params as { Init?: unknown } | undefined)?.Init === 1;
}

/** key=value lines of Dahua's HTTP API (CRLF separated), size-capped. */
export function parseKv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.slice(0, 64 * 1024).split(/\r?\n/)) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

/** Dahua CGI driver (HTTP API for IPC & NVR): identity from magicBox, RTSP port from configManager, the realmonitor stream paths. */
export class DahuaDriver {
  constructor(private readonly base: string, private readonly credentials: Credentials) {}

  private async get(path: string): Promise<Record<string, string>> {
    const res = await digestFetch(new URL(path, this.base).toString(), this.credentials);
    if (res.status === 401) { await res.body?.cancel(); throw new DeviceAuthError('unauthorized', 'the device refused the username or password'); }
    if (res.status === 403) {
      const s = Number(res.headers.get('retry-after'));
      await res.body?.cancel();
      throw new DeviceAuthError('locked', 'the device locked this station out after failed logins', Number.isFinite(s) && s > 0 ? s * 1000 : undefined);
    }
    const text = await res.text();
    if (res.status !== 200) throw fail('device.httpError', { status: res.status });
    return parseKv(text);
  }

  /** userManager modifyPassword: the device checks the old password too; anything but OK is its refusal, passed on. */
  async changePassword(username: string, oldPassword: string, password: string): Promise<void> {
    const q = new URLSearchParams({ action: 'modifyPassword', name: username, pwd: password, pwdOld: oldPassword });
    const res = await digestFetch(new URL(`/cgi-bin/userManager.cgi?${q}`, this.base).toString(), this.credentials);
    if (res.status === 401) { await res.body?.cancel(); throw new DeviceAuthError('unauthorized', 'the device refused the username or password'); }
    const text = (await res.text()).slice(0, 400);
    if (res.status !== 200 || !/^OK/.test(text)) throw fail('device.passwordRefused', { detail: text.replace(/^Error\s*/, '').trim() || `HTTP ${res.status}` });
  }

  /** configManager setConfig with Name.Key=value pairs; anything but OK is the device's refusal, passed on. */
  private async setConfig(pairs: Record<string, string>): Promise<void> {
    const q = new URLSearchParams({ action: 'setConfig', ...pairs });
    const res = await digestFetch(new URL(`/cgi-bin/configManager.cgi?${q}`, this.base).toString(), this.credentials);
    if (res.status === 401) { await res.body?.cancel(); throw new DeviceAuthError('unauthorized', 'the device refused the username or password'); }
    const text = (await res.text()).slice(0, 400);
    if (res.status !== 200 || !/^OK/.test(text)) throw fail('device.settingRefused', { detail: text.replace(/^Error\s*/, '').trim() || `HTTP ${res.status}` });
  }

  /** Static IPv4 (address and mask) or DHCP on eth0. */
  async setIpv4(address: string | 'dhcp', prefixLength: number): Promise<void> {
    if (address === 'dhcp') return this.setConfig({ 'Network.eth0.DhcpEnable': 'true' });
    const mask = [0, 8, 16, 24].map((s) => ((0xffffffff << (32 - prefixLength)) >>> 0 >>> (24 - s)) & 0xff).join('.');
    return this.setConfig({ 'Network.eth0.IPAddress': address, 'Network.eth0.SubnetMask': mask, 'Network.eth0.DhcpEnable': 'false' });
  }

  /**
   * POSIX TZ (NTP.TimeZoneDesc), DST on/off (Locales.DSTEnable), and the clock: by NTP, or from this PC — global.cgi takes
   * the device's local time, so this PC's UTC is turned into the zone's local time first.
   */
  async setTime(tz: string, dst: boolean, mode: 'ntp' | 'pc'): Promise<void> {
    const zone = parsePosixTz(tz);
    if (!zone) throw fail('device.badTimeZone', { field: 'timeZone', value: tz });
    await this.setConfig({ 'NTP.TimeZoneDesc': tz, 'Locales.DSTEnable': String(dst), 'NTP.Enable': String(mode === 'ntp') });
    if (mode === 'ntp') return;
    const local = localTime(zone, Date.now()).toISOString().slice(0, 19).replace('T', ' ');
    await this.get(`/cgi-bin/global.cgi?action=setCurrentTime&time=${encodeURIComponent(local)}`);
  }

  /**
   * How far the device's local clock is ahead of UTC (ms): global.cgi's getCurrentTime (`result=2026-12-02 11:15:00`, the
   * device's local time, Dahua HTTP API §4.6.1) measured against this host's clock (`measuredZone`); null when unreadable.
   */
  async localOffset(): Promise<number | null> {
    const now = Date.now();
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec((await this.get('/cgi-bin/global.cgi?action=getCurrentTime')).result?.trim() ?? '');
    if (!m) return null;
    return measuredZone(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) - now);
  }

  async getTime(): Promise<{ tz: string; dst: boolean; mode: 'ntp' | 'manual' }> {
    const ntp = await this.get('/cgi-bin/configManager.cgi?action=getConfig&name=NTP');
    const loc = await this.get('/cgi-bin/configManager.cgi?action=getConfig&name=Locales');
    return { tz: ntp['table.NTP.TimeZoneDesc'] ?? '', dst: loc['table.Locales.DSTEnable'] === 'true', mode: ntp['table.NTP.Enable'] === 'true' ? 'ntp' : 'manual' };
  }

  async setName(name: string): Promise<void> {
    return this.setConfig({ 'General.MachineName': name });
  }

  /** The name set on the device (General.MachineName); '' when it has none. */
  async machineName(): Promise<string> {
    const general = await this.get('/cgi-bin/configManager.cgi?action=getConfig&name=General');
    return (general['table.General.MachineName'] ?? '').slice(0, 100);
  }

  async deviceInformation(): Promise<DeviceInfo> {
    const sys = await this.get('/cgi-bin/magicBox.cgi?action=getSystemInfo');
    const ver = await this.get('/cgi-bin/magicBox.cgi?action=getSoftwareVersion');
    const vendor = await this.get('/cgi-bin/magicBox.cgi?action=getVendor').catch(() => ({} as Record<string, string>));
    return { manufacturer: vendor.vendor ?? 'Dahua', model: sys.deviceType ?? '', firmware: ver.version ?? '', serial: sys.serialNumber ?? '', hardwareId: sys.hardwareVersion ?? '' };
  }

  /** How many audio outputs (speakers) the device has (devAudioOutput.cgi getCollect). */
  async audioOutputs(): Promise<number> {
    return Number((await this.get('/cgi-bin/devAudioOutput.cgi?action=getCollect')).result) || 0;
  }

  /**
   * Dahua's audio upload ("Post Audio", audio.cgi postAudio, singlepart): one POST whose body is G.711 A-law, streamed while
   * the operator talks. The digest challenge is fetched first with an empty POST (a body cannot be sent twice); like
   * Dahua's own clients it declares a Content-Length it never reaches and ends by closing the connection.
   */
  async openAudio(channel: number): Promise<DahuaAudio> {
    const path = `/cgi-bin/audio.cgi?action=postAudio&httptype=singlepart&channel=${channel}`;
    const url = new URL(path, this.base);
    const first = await fetch(url, { method: 'POST', body: '', signal: AbortSignal.timeout(8000) });
    await first.body?.cancel();
    const challenge = pickDigest(splitChallenges(first.headers.get('www-authenticate') ?? ''));
    if (first.status === 403) throw new DeviceAuthError('locked', 'the device locked this station out after failed logins');
    if (first.status !== 401 || !challenge) throw fail('device.httpError', { status: first.status });
    const req = http.request(url, {
      method: 'POST',
      headers: { Authorization: digestHeader(challenge, this.credentials, 'POST', path), 'Content-Type': 'Audio/G.711A', 'Content-Length': String(DAHUA_AUDIO_LENGTH) },
    });
    req.setNoDelay(true);
    const ended = new Promise<string>((resolve) => {
      req.on('response', (res) => { res.resume(); resolve(res.statusCode === 401 ? 'the device refused the username or password' : `the device answered ${res.statusCode}`); });
      req.on('error', (err) => resolve(err.message));
      req.on('close', () => resolve('the device closed the connection'));
    });
    req.flushHeaders();
    return {
      send: (alaw) => { if (!req.destroyed) req.write(alaw); },
      close: () => req.destroy(),
      ended,
    };
  }

  async channels(count: number): Promise<ChannelStreams[]> {
    const rtsp = await this.get('/cgi-bin/configManager.cgi?action=getConfig&name=RTSP');
    const port = Number(rtsp['table.RTSP.Port']) || 554;
    const host = new URL(this.base).hostname;
    const url = (ch: number, sub: number) => `rtsp://${host}${port === 554 ? '' : `:${port}`}/cam/realmonitor?channel=${ch}&subtype=${sub}`;
    return Array.from({ length: Math.max(1, Math.min(count, 256)) }, (_, i) => ({ channel: i + 1, name: `CH${i + 1}`, main: url(i + 1, 0), sub: url(i + 1, 1) }));
  }
}
