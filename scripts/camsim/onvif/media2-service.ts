import type { OpContext, OpSpec } from './operation';
import { allProfiles, parseProfileToken, profileToken, videoSourceConfig } from './media-service';
import { esc, senderFault, textAt } from './xml';

// Media2 service, ONVIF Media2 Service Spec (media2.wsdl, ver20): the same profiles as Media1, with H.265 named as such
// (the axis flavour offers it in GetServices, as AXIS OS does, and keeps H.265 profiles out of Media1).

function profileXml(ctx: OpContext, ch: number, profile: 'main' | 'sub'): string {
  const spec = ctx.device.channel(ch)!.specs[profile];
  return (
    `<tr2:Profiles token="${profileToken(ch, profile)}" fixed="true"><tr2:Name>${esc(profileToken(ch, profile))}</tr2:Name><tr2:Configurations>` +
    `<tr2:VideoSource token="vsc${ch}">${videoSourceConfig(ctx.device, ch)}</tr2:VideoSource>` +
    `<tr2:VideoEncoder token="vec${ch}_${profile}" GovLength="${Math.round(spec.gopSeconds * spec.fps)}" Profile="Main">` +
    `<tt:Name>${esc(`${spec.channelName} ${profile}`)}</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>${spec.codec === 'h264' ? 'H264' : 'H265'}</tt:Encoding>` +
    `<tt:Resolution><tt:Width>${spec.width}</tt:Width><tt:Height>${spec.height}</tt:Height></tt:Resolution>` +
    `<tt:RateControl ConstantBitRate="false"><tt:FrameRateLimit>${spec.fps}</tt:FrameRateLimit><tt:BitrateLimit>${profile === 'main' ? 4096 : 512}</tt:BitrateLimit></tt:RateControl>` +
    `<tt:Quality>${profile === 'main' ? 5 : 3}</tt:Quality></tr2:VideoEncoder></tr2:Configurations></tr2:Profiles>`
  );
}

export const media2Ops: Record<string, OpSpec> = {
  GetProfiles: {
    access: 'READ_MEDIA',
    handle: (ctx) => {
      const token = textAt(ctx.op, 'Token');
      const wanted = token ? [parseProfileToken(ctx.device, token)] : allProfiles(ctx.device, true);
      return `<tr2:GetProfilesResponse>${wanted.map((p) => profileXml(ctx, p.ch, p.profile)).join('')}</tr2:GetProfilesResponse>`;
    },
  },
  GetStreamUri: {
    access: 'READ_MEDIA',
    handle: ({ device, op }) => {
      const { ch, profile } = parseProfileToken(device, textAt(op, 'ProfileToken'));
      // Media2 §5.7.1: RtspUnicast, RTSP (RTP over RTSP over TCP), or RtspOverHttp; nothing else is served here.
      if (!['RtspUnicast', 'RTSP'].includes(textAt(op, 'Protocol') ?? '')) throw senderFault(['ter:InvalidArgVal', 'ter:InvalidStreamSetup'], 'Protocol not supported');
      return `<tr2:GetStreamUriResponse><tr2:Uri>${esc(device.rtspUrl(ch, profile, true))}</tr2:Uri></tr2:GetStreamUriResponse>`;
    },
  },
};
