// Everything one run of the benchmarks measured, as handed to targets.ts and report.ts.
import type { BundleComposition } from './bundle-composition';
import type { BundleSize, ColdStartResults } from './cold-start';
import type { HandlerEventResults } from './handler-events';
import type { MachineDescription } from './machine';
import { configKey } from './synth-benchmark';
import type { SynthResults, TimedConfigResult, Variant } from './synth-benchmark';
import type { ThrottleResults } from './throttling';

export interface BenchmarkResults {
  readonly machine: MachineDescription;
  readonly loadAverageAtStart: number[];
  readonly loadAverageAtEnd: number[];
  readonly synth: SynthResults;
  readonly bundle: BundleSize;
  readonly composition: BundleComposition;
  readonly coldStart: ColdStartResults;
  readonly events: HandlerEventResults;
  readonly throttle: ThrottleResults;
}

export function timedConfig(synth: SynthResults, variant: Variant, count: number,
  options: { withoutValidation?: boolean; planned?: boolean } = {}): TimedConfigResult {
  const key = configKey({ variant, count, ...options });
  const found = synth.timed.find((c) => configKey(c) === key);
  if (!found) throw new Error(`no synth measurement for ${key}`);
  return found;
}
