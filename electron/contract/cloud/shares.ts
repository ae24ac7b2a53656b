// Device sharing between accounts of one region: by email, limited to channels and a time window.
import { z } from 'zod';
import { NoBody, email, iso, isoInput, route } from './common';

export const ShareBody = z
  .strictObject({
    deviceId: z.string().trim().min(1, 'is required').max(128),
    deviceName: z.string().trim().min(1, 'is required').max(128),
    recipientEmail: email,
    channels: z.array(z.int().min(0).max(1023)).min(1, 'must name at least one channel').max(256).optional(),
    validFrom: isoInput.optional(),
    validUntil: isoInput.optional(),
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
});
export type Share = z.infer<typeof Share>;

export const shareRoutes = {
  /** The recipient needs an account in this region; the share keeps their account id, not the email. */
  'POST /v1/shares': route(201, ShareBody, z.strictObject({ share: Share.extend({ recipientEmail: z.string() }) })),
  /** Shares you gave, revoked ones too. */
  'GET /v1/shares': route(200, NoBody, z.strictObject({
    shares: z.array(Share.extend({ recipientEmail: z.string().nullable(), recipientNickname: z.string().nullable() })),
  })),
  /** Unrevoked shares you received; `active` while inside their time window. */
  'GET /v1/shares/received': route(200, NoBody, z.strictObject({
    shares: z.array(Share.extend({ ownerNickname: z.string(), active: z.boolean() })),
  })),
  /** Only the owner revokes. */
  'DELETE /v1/shares/:id': route(200, NoBody, z.strictObject({ share: Share })),
} as const;
