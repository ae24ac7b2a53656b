// Failover figures shared by the failover test and bench:sites: the longest stretch of [from, to] that no span covers.
export function longestGap(spans: readonly { start: number; end: number }[], from: number, to: number): number {
  let covered = from;
  let longest = 0;
  for (const x of [...spans].sort((a, b) => a.start - b.start)) {
    if (x.start > covered) longest = Math.max(longest, Math.min(x.start, to) - covered);
    covered = Math.max(covered, x.end);
    if (covered >= to) break;
  }
  return Math.max(longest, to - covered);
}
