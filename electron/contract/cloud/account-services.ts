// The consent-gated services of an account: alarm push inbox, cloud storage, hosted device lists.
import { z } from 'zod';
import {
  JPEG_MAGIC, NoBody, PUSH_SNAPSHOT_MAX_BYTES, STORED_OBJECT_MAX_BYTES, base64Bytes, base64Head, base64Of, iso, isoInput, onceValid, route,
} from './common';

export const PushNoticeBody = z
  .strictObject({
    stationId: z.string().trim().min(1, 'is required').max(64, 'must be at most 64 characters'),
    type: z.string().trim().min(1, 'is required').max(40),
    channelName: z.string().trim().max(128, 'must be at most 128 characters'),
    occurredAt: isoInput,
    snapshotJpeg: base64Of(PUSH_SNAPSHOT_MAX_BYTES).nullable(),
  })
  .superRefine((n, ctx) => {
    if (n.snapshotJpeg === null) return;
    if (base64Bytes(n.snapshotJpeg) > PUSH_SNAPSHOT_MAX_BYTES)
      ctx.addIssue({ code: 'custom', path: ['snapshotJpeg'], message: `must decode to at most ${PUSH_SNAPSHOT_MAX_BYTES} bytes` });
    else if (base64Head(n.snapshotJpeg, JPEG_MAGIC.length) !== JPEG_MAGIC)
      ctx.addIssue({ code: 'custom', path: ['snapshotJpeg'], message: 'is not a JPEG image' });
  }, onceValid);

const STORED_TYPES = { snapshot: ['image/jpeg'], clip: ['video/mp4'] } as const;
export const StoreObjectBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters').regex(/^[^\/\\\u0000-\u001f]+$/, 'must be a file name without slashes'),
    kind: z.enum(['snapshot', 'clip'], { error: 'must be snapshot or clip' }),
    contentType: z.enum(['image/jpeg', 'video/mp4'], { error: 'must be image/jpeg or video/mp4' }),
    data: base64Of(STORED_OBJECT_MAX_BYTES),
  })
  .superRefine((o, ctx) => {
    const bytes = base64Bytes(o.data);
    if (!(STORED_TYPES[o.kind] as readonly string[]).includes(o.contentType))
      ctx.addIssue({ code: 'custom', path: ['contentType'], message: `a ${o.kind} must be ${STORED_TYPES[o.kind].join(' or ')}` });
    else if (bytes === 0) ctx.addIssue({ code: 'custom', path: ['data'], message: 'must not be empty' });
    else if (bytes > STORED_OBJECT_MAX_BYTES)
      ctx.addIssue({ code: 'custom', path: ['data'], message: `must decode to at most ${STORED_OBJECT_MAX_BYTES} bytes` });
    else if (o.contentType === 'image/jpeg' && base64Head(o.data, JPEG_MAGIC.length) !== JPEG_MAGIC)
      ctx.addIssue({ code: 'custom', path: ['data'], message: 'is not a JPEG image' });
    else if (o.contentType === 'video/mp4' && base64Head(o.data, 8).slice(4) !== 'ftyp')
      ctx.addIssue({ code: 'custom', path: ['data'], message: 'is not an MP4 file (no ftyp box)' });
  }, onceValid);

/** A device as hosted: what another station of the account needs to show it, and never a credential. */
const HostedDeviceBody = z.strictObject({
  id: z.string().trim().min(1, 'is required').max(128),
  name: z.string().trim().max(128),
  kind: z.string().trim().max(40),
  model: z.string().trim().max(128),
  channels: z.int().min(0).max(1024),
});
export const HostedDevicesBody = z.strictObject({
  stationName: z.string().trim().min(1, 'is required').max(128),
  devices: z.array(HostedDeviceBody).max(1024, 'must list at most 1024 devices'),
});

export const PushNotice = z.strictObject({
  id: z.number(),
  stationId: z.string(),
  type: z.string(),
  channelName: z.string(),
  occurredAt: iso,
  receivedAt: iso,
  hasSnapshot: z.boolean(),
});
export type PushNotice = z.infer<typeof PushNotice>;

export const CloudStoredObject = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['snapshot', 'clip']),
  contentType: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  createdAt: iso,
});
export type CloudStoredObject = z.infer<typeof CloudStoredObject>;

export const HostedDevice = z.strictObject({ id: z.string(), name: z.string(), kind: z.string(), model: z.string(), channels: z.number() });
export type HostedDevice = z.infer<typeof HostedDevice>;
export const HostedDeviceList = z.strictObject({ stationId: z.string(), stationName: z.string(), devices: z.array(HostedDevice), updatedAt: iso });
export type HostedDeviceList = z.infer<typeof HostedDeviceList>;

export const accountServiceRoutes = {
  /** Into the account's push inbox, under an alarm_push grant. */
  'POST /v1/push': route(201, PushNoticeBody, z.strictObject({ notice: PushNotice })),
  /** The inbox a phone app reads, newest first. */
  'GET /v1/push': route(200, NoBody, z.strictObject({ notices: z.array(PushNotice) })),
  'GET /v1/push/:id/snapshot': route(200, NoBody, z.strictObject({ contentType: z.literal('image/jpeg'), data: z.string() })),
  /** Under a cloud_storage grant; 413 `storage_quota` past the account's quota. */
  'POST /v1/storage': route(201, StoreObjectBody, z.strictObject({ object: CloudStoredObject })),
  /** Listing, download and delete stay open without a grant: what is stored stays the user's. */
  'GET /v1/storage': route(200, NoBody, z.strictObject({ objects: z.array(CloudStoredObject), usedBytes: z.number(), quotaBytes: z.number() })),
  'GET /v1/storage/:id': route(200, NoBody, z.strictObject({ object: CloudStoredObject, data: z.string() })),
  'DELETE /v1/storage/:id': route(204, NoBody, NoBody),
  /** Under a device_hosting grant; `:station` is 1-64 letters, digits, - or _. */
  'PUT /v1/hosting/:station': route(200, HostedDevicesBody, z.strictObject({ station: HostedDeviceList })),
  /** Every hosted list of the account: what the user's other stations show. */
  'GET /v1/hosting': route(200, NoBody, z.strictObject({ stations: z.array(HostedDeviceList) })),
  /** Never gated: it only ever reduces what is held. */
  'DELETE /v1/hosting/:station': route(204, NoBody, NoBody),
} as const;
