// Edge backfill end to end: a camsim camera keeps recording to its card while it refuses the station (offline through
// the fault API); once it is back the station fetches the missing range from the card (Dahua's /cam/playback), writes it
// as segments marked from the camera, and the archive plays across the outage. A part the card lacks (its card-gap
// fault) stays a gap with the reason not_on_card. (The 60 s outage is bench:faults' backfill section.)
import { describe, expect, it } from 'vitest';
import { cardOutage, frameHoles } from '../helpers/backfill';

const DOWN_MS = 20_000;

describe('edge backfill', () => {
  it('fills a 20 s outage from the camera card (playback crosses it with no missing second); a part the card lacks stays a gap with its reason', async () => {
    const r = await cardOutage({ downMs: DOWN_MS, lose: { from: 8000, to: 12_000 }, subnet: '127.0.93' });
    expect(r.fillMs).toBeLessThan(120_000);
    const lost = r.lost!;

    // The card's hole is one gap with its reason, where the card lacks it (the card resumes at its next keyframe).
    const lacking = r.timeline.gaps.filter((g) => g.reason === 'not_on_card');
    expect(lacking).toHaveLength(1);
    expect(Math.abs(lacking[0]!.start - lost.start)).toBeLessThan(1000);
    expect(lacking[0]!.end).toBeGreaterThanOrEqual(lost.end - 300);
    expect(lacking[0]!.end - lost.end).toBeLessThan(2500);
    expect(r.timeline.gaps.filter((g) => g.reason === 'camera_offline' && g.end > r.down && g.start < r.up)).toHaveLength(0);

    // Everything else of the outage is filled, drawn as from the camera, on both sides of the hole.
    expect(r.fillRatio).toBeGreaterThan(0.9);
    expect(r.filledMs + r.lackingMs).toBeGreaterThan(DOWN_MS - 500);
    expect(r.timeline.filled.some((f) => f.start <= r.down + 300 && f.end >= lost.start - 1000)).toBe(true);
    expect(r.timeline.filled.some((f) => f.start <= lost.end + 2500 && f.end >= r.up - 2500)).toBe(true);
    expect(r.segmentsFromCamera).toBeGreaterThan(1);

    // The archive reads across the outage frame after frame: no second missing but the card's hole, time never back.
    expect(r.frames[0]!).toBeLessThan(r.down - 2000);
    expect(r.frames.at(-1)!).toBeGreaterThan(r.up + 2000);
    const { holes, backMs } = frameHoles(r.frames);
    expect(backMs).toBeLessThan(100);
    expect(holes).toHaveLength(1);
    expect(holes[0]![0]).toBeLessThanOrEqual(lacking[0]!.start + 100);
    expect(holes[0]![1]).toBeGreaterThanOrEqual(lacking[0]!.end - 100);
  }, 240_000);
});
