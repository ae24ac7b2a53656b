// npm run fuzz -- [--cases N] [--seconds S] [--only name,name] [--seed N]: the long fuzz pass over every parser target in
// tests/fuzz/targets.ts (the short pass runs in the tests). Prints one JSON line: cases run per target and findings
// (the shrunk counterexample, to become a unit test). Exit 1 on any finding.
import fc from 'fast-check';
import { TARGETS, cleanUpTargets, runTarget } from '../tests/fuzz/targets';

const args = process.argv.slice(2);
const arg = (name: string) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : undefined; };
const cases = Number(arg('cases') ?? 100_000);
const seconds = arg('seconds') === undefined ? undefined : Number(arg('seconds'));
const only = arg('only')?.split(',');
const seed = arg('seed') === undefined ? Date.now() % 2 ** 31 : Number(arg('seed'));

const result: { seed: number; targets: Record<string, { cases: number; ms: number; finding?: string }> } = { seed, targets: {} };
for (const t of TARGETS.filter((x) => !only || only.includes(x.name))) {
  const t0 = performance.now();
  const d = runTarget(t, { numRuns: cases, seed, ...(seconds !== undefined && { timeLimitMs: seconds * 1000 }) });
  const entry: { cases: number; ms: number; finding?: string } = { cases: d.numRuns, ms: Math.round(performance.now() - t0) };
  if (d.failed) entry.finding = `${d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance)} — input ${fc.stringify(d.counterexample?.[0])}`.slice(0, 2000);
  result.targets[t.name] = entry;
  console.error(`${t.name}: ${entry.cases} cases, ${entry.ms} ms${entry.finding ? `, FINDING ${entry.finding}` : ''}`);
}
cleanUpTargets();
console.log(JSON.stringify(result));
process.exit(Object.values(result.targets).some((t) => t.finding) ? 1 : 0);
