import { fail } from '../../../contract';
import { at, esc, list, text } from '../../net/xml';
import type { Credentials } from '../../net/http-auth';
import { NS, SoapFault, soapCall } from '../../net/soap';
import { findRecordings, GET_RECORDINGS, getReplayUri, NS_G, parseRecordings, parseReplayUri, pickRecording, type Recording } from './onvif-replay';

const NAME_SCOPE = 'onvif://www.onvif.org/name/';

export interface DeviceInfo { manufacturer: string; model: string; firmware: string; serial: string; hardwareId: string }
export interface ChannelStreams { channel: number; name: string; main: string; sub: string | null }

/** A tt:DateTime (Date Year/Month/Day, Time Hour/Minute/Second) as if its fields were UTC; NaN when incomplete. */
function dateTimeFields(d: unknown): number {
  const n = (p: string[]) => Number(text(at(d, ...p)) ?? NaN);
  return Date.UTC(n(['Date', 'Year']), n(['Date', 'Month']) - 1, n(['Date', 'Day']), n(['Time', 'Hour']), n(['Time', 'Minute']), n(['Time', 'Second']));
}

/** The device clock minus this host's (GetSystemDateAndTime, asked without credentials); null when the device gives no valid UTC time. */
export async function deviceClockOffset(deviceUrl: string): Promise<number | null> {
  const r = await soapCall(deviceUrl, `<tds:GetSystemDateAndTime xmlns:tds="${NS.tds}"/>`, undefined);
  const t = dateTimeFields(at(r, 'SystemDateAndTime', 'UTCDateTime'));
  return Number.isFinite(t) ? t - Date.now() : null;
}

/**
 * How far the device's local clock is ahead of UTC as this host keeps it (ms), from a GetSystemDateAndTime reply read at
 * `now`: its zone (LocalDateTime − UTCDateTime, exact), plus its clock's own error when that is past 2 s. Without a
 * LocalDateTime, the local clock measured against `now`, rounded to the quarter hour unless it is off by more; null when
 * the reply gives no time at all.
 */
export function localClockOffset(r: unknown, now: number): number | null {
  const s = at(r, 'SystemDateAndTime');
  const utc = dateTimeFields(at(s, 'UTCDateTime'));
  const local = dateTimeFields(at(s, 'LocalDateTime'));
  if (!Number.isFinite(local)) return Number.isFinite(utc) ? utc - now : null;
  if (Number.isFinite(utc)) {
    const skew = utc - now;
    return local - utc + (Math.abs(skew) > 2000 ? skew : 0);
  }
  return measuredZone(local - now);
}

/** A local clock measured against this host's: the zone (whole quarter hours) when that is all there is to it, else as measured. */
export function measuredZone(measured: number): number {
  const zone = Math.round(measured / 900_000) * 900_000;
  return Math.abs(measured - zone) <= 2000 ? zone : measured;
}

/** GetProfiles (Media1 or Media2) → media profiles grouped by video source, in order: group n is device channel n (at most 256 profiles). */
export function profilesBySource(r: unknown): { token: string; profile: unknown }[][] {
  const bySource = new Map<string, { token: string; profile: unknown }[]>();
  for (const profile of list(at(r, 'Profiles')).slice(0, 256)) {
    const token = (profile as Record<string, unknown>)['@token'];
    if (typeof token !== 'string') continue;
    // Media1 names the source configuration on the profile; Media2 (Profile T) inside Configurations.
    const src = (at(profile, 'VideoSourceConfiguration', '@token') ?? at(profile, 'Configurations', 'VideoSource', '@token')) as string | undefined ?? token;
    const arr = bySource.get(src) ?? [];
    arr.push({ token, profile });
    bySource.set(src, arr);
  }
  return [...bySource.values()];
}

/** A GetServices reply: each service's namespace → its XAddr as the device wrote it (at most 64; the first of a namespace). */
export function serviceAddrs(r: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of list(at(r, 'Service')).slice(0, 64)) {
    const ns = text(at(s, 'Namespace'))?.trim().slice(0, 256);
    const x = text(at(s, 'XAddr'))?.trim().slice(0, 1024);
    if (ns && x && !out.has(ns)) out.set(ns, x);
  }
  return out;
}

/**
 * A GetCapabilities (All) reply as GetServices would name it: namespace → XAddr, for firmware that does not answer
 * GetServices. Profile G's services sit under `Capabilities/Extension` (ONVIF Core §8.1.2.2, CapabilitiesExtension), as a
 * Hikvision camera sends them (tests/fixtures/devices/hikvision/capabilities-all.xml).
 */
export function capabilityAddrs(r: unknown): Map<string, string> {
  const caps = at(r, 'Capabilities');
  const ext = at(caps, 'Extension');
  const out = new Map<string, string>();
  const put = (ns: string, node: unknown) => {
    const x = text(at(node, 'XAddr'))?.trim().slice(0, 1024);
    if (x) out.set(ns, x);
  };
  put(NS.tds, at(caps, 'Device'));
  put(NS.trt, at(caps, 'Media'));
  put('http://www.onvif.org/ver10/events/wsdl', at(caps, 'Events'));
  put('http://www.onvif.org/ver20/ptz/wsdl', at(caps, 'PTZ'));
  put(NS_G.trc, at(ext, 'Recording'));
  put(NS_G.tse, at(ext, 'Search'));
  put(NS_G.trp, at(ext, 'Replay'));
  return out;
}

/** ONVIF driver for one device service URL: identity, media profiles and stream URIs, first-admin creation. */
export class OnvifDriver {
  private clockOffsetMs = 0;
  constructor(readonly deviceUrl: string, private readonly credentials?: Credentials) {}

  private call(url: string, op: string) {
    return soapCall(url, op, this.credentials, { clockOffsetMs: this.clockOffsetMs });
  }

  /** Pre-auth; aligns the UsernameToken's Created with the device clock (Core §5.9.1). */
  async syncClock(): Promise<void> {
    const offset = await deviceClockOffset(this.deviceUrl);
    if (offset !== null) this.clockOffsetMs = offset;
  }

  async deviceInformation(): Promise<DeviceInfo> {
    const r = await this.call(this.deviceUrl, `<tds:GetDeviceInformation xmlns:tds="${NS.tds}"/>`);
    const f = (k: string) => (text(at(r, k)) ?? '').slice(0, 128);
    return { manufacturer: f('Manufacturer'), model: f('Model'), firmware: f('FirmwareVersion'), serial: f('SerialNumber'), hardwareId: f('HardwareId') };
  }

  /** The device's scope URIs (GetScopes; a factory-new device answers without credentials, ONVIF Profile Q). */
  async scopes(): Promise<string[]> {
    const r = await this.call(this.deviceUrl, `<tds:GetScopes xmlns:tds="${NS.tds}"/>`);
    return list(at(r, 'Scopes')).slice(0, 64).map((s) => (text(at(s, 'ScopeItem')) ?? '').trim()).filter(Boolean);
  }

  /** The name the device gives itself: its ONVIF name scope, else its hostname; '' when it gives none. */
  async deviceName(): Promise<string> {
    const scope = (await this.scopes().catch(() => [])).find((s) => s.startsWith(NAME_SCOPE));
    if (scope) {
      try { return decodeURIComponent(scope.slice(NAME_SCOPE.length)).trim().slice(0, 100); } catch { /* not %-encoded as it should be: ask the hostname */ }
    }
    const r = await this.call(this.deviceUrl, `<tds:GetHostname xmlns:tds="${NS.tds}"/>`).catch(() => undefined);
    return (text(at(r, 'HostnameInformation', 'Name')) ?? '').trim().slice(0, 100);
  }

  async mediaUrl(): Promise<string> {
    return this.serviceUrl('Media', '/onvif/media_service');
  }

  /** How many audio outputs (speakers) the device has (Media GetAudioOutputs): a device with one takes the RTSP audio back
   *  channel (ONVIF Streaming Specification §5.3: a device signalling audio outputs shall understand its Require tag). */
  async audioOutputs(): Promise<number> {
    const r = await this.call(await this.mediaUrl(), `<trt:GetAudioOutputs xmlns:trt="${NS.trt}"/>`);
    return list(at(r, 'AudioOutputs')).length;
  }

  /** The event service (PullPoint) address. */
  async eventsUrl(): Promise<string> {
    return this.serviceUrl('Events', '/onvif/events_service');
  }

  /** An XAddr a device reported, at the host we reached (devices behind NAT report an inner address); undefined if not http(s). */
  private rehost(x: string | undefined): string | undefined {
    if (!x || !/^https?:\/\//.test(x)) return undefined;
    const u = new URL(x);
    u.host = new URL(this.deviceUrl).host;
    return u.toString();
  }

  private async serviceUrl(category: 'Media' | 'Events', fallback: string): Promise<string> {
    const r = await this.call(this.deviceUrl, `<tds:GetCapabilities xmlns:tds="${NS.tds}"><tds:Category>${category}</tds:Category></tds:GetCapabilities>`);
    return this.rehost(text(at(r, 'Capabilities', category, 'XAddr'))) ?? new URL(fallback, this.deviceUrl).toString();
  }

  /**
   * GetServices (Core §8.1.2.1): service namespace → address. Firmware that refuses it (Media1-era) is asked GetCapabilities
   * for All instead, which names the same services (Profile G's under Extension); empty when that is refused too.
   */
  async services(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let addrs: Map<string, string>;
    try {
      addrs = serviceAddrs(await this.call(this.deviceUrl, `<tds:GetServices xmlns:tds="${NS.tds}"><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>`));
    } catch (err) {
      if (!(err instanceof SoapFault)) throw err;
      try {
        addrs = capabilityAddrs(await this.call(this.deviceUrl, `<tds:GetCapabilities xmlns:tds="${NS.tds}"><tds:Category>All</tds:Category></tds:GetCapabilities>`));
      } catch (err2) {
        if (err2 instanceof SoapFault) return out;
        throw err2;
      }
    }
    for (const [ns, x] of addrs) {
      const here = this.rehost(x);
      if (here) out.set(ns, here);
    }
    return out;
  }

  /**
   * Media profiles grouped into channels by video source: first profile of a source is main, the next sub. Through Media2
   * when the device offers it (its profiles include H.265, which Media1's schema cannot name), else, or when Media2 refuses,
   * through Media1.
   */
  async channels(): Promise<ChannelStreams[]> {
    const services = await this.services();
    const media2 = services.get(NS.tr2);
    if (media2) {
      try {
        const r = await this.call(media2, `<tr2:GetProfiles xmlns:tr2="${NS.tr2}"><tr2:Type>All</tr2:Type></tr2:GetProfiles>`);
        return await this.channelsOf(r, (token) => this.call(media2,
          `<tr2:GetStreamUri xmlns:tr2="${NS.tr2}"><tr2:Protocol>RTSP</tr2:Protocol><tr2:ProfileToken>${esc(token)}</tr2:ProfileToken></tr2:GetStreamUri>`), ['Uri']);
      } catch (err) {
        if (!(err instanceof SoapFault)) throw err;
      }
    }
    const media = services.get(NS.trt) ?? await this.mediaUrl();
    const r = await this.call(media, `<trt:GetProfiles xmlns:trt="${NS.trt}"/>`);
    return this.channelsOf(r, (token) => this.call(media,
      `<trt:GetStreamUri xmlns:trt="${NS.trt}" xmlns:tt="${NS.tt}"><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream>` +
      `<tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport></trt:StreamSetup><trt:ProfileToken>${esc(token)}</trt:ProfileToken></trt:GetStreamUri>`), ['MediaUri', 'Uri']);
  }

  /** A GetProfiles reply's channels, each profile's URI asked with `streamUri` and read at `uriPath`. */
  private async channelsOf(r: unknown, streamUri: (token: string) => Promise<unknown>, uriPath: string[]): Promise<ChannelStreams[]> {
    const out: ChannelStreams[] = [];
    let ch = 0;
    for (const [main, sub] of profilesBySource(r)) {
      ch++;
      const uri = async (token: string) => {
        const u = text(at(await streamUri(token), ...uriPath)) ?? '';
        if (!/^rtsps?:\/\//.test(u)) throw fail('device.badReply', { detail: `GetStreamUri gave no rtsp:// URI for profile ${token.slice(0, 64)}` });
        return u;
      };
      const name = text(at(main!.profile, 'Name')) ?? main!.token;
      out.push({ channel: ch, name: name.replace(/_main$/, ''), main: await uri(main!.token), sub: sub ? await uri(sub.token) : null });
    }
    return out;
  }

  /** Profile Q factory default: creates the first Administrator without credentials. */
  async createAdmin(username: string, password: string): Promise<void> {
    await soapCall(this.deviceUrl,
      `<tds:CreateUsers xmlns:tds="${NS.tds}" xmlns:tt="${NS.tt}"><tds:User><tt:Username>${esc(username)}</tt:Username>` +
      `<tt:Password>${esc(password)}</tt:Password><tt:UserLevel>Administrator</tt:UserLevel></tds:User></tds:CreateUsers>`, undefined);
  }

  /** SetUser with a new password, keeping the user's level (read with GetUsers). */
  async setPassword(username: string, password: string): Promise<void> {
    const r = await this.call(this.deviceUrl, `<tds:GetUsers xmlns:tds="${NS.tds}"/>`);
    const user = list(at(r, 'User')).find((u) => text(at(u, 'Username')) === username);
    const level = (user ? text(at(user, 'UserLevel')) : undefined) || 'Administrator';
    await this.call(this.deviceUrl,
      `<tds:SetUser xmlns:tds="${NS.tds}" xmlns:tt="${NS.tt}"><tds:User><tt:Username>${esc(username)}</tt:Username>` +
      `<tt:Password>${esc(password)}</tt:Password><tt:UserLevel>${esc(level)}</tt:UserLevel></tds:User></tds:SetUser>`);
  }

  /** Moves the device to a static IPv4 address (or DHCP) on its first interface. */
  async setIpv4(address: string | 'dhcp', prefixLength: number): Promise<void> {
    const r = await this.call(this.deviceUrl, `<tds:GetNetworkInterfaces xmlns:tds="${NS.tds}"/>`);
    const token = (at(r, 'NetworkInterfaces', '@token') as string | undefined) ?? 'eth0';
    const ipv4 = address === 'dhcp'
      ? '<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:DHCP>true</tt:DHCP></tt:IPv4>'
      : `<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Manual><tt:Address>${esc(address)}</tt:Address><tt:PrefixLength>${prefixLength}</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP></tt:IPv4>`;
    await this.call(this.deviceUrl,
      `<tds:SetNetworkInterfaces xmlns:tds="${NS.tds}" xmlns:tt="${NS.tt}"><tds:InterfaceToken>${esc(token)}</tds:InterfaceToken>` +
      `<tds:NetworkInterface><tt:Enabled>true</tt:Enabled>${ipv4}</tds:NetworkInterface></tds:SetNetworkInterfaces>`);
  }

  /** POSIX TZ with DST rules; NTP, or manual set to this PC's clock. */
  async setTime(tz: string, dst: boolean, mode: 'ntp' | 'pc'): Promise<void> {
    const d = new Date();
    const utc = mode === 'pc'
      ? `<tds:UTCDateTime><tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
        `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date></tds:UTCDateTime>`
      : '';
    await this.call(this.deviceUrl,
      `<tds:SetSystemDateAndTime xmlns:tds="${NS.tds}" xmlns:tt="${NS.tt}"><tds:DateTimeType>${mode === 'ntp' ? 'NTP' : 'Manual'}</tds:DateTimeType>` +
      `<tds:DaylightSavings>${dst}</tds:DaylightSavings><tds:TimeZone><tt:TZ>${esc(tz)}</tt:TZ></tds:TimeZone>${utc}</tds:SetSystemDateAndTime>`);
  }

  /** The device's local clock ahead of UTC (ms, `localClockOffset`); null when it does not say its time. */
  async localOffset(): Promise<number | null> {
    return localClockOffset(await this.call(this.deviceUrl, `<tds:GetSystemDateAndTime xmlns:tds="${NS.tds}"/>`), Date.now());
  }

  /**
   * Profile G: the replay URI of device channel `channel`'s `stream` recording (onvif-replay.ts); undefined when the
   * device offers no Replay service or no recording of that channel.
   */
  async replayUri(channel: number, stream: 'main' | 'sub'): Promise<string | undefined> {
    const services = await this.services();
    const replay = services.get(NS_G.trp);
    if (!replay) return undefined;
    let recs: Recording[] = [];
    const recording = services.get(NS_G.trc);
    if (recording) recs = parseRecordings(await this.call(recording, GET_RECORDINGS).catch((err: unknown) => { if (err instanceof SoapFault) return {}; throw err; }));
    const search = services.get(NS_G.tse);
    if (recs.length === 0 && search) recs = await findRecordings((url, op) => this.call(url, op), search);
    if (recs.length === 0) return undefined;
    // The channel's video source token, to find its recordings by source (Media1's GetProfiles; profile groups are channels).
    const media = services.get(NS.trt) ?? await this.mediaUrl();
    const profiles = await this.call(media, `<trt:GetProfiles xmlns:trt="${NS.trt}"/>`).catch(() => undefined);
    const group = profiles ? profilesBySource(profiles)[channel - 1] : undefined;
    const sourceToken = text(at(group?.[0]?.profile, 'VideoSourceConfiguration', 'SourceToken'))?.trim();
    const rec = pickRecording(recs, channel, stream, sourceToken);
    return rec && parseReplayUri(await this.call(replay, getReplayUri(rec.token)));
  }

  async getTime(): Promise<{ tz: string; dst: boolean; mode: 'ntp' | 'manual' }> {
    const r = await this.call(this.deviceUrl, `<tds:GetSystemDateAndTime xmlns:tds="${NS.tds}"/>`);
    const s = at(r, 'SystemDateAndTime');
    return {
      tz: text(at(s, 'TimeZone', 'TZ')) ?? '',
      dst: text(at(s, 'DaylightSavings')) === 'true',
      mode: text(at(s, 'DateTimeType')) === 'NTP' ? 'ntp' : 'manual',
    };
  }
}
