// Request bodies, validated at the boundary; every error names its field.
import { z } from 'zod';
import { PHOTO_MAX_BYTES, PURPOSES, REGION_IDS, SETTINGS_MAX_BYTES, STORED_OBJECT_MAX_BYTES, PUSH_SNAPSHOT_MAX_BYTES } from './domain';

const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ error: 'must be an email address' }).max(254));

const region = z.enum(REGION_IDS, { error: `must be one of ${REGION_IDS.join(', ')}` });
const country = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code');
const nickname = z.string().trim().min(1, 'must not be empty').max(64, 'must be at most 64 characters');
const password = z.string().min(10, 'must be at least 10 characters').max(256, 'must be at most 256 characters');
const dateOfBirth = z.iso.date({ error: 'must be a date YYYY-MM-DD' });

const JPEG = Buffer.from([0xff, 0xd8, 0xff]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A profile photo: base64 JPEG or PNG, checked by its magic bytes and capped in size. */
export const photoSchema = z
  .strictObject({
    contentType: z.enum(['image/jpeg', 'image/png'], { error: 'must be image/jpeg or image/png' }),
    data: z.base64({ error: 'must be base64' }).max(Math.ceil((PHOTO_MAX_BYTES * 4) / 3) + 4, `must decode to at most ${PHOTO_MAX_BYTES} bytes`),
  })
  .transform((p, ctx) => {
    const data = Buffer.from(p.data, 'base64');
    const magic = p.contentType === 'image/jpeg' ? JPEG : PNG;
    if (data.length > PHOTO_MAX_BYTES)
      ctx.addIssue({ code: 'custom', path: ['data'], message: `must decode to at most ${PHOTO_MAX_BYTES} bytes` });
    else if (!data.subarray(0, magic.length).equals(magic))
      ctx.addIssue({ code: 'custom', path: ['data'], message: `is not a ${p.contentType} image` });
    return { data, type: p.contentType };
  });

/** What the signing-in app says it is ("Watchpost station 0.1.0 (linux x64)"), shown in the session list. */
const client = z.string().trim().max(100, 'must be at most 100 characters').regex(/^[^\u0000-\u001f\u007f]*$/, 'must be printable text');

export const signUpSchema = z.strictObject({
  email,
  region,
  country,
  nickname,
  password,
  dateOfBirth,
  photo: photoSchema.optional(),
  client: client.optional(),
});

export const loginSchema = z.strictObject({
  email,
  password: z.string().min(1, 'is required').max(256),
  region: region.optional(),
  client: client.optional(),
});

export const emailChangeSchema = z.strictObject({
  currentPassword: z.string().min(1, 'is required').max(256),
  newEmail: email,
});

export const passwordChangeSchema = z.strictObject({
  currentPassword: z.string().min(1, 'is required').max(256),
  newPassword: password,
});

export const profilePatchSchema = z
  .strictObject({
    country: country.optional(),
    nickname: nickname.optional(),
    dateOfBirth: dateOfBirth.optional(),
    photo: photoSchema.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'must change at least one field' });

export const settingsPutSchema = z.strictObject({
  settings: z
    .record(z.string(), z.unknown())
    .refine((s) => Buffer.byteLength(JSON.stringify(s)) <= SETTINGS_MAX_BYTES, `must be at most ${SETTINGS_MAX_BYTES} bytes`),
});

export const consentSchema = z.strictObject({
  purpose: z.enum(PURPOSES, { error: `must be one of ${PURPOSES.join(', ')}` }),
  action: z.enum(['grant', 'withdraw'], { error: 'must be grant or withdraw' }),
  policyVersion: z.string().min(1, 'is required').max(64),
  policyTextHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be the lowercase hex SHA-256 of the policy text shown'),
  appVersion: z.string().min(1, 'is required').max(64),
  locale: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag'),
});

export const rightsSchema = z
  .strictObject({ restricted: z.boolean().optional(), objected: z.boolean().optional() })
  .refine((r) => r.restricted !== undefined || r.objected !== undefined, { message: 'must set restricted or objected' });

export const shareSchema = z
  .strictObject({
    deviceId: z.string().trim().min(1, 'is required').max(128),
    deviceName: z.string().trim().min(1, 'is required').max(128),
    recipientEmail: email,
    channels: z.array(z.int().min(0).max(1023)).min(1, 'must name at least one channel').max(256).optional(),
    validFrom: z.iso.datetime({ error: 'must be an ISO 8601 UTC date-time' }).optional(),
    validUntil: z.iso.datetime({ error: 'must be an ISO 8601 UTC date-time' }).optional(),
  })
  .refine((s) => !s.validFrom || !s.validUntil || Date.parse(s.validUntil) > Date.parse(s.validFrom), {
    path: ['validUntil'],
    message: 'must be after validFrom',
  });

export const telemetrySchema = z.strictObject({
  events: z.array(z.record(z.string(), z.unknown())).min(1, 'must hold at least one event').max(1000),
});

export const eraseSchema = z.strictObject({
  password: z.string().min(1, 'is required').max(256),
});

const JPEG_MAGIC = JPEG;
const base64Of = (max: number) =>
  z.base64({ error: 'must be base64' }).max(Math.ceil((max * 4) / 3) + 4, `must decode to at most ${max} bytes`);
const stationId = z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters');

export const pushNoticeSchema = z
  .strictObject({
    stationId,
    type: z.string().trim().min(1, 'is required').max(40),
    channelName: z.string().trim().max(128, 'must be at most 128 characters'),
    occurredAt: z.iso.datetime({ error: 'must be an ISO 8601 UTC date-time' }),
    snapshotJpeg: base64Of(PUSH_SNAPSHOT_MAX_BYTES).nullable(),
  })
  .transform((n, ctx) => {
    const snapshot = n.snapshotJpeg === null ? null : Buffer.from(n.snapshotJpeg, 'base64');
    if (snapshot && snapshot.length > PUSH_SNAPSHOT_MAX_BYTES)
      ctx.addIssue({ code: 'custom', path: ['snapshotJpeg'], message: `must decode to at most ${PUSH_SNAPSHOT_MAX_BYTES} bytes` });
    else if (snapshot && !snapshot.subarray(0, 3).equals(JPEG_MAGIC))
      ctx.addIssue({ code: 'custom', path: ['snapshotJpeg'], message: 'is not a JPEG image' });
    return { ...n, snapshot };
  });

const STORED_TYPES = { snapshot: ['image/jpeg'], clip: ['video/mp4'] } as const;
export const storeObjectSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters').regex(/^[^\/\\\u0000-\u001f]+$/, 'must be a file name without slashes'),
    kind: z.enum(['snapshot', 'clip'], { error: 'must be snapshot or clip' }),
    contentType: z.enum(['image/jpeg', 'video/mp4'], { error: 'must be image/jpeg or video/mp4' }),
    data: base64Of(STORED_OBJECT_MAX_BYTES),
  })
  .transform((o, ctx) => {
    const data = Buffer.from(o.data, 'base64');
    if (!(STORED_TYPES[o.kind] as readonly string[]).includes(o.contentType))
      ctx.addIssue({ code: 'custom', path: ['contentType'], message: `a ${o.kind} must be ${STORED_TYPES[o.kind].join(' or ')}` });
    else if (data.length === 0) ctx.addIssue({ code: 'custom', path: ['data'], message: 'must not be empty' });
    else if (data.length > STORED_OBJECT_MAX_BYTES)
      ctx.addIssue({ code: 'custom', path: ['data'], message: `must decode to at most ${STORED_OBJECT_MAX_BYTES} bytes` });
    else if (o.contentType === 'image/jpeg' && !data.subarray(0, 3).equals(JPEG_MAGIC))
      ctx.addIssue({ code: 'custom', path: ['data'], message: 'is not a JPEG image' });
    else if (o.contentType === 'video/mp4' && data.subarray(4, 8).toString('latin1') !== 'ftyp')
      ctx.addIssue({ code: 'custom', path: ['data'], message: 'is not an MP4 file (no ftyp box)' });
    return { name: o.name, kind: o.kind, contentType: o.contentType, data };
  });

/** A device as hosted: what another station of the account needs to show it, and never a credential. */
const hostedDevice = z.strictObject({
  id: z.string().trim().min(1, 'is required').max(128),
  name: z.string().trim().max(128),
  kind: z.string().trim().max(40),
  model: z.string().trim().max(128),
  channels: z.int().min(0).max(1024),
});
export const hostedDevicesSchema = z.strictObject({
  stationName: z.string().trim().min(1, 'is required').max(128),
  devices: z.array(hostedDevice).max(1024, 'must list at most 1024 devices'),
});
