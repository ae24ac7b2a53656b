// The privacy settings document, the consent ledger, restriction and objection, and the export of everything held.
import type { CloudConsentRecord } from '../../electron/contract/cloud';
import { PURPOSES, type Purpose } from '../domain';
import { buildExport } from '../export-document';
import { HttpError } from '../http/http-error';
import { setRightsFlags } from '../repo/accounts';
import { deleteHostedDevices } from '../repo/account-services';
import { appendConsent, listConsents } from '../repo/consents';
import { getSettings, putSettings } from '../repo/settings';
import { consentOut, settingsOut } from '../replies';
import { requireConfirmation } from './mail';
import { refuseIfRestricted } from './purpose-gate';
import { logSignedIn, now, serve, subjectOf, type RouteDef } from './route';
import { emailKey } from './throttle';

const etagOf = (version: number) => `"${version}"`;

/** Parses If-Match: `"N"`, `W/"N"` or `*`; null means any version. */
function parseIfMatch(header: string | undefined): number | null {
  if (header === undefined) throw new HttpError(428, 'precondition_required', 'If-Match with the settings ETag is required');
  const h = header.trim();
  if (h === '*') return null;
  const m = /^(?:W\/)?"(\d+)"$/.exec(h);
  if (!m) throw new HttpError(412, 'precondition_failed', 'If-Match must be the ETag returned by GET /v1/settings');
  return Number(m[1]);
}

export const privacyRoutes: RouteDef[] = [
  serve('GET /v1/settings', async (d, c) => {
    const s = (await getSettings(d.db, c.auth.account.id))!;
    const etag = etagOf(s.version);
    if (c.req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
    return { status: 200, body: settingsOut(s), headers: { etag } };
  }),
  serve('PUT /v1/settings', async (d, c) => {
    refuseIfRestricted(c.auth.account);
    const expected = parseIfMatch(c.req.headers['if-match']);
    const input = await c.body();
    const r = await putSettings(d.db, c.auth.account.id, expected, JSON.stringify(input.settings), now(d));
    if (!r.ok)
      throw new HttpError(
        412,
        'precondition_failed',
        `settings changed since version ${expected}; fetch version ${r.current.version} and merge`,
        { currentVersion: r.current.version, current: settingsOut(r.current) },
        { etag: etagOf(r.current.version) },
      );
    return {
      status: 200,
      body: { version: r.row.version, updatedAt: r.row.updated_at, settings: input.settings },
      headers: { etag: etagOf(r.row.version) },
    };
  }),
  serve('GET /v1/consents', async (d, c) => {
    const records = (await listConsents(d.db, c.auth.account.id)).map(consentOut);
    // Records are oldest first: the last of a purpose is its current one.
    const current = Object.fromEntries(PURPOSES.map((p) => [p, records.findLast((r) => r.purpose === p) ?? null]));
    return { status: 200, body: { records, current: current as Record<Purpose, CloudConsentRecord | null> } };
  }),
  serve('POST /v1/consents', async (d, c) => {
    const input = await c.body();
    // A grant lets data leave the user's computers: only with the password typed again a moment ago (a withdrawal needs none).
    if (input.action === 'grant') requireConfirmation(d, c);
    const row = await d.db.tx(async (tx) => {
      // Hosting shows the devices to others: withdrawing it takes every hosted list down at once.
      if (input.purpose === 'device_hosting' && input.action === 'withdraw') await deleteHostedDevices(tx, c.auth.account.id);
      return appendConsent(tx, { accountId: c.auth.account.id, subject: subjectOf(d, c.auth.account.id), ...input, recordedAt: now(d) });
    });
    return { status: 201, body: { record: consentOut(row) } };
  }),
  serve('GET /v1/rights', async (_d, c) => ({
    status: 200,
    body: { restricted: c.auth.account.restricted === 1, objected: c.auth.account.objected === 1 },
  })),
  serve('PUT /v1/rights', async (d, c) => {
    const input = await c.body();
    const a = await setRightsFlags(d.db, c.auth.account.id, input, now(d));
    return { status: 200, body: { restricted: a.restricted === 1, objected: a.objected === 1 } };
  }),
  serve('GET /v1/export', async (d, c) => {
    // The whole of the account leaves in one answer: only with the password typed again a moment ago.
    requireConfirmation(d, c);
    await logSignedIn(d, c, 'export');
    const body = await buildExport(d.db, {
      accountId: c.auth.account.id,
      region: d.region,
      nowMs: d.clock(),
      emailThrottleKey: emailKey(d, c.auth.account.email),
      throttleWindowMs: d.throttle.windowMs,
    });
    return { status: 200, body, headers: { 'content-disposition': 'attachment; filename="watchpost-cloud-export.json"' } };
  }),
];
