// Alarm push, cloud storage and device hosting: each takes data only under its purpose's grant.
import { createHash } from 'node:crypto';
import { STORAGE_BODY_MAX_BYTES, STORAGE_QUOTA_BYTES, isoAt } from '../domain';
import { HttpError } from '../http/http-error';
import {
  deleteHostedDevices, deleteStoredObject, findStoredObject, insertPushNotice, insertStoredObject, listHostedDevices,
  listPushNotices, listStoredObjects, putHostedDevices, storedBytes,
} from '../repo/account-services';
import { hostedOut, objectOut, pushOut } from '../replies';
import { gatedBody } from './purpose-gate';
import { now, serve, type RouteDef } from './route';

export const accountServiceRoutes: RouteDef[] = [
  serve('POST /v1/push', async (d, c) => {
    const input = await gatedBody(d, c, 'alarm_push');
    const row = await insertPushNotice(d.db, {
      accountId: c.auth.account.id, stationId: input.stationId, type: input.type, channelName: input.channelName,
      occurredAt: isoAt(Date.parse(input.occurredAt)),
      snapshot: input.snapshotJpeg === null ? null : Buffer.from(input.snapshotJpeg, 'base64'),
      receivedAt: now(d),
    });
    return { status: 201, body: { notice: pushOut(row) } };
  }, { ingest: true }),
  serve('GET /v1/push', async (d, c) => ({ status: 200, body: { notices: (await listPushNotices(d.db, c.auth.account.id)).map(pushOut) } })),
  serve('GET /v1/push/:id/snapshot', async (d, c) => {
    const n = (await listPushNotices(d.db, c.auth.account.id)).find((x) => String(x.id) === c.params.id);
    if (!n?.snapshot) throw new HttpError(404, 'not_found', 'no such notice with a snapshot');
    return { status: 200, body: { contentType: 'image/jpeg', data: n.snapshot.toString('base64') } };
  }),
  serve('POST /v1/storage', async (d, c) => {
    const input = await gatedBody(d, c, 'cloud_storage');
    const data = Buffer.from(input.data, 'base64');
    const used = await storedBytes(d.db, c.auth.account.id);
    if (used + data.length > STORAGE_QUOTA_BYTES)
      throw new HttpError(413, 'storage_quota', `data: your cloud storage holds ${used} of ${STORAGE_QUOTA_BYTES} bytes; delete something first`, { field: 'data', usedBytes: used, quotaBytes: STORAGE_QUOTA_BYTES });
    const row = await insertStoredObject(d.db, {
      accountId: c.auth.account.id, name: input.name, kind: input.kind, contentType: input.contentType, data,
      sha256: createHash('sha256').update(data).digest('hex'), createdAt: now(d),
    });
    return { status: 201, body: { object: objectOut(row) } };
  }, { ingest: true, maxBody: STORAGE_BODY_MAX_BYTES }),
  serve('GET /v1/storage', async (d, c) => ({
    status: 200,
    body: {
      objects: (await listStoredObjects(d.db, c.auth.account.id)).map(objectOut),
      usedBytes: await storedBytes(d.db, c.auth.account.id),
      quotaBytes: STORAGE_QUOTA_BYTES,
    },
  })),
  serve('GET /v1/storage/:id', async (d, c) => {
    const o = await findStoredObject(d.db, c.auth.account.id, c.params.id!, true);
    if (!o) throw new HttpError(404, 'not_found', 'no such object in your cloud storage');
    return { status: 200, body: { object: objectOut(o), data: o.data.toString('base64') } };
  }),
  serve('DELETE /v1/storage/:id', async (d, c) => {
    if (!(await deleteStoredObject(d.db, c.auth.account.id, c.params.id!))) throw new HttpError(404, 'not_found', 'no such object in your cloud storage');
    return { status: 204 };
  }),
  serve('PUT /v1/hosting/:station', async (d, c) => {
    const input = await gatedBody(d, c, 'device_hosting');
    const stationId = c.params.station!;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(stationId)) throw new HttpError(400, 'invalid_input', 'station: must be 1-64 letters, digits, - or _', { field: 'station' });
    await putHostedDevices(d.db, {
      accountId: c.auth.account.id, stationId, stationName: input.stationName, devices: JSON.stringify(input.devices), updatedAt: now(d),
    });
    const row = (await listHostedDevices(d.db, c.auth.account.id)).find((h) => h.station_id === stationId)!;
    return { status: 200, body: { station: hostedOut(row) } };
  }, { ingest: true }),
  serve('GET /v1/hosting', async (d, c) => ({ status: 200, body: { stations: (await listHostedDevices(d.db, c.auth.account.id)).map(hostedOut) } })),
  serve('DELETE /v1/hosting/:station', async (d, c) => {
    // Taking a list down is never gated: it only ever reduces what is held.
    if ((await deleteHostedDevices(d.db, c.auth.account.id, c.params.station!)) === 0) throw new HttpError(404, 'not_found', 'no hosted list of that station');
    return { status: 204 };
  }),
];
