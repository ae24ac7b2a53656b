import type http from 'node:http';
import type { SimDevice } from '../device';
import { clientIp, plain } from '../http-helpers';

/** GET /onvif/snapshot?channel=N&subtype=0|1 — the URI GetSnapshotUri hands out; digest auth like the rest. */
export async function handleSnapshotRequest(device: SimDevice, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const ip = clientIp(req);
  const lock = device.guard.isLocked(ip);
  if (lock.locked) return plain(res, 403, 'Locked\r\n', { 'Retry-After': String(Math.ceil(lock.retryAfterMs / 1000)) });
  if (device.initialized) {
    const r = device.digest.verify(req.method ?? 'GET', req.headers.authorization, device.passwordOf);
    if (r.kind !== 'ok') {
      if (r.kind === 'bad') device.guard.recordFailure(ip);
      return plain(res, 401, 'Unauthorized\r\n', { 'WWW-Authenticate': device.digest.challenge(r.kind === 'stale') });
    }
    device.guard.recordSuccess(ip);
  } else {
    return plain(res, 401, 'Unauthorized: device not initialised\r\n');
  }
  const ch = Number(url.searchParams.get('channel') ?? '1');
  const profile = url.searchParams.get('subtype') === '1' ? 'sub' : 'main';
  const stream = Number.isInteger(ch) ? device.stream(ch, profile) : undefined;
  if (!stream) return plain(res, 404, 'No such channel\r\n');
  const jpeg = await stream.snapshotJpeg();
  res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': jpeg.length, 'Cache-Control': 'no-store' });
  res.end(jpeg);
}
