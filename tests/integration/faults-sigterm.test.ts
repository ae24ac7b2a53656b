// SIGTERM under load: the station process recording 8 camsim channels is told to stop. It exits (0), and every
// segment it wrote is closed in the index, ends on a whole fragment and plays. npm run bench:faults measures 64 channels.
import { describe, expect, it } from 'vitest';
import { sigtermUnderLoad } from '../helpers/faults';

describe('SIGTERM while recording', () => {
  it('8 channels: the station exits, every segment closed cleanly', async () => {
    const r = await sigtermUnderLoad({ channels: 8, recordMs: 5000 });
    console.info(`sigterm: ${r.channels} channels, shutdown ${r.shutdownMs.toFixed(0)} ms, ${r.segments} segments`);
    expect(r.exitCode).toBe(0);
    expect(r.unclean).toEqual([]);
    expect(r.segments).toBeGreaterThanOrEqual(8);
    // A hang guard only: the 5 s target is bench:faults' shutdown_ms (64 channels).
    expect(r.shutdownMs).toBeLessThan(30_000);
  }, 180_000);
});
