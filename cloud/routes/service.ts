// What the service is: where it keeps data, who may sign up, the policy in force, and the export format.
import { MINIMUM_AGE, PURPOSES, REGIONS } from '../domain';
import { exportJsonSchema } from '../export-document';
import { servePublic, type RouteDef } from './route';

export const serviceRoutes: RouteDef[] = [
  servePublic('GET /v1/health', async (d) => ({
    status: 200,
    body: {
      status: 'ok',
      region: d.region,
      regionName: REGIONS[d.region],
      minimumAge: MINIMUM_AGE,
      purposes: [...PURPOSES],
      policyVersion: d.policyVersion,
      ...(d.controller ? { controller: d.controller } : {}),
      mail: d.mail !== null,
    },
  })),
  servePublic('GET /v1/export/schema', async () => ({ status: 200, body: exportJsonSchema })),
];
