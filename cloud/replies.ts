// Rows as the contract's replies show them: one mapping per record, shared by the routes and the export.
import type {
  Account, CloudConsentRecord, CloudStoredObject, HostedDevice, HostedDeviceList, PurposeUsage, PushNotice, Session, SettingsDocument, Share,
} from '../electron/contract/cloud';
import { REGIONS, isoAt } from './domain';
import type {
  AccountRow, ConsentRow, HostedDevicesRow, PushNoticeRow, SessionRow, SettingsRow, ShareRow, StoredObjectRow, TelemetryCounterRow,
} from './repo/rows';

export function accountOut(a: AccountRow): Account {
  return {
    id: a.id,
    email: a.email,
    region: a.region,
    regionName: REGIONS[a.region],
    country: a.country,
    nickname: a.nickname,
    dateOfBirth: a.date_of_birth,
    hasPhoto: a.photo !== null,
    photoType: a.photo_type,
    restricted: a.restricted === 1,
    objected: a.objected === 1,
    emailVerified: a.email_verified_at !== null,
    transferNoticeAt: a.transfer_notice_at ?? null,
    suspension: a.suspended_at && a.erase_after && a.erase_receipt_id
      ? { reason: a.suspension_reason as 'under_age' | 'reported_minor', since: a.suspended_at, eraseAfter: a.erase_after, receiptId: a.erase_receipt_id }
      : null,
    createdAt: a.created_at,
    updatedAt: a.updated_at,
  };
}

export function settingsOut(s: SettingsRow): SettingsDocument {
  return { version: s.version, updatedAt: s.updated_at, settings: JSON.parse(s.document) as Record<string, unknown> };
}

export function consentOut(c: ConsentRow): CloudConsentRecord {
  return {
    id: c.id,
    purpose: c.purpose,
    action: c.action,
    policyVersion: c.policy_version,
    policyTextHash: c.policy_text_hash,
    appVersion: c.app_version,
    locale: c.locale,
    recordedAt: c.recorded_at,
  };
}

export function sessionOut(s: SessionRow, currentId: string): Session {
  return {
    id: s.id,
    current: s.id === currentId,
    client: s.client,
    createdAt: s.created_at,
    expiresAt: isoAt(s.expires_at_ms),
    lastUsedAt: s.last_used_at,
    revokedAt: s.revoked_at,
  };
}

/** A push notice without its snapshot: the inbox says whether it has one, the export carries it. */
export function noticeOut(n: PushNoticeRow): Omit<PushNotice, 'hasSnapshot'> {
  return {
    id: n.id,
    stationId: n.station_id,
    type: n.type,
    channelName: n.channel_name,
    occurredAt: n.occurred_at,
    receivedAt: n.received_at,
  };
}

export function pushOut(n: PushNoticeRow): PushNotice {
  return { ...noticeOut(n), hasSnapshot: n.snapshot !== null };
}

export function objectOut(o: Omit<StoredObjectRow, 'data'>): CloudStoredObject {
  return { id: o.id, name: o.name, kind: o.kind, contentType: o.content_type, bytes: Number(o.bytes), sha256: o.sha256, createdAt: o.created_at };
}

export function hostedOut(h: HostedDevicesRow): HostedDeviceList {
  return { stationId: h.station_id, stationName: h.station_name, devices: JSON.parse(h.devices) as HostedDevice[], updatedAt: h.updated_at };
}

export function shareOut(s: ShareRow): Share {
  return {
    id: s.id,
    deviceId: s.device_id,
    deviceName: s.device_name,
    channels: s.channels ? (JSON.parse(s.channels) as number[]) : null,
    validFrom: s.valid_from,
    validUntil: s.valid_until,
    createdAt: s.created_at,
    revokedAt: s.revoked_at,
    rights: s.rights ? (JSON.parse(s.rights) as Share['rights']) : ['live'],
    historySeconds: s.history_s,
    station: s.station_host && s.station_port && s.station_fingerprint ? { host: s.station_host, port: s.station_port, fingerprint: s.station_fingerprint } : null,
  };
}

export function usageOut(c: TelemetryCounterRow): PurposeUsage {
  return {
    receivedBytes: c.received_bytes,
    acceptedBytes: c.accepted_bytes,
    acceptedBatches: c.accepted_batches,
    refusedBatches: c.refused_batches,
  };
}
