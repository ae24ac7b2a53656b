// Idle sign-out across the app's windows (renderer/src/features/operators/shared-activity.ts): input in one window is
// activity in the others, told at most every few seconds, and a window is not told of its own input.
import { afterEach, describe, expect, it } from 'vitest';
import { sharedActivity } from '../../renderer/src/features/operators/shared-activity';

const open: { close(): void }[] = [];
afterEach(() => { for (const a of open.splice(0)) a.close(); });

describe('activity shared between windows', () => {
  it('input in one window reaches the others, throttled, and not itself', async () => {
    const heard = { main: 0, pop: 0 };
    const main = sharedActivity(() => heard.main++, 5000);
    const pop = sharedActivity(() => heard.pop++, 5000);
    open.push(main, pop);
    main.touched(1_000);
    await expect.poll(() => heard.pop).toBe(1);
    main.touched(3_000); // within 5 s of the last: not told again
    pop.touched(3_000);
    await expect.poll(() => heard.main).toBe(1);
    main.touched(6_000);
    await expect.poll(() => heard.pop).toBe(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual({ main: 1, pop: 2 });
  });
});
