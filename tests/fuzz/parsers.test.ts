// The short fuzz pass (CI): every parser target of targets.ts for about a second and a half of generated inputs each.
// `npm run fuzz -- --cases 1000000` is the long pass. A finding prints fast-check's shrunk input and seed to replay it.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { TARGETS, cleanUpTargets, runTarget } from './targets';

afterAll(cleanUpTargets);

describe('fuzzing the parsers', () => {
  for (const t of TARGETS) {
    it(`${t.name}: no escaped exception, no slow input, nothing held past its bound`, () => {
      const d = runTarget(t, { numRuns: 50_000, timeLimitMs: 1500 });
      expect(d.failed ? `${String(d.errorInstance)} (seed ${d.seed}) — input ${fc.stringify(d.counterexample?.[0]).slice(0, 1500)}` : 'ok').toBe('ok');
      expect(d.numRuns).toBeGreaterThan(0);
    });
  }
});
