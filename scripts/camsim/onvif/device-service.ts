import type { SimDevice } from '../device';
import { isLoopback } from '../device-network';
import type { UserLevel } from '../device-types';
import { passwordWeakness } from '../password-rule';
import { deviceLocalTime } from '../device-clock';
import { parsePosixTz } from '../../../electron/core/devices/posix-tz';
import type { OpContext, OpSpec } from './operation';
import { child, children, esc, NS, receiverFault, senderFault, textAt } from './xml';

// Device management service, ONVIF Core §8 (devicemgmt.wsdl). Element order follows the schema.

const MAX_USERS = 16;

export const SERVICE_VERSION = { major: 21, minor: 12 };
const version = `<tt:Major>${SERVICE_VERSION.major}</tt:Major><tt:Minor>${SERVICE_VERSION.minor}</tt:Minor>`;

export function serviceUrls(device: SimDevice) {
  const b = device.baseUrl;
  return {
    device: `${b}/onvif/device_service`,
    media: `${b}/onvif/media_service`,
    events: `${b}/onvif/events_service`,
    ptz: `${b}/onvif/ptz_service`,
    recording: `${b}/onvif/recording_service`,
    search: `${b}/onvif/search_service`,
    replay: `${b}/onvif/replay_service`,
  };
}

function dateTimeXml(d: Date): string {
  return (
    `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>`
  );
}

/** Local wall clock of the device: POSIX TZ, DST applied only when DaylightSavings is on (Core §8.3.8). */
const deviceCapsXml = () =>
  `<tds:Capabilities><tds:Network IPFilter="false" ZeroConfiguration="false" IPVersion6="false" DynDNS="false" ` +
  `Dot11Configuration="false" HostnameFromDHCP="false" NTP="1"/>` +
  `<tds:Security TLS1.0="false" TLS1.1="false" TLS1.2="false" OnboardKeyGeneration="false" AccessPolicyConfig="false" ` +
  `DefaultAccessPolicy="true" Dot1X="false" RemoteUserHandling="false" X.509Token="false" SAMLToken="false" ` +
  `KerberosToken="false" UsernameToken="true" HttpDigest="true" RELToken="false" MaxUsers="${MAX_USERS}" ` +
  `MaxUserNameLength="32" MaxPasswordLength="32"/>` +
  `<tds:System DiscoveryResolve="false" DiscoveryBye="true" RemoteDiscovery="false" SystemBackup="false" ` +
  `SystemLogging="false" FirmwareUpgrade="false" HttpFirmwareUpgrade="false" HttpSystemBackup="false" ` +
  `HttpSystemLogging="false" HttpSupportInformation="false"/></tds:Capabilities>`;

export const mediaCapsXml = (device: SimDevice) =>
  `<trt:Capabilities SnapshotUri="true" Rotation="false" VideoSourceMode="false" OSD="false">` +
  `<trt:ProfileCapabilities MaximumNumberOfProfiles="${device.channels.length * 2}"/>` +
  `<trt:StreamingCapabilities RTPMulticast="false" RTP_TCP="true" RTP_RTSP_TCP="true" NonAggregateControl="false" NoRTSPStreaming="false"/>` +
  `</trt:Capabilities>`;

export const eventCapsXml =
  `<tev:Capabilities WSSubscriptionPolicySupport="false" WSPullPointSupport="true" ` +
  `WSPausableSubscriptionManagerInterfaceSupport="false" MaxNotificationProducers="0" MaxPullPoints="32" ` +
  `PersistentNotificationStorage="false"/>`;

export const ptzCapsXml = `<tptz:Capabilities EFlip="false" Reverse="false" GetCompatibleConfigurations="false" MoveStatus="true" StatusPosition="true"/>`;

function users(device: SimDevice): string {
  return [...device.users.values()]
    .map((u) => `<tds:User><tt:Username>${esc(u.username)}</tt:Username><tt:UserLevel>${u.level}</tt:UserLevel></tds:User>`)
    .join('');
}

function parseLevel(s: string | undefined): UserLevel | 'Anonymous' | undefined {
  return s === 'Administrator' || s === 'Operator' || s === 'User' || s === 'Anonymous' ? s : undefined;
}

const opProhibited = (sub: string, reason: string) => senderFault(['ter:OperationProhibited', sub], reason);
const invalidArg = (sub: string, reason: string) => senderFault(['ter:InvalidArgVal', sub], reason);

/** CreateUsers/SetUser password checks; faults as in Core §8.4 (env:Sender/ter:OperationProhibited/...). */
function checkPassword(password: string): void {
  if (password.length > 32) throw opProhibited('ter:PasswordTooLong', 'The password is too long');
  const weak = passwordWeakness(password);
  if (weak) throw opProhibited('ter:PasswordTooWeak', `Too weak password: ${weak}`);
}

function createUsers(ctx: OpContext): string {
  const { device } = ctx;
  const list = children(ctx.op, 'User').map((u) => ({
    username: textAt(u, 'Username') ?? '',
    password: textAt(u, 'Password'),
    level: parseLevel(textAt(u, 'UserLevel')),
  }));
  if (list.length === 0) throw senderFault(['ter:InvalidArgs'], 'No User given');
  if (!ctx.user && !list.some((u) => u.level === 'Administrator')) {
    // Unauthenticated CreateUsers is only for a factory-default device's first administrator.
    throw senderFault(['ter:NotAuthorized'], 'The first user must be an Administrator');
  }
  if (device.users.size + list.length > MAX_USERS) throw receiverFault(['ter:Action', 'ter:TooManyUsers'], 'Maximum number of users reached');
  const names = new Set<string>();
  for (const u of list) {
    if (u.username.length < 1) throw opProhibited('ter:UsernameTooShort', 'The username is too short');
    if (u.username.length > 32) throw opProhibited('ter:UsernameTooLong', 'The username is too long');
    if (device.users.has(u.username) || names.has(u.username)) throw opProhibited('ter:UsernameClash', 'Username already exists');
    names.add(u.username);
    if (u.level === 'Anonymous') throw opProhibited('ter:AnonymousNotAllowed', 'User level anonymous is not allowed');
    if (!u.level) throw senderFault(['ter:InvalidArgVal'], 'Unknown UserLevel');
    if (u.password === undefined) throw opProhibited('ter:PasswordTooWeak', 'Too weak password: none given');
    checkPassword(u.password);
  }
  const wasInitialized = device.initialized;
  for (const u of list) device.users.set(u.username, { username: u.username, password: u.password ?? '', level: u.level as UserLevel });
  if (!wasInitialized && device.initialized) device.announceChange();
  return '<tds:CreateUsersResponse/>';
}

function setUser(ctx: OpContext): string {
  const { device } = ctx;
  const list = children(ctx.op, 'User');
  if (list.length === 0) throw senderFault(['ter:InvalidArgs'], 'No User given');
  const updates = list.map((u) => {
    const username = textAt(u, 'Username') ?? '';
    const existing = device.users.get(username);
    if (!existing) throw invalidArg('ter:UsernameMissing', 'Username not recognized');
    const level = parseLevel(textAt(u, 'UserLevel'));
    if (level === 'Anonymous') throw opProhibited('ter:AnonymousNotAllowed', 'User level anonymous is not allowed');
    if (!level) throw senderFault(['ter:InvalidArgVal'], 'Unknown UserLevel');
    const password = textAt(u, 'Password');
    if (password !== undefined) checkPassword(password);
    return { username, level, password: password ?? existing.password };
  });
  const admins = [...device.users.values()].filter((u) => u.level === 'Administrator' && !updates.some((x) => x.username === u.username)).length +
    updates.filter((u) => u.level === 'Administrator').length;
  if (admins === 0) throw invalidArg('ter:FixedUser', 'The last Administrator cannot be demoted');
  for (const u of updates) device.users.set(u.username, u);
  return '<tds:SetUserResponse/>';
}

function deleteUsers(ctx: OpContext): string {
  const { device } = ctx;
  const names = children(ctx.op, 'Username').map((e) => e.text);
  for (const n of names) if (!device.users.has(n)) throw invalidArg('ter:UsernameMissing', 'Username not recognized');
  const admins = [...device.users.values()].filter((u) => u.level === 'Administrator' && !names.includes(u.username));
  if (admins.length === 0) throw invalidArg('ter:FixedUser', 'The last Administrator cannot be deleted');
  for (const n of names) device.users.delete(n);
  return '<tds:DeleteUsersResponse/>';
}

function getSystemDateAndTime(ctx: OpContext): string {
  const { device } = ctx;
  const now = device.now();
  const { local } = deviceLocalTime(device.time, now);
  return (
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>` +
    `<tt:DateTimeType>${device.time.type}</tt:DateTimeType><tt:DaylightSavings>${device.time.daylightSavings}</tt:DaylightSavings>` +
    `<tt:TimeZone><tt:TZ>${esc(device.time.tz)}</tt:TZ></tt:TimeZone>` +
    `<tt:UTCDateTime>${dateTimeXml(new Date(now))}</tt:UTCDateTime>` +
    `<tt:LocalDateTime>${dateTimeXml(local)}</tt:LocalDateTime>` +
    `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
  );
}

function setSystemDateAndTime(ctx: OpContext): string {
  const { device, op } = ctx;
  const type = textAt(op, 'DateTimeType');
  if (type !== 'Manual' && type !== 'NTP') throw senderFault(['ter:InvalidArgVal'], 'DateTimeType must be Manual or NTP');
  const dst = textAt(op, 'DaylightSavings');
  const tzText = textAt(op, 'TimeZone', 'TZ');
  if (tzText !== undefined && !parsePosixTz(tzText)) throw invalidArg('ter:InvalidTimeZone', 'The suggested time zone is not supported');
  let newOffset: number | undefined;
  const utc = child(op, 'UTCDateTime');
  if (type === 'Manual' && utc) {
    const n = (p: string[]) => Number(textAt(utc, ...p));
    const [h, mi, s, y, mo, d] = [n(['Time', 'Hour']), n(['Time', 'Minute']), n(['Time', 'Second']), n(['Date', 'Year']), n(['Date', 'Month']), n(['Date', 'Day'])];
    const ms = Date.UTC(y, mo - 1, d, h, mi, s);
    const check = new Date(ms);
    if (
      ![h, mi, s, y, mo, d].every(Number.isInteger) ||
      h > 23 || mi > 59 || s > 59 || check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1 || y < 1970 || y > 2099
    ) {
      throw invalidArg('ter:InvalidDateTime', 'An invalid date or time was specified');
    }
    newOffset = ms - Date.now();
  }
  device.time.type = type;
  if (dst !== undefined) device.time.daylightSavings = dst === 'true' || dst === '1';
  if (tzText !== undefined) device.time.tz = tzText;
  if (type === 'NTP') device.time.offsetMs = 0;
  else if (newOffset !== undefined) device.time.offsetMs = newOffset;
  return '<tds:SetSystemDateAndTimeResponse/>';
}

function networkInterfaces(device: SimDevice): string {
  return (
    `<tds:NetworkInterfaces token="eth0"><tt:Enabled>true</tt:Enabled>` +
    `<tt:Info><tt:Name>eth0</tt:Name><tt:HwAddress>${device.identity.mac}</tt:HwAddress><tt:MTU>1500</tt:MTU></tt:Info>` +
    `<tt:IPv4><tt:Enabled>true</tt:Enabled><tt:Config>` +
    (device.dhcp
      ? `<tt:FromDHCP><tt:Address>${device.ip}</tt:Address><tt:PrefixLength>24</tt:PrefixLength></tt:FromDHCP><tt:DHCP>true</tt:DHCP>`
      : `<tt:Manual><tt:Address>${device.ip}</tt:Address><tt:PrefixLength>8</tt:PrefixLength></tt:Manual><tt:DHCP>false</tt:DHCP>`) +
    `</tt:Config></tt:IPv4></tds:NetworkInterfaces>`
  );
}

function setNetworkInterfaces(ctx: OpContext): string {
  const { device, op } = ctx;
  if (textAt(op, 'InterfaceToken') !== 'eth0') throw invalidArg('ter:InvalidNetworkInterface', 'The supplied network interface token does not exist');
  const ipv4 = child(child(op, 'NetworkInterface'), 'IPv4');
  if (textAt(ipv4, 'DHCP') === 'true') {
    ctx.after(() => void device.useDhcp().catch(() => undefined));
    return '<tds:SetNetworkInterfacesResponse><tds:RebootNeeded>false</tds:RebootNeeded></tds:SetNetworkInterfacesResponse>';
  }
  const manual = children(ipv4, 'Manual');
  if (manual.length > 1) throw invalidArg('ter:InvalidArgVal', 'Only one IPv4 address is supported');
  const address = textAt(manual[0], 'Address');
  if (address !== undefined) {
    if (!isLoopback(address)) throw invalidArg('ter:InvalidIPv4Address', 'The suggested IPv4 address is invalid (camsim only takes 127.0.0.0/8)');
    device.dhcp = false;
    if (address !== device.ip) ctx.after(() => void device.setAddress(address).catch(() => undefined));
  }
  return '<tds:SetNetworkInterfacesResponse><tds:RebootNeeded>false</tds:RebootNeeded></tds:SetNetworkInterfacesResponse>';
}

function getCapabilities(ctx: OpContext): string {
  const { device } = ctx;
  const categories = children(ctx.op, 'Category').map((c) => c.text);
  const want = (c: string) => categories.length === 0 || categories.includes('All') || categories.includes(c);
  const known = ['All', 'Analytics', 'Device', 'Events', 'Imaging', 'Media', 'PTZ'];
  for (const c of categories) {
    if (!known.includes(c)) throw senderFault(['ter:InvalidArgVal'], `Unknown category ${c}`);
    if (c === 'Analytics' || c === 'Imaging') throw receiverFault(['ter:ActionNotSupported', 'ter:NoSuchService'], `No ${c} service`);
  }
  const u = serviceUrls(device);
  let xml = '<tds:GetCapabilitiesResponse><tds:Capabilities>';
  if (want('Device')) {
    xml +=
      `<tt:Device><tt:XAddr>${u.device}</tt:XAddr>` +
      `<tt:Network><tt:IPFilter>false</tt:IPFilter><tt:ZeroConfiguration>false</tt:ZeroConfiguration><tt:IPVersion6>false</tt:IPVersion6><tt:DynDNS>false</tt:DynDNS></tt:Network>` +
      `<tt:System><tt:DiscoveryResolve>false</tt:DiscoveryResolve><tt:DiscoveryBye>true</tt:DiscoveryBye><tt:RemoteDiscovery>false</tt:RemoteDiscovery>` +
      `<tt:SystemBackup>false</tt:SystemBackup><tt:SystemLogging>false</tt:SystemLogging><tt:FirmwareUpgrade>false</tt:FirmwareUpgrade>` +
      `<tt:SupportedVersions>${version}</tt:SupportedVersions></tt:System>` +
      `<tt:IO><tt:InputConnectors>${device.channels.length}</tt:InputConnectors><tt:RelayOutputs>0</tt:RelayOutputs></tt:IO>` +
      `<tt:Security><tt:TLS1.1>false</tt:TLS1.1><tt:TLS1.2>false</tt:TLS1.2><tt:OnboardKeyGeneration>false</tt:OnboardKeyGeneration>` +
      `<tt:AccessPolicyConfig>false</tt:AccessPolicyConfig><tt:X.509Token>false</tt:X.509Token><tt:SAMLToken>false</tt:SAMLToken>` +
      `<tt:KerberosToken>false</tt:KerberosToken><tt:RELToken>false</tt:RELToken></tt:Security></tt:Device>`;
  }
  if (want('Events')) {
    xml +=
      `<tt:Events><tt:XAddr>${u.events}</tt:XAddr><tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>` +
      `<tt:WSPullPointSupport>true</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>`;
  }
  if (want('Media')) {
    xml +=
      `<tt:Media><tt:XAddr>${u.media}</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
      `<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities>` +
      `<tt:Extension><tt:ProfileCapabilities><tt:MaximumNumberOfProfiles>${device.channels.length * 2}</tt:MaximumNumberOfProfiles></tt:ProfileCapabilities></tt:Extension></tt:Media>`;
  }
  if (want('PTZ')) xml += `<tt:PTZ><tt:XAddr>${u.ptz}</tt:XAddr></tt:PTZ>`;
  // Profile G has no category of its own: its services come with All, under Extension (CapabilitiesExtension), as a
  // Hikvision camera answers (tests/fixtures/devices/hikvision/capabilities-all.xml).
  if (categories.length === 0 || categories.includes('All')) {
    xml +=
      `<tt:Extension><tt:Recording><tt:XAddr>${u.recording}</tt:XAddr><tt:ReceiverSource>false</tt:ReceiverSource><tt:MediaProfileSource>true</tt:MediaProfileSource>` +
      `<tt:DynamicRecordings>false</tt:DynamicRecordings><tt:DynamicTracks>false</tt:DynamicTracks><tt:MaxStringLength>64</tt:MaxStringLength></tt:Recording>` +
      `<tt:Search><tt:XAddr>${u.search}</tt:XAddr><tt:MetadataSearch>false</tt:MetadataSearch></tt:Search>` +
      `<tt:Replay><tt:XAddr>${u.replay}</tt:XAddr></tt:Replay></tt:Extension>`;
  }
  return xml + '</tds:Capabilities></tds:GetCapabilitiesResponse>';
}

function getServices(ctx: OpContext): string {
  const { device } = ctx;
  const withCaps = textAt(ctx.op, 'IncludeCapability') === 'true';
  const u = serviceUrls(device);
  const svc = (ns: string, xaddr: string, caps: string) =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${xaddr}</tds:XAddr>` +
    (withCaps ? `<tds:Capabilities>${caps}</tds:Capabilities>` : '') +
    `<tds:Version>${version}</tds:Version></tds:Service>`;
  return (
    '<tds:GetServicesResponse>' +
    svc(NS.tds, u.device, deviceCapsXml()) +
    svc(NS.trt, u.media, mediaCapsXml(device)) +
    // AXIS OS lists Media2 (Profile T); camsim's other flavours answer as Media1-only firmware does.
    (device.flavour === 'axis' ? svc(NS.tr2, u.media, '<tr2:Capabilities/>') : '') +
    svc(NS.tev, u.events, eventCapsXml) +
    svc(NS.tptz, u.ptz, ptzCapsXml) +
    // Profile G (profile-g.ts): the cards' recordings, their search and their replay.
    svc(NS.trc, u.recording, '<trc:Capabilities DynamicRecordings="false" DynamicTracks="false" MaxRecordings="0" MaxRecordingJobs="0"/>') +
    svc(NS.tse, u.search, '<tse:Capabilities MetadataSearch="false"/>') +
    svc(NS.trp, u.replay, '<trp:Capabilities ReversePlayback="false" RTP_RTSP_TCP="true"/>') +
    '</tds:GetServicesResponse>'
  );
}

export const deviceOps: Record<string, OpSpec> = {
  GetSystemDateAndTime: { access: 'PRE_AUTH', handle: getSystemDateAndTime },
  SetSystemDateAndTime: { access: 'WRITE_SYSTEM', handle: setSystemDateAndTime },
  GetCapabilities: { access: 'PRE_AUTH', handle: getCapabilities },
  GetServices: { access: 'PRE_AUTH', handle: getServices },
  GetServiceCapabilities: {
    access: 'PRE_AUTH',
    handle: (ctx) => `<tds:GetServiceCapabilitiesResponse>${deviceCapsXml()}</tds:GetServiceCapabilitiesResponse>`,
  },
  GetWsdlUrl: { access: 'PRE_AUTH', handle: () => '<tds:GetWsdlUrlResponse><tds:WsdlUrl>http://www.onvif.org/Documents/Specifications.aspx</tds:WsdlUrl></tds:GetWsdlUrlResponse>' },
  GetHostname: {
    access: 'PRE_AUTH',
    handle: (ctx) =>
      `<tds:GetHostnameResponse><tds:HostnameInformation><tt:FromDHCP>false</tt:FromDHCP><tt:Name>${esc(ctx.device.hostname)}</tt:Name></tds:HostnameInformation></tds:GetHostnameResponse>`,
  },
  SetHostname: {
    access: 'WRITE_SYSTEM',
    handle: (ctx) => {
      const name = textAt(ctx.op, 'Name') ?? '';
      if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(name)) throw invalidArg('ter:InvalidHostname', 'The requested hostname cannot be accepted');
      ctx.device.hostname = name;
      ctx.after(() => ctx.device.announceChange());
      return '<tds:SetHostnameResponse/>';
    },
  },
  GetDeviceInformation: {
    access: 'READ_SYSTEM',
    handle: ({ device: d }) =>
      `<tds:GetDeviceInformationResponse><tds:Manufacturer>${esc(d.identity.manufacturer)}</tds:Manufacturer>` +
      `<tds:Model>${esc(d.identity.model)}</tds:Model><tds:FirmwareVersion>${esc(d.identity.firmware)}</tds:FirmwareVersion>` +
      `<tds:SerialNumber>${esc(d.identity.serial)}</tds:SerialNumber><tds:HardwareId>${esc(d.identity.hardwareId)}</tds:HardwareId>` +
      `</tds:GetDeviceInformationResponse>`,
  },
  GetScopes: {
    access: 'READ_SYSTEM',
    handle: ({ device }) =>
      '<tds:GetScopesResponse>' +
      device
        .scopes()
        .map((s) => `<tds:Scopes><tt:ScopeDef>${s.fixed ? 'Fixed' : 'Configurable'}</tt:ScopeDef><tt:ScopeItem>${esc(s.item)}</tt:ScopeItem></tds:Scopes>`)
        .join('') +
      '</tds:GetScopesResponse>',
  },
  GetNetworkInterfaces: {
    access: 'READ_SYSTEM',
    handle: ({ device }) => `<tds:GetNetworkInterfacesResponse>${networkInterfaces(device)}</tds:GetNetworkInterfacesResponse>`,
  },
  SetNetworkInterfaces: { access: 'WRITE_SYSTEM', handle: setNetworkInterfaces },
  GetNetworkProtocols: {
    access: 'READ_SYSTEM',
    handle: ({ device }) =>
      '<tds:GetNetworkProtocolsResponse>' +
      `<tds:NetworkProtocols><tt:Name>HTTP</tt:Name><tt:Enabled>true</tt:Enabled><tt:Port>${device.ports.http}</tt:Port></tds:NetworkProtocols>` +
      `<tds:NetworkProtocols><tt:Name>RTSP</tt:Name><tt:Enabled>true</tt:Enabled><tt:Port>${device.ports.rtsp}</tt:Port></tds:NetworkProtocols>` +
      '</tds:GetNetworkProtocolsResponse>',
  },
  GetUsers: { access: 'READ_SYSTEM_SECRET', handle: ({ device }) => `<tds:GetUsersResponse>${users(device)}</tds:GetUsersResponse>` },
  CreateUsers: { access: 'WRITE_SYSTEM', handle: createUsers },
  SetUser: { access: 'WRITE_SYSTEM', handle: setUser },
  DeleteUsers: { access: 'WRITE_SYSTEM', handle: deleteUsers },
  SystemReboot: {
    access: 'UNRECOVERABLE',
    handle: (ctx) => {
      ctx.after(() => void ctx.device.reboot().catch(() => undefined));
      return '<tds:SystemRebootResponse><tds:Message>Rebooting</tds:Message></tds:SystemRebootResponse>';
    },
  },
};
