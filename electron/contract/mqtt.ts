// MQTT publishing: the station's events, alarms, channel status and health sent to an MQTT broker the user names
// (Home Assistant, Frigate-style topics; see README "MQTT"). Off by default; the password is kept in the SecretStore.
import { z } from 'zod';
import { call, needs, NoInput } from './common';
import { Refusal } from './errors';

/** mqtt:// or mqtts:// with a host, and no user or password in it (they have their own fields, the password a secret). */
export const BrokerUrl = z
  .string()
  .trim()
  .max(500)
  .refine((u) => { try { return /^mqtts?:$/.test(new URL(u).protocol) && new URL(u).hostname !== ''; } catch { return false; } }, 'field.notMqttUrl')
  .refine((u) => { try { const p = new URL(u); return !p.username && !p.password; } catch { return true; } }, 'field.credentialsInUrl');

/** The first level(s) of every topic: no wildcards, no spaces, no empty level, no leading or trailing slash. */
export const TopicPrefix = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((p) => !/[+#\s\0]/.test(p) && !p.split('/').includes(''), 'field.notTopicPrefix');

export const MQTT_DEFAULT_PREFIX = 'watchpost';

export const MqttSettings = z.object({
  enabled: z.boolean(),
  brokerUrl: BrokerUrl,
  username: z.string().trim().max(200),
  topicPrefix: TopicPrefix,
});
export type MqttSettings = z.infer<typeof MqttSettings>;

/** The settings as pages see them: whether a password is kept, never the password. */
export const MqttConfig = MqttSettings.extend({ hasPassword: z.boolean() });
export type MqttConfig = z.infer<typeof MqttConfig>;

export const MQTT_STATES = ['off', 'connecting', 'connected', 'error'] as const;
export const MqttStatus = z.object({
  state: z.enum(MQTT_STATES),
  /** Why the last connection failed (the client keeps retrying while it says so). */
  error: Refusal.optional(),
  /** When the broker last took a message from the station (epoch ms), and how many since the station started. */
  lastMessageAt: z.number().nullable(),
  messagesSent: z.number().int().nonnegative(),
});
export type MqttStatus = z.infer<typeof MqttStatus>;

const MqttState = z.object({ settings: MqttConfig, status: MqttStatus });

/** `password`: absent keeps the stored one, '' removes it. */
const password = z.string().max(200).optional();

export const mqttCalls = {
  'mqtt.get': call(needs.station('settings'), NoInput, MqttState),
  'mqtt.set': call(needs.station('settings'), MqttSettings.extend({ password }).strict(), MqttState),
  /** Connects once with these settings (the stored password when none is given) and says whether the broker took them. */
  'mqtt.test': call(needs.station('settings'), MqttSettings.omit({ enabled: true, topicPrefix: true }).extend({ password }).strict(),
    z.object({ ok: z.boolean(), error: Refusal.optional() })),
} as const;

export const mqttSignals = {
  'mqtt.status': MqttStatus,
} as const;
