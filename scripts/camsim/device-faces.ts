// The protocols a camsim device answers, wired to its listeners: ONVIF (SOAP and snapshots) and Dahua CGI over HTTP,
// WS-Discovery and DHIP over UDP. fleet.ts hands these to each SimDevice, so device.ts imports no protocol module.
import type http from 'node:http';
import { handleDahuaHttp } from './dahua/cgi';
import { handleDhipMessage } from './dahua/dhip-responder';
import type { DeviceFaces, SimDevice } from './device';
import { handleWsDiscoveryMessage } from './discovery/ws-discovery';
import { clientIp, plain, readBody } from './http-helpers';
import { handleSoapRequest } from './onvif/soap-server';
import { handleSnapshotRequest } from './onvif/snapshot';

async function routeHttp(device: SimDevice, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://camsim');
    const path = url.pathname;
    if (path === '/onvif/snapshot') return await handleSnapshotRequest(device, req, res, url);
    if (path.startsWith('/onvif/')) {
      if (req.method !== 'POST') return plain(res, 405, 'Method Not Allowed\r\n', { Allow: 'POST' });
      const body = await readBody(req, 64 * 1024);
      if (body === undefined) return plain(res, 413, 'Payload Too Large\r\n');
      const reply = await handleSoapRequest(device, { path, headers: req.headers, method: req.method, url: req.url ?? path, clientIp: clientIp(req) }, body);
      res.writeHead(reply.status, { 'Content-Type': 'application/soap+xml; charset=utf-8', ...reply.headers });
      res.end(reply.body);
      if (reply.after) res.once('finish', reply.after);
      return;
    }
    // Dahua's HTTP API only where a Dahua would have it: Hikvision and Axis flavours answer 404 there.
    if ((path.startsWith('/cgi-bin/') || path === '/OutsideCmd') && (device.flavour === 'generic' || device.flavour === 'dahua')) return await handleDahuaHttp(device, req, res, url);
    plain(res, 404, 'Not Found\r\n');
  } catch (err) {
    if (!res.headersSent) plain(res, 500, `Internal Error: ${(err as Error).message}\r\n`);
    else res.destroy();
  }
}

export const deviceFaces: DeviceFaces = { http: routeHttp, wsDiscovery: handleWsDiscoveryMessage, dhip: handleDhipMessage };
