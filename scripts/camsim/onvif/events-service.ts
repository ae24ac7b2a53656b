import { randomUUID } from 'node:crypto';
import type { SimDevice } from '../device';
import type { DeviceEvent, EventKind } from '../device-types';
import { FLAVOUR_TOPICS, type TopicDef } from '../flavours';
import { eventCapsXml } from './device-service';
import type { OpContext, OpSpec } from './operation';
import { child, esc, isoSeconds, NS, OnvifFault, parseDuration, senderFault, textAt } from './xml';

// Event service, ONVIF Core §9 (event.wsdl): real-time pull point (CreatePullPointSubscription,
// PullMessages, Renew, Unsubscribe, SetSynchronizationPoint) over WS-BaseNotification messages.

const CONCRETE_SET = 'http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet';
const MAX_PULL_TIMEOUT_MS = 60_000;
const MAX_QUEUE = 1000;



const stateItem = (name: string) => ({ name, type: 'xs:boolean', value: (e: DeviceEvent) => String(e.state ?? false) });
const valueItem = { name: 'Value', type: 'xs:float', value: (e: DeviceEvent) => String(e.value ?? 0) };
const videoSource = (ch: number): [string, string][] => [['Source', `vs${ch}`]];

/** ONVIF Core Annex/Profile S topics where one exists; camsim's tnscs:Sensor/* for the sensors ONVIF leaves to vendors. */
export const TOPICS: Record<EventKind, TopicDef[]> = {
  motion: [
    {
      path: ['tns1:RuleEngine', 'tns1:CellMotionDetector', 'tns1:Motion'],
      source: (ch) => [
        ['VideoSourceConfigurationToken', `vsc${ch}`],
        ['VideoAnalyticsConfigurationToken', `vac${ch}`],
        ['Rule', 'MotionDetectorRule'],
      ],
      data: stateItem('IsMotion'),
    },
    { path: ['tns1:VideoSource', 'tns1:MotionAlarm'], source: videoSource, data: stateItem('State') },
  ],
  tamper: [{ path: ['tns1:VideoSource', 'tns1:GlobalSceneChange', 'tns1:ImagingService'], source: videoSource, data: stateItem('State') }],
  door: [{ path: ['tns1:Device', 'tns1:Trigger', 'tns1:DigitalInput'], source: (ch) => [['InputToken', `di${ch}`]], data: stateItem('LogicalState') }],
  pir: [{ path: ['tnscs:Sensor', 'tnscs:PIR'], source: videoSource, data: stateItem('State') }],
  water: [{ path: ['tnscs:Sensor', 'tnscs:WaterLeak'], source: videoSource, data: stateItem('State') }],
  temperature: [{ path: ['tnscs:Sensor', 'tnscs:Temperature'], source: videoSource, data: valueItem }],
  co2: [{ path: ['tnscs:Sensor', 'tnscs:CO2'], source: videoSource, data: valueItem }],
  light: [{ path: ['tnscs:Sensor', 'tnscs:AmbientLight'], source: videoSource, data: valueItem }],
};

interface Subscription {
  id: string;
  device: SimDevice;
  filter: string[][] | undefined;
  queue: string[];
  terminationMs: number;
  waiter: (() => void) | undefined;
  dispose: () => void;
}

const subscriptionsOf = new WeakMap<SimDevice, Map<string, Subscription>>();

function subs(device: SimDevice): Map<string, Subscription> {
  let m = subscriptionsOf.get(device);
  if (!m) {
    m = new Map();
    subscriptionsOf.set(device, m);
  }
  return m;
}

const strip = (seg: string) => seg.replace(/^[^:]*:/, '');

/** Concrete topic path: only the root carries the namespace prefix (WS-Topics §7, as ONVIF devices print it). */
function topicText(def: TopicDef): string {
  return def.keepPrefixes ? def.path.join('/') : def.path.map((seg, i) => (i === 0 ? seg : strip(seg))).join('/');
}

/** The topics a device raises for a kind: its flavour's where it has its own, else camsim's. */
function topicsOf(device: SimDevice, kind: EventKind): TopicDef[] {
  return FLAVOUR_TOPICS[device.flavour][kind] ?? TOPICS[kind];
}

/** TopicExpression (ConcreteSet dialect): alternatives split by '|', '//.' matching a whole subtree. */
function parseFilter(expr: string | undefined): string[][] | undefined {
  if (!expr || !expr.trim()) return undefined;
  return expr.split('|').map((alt) => alt.trim().replace(/\/\/[.*]$/, '').split('/').filter(Boolean).map(strip));
}

function matches(filter: string[][] | undefined, path: string[]): boolean {
  if (!filter) return true;
  const p = path.map(strip);
  return filter.some((f) => f.length <= p.length && f.every((seg, i) => seg === '*' || seg === p[i]));
}

function notification(def: TopicDef, e: DeviceEvent, op: 'Initialized' | 'Changed'): string {
  const items = (list: [string, string][]) => list.map(([n, v]) => `<tt:SimpleItem Name="${esc(n)}" Value="${esc(v)}"/>`).join('');
  return (
    `<wsnt:NotificationMessage><wsnt:Topic Dialect="${CONCRETE_SET}">${topicText(def)}</wsnt:Topic>` +
    `<wsnt:Message><tt:Message UtcTime="${isoSeconds(e.utcMs)}" PropertyOperation="${op}">` +
    `<tt:Source>${items(def.source(e.channel))}</tt:Source><tt:Data>${items([[def.data.name, def.data.value(e)]])}</tt:Data>` +
    `</tt:Message></wsnt:Message></wsnt:NotificationMessage>`
  );
}

function enqueue(sub: Subscription, e: DeviceEvent, op: 'Initialized' | 'Changed'): void {
  for (const def of topicsOf(sub.device, e.kind)) {
    if (!matches(sub.filter, def.path)) continue;
    sub.queue.push(notification(def, e, op));
    if (sub.queue.length > MAX_QUEUE) sub.queue.shift();
  }
  const w = sub.waiter;
  sub.waiter = undefined;
  w?.();
}

/** InitialTerminationTime / TerminationTime: an xs:duration or an absolute xs:dateTime. */
function terminationFrom(text: string | undefined, device: SimDevice, fallbackMs: number): number {
  if (!text) return Date.now() + fallbackMs;
  const d = parseDuration(text);
  if (d !== undefined) return Date.now() + d;
  const abs = Date.parse(text);
  if (Number.isFinite(abs)) return Date.now() + (abs - device.now());
  throw senderFault(['ter:InvalidArgVal'], 'Invalid termination time');
}

function removeSub(sub: Subscription): void {
  subs(sub.device).delete(sub.id);
  sub.dispose();
  const w = sub.waiter;
  sub.waiter = undefined;
  w?.();
}

function sweep(device: SimDevice): void {
  for (const s of [...subs(device).values()]) if (s.terminationMs <= Date.now()) removeSub(s);
}

function findSub(ctx: OpContext): Subscription {
  sweep(ctx.device);
  const id = /\/onvif\/events\/pullpoint\/([\w-]+)$/.exec(ctx.request.path)?.[1] ?? '';
  const sub = subs(ctx.device).get(id);
  if (!sub) {
    throw new OnvifFault({
      code: 'env:Sender',
      subcodes: ['ter:InvalidArgVal'],
      reason: 'Unknown or expired subscription',
      detail: `<wsrf-r:ResourceUnknownFault xmlns:wsrf-r="${NS.wsrfr}"><wsrf-r:Timestamp>${isoSeconds(ctx.device.now())}</wsrf-r:Timestamp></wsrf-r:ResourceUnknownFault>`,
    });
  }
  return sub;
}

const times = (device: SimDevice, sub: Subscription, prefix: 'tev' | 'wsnt') =>
  `<${prefix}:CurrentTime>${isoSeconds(device.now())}</${prefix}:CurrentTime>` +
  `<${prefix}:TerminationTime>${isoSeconds(sub.terminationMs + device.time.offsetMs)}</${prefix}:TerminationTime>`;

function createPullPoint(ctx: OpContext): string {
  const { device, op } = ctx;
  sweep(device);
  if (subs(device).size >= 32) {
    throw new OnvifFault({ code: 'env:Receiver', subcodes: ['ter:Action', 'ter:TooManySubscriptions'], reason: 'Too many pull points' });
  }
  const filterText = child(child(op, 'Filter'), 'TopicExpression')?.text;
  const id = randomUUID();
  const sub: Subscription = {
    id,
    device,
    filter: parseFilter(filterText),
    queue: [],
    terminationMs: terminationFrom(textAt(op, 'InitialTerminationTime'), device, 60_000),
    waiter: undefined,
    dispose: () => undefined,
  };
  const off = device.onEvent((e) => enqueue(sub, e, 'Changed'));
  const release = device.holdUntilDown(() => removeSub(sub));
  sub.dispose = () => {
    off();
    release();
  };
  subs(device).set(id, sub);
  // Property events start with their current state (ONVIF Core §9.2.3.1 "Initialized").
  for (const e of device.currentStates()) enqueue(sub, e, 'Initialized');
  const address = `${device.baseUrl}/onvif/events/pullpoint/${id}`;
  return (
    `<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>${esc(address)}</wsa:Address></tev:SubscriptionReference>` +
    times(device, sub, 'wsnt') +
    `</tev:CreatePullPointSubscriptionResponse>`
  );
}

async function pullMessages(ctx: OpContext): Promise<string> {
  const { device, op } = ctx;
  const sub = findSub(ctx);
  const timeout = parseDuration(textAt(op, 'Timeout') ?? '');
  const limit = Number(textAt(op, 'MessageLimit') ?? '');
  if (timeout === undefined || !Number.isInteger(limit) || limit < 1) {
    throw senderFault(['ter:InvalidArgVal'], 'PullMessages needs a Timeout duration and a positive MessageLimit');
  }
  if (sub.queue.length === 0) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        sub.waiter = undefined;
        resolve();
      }, Math.min(timeout, MAX_PULL_TIMEOUT_MS));
      sub.waiter = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
  const msgs = sub.queue.splice(0, limit);
  return `<tev:PullMessagesResponse>${times(device, sub, 'tev')}${msgs.join('')}</tev:PullMessagesResponse>`;
}

function topicSet(): string {
  interface Node {
    children: Map<string, Node>;
    def?: TopicDef;
  }
  const root: Node = { children: new Map() };
  for (const defs of Object.values(TOPICS)) {
    for (const def of defs) {
      let n = root;
      for (const seg of def.path) {
        let c = n.children.get(seg);
        if (!c) n.children.set(seg, (c = { children: new Map() }));
        n = c;
      }
      n.def = def;
    }
  }
  const render = (qname: string, n: Node, root: boolean): string => {
    const name = root ? qname : strip(qname);
    const desc = n.def
      ? `<tt:MessageDescription IsProperty="true"><tt:Source>` +
        n.def.source(1).map(([s]) => `<tt:SimpleItemDescription Name="${s}" Type="tt:ReferenceToken"/>`).join('') +
        `</tt:Source><tt:Data><tt:SimpleItemDescription Name="${n.def.data.name}" Type="${n.def.data.type}"/></tt:Data></tt:MessageDescription>`
      : '';
    return `<${name}${n.def ? ' wstop:topic="true"' : ''}>${desc}${[...n.children].map(([k, c]) => render(k, c, false)).join('')}</${name}>`;
  };
  return `<wstop:TopicSet xmlns:xs="http://www.w3.org/2001/XMLSchema">${[...root.children].map(([k, c]) => render(k, c, true)).join('')}</wstop:TopicSet>`;
}

export const eventOps: Record<string, OpSpec> = {
  GetServiceCapabilities: { access: 'PRE_AUTH', handle: () => `<tev:GetServiceCapabilitiesResponse>${eventCapsXml}</tev:GetServiceCapabilitiesResponse>` },
  GetEventProperties: {
    access: 'READ_MEDIA',
    handle: () =>
      `<tev:GetEventPropertiesResponse><tev:TopicNamespaceLocation>http://www.onvif.org/onvif/ver10/topics/topicns.xml</tev:TopicNamespaceLocation>` +
      `<wsnt:FixedTopicSet>true</wsnt:FixedTopicSet>${topicSet()}` +
      `<wsnt:TopicExpressionDialect>${CONCRETE_SET}</wsnt:TopicExpressionDialect>` +
      `<wsnt:TopicExpressionDialect>http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete</wsnt:TopicExpressionDialect>` +
      `<tev:MessageContentFilterDialect>http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter</tev:MessageContentFilterDialect>` +
      `<tev:MessageContentSchemaLocation>http://www.onvif.org/onvif/ver10/schema/onvif.xsd</tev:MessageContentSchemaLocation>` +
      `</tev:GetEventPropertiesResponse>`,
  },
  CreatePullPointSubscription: { access: 'READ_MEDIA', handle: createPullPoint },
};

/** Operations addressed to a pull point's own URL. */
export const subscriptionOps: Record<string, OpSpec> = {
  PullMessages: { access: 'READ_MEDIA', handle: pullMessages },
  Renew: {
    access: 'READ_MEDIA',
    handle: (ctx) => {
      const sub = findSub(ctx);
      sub.terminationMs = terminationFrom(textAt(ctx.op, 'TerminationTime'), ctx.device, 60_000);
      // WS-BaseNotification RenewResponse: TerminationTime first, then CurrentTime.
      return (
        `<wsnt:RenewResponse><wsnt:TerminationTime>${isoSeconds(sub.terminationMs + ctx.device.time.offsetMs)}</wsnt:TerminationTime>` +
        `<wsnt:CurrentTime>${isoSeconds(ctx.device.now())}</wsnt:CurrentTime></wsnt:RenewResponse>`
      );
    },
  },
  Unsubscribe: {
    access: 'READ_MEDIA',
    handle: (ctx) => {
      removeSub(findSub(ctx));
      return '<wsnt:UnsubscribeResponse/>';
    },
  },
  SetSynchronizationPoint: {
    access: 'READ_MEDIA',
    handle: (ctx) => {
      const sub = findSub(ctx);
      for (const e of ctx.device.currentStates()) enqueue(sub, e, 'Initialized');
      return '<tev:SetSynchronizationPointResponse/>';
    },
  },
};
