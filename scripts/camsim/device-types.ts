// What a simulated device is made of (users, identity, ports, channels, clock, events), for device.ts and the protocol
// modules that read and change it; no logic, so every module can import it without importing device.ts.
import type { TalkRecord } from './talk';
import type { Profile, SceneSpec, StreamSpec } from './types';

export type UserLevel = 'Administrator' | 'Operator' | 'User';
export interface DeviceUser {
  username: string;
  password: string;
  level: UserLevel;
}

export type DeviceKind = 'camera' | 'nvr';
export type PortMode = 'standard' | 'offset' | 'ephemeral';

export type EventKind = 'motion' | 'tamper' | 'door' | 'pir' | 'temperature' | 'water' | 'co2' | 'light';
export const EVENT_KINDS: readonly EventKind[] = ['motion', 'tamper', 'door', 'pir', 'temperature', 'water', 'co2', 'light'];
/** Kinds that carry a measured value rather than an on/off state. */
export const VALUE_EVENT_KINDS: ReadonlySet<EventKind> = new Set(['temperature', 'co2', 'light']);

export interface DeviceEvent {
  kind: EventKind;
  channel: number;
  utcMs: number;
  /** For state kinds (motion, tamper, door, pir, water). */
  state?: boolean;
  /** For value kinds: °C, ppm, lux. */
  value?: number;
}

export interface DeviceIdentity {
  manufacturer: string;
  model: string;
  firmware: string;
  serial: string;
  hardwareId: string;
  mac: string;
}

export interface DevicePorts {
  http: number;
  rtsp: number;
  wsDiscovery: number;
  dhip: number;
}

export interface ChannelState {
  channel: number;
  name: string;
  specs: Record<Profile, StreamSpec>;
  pan: { x: number; y: number };
  velocity: { x: number; y: number };
  moveUntil: number;
  presets: Map<string, { name: string; x: number; y: number }>;
  /** Still pattern and drawn motion, the same on main and sub. */
  scene: SceneSpec;
  /** The channel has a speaker (cameras do, NVR channels not): clients may talk to it (talk.ts). */
  speaker: boolean;
  /** What clients said to the speaker, oldest first (talk.ts). */
  talks: TalkRecord[];
}

export interface TimeSettings {
  type: 'Manual' | 'NTP';
  daylightSavings: boolean;
  tz: string;
  /** Device clock minus host clock. */
  offsetMs: number;
  ntpServer: string;
}
