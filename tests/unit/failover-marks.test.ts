// Failover recordings on a standby's timeline: the parts of its spans inside takeovers are marked `standby`.
import { describe, expect, it } from 'vitest';
import { markStandby } from '../../electron/core/sites/failover';

describe('markStandby', () => {
  it('leaves spans outside every takeover as they are', () => {
    expect(markStandby([{ start: 0, end: 10 }], [{ start: 20, end: 30 }])).toEqual([{ start: 0, end: 10 }]);
  });

  it('marks a span inside a takeover, and one running on while the takeover is under way (end Infinity)', () => {
    expect(markStandby([{ start: 12, end: 18 }], [{ start: 10, end: 20 }])).toEqual([{ start: 12, end: 18, standby: true }]);
    expect(markStandby([{ start: 12, end: 18 }], [{ start: 10, end: Infinity }])).toEqual([{ start: 12, end: 18, standby: true }]);
  });

  it('splits a span at the edges of the takeovers it crosses', () => {
    expect(markStandby([{ start: 0, end: 100 }], [{ start: 10, end: 20 }, { start: 50, end: 120 }])).toEqual([
      { start: 0, end: 10 }, { start: 10, end: 20, standby: true }, { start: 20, end: 50 }, { start: 50, end: 100, standby: true },
    ]);
  });

  it('keeps a span of no length once', () => {
    expect(markStandby([{ start: 5, end: 5 }], [])).toEqual([{ start: 5, end: 5 }]);
  });
});
