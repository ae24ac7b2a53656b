// The shared write budget (issue 17): one bound for every recorder's queue; when full, the member furthest behind gives way.
import { describe, expect, it } from 'vitest';
import { WriteBudget, type BudgetMember } from '../../electron/core/recording/write-budget';

/** A member that, asked to shed, hands back all it holds except `inFlight` (a write under way cannot be taken back). */
function member(budget: WriteBudget, name: string, inFlight = 0) {
  const m: BudgetMember & { name: string; shedCalls: number } = {
    name,
    shedCalls: 0,
    shed() {
      m.shedCalls++;
      const freed = Math.max(0, budget.heldBy(m) - inFlight);
      budget.give(m, freed);
      return freed;
    },
  };
  return m;
}

describe('write budget', () => {
  it('takes bytes while there is room and counts them per member', () => {
    const b = new WriteBudget(100);
    const a = member(b, 'a');
    const c = member(b, 'c');
    expect(b.admit(a, 60)).toBe(true);
    expect(b.admit(c, 40)).toBe(true);
    expect(b.state()).toEqual({ maxBytes: 100, usedBytes: 100, sheds: 0 });
    b.give(a, 60);
    expect(b.heldBy(a)).toBe(0);
    expect(b.usedBytes).toBe(40);
  });

  it('when full, the member furthest behind sheds and the asker gets its room', () => {
    const b = new WriteBudget(100);
    const behind = member(b, 'behind');
    const middle = member(b, 'middle');
    const asker = member(b, 'asker');
    b.take(behind, 60);
    b.take(middle, 30);
    b.take(asker, 5);
    expect(b.admit(asker, 20)).toBe(true);
    expect(behind.shedCalls).toBe(1);
    expect(middle.shedCalls).toBe(0);
    expect(b.heldBy(behind)).toBe(0);
    expect(b.heldBy(asker)).toBe(25);
    expect(b.usedBytes).toBe(55);
    expect(b.state().sheds).toBe(1);
  });

  it('the asker that is itself furthest behind (ties included) is refused and nobody sheds', () => {
    const b = new WriteBudget(100);
    const asker = member(b, 'asker');
    const other = member(b, 'other');
    b.take(asker, 50);
    b.take(other, 50);
    expect(b.admit(asker, 10)).toBe(false);
    expect(other.shedCalls).toBe(0);
    expect(b.usedBytes).toBe(100);
    expect(b.heldBy(asker)).toBe(50);
  });

  it('a member that can shed nothing (all it holds is being written) is passed over for the next one behind', () => {
    const b = new WriteBudget(100);
    const writing = member(b, 'writing', 70);
    const next = member(b, 'next');
    const asker = member(b, 'asker');
    b.take(writing, 70);
    b.take(next, 25);
    expect(b.admit(asker, 20)).toBe(true);
    expect(writing.shedCalls).toBe(1);
    expect(next.shedCalls).toBe(1);
    expect(b.heldBy(writing)).toBe(70);
    expect(b.usedBytes).toBe(90);
    expect(b.state().sheds).toBe(1);
  });

  it('never passes its bound through admit, whatever the order of askers', () => {
    const b = new WriteBudget(1000);
    const ms = Array.from({ length: 8 }, (_, i) => member(b, `m${i}`, i % 3 === 0 ? 40 : 0));
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const m = ms[Math.floor(rnd() * ms.length)]!;
      if (rnd() < 0.3) b.give(m, Math.min(b.heldBy(m), Math.floor(rnd() * 100)));
      else b.admit(m, 1 + Math.floor(rnd() * 120));
      expect(b.usedBytes).toBeLessThanOrEqual(1000);
      expect(b.usedBytes).toBe(ms.reduce((n, x) => n + b.heldBy(x), 0));
    }
  });

  it('a member that gave way resumes only once the budget is back under half', () => {
    const b = new WriteBudget(100);
    const m = member(b, 'm');
    b.take(m, 45);
    expect(b.canResume(10)).toBe(false);
    b.give(m, 10);
    expect(b.canResume(10)).toBe(true);
    expect(b.fits(65)).toBe(true);
    expect(b.fits(66)).toBe(false);
  });
});
