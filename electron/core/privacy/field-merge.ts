// Per-field merge of the privacy settings document: each field carries a hybrid logical clock; the later stamp wins.

export interface ClockedField {
  key: string;
  value: unknown;
  /** Hybrid logical clock: milliseconds, bumped past anything seen so stamps keep moving forward. */
  clock: number;
  /** The station that wrote it; breaks ties between equal clocks the same way everywhere. */
  node: string;
}

export const DOC_FORMAT = 'watchpost-privacy/1';

/** The next stamp for a local change: never behind the wall clock, always past the last one seen. */
export function nextClock(last: number, now: number): number {
  return Math.max(Math.floor(now), last + 1);
}

/** Positive when a is later than b. */
export function compareStamp(a: Pick<ClockedField, 'clock' | 'node'>, b: Pick<ClockedField, 'clock' | 'node'>): number {
  if (a.clock !== b.clock) return a.clock - b.clock;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads the fields out of a cloud settings document; anything malformed is skipped rather than trusted. */
export function parseDoc(settings: unknown): Map<string, ClockedField> {
  const out = new Map<string, ClockedField>();
  if (!isRecord(settings) || settings.format !== DOC_FORMAT || !isRecord(settings.fields)) return out;
  for (const [key, f] of Object.entries(settings.fields)) {
    if (!isRecord(f) || !Number.isSafeInteger(f.clock) || typeof f.node !== 'string' || !('value' in f)) continue;
    out.set(key, { key, value: f.value, clock: f.clock as number, node: f.node });
  }
  return out;
}

/** Writes fields into a document, keeping whatever else another station put at the top level. */
export function toDoc(fields: Iterable<ClockedField>, base: unknown = {}): Record<string, unknown> {
  const out: Record<string, { value: unknown; clock: number; node: string }> = {};
  for (const f of [...fields].sort((a, b) => a.key.localeCompare(b.key))) out[f.key] = { value: f.value, clock: f.clock, node: f.node };
  return { ...(isRecord(base) ? base : {}), format: DOC_FORMAT, fields: out };
}

export interface MergeResult {
  /** Every field after the merge. */
  merged: Map<string, ClockedField>;
  /** Remote fields that beat (or are missing) locally: write them here. */
  adopt: ClockedField[];
  /** The local side holds something the remote document lacks: push the merged document. */
  pushNeeded: boolean;
  /** The highest clock seen on either side, so the next local stamp goes past it. */
  maxClock: number;
}

export function mergeFields(local: Map<string, ClockedField>, remote: Map<string, ClockedField>): MergeResult {
  const merged = new Map<string, ClockedField>();
  const adopt: ClockedField[] = [];
  let pushNeeded = false;
  let maxClock = 0;
  for (const key of new Set([...local.keys(), ...remote.keys()])) {
    const l = local.get(key);
    const r = remote.get(key);
    maxClock = Math.max(maxClock, l?.clock ?? 0, r?.clock ?? 0);
    if (l && (!r || compareStamp(l, r) > 0)) {
      merged.set(key, l);
      pushNeeded = true;
    } else if (r && (!l || compareStamp(r, l) > 0)) {
      merged.set(key, r);
      adopt.push(r);
    } else if (l) {
      merged.set(key, l);
    }
  }
  return { merged, adopt, pushNeeded, maxClock };
}

/** Retry delay after the n-th failure in a row (1-based): 1 s, 2 s, 4 s … capped. */
export function backoffMs(failures: number, capMs = 30_000, baseMs = 1000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
}
