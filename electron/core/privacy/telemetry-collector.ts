// Telemetry of the User Experience Plan and the Device Experience Program, collected only while each is granted.
import type { TelemetryPurpose } from '../../contract';
import type { Dispatch } from '../rpc';
import type { Db } from '../storage/db';
import { STATION_VERSION } from '../version';
import { addTelemetry, dropTelemetry } from './privacy-store';

interface Usage { count: number; errors: number; totalMs: number }

export interface TelemetryCollectorOptions {
  db: Db;
  clock: () => number;
  /** Whether the purpose may be collected right now (granted, current policy, not restricted or objected). */
  collecting: (purpose: TelemetryPurpose) => boolean;
  /** Station and device facts for the Device Experience Program. */
  facts: () => Promise<Record<string, unknown>>;
}

export class TelemetryCollector {
  private usage = new Map<string, Usage>();
  private windowStart: number;

  constructor(private readonly opts: TelemetryCollectorOptions) {
    this.windowStart = opts.clock();
  }

  /** Wraps the dispatcher: counts each call by name, its failures and time, while the plan is granted. */
  observe(dispatch: Dispatch): Dispatch {
    return async (name, input, session) => {
      const t0 = performance.now();
      const result = await dispatch(name, input, session);
      if (typeof name === 'string' && this.opts.collecting('user_experience_plan')) {
        // Only call names from the contract are counted; anything else is a client's typo, not usage.
        const key = result.ok || result.error.code !== 'unknown_call' ? name : 'unknown_call';
        const u = this.usage.get(key) ?? { count: 0, errors: 0, totalMs: 0 };
        u.count++;
        if (!result.ok) u.errors++;
        u.totalMs += performance.now() - t0;
        this.usage.set(key, u);
      }
      return result;
    };
  }

  /** Turns the counters of the window into a stored event, and takes one snapshot of facts. */
  async seal(): Promise<void> {
    const now = this.opts.clock();
    const platform = `${process.platform}-${process.arch}`;
    if (this.usage.size > 0 && this.opts.collecting('user_experience_plan')) {
      const features = [...this.usage].sort(([a], [b]) => a.localeCompare(b)).map(([call, u]) => ({
        call, count: u.count, errors: u.errors, avgMs: Math.round((u.totalMs / u.count) * 10) / 10,
      }));
      addTelemetry(this.opts.db, 'user_experience_plan', {
        kind: 'feature_usage', from: new Date(this.windowStart).toISOString(), to: new Date(now).toISOString(),
        appVersion: STATION_VERSION, platform, features,
      }, now);
    }
    this.usage.clear();
    this.windowStart = now;
    if (this.opts.collecting('device_experience_program')) {
      addTelemetry(this.opts.db, 'device_experience_program', {
        kind: 'station_facts', at: new Date(now).toISOString(), appVersion: STATION_VERSION, platform,
        node: process.versions.node, ...(await this.opts.facts()),
      }, now);
    }
  }

  /** Withdrawn: what was collected and not sent is thrown away. */
  discard(purpose: TelemetryPurpose): void {
    if (purpose === 'user_experience_plan') this.usage.clear();
    dropTelemetry(this.opts.db, purpose);
  }
}
