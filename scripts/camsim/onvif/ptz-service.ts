import type { SimDevice } from '../device';
import { ptzCapsXml } from './device-service';
import { parseProfileToken, POSITION_SPACE, ptzConfigBody, VELOCITY_SPACE } from './media-service';
import type { OpContext, OpSpec } from './operation';
import { child, esc, isoSeconds, parseDuration, receiverFault, senderFault, textAt } from './xml';

// PTZ service, ONVIF PTZ Service Spec (ptz.wsdl, ver20): pan/tilt in the generic spaces, continuous
// moves drive SimStream.setPan so the picture pans; presets per channel.

const MAX_PRESETS = 16;
const range = `<tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange><tt:YRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:YRange>`;

function nodeBody(ch: number): string {
  return (
    `<tt:Name>ptznode${ch}</tt:Name><tt:SupportedPTZSpaces>` +
    `<tt:AbsolutePanTiltPositionSpace><tt:URI>${POSITION_SPACE}</tt:URI>${range}</tt:AbsolutePanTiltPositionSpace>` +
    `<tt:ContinuousPanTiltVelocitySpace><tt:URI>${VELOCITY_SPACE}</tt:URI>${range}</tt:ContinuousPanTiltVelocitySpace>` +
    `</tt:SupportedPTZSpaces><tt:MaximumNumberOfPresets>${MAX_PRESETS}</tt:MaximumNumberOfPresets><tt:HomeSupported>false</tt:HomeSupported>`
  );
}

function channelOf(ctx: OpContext): number {
  return parseProfileToken(ctx.device, textAt(ctx.op, 'ProfileToken')).ch;
}

function vector(el: ReturnType<typeof child>, fault: string): { x: number; y: number } | undefined {
  const pt = child(el, 'PanTilt');
  if (!pt) return undefined;
  const x = Number(pt.attrs.x);
  const y = Number(pt.attrs.y);
  if (!Number.isFinite(x) || !Number.isFinite(y) || Math.abs(x) > 1 || Math.abs(y) > 1) {
    throw senderFault(['ter:InvalidArgVal', fault], 'The requested vector is out of bounds');
  }
  return { x, y };
}

/** Goes straight to a position, ending any continuous move first. */
function goTo(ctx: OpContext, ch: number, to: { x: number; y: number }): void {
  ctx.device.ptzStop(ch);
  ctx.device.ptzSetPosition(ch, to.x, to.y);
}

function nodeToken(device: SimDevice, token: string | undefined): number {
  const ch = Number(/^ptznode(\d+)$/.exec(token ?? '')?.[1]);
  if (!device.channel(ch)) throw senderFault(['ter:InvalidArgVal', 'ter:NoEntity'], 'No such PTZ node');
  return ch;
}

export const ptzOps: Record<string, OpSpec> = {
  GetServiceCapabilities: { access: 'PRE_AUTH', handle: () => `<tptz:GetServiceCapabilitiesResponse>${ptzCapsXml}</tptz:GetServiceCapabilitiesResponse>` },
  GetNodes: {
    access: 'READ_MEDIA',
    handle: ({ device }) =>
      '<tptz:GetNodesResponse>' +
      device.channels.map((c) => `<tptz:PTZNode token="ptznode${c.channel}" FixedHomePosition="false">${nodeBody(c.channel)}</tptz:PTZNode>`).join('') +
      '</tptz:GetNodesResponse>',
  },
  GetNode: {
    access: 'READ_MEDIA',
    handle: ({ device, op }) => {
      const ch = nodeToken(device, textAt(op, 'NodeToken'));
      return `<tptz:GetNodeResponse><tptz:PTZNode token="ptznode${ch}" FixedHomePosition="false">${nodeBody(ch)}</tptz:PTZNode></tptz:GetNodeResponse>`;
    },
  },
  GetConfigurations: {
    access: 'READ_MEDIA',
    handle: ({ device }) =>
      '<tptz:GetConfigurationsResponse>' +
      device.channels.map((c) => `<tptz:PTZConfiguration token="ptz${c.channel}">${ptzConfigBody(c.channel)}</tptz:PTZConfiguration>`).join('') +
      '</tptz:GetConfigurationsResponse>',
  },
  ContinuousMove: {
    access: 'ACTUATE',
    handle: (ctx) => {
      const ch = channelOf(ctx);
      const v = vector(child(ctx.op, 'Velocity'), 'ter:InvalidVelocity') ?? { x: 0, y: 0 };
      const timeoutText = textAt(ctx.op, 'Timeout');
      const timeout = timeoutText === undefined ? 10_000 : parseDuration(timeoutText);
      if (timeout === undefined) throw senderFault(['ter:InvalidArgVal'], 'Timeout is not a duration');
      ctx.device.ptzMove(ch, v.x, v.y, timeout);
      return '<tptz:ContinuousMoveResponse/>';
    },
  },
  AbsoluteMove: {
    access: 'ACTUATE',
    handle: (ctx) => {
      const ch = channelOf(ctx);
      const p = vector(child(ctx.op, 'Position'), 'ter:InvalidPosition');
      if (p) goTo(ctx, ch, p);
      return '<tptz:AbsoluteMoveResponse/>';
    },
  },
  Stop: {
    access: 'ACTUATE',
    handle: (ctx) => {
      const ch = channelOf(ctx);
      if (textAt(ctx.op, 'PanTilt') !== 'false') ctx.device.ptzStop(ch);
      return '<tptz:StopResponse/>';
    },
  },
  GetStatus: {
    access: 'READ_MEDIA',
    handle: (ctx) => {
      const ch = channelOf(ctx);
      const st = ctx.device.channel(ch);
      return (
        `<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position><tt:PanTilt x="${st?.pan.x.toFixed(4)}" y="${st?.pan.y.toFixed(4)}" space="${POSITION_SPACE}"/></tt:Position>` +
        `<tt:MoveStatus><tt:PanTilt>${ctx.device.isMoving(ch) ? 'MOVING' : 'IDLE'}</tt:PanTilt></tt:MoveStatus>` +
        `<tt:UtcTime>${isoSeconds(ctx.device.now())}</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>`
      );
    },
  },
  GetPresets: {
    access: 'READ_MEDIA',
    handle: (ctx) => {
      const st = ctx.device.channel(channelOf(ctx));
      return (
        '<tptz:GetPresetsResponse>' +
        [...(st?.presets ?? [])]
          .map(
            ([token, p]) =>
              `<tptz:Preset token="${esc(token)}"><tt:Name>${esc(p.name)}</tt:Name>` +
              `<tt:PTZPosition><tt:PanTilt x="${p.x.toFixed(4)}" y="${p.y.toFixed(4)}" space="${POSITION_SPACE}"/></tt:PTZPosition></tptz:Preset>`,
          )
          .join('') +
        '</tptz:GetPresetsResponse>'
      );
    },
  },
  SetPreset: {
    access: 'ACTUATE',
    handle: (ctx) => {
      const st = ctx.device.channel(channelOf(ctx));
      if (!st) throw senderFault(['ter:InvalidArgVal', 'ter:NoProfile'], 'No such profile');
      const token = textAt(ctx.op, 'PresetToken');
      const name = textAt(ctx.op, 'PresetName');
      if (token !== undefined && !st.presets.has(token)) throw senderFault(['ter:InvalidArgVal', 'ter:NoToken'], 'No such preset token');
      if (name !== undefined && [...st.presets].some(([t, p]) => p.name === name && t !== token)) {
        throw senderFault(['ter:InvalidArgVal', 'ter:PresetExist'], 'A preset with that name exists');
      }
      if (token === undefined && st.presets.size >= MAX_PRESETS) throw receiverFault(['ter:Action', 'ter:TooManyPresets'], 'Maximum number of presets reached');
      let t = token;
      for (let i = 1; t === undefined; i++) if (!st.presets.has(String(i))) t = String(i);
      st.presets.set(t, { name: name ?? `Preset ${t}`, x: st.pan.x, y: st.pan.y });
      return `<tptz:SetPresetResponse><tptz:PresetToken>${esc(t)}</tptz:PresetToken></tptz:SetPresetResponse>`;
    },
  },
  GotoPreset: {
    access: 'ACTUATE',
    handle: (ctx) => {
      const ch = channelOf(ctx);
      const p = ctx.device.channel(ch)?.presets.get(textAt(ctx.op, 'PresetToken') ?? '');
      if (!p) throw senderFault(['ter:InvalidArgVal', 'ter:NoToken'], 'No such preset token');
      goTo(ctx, ch, p);
      return '<tptz:GotoPresetResponse/>';
    },
  },
  RemovePreset: {
    access: 'ACTUATE',
    handle: (ctx) => {
      const st = ctx.device.channel(channelOf(ctx));
      if (!st?.presets.delete(textAt(ctx.op, 'PresetToken') ?? '')) throw senderFault(['ter:InvalidArgVal', 'ter:NoToken'], 'No such preset token');
      return '<tptz:RemovePresetResponse/>';
    },
  },
};
