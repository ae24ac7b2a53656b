// Which purposes may send data now, and the gate every cloud request passes: it names the grant for the ledger or refuses.
import { createHash } from 'node:crypto';
import {
  BUILT_IN_POLICY_VERSION, PRIVACY_PURPOSES, PURPOSE_TEXT, TELEMETRY_PURPOSES,
  type PrivacyPurpose, type PurposeState, type TelemetryPurpose, type TransmissionPurpose,
} from '../../contract';
import type { Db } from '../storage/db';
import { ConsentGateClosed, type ConsentGate } from './cloud-transport';
import type { ClockedField } from './field-merge';
import * as store from './privacy-store';

/** A consent as the settings document holds it: the choice and the policy it was made under. */
export interface ConsentValue { granted: boolean; policyVersion: string }

export const consentKey = (p: PrivacyPurpose) => `consent.${p}`;
export const isTelemetry = (p: string): p is TelemetryPurpose => (TELEMETRY_PURPOSES as readonly string[]).includes(p);

/** The text shown beside a purpose's switch, hashed with the policy version: recorded with every consent. */
export function policyTextHash(purpose: PrivacyPurpose, version: string): string {
  const t = PURPOSE_TEXT[purpose];
  return createHash('sha256').update([version, t.title, t.summary, t.policyData, t.stationSends].join('\n')).digest('hex');
}

export function policyVersion(db: Db): string {
  return store.getMeta(db, 'policyVersion') ?? BUILT_IN_POLICY_VERSION;
}

function consentValue(fields: Map<string, ClockedField>, p: PrivacyPurpose): ConsentValue | null {
  const v = fields.get(consentKey(p))?.value as Partial<ConsentValue> | undefined;
  return v && typeof v.granted === 'boolean' && typeof v.policyVersion === 'string' ? { granted: v.granted, policyVersion: v.policyVersion } : null;
}

/** Each purpose's switch as stored, and whether its data may go out now. */
export function purposeStates(db: Db, sessionEnded: boolean): PurposeState[] {
  const fields = store.listFields(db);
  const account = store.getAccount(db);
  const outbox = store.listOutbox(db);
  const version = policyVersion(db);
  return PRIVACY_PURPOSES.map((purpose) => {
    const v = consentValue(fields, purpose);
    const granted = v?.granted ?? false;
    const needsReconsent = granted && v!.policyVersion !== version;
    const pending = outbox.some((e) => e.kind === 'consent' && e.payload.purpose === purpose);
    const active = granted && !needsReconsent && !pending && account !== null && !account.restricted && !account.objected && !sessionEnded;
    return { purpose, granted, policyVersion: v?.policyVersion ?? null, needsReconsent, active, pending, changedAt: store.fieldUpdatedAt(db, consentKey(purpose)) };
  });
}

/** The grant that lets a purpose's data go out now, described for the ledger; throws when there is none. */
function grantFor(db: Db, sessionEnded: boolean, purpose: PrivacyPurpose): string {
  const account = store.getAccount(db);
  const s = purposeStates(db, sessionEnded).find((p) => p.purpose === purpose)!;
  if (!s.active) {
    const why = !s.granted ? 'not granted' : s.needsReconsent ? 'granted under an older policy; asking again'
      : s.pending ? 'grant not yet recorded in the cloud' : account?.restricted ? 'processing restricted by you'
        : account?.objected ? 'you object to processing' : 'not signed in';
    throw new ConsentGateClosed(purpose, why);
  }
  const grant = store.listConsents(db).filter((c) => c.purpose === purpose).at(-1);
  return `grant${grant?.cloudId ? ` #${grant.cloudId}` : ''} recorded ${grant?.cloudRecordedAt ?? 'here'} under policy ${s.policyVersion}`;
}

/** The gate the cloud transport asks before each request; sessionEnded is read at that moment. */
export function consentGate(db: Db, sessionEnded: () => boolean): ConsentGate {
  return (purpose: TransmissionPurpose, action: string | undefined, method: string): string => {
    const account = store.getAccount(db);
    switch (purpose) {
      case 'cloud_storage':
      case 'device_hosting':
        // Reading or deleting what the account already holds is the user's own request; only sending data needs the grant.
        if ((method === 'GET' || method === 'DELETE') && action) {
          if (!account) throw new ConsentGateClosed(purpose, 'not signed in');
          return `your request: ${action}`;
        }
        return grantFor(db, sessionEnded(), purpose);
      case 'alarm_push':
      case 'user_experience_plan':
      case 'device_experience_program':
        return grantFor(db, sessionEnded(), purpose);
      case 'settings_sync':
      case 'consent_record':
      case 'rights':
        if (!account) throw new ConsentGateClosed(purpose, 'not signed in');
        return purpose === 'settings_sync' ? 'your account: settings sync, which you chose by signing in'
          : purpose === 'consent_record' ? 'your choice: recording it in your account is how it takes effect'
            : `your request: ${action ?? 'restriction / objection'}`;
      case 'service_info':
        if (action) return `your request: ${action}`;
        if (!account) throw new ConsentGateClosed(purpose, 'not signed in and not asked for');
        return 'your account: checking the service and the policy in force';
      case 'account':
      case 'data_export':
      case 'erasure':
      case 'feedback':
        if (!action) throw new ConsentGateClosed(purpose, 'sent only when you ask');
        return `your request: ${action}`;
    }
  };
}
