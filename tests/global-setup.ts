// vitest's global set-up, once per run before any test file: the bundles of the processes tests start (test-bundles.ts).
import { buildTestBundles } from './helpers/test-bundles';

export default async function setup(): Promise<void> {
  await buildTestBundles();
}
