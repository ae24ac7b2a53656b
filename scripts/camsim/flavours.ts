// Device flavours: camsim answering in the shapes shipping cameras use (tests/fixtures/devices and their SOURCES.md),
// so the station is proven on more than camsim's own dialect. `generic` is camsim as it always was.
import type { DeviceEvent, DeviceIdentity, DeviceKind, EventKind } from './device-types';

export const FLAVOURS = ['generic', 'hikvision', 'dahua', 'axis'] as const;
export type Flavour = (typeof FLAVOURS)[number];

/** One ONVIF topic a flavour raises for an event kind. */
export interface TopicDef {
  /** Topic path segments with their namespace prefix (tns1 = ONVIF topics, tnscs = camsim's sensors, tnsaxis = Axis). */
  path: string[];
  source: (ch: number) => [string, string][];
  data: { name: string; type: string; value: (e: DeviceEvent) => string };
  /** Print every segment's prefix, as Axis does (tns1:RuleEngine/tnsaxis:VMD3/…); else only the root's. */
  keepPrefixes?: boolean;
}

const bool = (name: string) => ({ name, type: 'xs:boolean', value: (e: DeviceEvent) => String(e.state ?? false) });
const bit = (name: string) => ({ name, type: 'xs:int', value: (e: DeviceEvent) => (e.state ? '1' : '0') });
const rule = (ch: number, name: string): [string, string][] => [
  ['VideoSourceConfigurationToken', `VideoSourceToken_${ch}`], ['VideoAnalyticsConfigurationToken', `VideoAnalyticsToken_${ch}`], ['Rule', name],
];
/** Dahua's zero-padded source tokens: "000" is the first channel. */
const dahuaToken = (ch: number) => String(ch - 1).padStart(3, '0');

/** Topics per flavour where they differ from camsim's own (events-service.ts TOPICS). */
export const FLAVOUR_TOPICS: Record<Flavour, Partial<Record<EventKind, TopicDef[]>>> = {
  generic: {},
  hikvision: {
    motion: [{ path: ['tns1:RuleEngine', 'tns1:CellMotionDetector', 'tns1:Motion'], source: (ch) => rule(ch, 'MyMotionDetectorRule'), data: bool('IsMotion') }],
    tamper: [{ path: ['tns1:RuleEngine', 'tns1:TamperDetector', 'tns1:Tamper'], source: (ch) => rule(ch, 'MyTamperDetectorRule'), data: bool('IsTamper') }],
    door: [{ path: ['tns1:Device', 'tns1:Trigger', 'tns1:DigitalInput'], source: (ch) => [['InputToken', `AlarmIn_${ch}`]], data: bool('LogicalState') }],
  },
  dahua: {
    motion: [{ path: ['tns1:VideoSource', 'tns1:MotionAlarm'], source: (ch) => [['Source', dahuaToken(ch)]], data: bool('State') }],
    tamper: [{ path: ['tns1:VideoSource', 'tns1:GlobalSceneChange', 'tns1:ImagingService'], source: (ch) => [['Source', dahuaToken(ch)]], data: bool('State') }],
  },
  axis: {
    motion: [{ path: ['tns1:RuleEngine', 'tnsaxis:VMD3', 'tnsaxis:vmd3_video_1'], source: () => [['areaid', '0']], data: bit('active'), keepPrefixes: true }],
    tamper: [{ path: ['tns1:VideoSource', 'tnsaxis:Tampering'], source: (ch) => [['channel', String(ch)]], data: bit('tampering'), keepPrefixes: true }],
    door: [{ path: ['tns1:Device', 'tnsaxis:IO', 'tnsaxis:Port'], source: (ch) => [['port', String(ch)]], data: bit('state'), keepPrefixes: true }],
    pir: [{ path: ['tns1:Device', 'tnsaxis:Sensor', 'tnsaxis:PIR'], source: (ch) => [['sensor', String(ch - 1)]], data: bit('state'), keepPrefixes: true }],
  },
};

/** Identity as each vendor reports it (GetDeviceInformation, DHIP, magicBox). */
export function flavourIdentity(flavour: Flavour, kind: DeviceKind, base: DeviceIdentity): DeviceIdentity {
  if (flavour === 'hikvision') return { ...base, manufacturer: 'HIKVISION', model: kind === 'nvr' ? 'DS-7608NI-K2' : 'DS-2CD2143G2-I', firmware: 'V5.7.3 build 220112' };
  if (flavour === 'dahua') return { ...base, manufacturer: 'Dahua', model: kind === 'nvr' ? 'DHI-NVR4108HS-8P-4KS2' : 'IPC-HDW2431T-AS-S2', firmware: '2.800.0000000.25.R' };
  if (flavour === 'axis') return { ...base, manufacturer: 'AXIS', model: 'M3085-V', firmware: '11.8.64' };
  return base;
}

/** The ONVIF name scope's value: Hikvision "HIKVISION <model>", Dahua "Dahua", Axis "AXIS <model>"; camsim its hostname. */
export function flavourName(flavour: Flavour, identity: DeviceIdentity, hostname: string): string {
  if (flavour === 'hikvision') return `HIKVISION ${identity.model}`;
  if (flavour === 'dahua') return 'Dahua';
  if (flavour === 'axis') return `AXIS ${identity.model}`;
  return hostname;
}

/** Who answers DHIP and how: Dahua firmware with request id 0 and a NUL after the JSON; Hikvision and Axis not at all. */
export function dhipStyle(flavour: Flavour): 'camsim' | 'firmware' | 'none' {
  return flavour === 'dahua' ? 'firmware' : flavour === 'generic' ? 'camsim' : 'none';
}

/** The HTTP digest challenge: Axis offers SHA-256 before MD5; the others MD5. */
export function digestAlgorithms(flavour: Flavour): ('SHA-256' | 'MD5')[] {
  return flavour === 'axis' ? ['SHA-256', 'MD5'] : ['MD5'];
}
