// Telemetry ingestion under the account's grant, and what each purpose received.
import type { PurposeUsage } from '../../electron/contract/cloud';
import { TELEMETRY_PURPOSES, type TelemetryPurpose } from '../domain';
import { HttpError } from '../http/http-error';
import { insertTelemetry, telemetryCounters } from '../repo/telemetry';
import { usageOut } from '../replies';
import { readGated } from './purpose-gate';
import { now, serve, type RouteDef } from './route';

const isTelemetryPurpose = (p: string | undefined): p is TelemetryPurpose => (TELEMETRY_PURPOSES as readonly (string | undefined)[]).includes(p);

export const telemetryRoutes: RouteDef[] = [
  serve('POST /v1/telemetry/:purpose', async (d, c) => {
    const purpose = c.params.purpose;
    if (!isTelemetryPurpose(purpose)) throw new HttpError(404, 'not_found', `telemetry is accepted only for ${TELEMETRY_PURPOSES.join(', ')}`);
    const { input, bytes } = await readGated(d, c, purpose);
    await insertTelemetry(d.db, { accountId: c.auth.account.id, purpose, receivedAt: now(d), bytes, payload: JSON.stringify(input.events) });
    return { status: 202, body: { accepted: input.events.length, bytes } };
  }),
  serve('GET /v1/telemetry/usage', async (d, c) => {
    const rows = await telemetryCounters(d.db, c.auth.account.id);
    const usage: Record<string, PurposeUsage> = {};
    for (const p of TELEMETRY_PURPOSES) usage[p] = { receivedBytes: 0, acceptedBytes: 0, acceptedBatches: 0, refusedBatches: 0 };
    for (const r of rows) usage[r.purpose] = usageOut(r);
    return { status: 200, body: { usage } };
  }),
];
