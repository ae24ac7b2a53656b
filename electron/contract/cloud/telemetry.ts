// Telemetry: taken only under the account's latest grant for its purpose, and counted even when refused.
import { z } from 'zod';
import { NoBody, route } from './common';

export const TelemetryBody = z.strictObject({
  events: z.array(z.record(z.string(), z.unknown())).min(1, 'must hold at least one event').max(1000),
});

export const PurposeUsage = z.strictObject({
  receivedBytes: z.number(),
  acceptedBytes: z.number(),
  acceptedBatches: z.number(),
  refusedBatches: z.number(),
});
export type PurposeUsage = z.infer<typeof PurposeUsage>;

export const telemetryRoutes = {
  /** `:purpose` is user_experience_plan or device_experience_program (else 404). */
  'POST /v1/telemetry/:purpose': route(202, TelemetryBody, z.strictObject({ accepted: z.number(), bytes: z.number() })),
  /** Bytes received and accepted per purpose: the telemetry purposes always, the other consent-gated ones once they got a body. */
  'GET /v1/telemetry/usage': route(200, NoBody, z.strictObject({ usage: z.record(z.string(), PurposeUsage) })),
} as const;
