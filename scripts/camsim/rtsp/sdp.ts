// Session descriptions (RFC 4566) for one video track, with the parameter sets in-band so a client
// can configure its decoder before the first keyframe: RFC 6184 §8.1 (H.264), RFC 7798 §7.1 (H.265).
import type { Codec, StreamParameterSets } from '../types';
import { RTP_PAYLOAD_TYPE } from './rtp-packetizer';

export const TRACK_CONTROL = 'trackID=0';

export interface SdpInput {
  codec: Codec;
  sets: StreamParameterSets;
  fps: number;
  host: string;
  sessionId: string;
  title: string;
}

export function describeSdp(input: SdpInput): string {
  const b64 = (b: Buffer): string => b.toString('base64');
  const { sets } = input;
  let rtpmap: string;
  let fmtp: string;
  if (input.codec === 'h264') {
    // profile-level-id: profile_idc, constraint flags, level_idc = SPS bytes 1..3.
    const pli = sets.sps.subarray(1, 4).toString('hex').toUpperCase();
    rtpmap = `H264/90000`;
    fmtp = `packetization-mode=1;profile-level-id=${pli};sprop-parameter-sets=${b64(sets.sps)},${b64(sets.pps)}`;
  } else {
    rtpmap = `H265/90000`;
    const vps = sets.vps ? `sprop-vps=${b64(sets.vps)};` : '';
    fmtp = `${vps}sprop-sps=${b64(sets.sps)};sprop-pps=${b64(sets.pps)}`;
  }
  const lines = [
    'v=0',
    `o=- ${input.sessionId} 1 IN IP4 ${input.host}`,
    `s=${input.title}`,
    'c=IN IP4 0.0.0.0',
    't=0 0',
    'a=tool:watchpost-camsim',
    'a=range:npt=now-',
    'a=control:*',
    `m=video 0 RTP/AVP ${RTP_PAYLOAD_TYPE}`,
    `a=rtpmap:${RTP_PAYLOAD_TYPE} ${rtpmap}`,
    `a=fmtp:${RTP_PAYLOAD_TYPE} ${fmtp}`,
    `a=framerate:${input.fps}`,
    `a=control:${TRACK_CONTROL}`,
    'a=recvonly',
  ];
  return lines.join('\r\n') + '\r\n';
}
