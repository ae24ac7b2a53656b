import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD, DEFAULT_USERNAME, placeholderMedia, startFleet, type Fleet } from '../../scripts/camsim/fleet';
import { soapCall } from '../../scripts/camsim/onvif/client';
import { child, children, NS, textAt, type XmlElement } from '../../scripts/camsim/onvif/xml';
import type { MediaBackend } from '../../scripts/camsim/types';

const creds = { username: DEFAULT_USERNAME, password: DEFAULT_PASSWORD };
const TEV = `xmlns="${NS.tev}"`;
const TPTZ = `xmlns="${NS.tptz}"`;

// Records what PTZ asks of the picture, standing in for the media half's SimStream.
const pans: { channel: number; x: number; y: number }[] = [];
const recordingMedia: MediaBackend = {
  createStream(spec) {
    const s = placeholderMedia.createStream(spec);
    return Object.assign(Object.create(s) as typeof s, {
      setPan: (x: number, y: number) => pans.push({ channel: spec.channel, x, y }),
    });
  },
  startRtspServer: placeholderMedia.startRtspServer,
};

let fleet: Fleet;
let events: string;
let ptz: string;
beforeAll(async () => {
  fleet = await startFleet({ devices: 1, channels: 2, subnet: '127.0.62', media: recordingMedia });
  events = `${fleet.device(0).baseUrl}/onvif/events_service`;
  ptz = `${fleet.device(0).baseUrl}/onvif/ptz_service`;
});
afterAll(async () => {
  await fleet?.close();
});

async function subscribe(filter?: string): Promise<string> {
  const f = filter ? `<Filter><TopicExpression xmlns="${NS.wsnt}" Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${filter}</TopicExpression></Filter>` : '';
  const r = await soapCall(events, `<CreatePullPointSubscription ${TEV}>${f}<InitialTerminationTime>PT60S</InitialTerminationTime></CreatePullPointSubscription>`, creds);
  expect(r.status).toBe(200);
  const ref = child(r.body, 'SubscriptionReference', NS.tev);
  const addr = child(ref, 'Address', NS.wsa)?.text ?? '';
  expect(child(r.body, 'CurrentTime', NS.wsnt)).toBeDefined();
  expect(child(r.body, 'TerminationTime', NS.wsnt)).toBeDefined();
  return addr;
}

function pull(addr: string, timeout = 'PT1S', limit = 10) {
  return soapCall(addr, `<PullMessages ${TEV}><Timeout>${timeout}</Timeout><MessageLimit>${limit}</MessageLimit></PullMessages>`, creds);
}

function messages(body: XmlElement | undefined) {
  return children(body, 'NotificationMessage').map((n) => {
    const msg = child(child(n, 'Message', NS.wsnt), 'Message', NS.tt);
    const items = (el: XmlElement | undefined) => Object.fromEntries(children(el, 'SimpleItem').map((i) => [i.attrs.Name, i.attrs.Value]));
    return {
      ns: n.ns,
      topic: textAt(n, 'Topic'),
      dialect: child(n, 'Topic')?.attrs.Dialect,
      op: msg?.attrs.PropertyOperation,
      source: items(child(msg, 'Source', NS.tt)),
      data: items(child(msg, 'Data', NS.tt)),
    };
  });
}

describe('camsim ONVIF pull-point events', () => {
  it('delivers motion raised on demand, as WS-BaseNotification messages with ONVIF topics', async () => {
    const addr = await subscribe();
    expect(addr).toMatch(/^http:\/\/127\.0\.62\.1\/onvif\/events\/pullpoint\//);
    const pending = pull(addr, 'PT5S');
    await new Promise((r) => setTimeout(r, 150));
    const t0 = Date.now();
    fleet.device(0).raiseEvent({ kind: 'motion', channel: 2, state: true });
    const r = await pending;
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(r.body?.local).toBe('PullMessagesResponse');
    expect(child(r.body, 'CurrentTime', NS.tev)).toBeDefined();
    const msgs = messages(r.body);
    expect(msgs.map((m) => m.topic)).toEqual(['tns1:RuleEngine/CellMotionDetector/Motion', 'tns1:VideoSource/MotionAlarm']);
    expect(msgs[0]).toMatchObject({
      ns: NS.wsnt,
      dialect: 'http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet',
      op: 'Changed',
      data: { IsMotion: 'true' },
    });
    expect(msgs[0]?.source.VideoSourceConfigurationToken).toBe('vsc2');
    expect(msgs[1]?.source.Source).toBe('vs2');
  });

  it('filters by topic, carries sensor values and starts with the current state', async () => {
    const dev = fleet.device(0);
    dev.raiseEvent({ kind: 'door', channel: 1, state: true });
    const addr = await subscribe('tnscs:Sensor//.|tns1:Device/Trigger/DigitalInput');
    let r = await pull(addr, 'PT0S');
    let msgs = messages(r.body);
    expect(msgs).toHaveLength(1);
    expect(msgs[0]).toMatchObject({ topic: 'tns1:Device/Trigger/DigitalInput', op: 'Initialized', data: { LogicalState: 'true' } });
    dev.raiseEvent({ kind: 'motion', channel: 1, state: true });
    dev.raiseEvent({ kind: 'temperature', channel: 1, value: 23.5 });
    dev.raiseEvent({ kind: 'water', channel: 1, state: true });
    dev.raiseEvent({ kind: 'co2', channel: 1, value: 1200 });
    dev.raiseEvent({ kind: 'light', channel: 1, value: 80 });
    dev.raiseEvent({ kind: 'pir', channel: 1, state: true });
    dev.raiseEvent({ kind: 'tamper', channel: 1, state: true });
    r = await pull(addr);
    msgs = messages(r.body);
    expect(msgs.map((m) => [m.topic, m.data])).toEqual([
      ['tnscs:Sensor/Temperature', { Value: '23.5' }],
      ['tnscs:Sensor/WaterLeak', { State: 'true' }],
      ['tnscs:Sensor/CO2', { Value: '1200' }],
      ['tnscs:Sensor/AmbientLight', { Value: '80' }],
      ['tnscs:Sensor/PIR', { State: 'true' }],
    ]);
  });

  it('renews, unsubscribes, and faults an unknown pull point', async () => {
    const addr = await subscribe();
    let r = await soapCall(addr, `<Renew xmlns="${NS.wsnt}"><TerminationTime>PT120S</TerminationTime></Renew>`, creds);
    expect(r.body?.local).toBe('RenewResponse');
    expect(r.body?.children.map((c) => c.local)).toEqual(['TerminationTime', 'CurrentTime']);
    r = await soapCall(addr, `<Unsubscribe xmlns="${NS.wsnt}"/>`, creds);
    expect(r.body?.local).toBe('UnsubscribeResponse');
    r = await pull(addr, 'PT0S');
    expect(r.status).toBe(400);
    expect(r.body?.local).toBe('Fault');
    expect(r.text).toContain('ResourceUnknownFault');
    r = await soapCall(addr, `<PullMessages ${TEV}><Timeout>PT1S</Timeout><MessageLimit>1</MessageLimit></PullMessages>`);
    expect(r.status).toBe(401);
  });

  it('lists its topics in GetEventProperties', async () => {
    const r = await soapCall(events, `<GetEventProperties ${TEV}/>`, creds);
    expect(r.status).toBe(200);
    const set = child(r.body, 'TopicSet', NS.wstop);
    expect(set?.children.map((c) => c.name)).toEqual(['tns1:RuleEngine', 'tns1:VideoSource', 'tns1:Device', 'tnscs:Sensor']);
  });
});

describe('camsim ONVIF PTZ', () => {
  it('ContinuousMove pans the picture until Stop; presets return to a position', async () => {
    const dev = fleet.device(0);
    dev.stream(1, 'main');
    pans.length = 0;
    let r = await soapCall(ptz, `<ContinuousMove ${TPTZ}><ProfileToken>ch1_main</ProfileToken><Velocity><PanTilt xmlns="${NS.tt}" x="1" y="0"/></Velocity><Timeout>PT5S</Timeout></ContinuousMove>`, creds);
    expect(r.body?.local).toBe('ContinuousMoveResponse');
    await new Promise((res) => setTimeout(res, 350));
    r = await soapCall(ptz, `<GetStatus ${TPTZ}><ProfileToken>ch1_main</ProfileToken></GetStatus>`, creds);
    expect(textAt(r.body, 'PTZStatus', 'MoveStatus', 'PanTilt')).toBe('MOVING');
    await soapCall(ptz, `<Stop ${TPTZ}><ProfileToken>ch1_main</ProfileToken><PanTilt>true</PanTilt></Stop>`, creds);
    r = await soapCall(ptz, `<GetStatus ${TPTZ}><ProfileToken>ch1_main</ProfileToken></GetStatus>`, creds);
    expect(textAt(r.body, 'PTZStatus', 'MoveStatus', 'PanTilt')).toBe('IDLE');
    const x = Number(child(child(child(r.body, 'PTZStatus'), 'Position'), 'PanTilt')?.attrs.x);
    expect(x).toBeGreaterThan(0.05);
    const ch1 = pans.filter((p) => p.channel === 1);
    expect(ch1.length).toBeGreaterThan(1);
    expect(ch1.at(-1)?.x).toBeCloseTo(x, 3);

    r = await soapCall(ptz, `<SetPreset ${TPTZ}><ProfileToken>ch1_main</ProfileToken><PresetName>door</PresetName></SetPreset>`, creds);
    const token = textAt(r.body, 'PresetToken') ?? '';
    await soapCall(ptz, `<AbsoluteMove ${TPTZ}><ProfileToken>ch1_main</ProfileToken><Position><PanTilt xmlns="${NS.tt}" x="-0.5" y="0.25"/></Position></AbsoluteMove>`, creds);
    expect(dev.channel(1)?.pan).toEqual({ x: -0.5, y: 0.25 });
    await soapCall(ptz, `<GotoPreset ${TPTZ}><ProfileToken>ch1_main</ProfileToken><PresetToken>${token}</PresetToken></GotoPreset>`, creds);
    expect(dev.channel(1)?.pan.x).toBeCloseTo(x, 3);
    r = await soapCall(ptz, `<GetPresets ${TPTZ}><ProfileToken>ch1_main</ProfileToken></GetPresets>`, creds);
    expect(children(r.body, 'Preset').map((p) => textAt(p, 'Name'))).toEqual(['door']);
  });

  it('faults out-of-range velocities and unknown presets', async () => {
    let r = await soapCall(ptz, `<ContinuousMove ${TPTZ}><ProfileToken>ch1_main</ProfileToken><Velocity><PanTilt xmlns="${NS.tt}" x="3" y="0"/></Velocity></ContinuousMove>`, creds);
    expect(r.status).toBe(400);
    expect(r.text).toContain('ter:InvalidVelocity');
    r = await soapCall(ptz, `<GotoPreset ${TPTZ}><ProfileToken>ch1_main</ProfileToken><PresetToken>nope</PresetToken></GotoPreset>`, creds);
    expect(r.text).toContain('ter:NoToken');
  });
});
