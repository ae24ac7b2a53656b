// Device sharing between accounts of one region: by email, limited to channels, rights and a time window. A share made
// by a station also says where that station serves it (address, port, certificate fingerprint) and carries the
// share-scoped credential the recipient's station signs in with there: the cloud only delivers it, media never passes.
import { z } from 'zod';
import { SHARE_RIGHTS } from '../shares';
import { NoBody, email, iso, isoInput, route } from './common';

/** The sharer's station as the recipient's reaches it (sites/: TLS, the fingerprint pinned). */
export const ShareStation = z.strictObject({
  host: z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.:\-[\]]+$/, 'must be a host name or address'),
  port: z.int().min(1).max(65535),
  fingerprint: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint'),
});

export const ShareBody = z
  .strictObject({
    deviceId: z.string().trim().min(1, 'is required').max(128),
    deviceName: z.string().trim().min(1, 'is required').max(128),
    recipientEmail: email,
    channels: z.array(z.int().min(0).max(1_000_000)).min(1, 'must name at least one channel').max(256).optional(),
    validFrom: isoInput.optional(),
    validUntil: isoInput.optional(),
    /** Default: live only. */
    rights: z.array(z.enum(SHARE_RIGHTS)).min(1, 'must grant at least one right').max(SHARE_RIGHTS.length).optional(),
    /** How far back playback reaches, in seconds (null or absent: no limit). */
    historySeconds: z.int().min(0).max(3650 * 86_400).nullable().optional(),
    station: ShareStation.optional(),
    /** The share-scoped credential for the recipient's station; never listed back to the sharer. */
    credential: z.string().min(16).max(256).optional(),
  })
  .refine((s) => !s.validFrom || !s.validUntil || Date.parse(s.validUntil) > Date.parse(s.validFrom), {
    path: ['validUntil'],
    message: 'must be after validFrom',
  });

export const Share = z.strictObject({
  id: z.string(),
  deviceId: z.string(),
  deviceName: z.string(),
  channels: z.array(z.number()).nullable().describe('null: every channel'),
  validFrom: iso.nullable(),
  validUntil: iso.nullable(),
  createdAt: iso,
  revokedAt: iso.nullable(),
  rights: z.array(z.enum(SHARE_RIGHTS)),
  historySeconds: z.number().nullable(),
  station: ShareStation.nullable(),
});
export type Share = z.infer<typeof Share>;

/** How long `GET /v1/shares/watch/:version` waits for a change before it answers anyway. */
export const SHARE_WATCH_WAIT_MS = 20_000;

export const shareRoutes = {
  /** The recipient needs an account in this region; the share keeps their account id, not the email. */
  'POST /v1/shares': route(201, ShareBody, z.strictObject({ share: Share.extend({ recipientEmail: z.string() }) })),
  /** Shares you gave, revoked ones too. */
  'GET /v1/shares': route(200, NoBody, z.strictObject({
    shares: z.array(Share.extend({ recipientEmail: z.string().nullable(), recipientNickname: z.string().nullable() })),
  })),
  /**
   * Shares you received, revoked ones too (`revokedAt`); `active` while unrevoked and inside their time window;
   * `credential` only while active and not yet picked up.
   */
  'GET /v1/shares/received': route(200, NoBody, z.strictObject({
    shares: z.array(Share.extend({ ownerNickname: z.string(), active: z.boolean(), credential: z.string().nullable() })),
  })),
  /**
   * The shares you gave, each with its revoke time, answered once their state differs from `version` (the one a
   * previous answer gave; any other value answers at once) or after `SHARE_WATCH_WAIT_MS` (a long poll). A sharing
   * station holds one open while a share's credential is connected to it, so a revoke made elsewhere ends it at once.
   */
  'GET /v1/shares/watch/:version': route(200, NoBody, z.strictObject({
    version: z.string(),
    shares: z.array(z.strictObject({ id: z.string(), revokedAt: iso.nullable() })),
  })),
  /** Only the owner revokes; the credential is forgotten with it. */
  'DELETE /v1/shares/:id': route(200, NoBody, z.strictObject({ share: Share })),
  /**
   * The recipient's station has stored the credential (in its own secret store): the cloud forgets it. Only the
   * recipient; again is fine (204), another account's share or none is 404.
   */
  'POST /v1/shares/:id/pickup': route(204, NoBody, NoBody),
} as const;
