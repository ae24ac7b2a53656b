// The privacy settings document (optimistic concurrency), the consent ledger, and restriction and objection.
import { z } from 'zod';
import { ConsentRecord, PRIVACY_PURPOSES } from '../privacy';
import { NoBody, SETTINGS_MAX_BYTES, iso, route } from './common';

export const SettingsBody = z.strictObject({
  settings: z
    .record(z.string(), z.unknown())
    .refine((s) => new TextEncoder().encode(JSON.stringify(s)).length <= SETTINGS_MAX_BYTES, `must be at most ${SETTINGS_MAX_BYTES} bytes`),
});

/** The settings document as stored: free-form for the station, kept verbatim. */
export const SettingsDocument = z.strictObject({ version: z.number(), updatedAt: iso, settings: z.record(z.string(), z.unknown()) });
export type SettingsDocument = z.infer<typeof SettingsDocument>;

export const ConsentBody = z.strictObject({
  purpose: z.enum(PRIVACY_PURPOSES, { error: `must be one of ${PRIVACY_PURPOSES.join(', ')}` }),
  action: z.enum(['grant', 'withdraw'], { error: 'must be grant or withdraw' }),
  policyVersion: z.string().min(1, 'is required').max(64),
  policyTextHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be the lowercase hex SHA-256 of the policy text shown'),
  appVersion: z.string().min(1, 'is required').max(64),
  locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag'),
});

/** One ledger record, as the station keeps it too; the time is the server's. */
export const CloudConsentRecord = z.strictObject({
  id: z.number(),
  ...ConsentRecord.pick({ purpose: true, action: true, policyVersion: true, policyTextHash: true, appVersion: true, locale: true }).shape,
  recordedAt: iso,
});
export type CloudConsentRecord = z.infer<typeof CloudConsentRecord>;

export const RightsBody = z
  .strictObject({ restricted: z.boolean().optional(), objected: z.boolean().optional() })
  .refine((r) => r.restricted !== undefined || r.objected !== undefined, { message: 'must set restricted or objected' });
export const Rights = z.strictObject({ restricted: z.boolean(), objected: z.boolean() });

export const settingsRoutes = {
  /** With `ETag: "<version>"`; `If-None-Match` answers 304. */
  'GET /v1/settings': route(200, NoBody, SettingsDocument),
  /** Needs `If-Match: "<version>"` (or `*`); 412 carries the current document in `error.current` to merge and retry. */
  'PUT /v1/settings': route(200, SettingsBody, SettingsDocument),
  /** Oldest first, and the latest record of each purpose (null: never chosen). */
  'GET /v1/consents': route(200, NoBody, z.strictObject({
    records: z.array(CloudConsentRecord),
    current: z.record(z.enum(PRIVACY_PURPOSES), CloudConsentRecord.nullable()),
  })),
  'POST /v1/consents': route(201, ConsentBody, z.strictObject({ record: CloudConsentRecord })),
  'GET /v1/rights': route(200, NoBody, Rights),
  'PUT /v1/rights': route(200, RightsBody, Rights),
} as const;
