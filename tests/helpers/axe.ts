// axe-core in Chromium, run inside the page itself: no serious or critical violation is what the e2e tests ask for.
import { createRequire } from 'node:module';
import type axe from 'axe-core';
import type { Page } from 'playwright-core';

/**
 * The axe-core that @axe-core/playwright carries (4.13), the engine these checks were written against. (The project's
 * own axe-core 4.14 also fails Live's tiles on label-content-name-mismatch: their label is not their visible text.)
 */
const AXE_SOURCE: string = createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright'))('axe-core').source;

/** WCAG 2.1 A and AA, and axe's best practices. */
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * Serious and critical violations on `page` as it is now (within `include`, a selector, when given): "rule (impact):
 * target, target — what to fix (why)". axe is put into a document once and then run there: @axe-core/playwright's
 * AxeBuilder puts its 500 kB in twice on every run and finishes each run in a new blank page, 2–4× the time of the run
 * itself on a loaded 2-core machine. Our pages have no frames, which that machinery is for.
 */
export async function axeViolations(page: Page, include?: string): Promise<string[]> {
  if (!(await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const r = await page.evaluate(([context, tags]) => (window as unknown as { axe: typeof axe }).axe.run(context ?? document, { runOnly: { type: 'tag', values: tags } }), [include ?? null, TAGS] as const);
  return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) =>
    `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 6).join(', ')}${v.nodes.length > 6 ? ` and ${v.nodes.length - 6} more` : ''} — ${v.help}` +
    ` (${v.nodes[0]?.failureSummary?.replace(/\s+/g, ' ').slice(0, 200)})`);
}
