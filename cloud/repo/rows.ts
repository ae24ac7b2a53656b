// Row shapes as both drivers return them (TEXT timestamps, INTEGER flags, BLOB/BYTEA photo as Buffer).
import type { ConsentAction, Purpose, Region } from '../domain';

export interface AccountRow {
  id: string;
  email: string;
  region: Region;
  country: string;
  nickname: string;
  date_of_birth: string;
  password_hash: string;
  photo: Buffer | null;
  photo_type: string | null;
  restricted: number;
  objected: number;
  email_verified_at: string | null;
  transfer_notice_at: string | null;
  suspended_at?: string | null;
  suspension_reason?: string | null;
  erase_after?: string | null;
  erase_receipt_id?: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionRow {
  id: string;
  token_hash: string;
  account_id: string;
  created_at: string;
  expires_at_ms: number;
  last_used_at: string;
  revoked_at: string | null;
  client: string;
}

export interface SettingsRow {
  account_id: string;
  version: number;
  document: string;
  updated_at: string;
}

export interface ConsentRow {
  id: number;
  account_id: string | null;
  subject: string;
  purpose: Purpose;
  action: ConsentAction;
  policy_version: string;
  policy_text_hash: string;
  app_version: string;
  locale: string;
  recorded_at: string;
}

export interface TelemetryEventRow {
  id: number;
  account_id: string;
  purpose: string;
  received_at: string;
  bytes: number;
  payload: string;
}

export interface TelemetryCounterRow {
  account_id: string;
  purpose: string;
  received_bytes: number;
  accepted_bytes: number;
  accepted_batches: number;
  refused_batches: number;
}

export interface ShareRow {
  id: string;
  owner_id: string;
  recipient_id: string;
  device_id: string;
  device_name: string;
  channels: string | null;
  valid_from: string | null;
  valid_until: string | null;
  created_at: string;
  revoked_at: string | null;
  /** JSON list of rights; null (older rows): live only. */
  rights: string | null;
  history_s: number | null;
  station_host: string | null;
  station_port: number | null;
  station_fingerprint: string | null;
  /** The recipient's share credential, delivered while active; cleared once the recipient's station picked it up, or on revoke. */
  credential: string | null;
}

export interface ErasureReceiptRow {
  id: string;
  erased_at: string;
  subject: string;
  region: string;
  deleted: string;
}

export interface PushNoticeRow {
  id: number;
  account_id: string;
  station_id: string;
  type: string;
  channel_name: string;
  occurred_at: string;
  snapshot: Buffer | null;
  received_at: string;
}

export interface StoredObjectRow {
  id: string;
  account_id: string;
  name: string;
  kind: 'snapshot' | 'clip';
  content_type: string;
  bytes: number;
  sha256: string;
  data: Buffer;
  created_at: string;
}

export interface HostedDevicesRow {
  account_id: string;
  station_id: string;
  station_name: string;
  devices: string;
  updated_at: string;
}
