// Processing only as the account allows: not while restricted, and a purpose's data only under its current grant.
import type { CloudParsedBody, CloudSignedInRouteName } from '../../electron/contract/cloud';
import { TELEMETRY_PURPOSES, type Purpose } from '../domain';
import { HttpError } from '../http/http-error';
import { latestConsent } from '../repo/consents';
import type { AccountRow } from '../repo/rows';
import { countTelemetry } from '../repo/telemetry';
import type { ServiceDeps, SignedInRequest } from './route';

export function refuseIfRestricted(a: AccountRow): void {
  if (a.restricted === 1)
    throw new HttpError(403, 'processing_restricted', 'processing of this account is restricted at its request; lift the restriction first');
}

/** A purpose's data is taken only under a current grant, never while restricted, and telemetry never while objected. */
async function purposeRefusal(d: ServiceDeps, a: AccountRow, purpose: Purpose): Promise<HttpError | null> {
  if (a.restricted === 1) return new HttpError(403, 'processing_restricted', 'processing of this account is restricted at its request');
  if (a.objected === 1 && (TELEMETRY_PURPOSES as readonly string[]).includes(purpose))
    return new HttpError(403, 'objected', 'the account objects to processing; telemetry is refused');
  const latest = await latestConsent(d.db, a.id, purpose);
  if (latest?.action !== 'grant') return new HttpError(403, 'consent_required', `no current consent for ${purpose}`, { purpose });
  if (d.policyVersion !== null && latest.policy_version !== d.policyVersion)
    return new HttpError(403, 'consent_outdated', `consent for ${purpose} was given under policy ${latest.policy_version}; ask again under ${d.policyVersion}`, {
      purpose,
      policyVersion: d.policyVersion,
    });
  return null;
}

/** Refuses the body unless its purpose is granted (not parsed then), else parses it; a refused or invalid body is counted as refused. */
export async function readGated<K extends CloudSignedInRouteName>(
  d: ServiceDeps,
  c: SignedInRequest<K>,
  purpose: Purpose,
): Promise<{ input: CloudParsedBody<K>; bytes: number }> {
  const raw = await c.raw();
  const refusal = await purposeRefusal(d, c.auth.account, purpose);
  if (refusal) {
    await countTelemetry(d.db, c.auth.account.id, purpose, raw.length, false);
    throw refusal;
  }
  try {
    return { input: await c.body(), bytes: raw.length };
  } catch (err) {
    await countTelemetry(d.db, c.auth.account.id, purpose, raw.length, false);
    throw err;
  }
}

/** readGated, and the body counted as accepted. */
export async function gatedBody<K extends CloudSignedInRouteName>(d: ServiceDeps, c: SignedInRequest<K>, purpose: Purpose): Promise<CloudParsedBody<K>> {
  const { input, bytes } = await readGated(d, c, purpose);
  await countTelemetry(d.db, c.auth.account.id, purpose, bytes, true);
  return input;
}
