import type { Profile } from '../types';
import type { SimDevice } from '../device';
import { mediaCapsXml } from './device-service';
import type { OpContext, OpSpec } from './operation';
import { esc, senderFault, textAt } from './xml';

// Media service, ONVIF Media Service Spec (media.wsdl, ver10): two fixed profiles per channel.

export const VELOCITY_SPACE = 'http://www.onvif.org/ver10/tptz/PanTiltSpaces/VelocityGenericSpace';
export const POSITION_SPACE = 'http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace';

export function profileToken(ch: number, profile: Profile): string {
  return `ch${ch}_${profile}`;
}

/** The channel and profile a token names, or a ter:NoProfile fault. */
export function parseProfileToken(device: SimDevice, token: string | undefined): { ch: number; profile: Profile } {
  const m = /^ch(\d+)_(main|sub)$/.exec(token ?? '');
  const ch = Number(m?.[1]);
  if (!m || !device.channel(ch)) throw senderFault(['ter:InvalidArgVal', 'ter:NoProfile'], 'The requested profile token does not exist');
  return { ch, profile: m[2] as Profile };
}

export function videoSourceConfig(device: SimDevice, ch: number): string {
  const main = device.channel(ch)?.specs.main;
  return (
    `<tt:Name>vsc${ch}</tt:Name><tt:UseCount>2</tt:UseCount><tt:SourceToken>vs${ch}</tt:SourceToken>` +
    `<tt:Bounds x="0" y="0" width="${main?.width ?? 1920}" height="${main?.height ?? 1080}"/>`
  );
}

function encoderConfig(device: SimDevice, ch: number, profile: Profile): string {
  const spec = device.channel(ch)?.specs[profile];
  if (!spec) return '';
  const h264 = spec.codec === 'h264';
  return (
    `<tt:Name>${esc(`${spec.channelName} ${profile}`)}</tt:Name><tt:UseCount>1</tt:UseCount>` +
    // Media1's enum has no H265; devices print it anyway and clients accept it.
    `<tt:Encoding>${h264 ? 'H264' : 'H265'}</tt:Encoding>` +
    `<tt:Resolution><tt:Width>${spec.width}</tt:Width><tt:Height>${spec.height}</tt:Height></tt:Resolution>` +
    `<tt:Quality>${profile === 'main' ? 5 : 3}</tt:Quality>` +
    `<tt:RateControl><tt:FrameRateLimit>${spec.fps}</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>` +
    `<tt:BitrateLimit>${profile === 'main' ? 4096 : 512}</tt:BitrateLimit></tt:RateControl>` +
    (h264 ? `<tt:H264><tt:GovLength>${Math.round(spec.gopSeconds * spec.fps)}</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>` : '') +
    `<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address></tt:Address>` +
    `<tt:Port>0</tt:Port><tt:TTL>0</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>` +
    `<tt:SessionTimeout>PT60S</tt:SessionTimeout>`
  );
}

export function ptzConfigBody(ch: number): string {
  return (
    `<tt:Name>ptz${ch}</tt:Name><tt:UseCount>2</tt:UseCount><tt:NodeToken>ptznode${ch}</tt:NodeToken>` +
    `<tt:DefaultAbsolutePantTiltPositionSpace>${POSITION_SPACE}</tt:DefaultAbsolutePantTiltPositionSpace>` +
    `<tt:DefaultContinuousPanTiltVelocitySpace>${VELOCITY_SPACE}</tt:DefaultContinuousPanTiltVelocitySpace>` +
    `<tt:DefaultPTZTimeout>PT10S</tt:DefaultPTZTimeout>` +
    `<tt:PanTiltLimits><tt:Range><tt:URI>${POSITION_SPACE}</tt:URI><tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange>` +
    `<tt:YRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:YRange></tt:Range></tt:PanTiltLimits>`
  );
}

function profileBody(device: SimDevice, ch: number, profile: Profile): string {
  return (
    `<tt:Name>${esc(profileToken(ch, profile))}</tt:Name>` +
    `<tt:VideoSourceConfiguration token="vsc${ch}">${videoSourceConfig(device, ch)}</tt:VideoSourceConfiguration>` +
    `<tt:VideoEncoderConfiguration token="vec${ch}_${profile}">${encoderConfig(device, ch, profile)}</tt:VideoEncoderConfiguration>` +
    `<tt:PTZConfiguration token="ptz${ch}">${ptzConfigBody(ch)}</tt:PTZConfiguration>`
  );
}

/**
 * Every channel's main and sub profile. Media1's schema has no H265 encoding: the axis flavour leaves H.265 profiles to
 * Media2 as AXIS OS does (media2-service.ts); camsim's own prints H265 in Media1 as many devices do.
 */
export function allProfiles(device: SimDevice, media2 = false): { ch: number; profile: Profile }[] {
  return device.channels.flatMap((c) => (['main', 'sub'] as const)
    .filter((profile) => media2 || device.flavour !== 'axis' || c.specs[profile].codec !== 'h265')
    .map((profile) => ({ ch: c.channel, profile })));
}

function mediaUri(uri: string): string {
  return (
    `<trt:MediaUri><tt:Uri>${esc(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout></trt:MediaUri>`
  );
}

function getStreamUri(ctx: OpContext): string {
  const { device, op } = ctx;
  const { ch, profile } = parseProfileToken(device, textAt(op, 'ProfileToken'));
  const stream = textAt(op, 'StreamSetup', 'Stream') ?? 'RTP-Unicast';
  const protocol = textAt(op, 'StreamSetup', 'Transport', 'Protocol') ?? 'RTSP';
  // Media spec §5.15.1: a stream setup the device cannot serve is ter:InvalidArgVal/ter:InvalidStreamSetup.
  if (stream !== 'RTP-Unicast' || !['RTSP', 'TCP', 'UDP'].includes(protocol)) {
    throw senderFault(['ter:InvalidArgVal', 'ter:InvalidStreamSetup'], 'Specification of StreamType or Transport part in StreamSetup is not supported');
  }
  return `<trt:GetStreamUriResponse>${mediaUri(device.rtspUrl(ch, profile, true))}</trt:GetStreamUriResponse>`;
}

export const mediaOps: Record<string, OpSpec> = {
  GetServiceCapabilities: {
    access: 'PRE_AUTH',
    handle: ({ device }) => `<trt:GetServiceCapabilitiesResponse>${mediaCapsXml(device)}</trt:GetServiceCapabilitiesResponse>`,
  },
  /** A camera with a speaker has one audio output (Media spec §5.13): what tells a client it may use the audio back channel. */
  GetAudioOutputs: {
    access: 'READ_MEDIA',
    handle: ({ device }) =>
      '<trt:GetAudioOutputsResponse>' +
      (device.channels.some((c) => c.speaker) ? '<trt:AudioOutputs token="AudioOutput_1"/>' : '') +
      '</trt:GetAudioOutputsResponse>',
  },
  GetProfiles: {
    access: 'READ_MEDIA',
    handle: ({ device }) =>
      '<trt:GetProfilesResponse>' +
      allProfiles(device)
        .map((p) => `<trt:Profiles token="${profileToken(p.ch, p.profile)}" fixed="true">${profileBody(device, p.ch, p.profile)}</trt:Profiles>`)
        .join('') +
      '</trt:GetProfilesResponse>',
  },
  GetProfile: {
    access: 'READ_MEDIA',
    handle: ({ device, op }) => {
      const { ch, profile } = parseProfileToken(device, textAt(op, 'ProfileToken'));
      return `<trt:GetProfileResponse><trt:Profile token="${profileToken(ch, profile)}" fixed="true">${profileBody(device, ch, profile)}</trt:Profile></trt:GetProfileResponse>`;
    },
  },
  GetVideoSources: {
    access: 'READ_MEDIA',
    handle: ({ device }) =>
      '<trt:GetVideoSourcesResponse>' +
      device.channels
        .map(
          (c) =>
            `<trt:VideoSources token="vs${c.channel}"><tt:Framerate>${c.specs.main.fps}</tt:Framerate>` +
            `<tt:Resolution><tt:Width>${c.specs.main.width}</tt:Width><tt:Height>${c.specs.main.height}</tt:Height></tt:Resolution></trt:VideoSources>`,
        )
        .join('') +
      '</trt:GetVideoSourcesResponse>',
  },
  GetVideoSourceConfigurations: {
    access: 'READ_MEDIA',
    handle: ({ device }) =>
      '<trt:GetVideoSourceConfigurationsResponse>' +
      device.channels.map((c) => `<trt:Configurations token="vsc${c.channel}">${videoSourceConfig(device, c.channel)}</trt:Configurations>`).join('') +
      '</trt:GetVideoSourceConfigurationsResponse>',
  },
  GetVideoEncoderConfigurations: {
    access: 'READ_MEDIA',
    handle: ({ device }) =>
      '<trt:GetVideoEncoderConfigurationsResponse>' +
      allProfiles(device)
        .map((p) => `<trt:Configurations token="vec${p.ch}_${p.profile}">${encoderConfig(device, p.ch, p.profile)}</trt:Configurations>`)
        .join('') +
      '</trt:GetVideoEncoderConfigurationsResponse>',
  },
  GetStreamUri: { access: 'READ_MEDIA', handle: getStreamUri },
  GetSnapshotUri: {
    access: 'READ_MEDIA',
    handle: ({ device, op }) => {
      const { ch, profile } = parseProfileToken(device, textAt(op, 'ProfileToken'));
      return `<trt:GetSnapshotUriResponse>${mediaUri(device.snapshotUrl(ch, profile))}</trt:GetSnapshotUriResponse>`;
    },
  },
};
