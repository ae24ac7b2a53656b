// What the station and its tests import from the cloud service.
export { startCloud, type CloudHandle, type CloudOptions, type TelemetryTotals } from './service';
export { REGIONS, REGION_IDS, PURPOSES, TELEMETRY_PURPOSES, MINIMUM_AGE, type Region, type Purpose, type TelemetryPurpose } from './domain';
export { exportJsonSchema } from './export-document';
export type { DbConfig } from './db/sql-db';
