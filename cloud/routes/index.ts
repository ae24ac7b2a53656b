// Every HTTP route of the service, in the order the router tries them (the list the IDOR test walks).
import { accountRoutes } from './account';
import { accountServiceRoutes } from './account-services';
import { authRoutes } from './auth';
import { feedbackRoutes } from './feedback';
import { mailRoutes } from './mail';
import { privacyRoutes } from './privacy';
import { regionRoutes } from './regions';
import type { RouteDef } from './route';
import { serviceRoutes } from './service';
import { shareRoutes } from './shares';
import { telemetryRoutes } from './telemetry';

export type { AuthContext, RequestContext, Reply, RouteDef, ServiceDeps } from './route';

export const ROUTES: RouteDef[] = [
  ...serviceRoutes,
  ...authRoutes,
  ...accountRoutes,
  ...privacyRoutes,
  ...telemetryRoutes,
  ...shareRoutes,
  ...accountServiceRoutes,
  ...feedbackRoutes,
  ...mailRoutes,
  ...regionRoutes,
];
