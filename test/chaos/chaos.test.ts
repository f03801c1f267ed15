// A fixed set of chaos seeds in the normal test run, with the quick profile (no fault that costs
// whole seconds). The full suite, slow faults included: `test/chaos/run.ts --seeds 1000`.
import { QUICK_PROFILE, formatFailure, runSeeds } from './chaos';

const SEEDS = Array.from({ length: 15 }, (_, i) => i + 1);

test(`chaos seeds ${SEEDS[0]}..${SEEDS[SEEDS.length - 1]}: every invariant holds after every step`, async () => {
  const summary = await runSeeds(SEEDS, { profile: QUICK_PROFILE });
  const failures = summary.failed.map(formatFailure).join('\n\n');
  expect(failures).toBe('');
  // The seeds must actually exercise the chaos they are meant to.
  const total = (name: string) => summary.results.reduce((sum, result) => sum + (result.counts[name] ?? 0), 0);
  expect(total('killed invocations')).toBeGreaterThan(0);
  expect(total('rollbacks')).toBeGreaterThan(0);
  expect(total('failed Creates')).toBeGreaterThan(0);
  expect(total('replacements')).toBeGreaterThan(0);
}, 60_000);
