// Every feature injects its endpoints into the one station API; a repeated name is silently dropped by RTK Query,
// so one feature's hook would run another feature's call (this happened: two `changePassword` endpoints).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FEATURES = join(import.meta.dirname, '../../renderer/src/features');

describe('renderer API endpoint names', () => {
  it('are unique across features', () => {
    const seen = new Map<string, string>();
    const dups: string[] = [];
    for (const feature of readdirSync(FEATURES)) {
      for (const file of readdirSync(join(FEATURES, feature)).filter((f) => f.endsWith('-api.ts'))) {
        const text = readFileSync(join(FEATURES, feature, file), 'utf8');
        for (const m of text.matchAll(/^\s+([A-Za-z0-9_]+): (?:b\.(?:query|mutation)\b|call(?:Query|Mutation)\(b\b)/gm)) {
          const where = `${feature}/${file}`;
          if (seen.has(m[1]!)) dups.push(`${m[1]} in ${seen.get(m[1]!)} and ${where}`);
          else seen.set(m[1]!, where);
        }
      }
    }
    expect(seen.size).toBeGreaterThan(10);
    expect(dups).toEqual([]);
  });
});
