import { XMLParser } from 'fast-xml-parser';
import { usernameToken } from '../net/soap';
import { sleep, type DeviceEvent, type DeviceEventKind, type DeviceEventSource, type DeviceEventSourceOptions } from './device-event-source';

// ONVIF events (Core §9) over a PullPoint: CreatePullPointSubscription, long-poll PullMessages, Renew, Unsubscribe.

const MAX_BODY = 1024 * 1024;
const NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  wsa: 'http://www.w3.org/2005/08/addressing',
};

const parser = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@_', removeNSPrefix: true, processEntities: false, parseTagValue: false, parseAttributeValue: false,
  isArray: (name) => name === 'NotificationMessage' || name === 'SimpleItem',
});


type Node = Record<string, unknown>;
const obj = (v: unknown): Node => (v && typeof v === 'object' ? (v as Node) : {});
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'object' && v && '#text' in v ? String((v as Node)['#text']) : '');

/**
 * Topic (namespace prefixes dropped) -> kind. ONVIF's own topics as Hikvision, Dahua, Uniview and Amcrest send them, Axis's
 * tnsaxis topics, Reolink's MyRuleDetector and TP-Link's CellMotionDetector variants, and camsim's tnscs:Sensor/* ones
 * (fixtures: tests/fixtures/devices/<vendor>/pull-*.xml).
 */
const TOPIC_KINDS: [RegExp, DeviceEventKind][] = [
  [/^RuleEngine\/CellMotionDetector\/Motion$/, 'motion'],
  [/^RuleEngine\/MotionRegionDetector\/Motion$/, 'motion'],
  [/^VideoSource\/MotionAlarm$/, 'motion'],
  [/^VideoAnalytics\/MotionDetection$/, 'motion'],
  [/^RuleEngine\/VMD\d*\//, 'motion'],
  [/^RuleEngine\/MyRuleDetector\/(PeopleDetect|VehicleDetect|DogCatDetect|FaceDetect)$/, 'motion'],
  [/^RuleEngine\/(PeopleDetector\/People|CellMotionDetector\/TpSmartEvent|TPSmartEventDetector\/TPSmartEvent)$/, 'motion'],
  [/^RuleEngine\/FieldDetector\/ObjectsInside$/, 'intrusion'],
  [/^RuleEngine\/(LineDetector\/Crossed|CellMotionDetector\/LineCross)$/, 'line_crossing'],
  [/^RuleEngine\/TamperDetector\/Tamper$/, 'tamper'],
  [/^VideoSource\/GlobalSceneChange/, 'tamper'],
  [/^VideoSource\/ImageToo(Blurry|Dark|Bright)/, 'tamper'],
  [/^VideoSource\/Tampering$/, 'tamper'],
  [/^Device\/Trigger\/DigitalInput$/, 'door'],
  [/^Device\/IO\/Port$/, 'door'],
  [/^Device\/Sensor\/PIR$/, 'pir'],
  [/^AudioAnalytics\/Audio\/DetectedSound$/, 'audio'],
  [/^AudioSource\/TriggerLevel$/, 'audio'],
  // Axis: the housing outside its operating range (Above, Below, or either; Inside is the all-clear and not an alarm).
  [/^Device\/Status\/Temperature\/(Above|Below|Above_or_below)$/, 'temperature_alarm'],
  [/^Sensor\/PIR$/, 'pir'],
  [/^Sensor\/WaterLeak$/, 'water'],
  [/^Sensor\/Temperature$/, 'temperature'],
  [/^Sensor\/CO2$/, 'co2'],
  [/^Sensor\/AmbientLight$/, 'light'],
];

/** The kind a topic (with or without namespace prefixes) maps to; undefined for topics the station does not record. */
export function topicKind(topic: string): DeviceEventKind | undefined {
  const bare = topic.trim().split('/').map((s) => s.replace(/^[^:]*:/, '')).join('/');
  return TOPIC_KINDS.find(([re]) => re.test(bare))?.[1];
}

/** Items whose value names the channel, most telling first (video source before rule or input names). */
const CHANNEL_ITEMS = ['VideoSourceConfigurationToken', 'VideoSourceToken', 'Source', 'InputToken', 'port', 'channel', 'Channel'];

/**
 * The 1-based channel a message's Source names: the trailing number of its most telling item. A zero-padded number
 * ("00000", Dahua) counts from 0, a plain one ("VideoSource_1", "AlarmIn_2") from 1; no number at all is channel 1.
 */
function channelOf(source: Record<string, string>): number {
  const keys = [...CHANNEL_ITEMS.filter((k) => k in source), ...Object.keys(source).filter((k) => !CHANNEL_ITEMS.includes(k))];
  for (const k of keys) {
    const m = /(\d{1,6})$/.exec(source[k] ?? '');
    if (!m) continue;
    const n = Number(m[1]);
    const ch = m[1]!.length > 1 && m[1]!.startsWith('0') ? n + 1 : Math.max(n, 1);
    return Math.min(ch, 1024);
  }
  return 1;
}

const TRUE_WORDS = new Set(['true', '1', 'active', 'on']);

/**
 * NotificationMessages of a PullMessagesResponse as device events (CellMotionDetector and MotionAlarm often both come for
 * one motion: the source passes the second over). A line crossing is an instant: every message but the device's initial
 * state report is one crossing.
 */
export function parseNotifications(body: Node, clock: () => number): DeviceEvent[] {
  const out: DeviceEvent[] = [];
  for (const n of ((body.NotificationMessage as unknown[] | undefined) ?? []).slice(0, 1000)) {
    const kind = topicKind(text(obj(n).Topic));
    if (!kind) continue;
    const msg = obj(obj(obj(n).Message).Message);
    const items = (el: unknown) => Object.fromEntries(((obj(el).SimpleItem as unknown[] | undefined) ?? []).slice(0, 32)
      .map((i) => [String(obj(i)['@_Name']).slice(0, 64), String(obj(i)['@_Value']).slice(0, 256)]));
    const source = items(msg.Source);
    const data = Object.values(items(msg.Data))[0] ?? '';
    const at = Date.parse(String(msg['@_UtcTime'] ?? '')) || clock();
    const initial = msg['@_PropertyOperation'] === 'Initialized';
    const e: DeviceEvent = { kind, channel: channelOf(source), at, initial };
    if (kind === 'temperature' || kind === 'co2' || kind === 'light') {
      const v = Number(data);
      if (!Number.isFinite(v) || data.trim() === '') continue;
      e.value = v;
    } else if (kind === 'line_crossing') {
      if (initial || data === 'false') continue;
      e.state = true;
    } else e.state = TRUE_WORDS.has(data.trim().toLowerCase());
    out.push(e);
  }
  return out;
}

/** A SOAP reply's Body, parsed with the bounds every reply gets (size cap, no DTD); throws on what is not one. */
export function soapBody(xml: string): Node {
  if (xml.length > MAX_BODY) throw new Error('ONVIF reply over the size limit');
  if (/<!DOCTYPE/i.test(xml)) throw new Error('ONVIF reply carries a DTD');
  const env = obj(obj(parser.parse(xml)).Envelope);
  if (!('Body' in env)) throw new Error('ONVIF reply is not a SOAP envelope');
  return obj(env.Body);
}

class SoapFault extends Error {}

/** Subscribes, long-polls, renews before the termination time and re-subscribes after any error with backoff. */
export class OnvifPullPointSource implements DeviceEventSource {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private subscription: string | undefined;
  private readonly lastState = new Map<string, boolean>();
  private readonly clock: () => number;

  constructor(private readonly opts: DeviceEventSourceOptions & { pullTimeoutS?: number; terminationS?: number }) {
    this.clock = opts.clock ?? Date.now;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async soap(url: string, action: string, operation: string, timeoutMs: number): Promise<Node> {
    const header = usernameToken({ username: this.opts.username, password: this.opts.password }, this.clock()) + `<wsa:Action xmlns:wsa="${NS.wsa}">${action}</wsa:Action>`;
    const envelope = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.env}"><s:Header>${header}</s:Header><s:Body>${operation}</s:Body></s:Envelope>`;
    const res = await fetch(url, {
      method: 'POST', body: envelope,
      headers: { 'Content-Type': `application/soap+xml; charset=utf-8; action="${action}"` },
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(timeoutMs)]),
    });
    const len = Number(res.headers.get('content-length') ?? 0);
    if (len > MAX_BODY) throw new Error(`ONVIF reply of ${len} bytes is over the limit`);
    const body = soapBody(await res.text());
    if (body.Fault || !res.ok) {
      const reason = text(obj(obj(body.Fault).Reason).Text) || `HTTP ${res.status}`;
      throw new SoapFault(`ONVIF fault: ${reason}`);
    }
    return body;
  }

  /**
   * Whether an event says something new: many devices send CellMotionDetector and MotionAlarm for one motion, so a state
   * a kind and channel already have is passed over (instants such as line crossings always count).
   */
  private changes(e: DeviceEvent): boolean {
    if (e.state === undefined || e.kind === 'line_crossing') return true;
    const key = `${e.kind}:${e.channel}`;
    if (!e.initial && this.lastState.get(key) === e.state) return false;
    this.lastState.set(key, e.state);
    return true;
  }

  private async subscribe(): Promise<string> {
    const term = this.opts.terminationS ?? 60;
    const body = await this.soap(this.opts.url, `${NS.tev}/EventPortType/CreatePullPointSubscriptionRequest`,
      `<tev:CreatePullPointSubscription xmlns:tev="${NS.tev}"><tev:InitialTerminationTime>PT${term}S</tev:InitialTerminationTime></tev:CreatePullPointSubscription>`, 10_000);
    const address = text(obj(obj(body.CreatePullPointSubscriptionResponse).SubscriptionReference).Address).trim();
    if (!/^https?:\/\//.test(address)) throw new Error('CreatePullPointSubscription returned no address');
    return address;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let delay = this.opts.retryMs ?? 1000;
    const term = this.opts.terminationS ?? 60;
    const pullS = Math.min(this.opts.pullTimeoutS ?? 5, term / 2);
    while (!signal.aborted) {
      try {
        this.opts.onState?.({ state: 'connecting' });
        this.subscription = await this.subscribe();
        // A new subscription reports the current state again.
        this.lastState.clear();
        this.opts.onState?.({ state: 'connected' });
        delay = this.opts.retryMs ?? 1000;
        let renewAt = this.clock() + (term * 1000) / 2;
        while (!signal.aborted) {
          const body = await this.soap(this.subscription, `${NS.tev}/PullPointSubscription/PullMessagesRequest`,
            `<tev:PullMessages xmlns:tev="${NS.tev}"><tev:Timeout>PT${pullS}S</tev:Timeout><tev:MessageLimit>100</tev:MessageLimit></tev:PullMessages>`, (pullS + 10) * 1000);
          for (const e of parseNotifications(obj(body.PullMessagesResponse), this.clock)) if (this.changes(e)) this.opts.onEvent(e);
          if (this.clock() >= renewAt) {
            await this.soap(this.subscription, `${NS.wsnt}/SubscriptionManager/RenewRequest`,
              `<wsnt:Renew xmlns:wsnt="${NS.wsnt}"><wsnt:TerminationTime>PT${term}S</wsnt:TerminationTime></wsnt:Renew>`, 10_000);
            renewAt = this.clock() + (term * 1000) / 2;
          }
        }
      } catch (err) {
        if (signal.aborted) break;
        this.subscription = undefined;
        this.opts.onState?.({ state: 'error', error: (err as Error).message });
        await sleep(delay, signal);
        delay = Math.min(delay * 2, this.opts.maxRetryMs ?? 30_000);
      }
    }
  }

  async dispose(): Promise<void> {
    const sub = this.subscription;
    this.abort.abort();
    await this.loop?.catch(() => {});
    if (sub) {
      // Frees the device's pull point now instead of at its termination time.
      const envelope = `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.env}"><s:Header>${usernameToken({ username: this.opts.username, password: this.opts.password }, this.clock())}</s:Header><s:Body><wsnt:Unsubscribe xmlns:wsnt="${NS.wsnt}"/></s:Body></s:Envelope>`;
      await fetch(sub, { method: 'POST', body: envelope, headers: { 'Content-Type': 'application/soap+xml; charset=utf-8' }, signal: AbortSignal.timeout(2000) })
        .then((r) => r.arrayBuffer()).catch(() => {});
    }
  }
}
