// The issue's targets, each judged against one run's figures, the L1's beside it where it has one.
import type { EventResults } from './events';
import type { ColdStartResults } from './handler';
import { formatDecimal, formatInteger, formatMiBFromKiB, formatMs, formatRatio } from './stats';
import {
  AUTHORIZATION_COUNTS, SynthResults, customResourceTypes, growthPerAuthorization, measurement, outputCount, resourceCount,
} from './synth';

export interface TargetResult {
  readonly measure: string;
  readonly target: string;
  readonly library: string;
  /** The L1's figure, or '—' where the L1 has nothing to measure. */
  readonly l1: string;
  readonly met: boolean;
}

export const COLD_START_LIMIT_MS = 30;
export const GROWTH_RATIO_LIMIT = 1.2;
export const SYNTH_WALL_RATIO_LIMIT = 1.1;
export const PEAK_RSS_RATIO_LIMIT = 1.05;

export interface TargetInputs {
  readonly synth: SynthResults;
  readonly coldStart: ColdStartResults;
  readonly events: EventResults;
}

export function evaluateTargets({ synth, coldStart, events }: TargetInputs): TargetResult[] {
  const [small, large] = AUTHORIZATION_COUNTS;
  const library = measurement(synth, 'library', large);
  const l1 = measurement(synth, 'l1', large);

  const functions = resourceCount(library.template, 'AWS::Lambda::Function');
  const types = customResourceTypes(library.template).length;
  const invocations = events.events.map((e) => e.invocations);
  const mostInvocations = Math.max(...invocations);
  const growth = { library: growthPerAuthorization(synth, 'library'), l1: growthPerAuthorization(synth, 'l1') };
  const wallRatio = library.medianWallMs / l1.medianWallMs;
  const rssRatio = library.medianMaxRssKb / l1.medianMaxRssKb;
  const outputsPerAuthorization = (outputCount(library.template) - outputCount(measurement(synth, 'library', small).template)) / (large - small);

  return [
    {
      measure: `Lambda functions per stack (N = ${large})`,
      target: '1 per custom resource type used',
      library: `${functions} function(s), ${types} custom resource type(s)`,
      l1: `${resourceCount(l1.template, 'AWS::Lambda::Function')} functions`,
      met: functions <= types,
    },
    {
      measure: 'Lambda invocations per CloudFormation event',
      target: '1',
      library: `${invocations.every((n) => n === mostInvocations) ? '' : `${Math.min(...invocations)} to `}${mostInvocations} (${events.events.length} kinds of event)`,
      l1: '—',
      met: mostInvocations === 1 && events.events.every((e) => e.invocations === 1 && e.consistent),
    },
    {
      measure: 'Handler cold start over a bare Node.js start',
      target: `≤ ${formatMs(COLD_START_LIMIT_MS)}`,
      library: `${signed(coldStart.overBareNodeMs)} (${formatMs(coldStart.medianHandlerProcessMs)} vs ${formatMs(coldStart.medianBareNodeMs)})`,
      l1: '—',
      met: coldStart.overBareNodeMs <= COLD_START_LIMIT_MS,
    },
    {
      measure: 'Template growth per authorization vs L1',
      target: `≤ ${formatRatio(GROWTH_RATIO_LIMIT)}`,
      library: `${formatRatio(growth.library / growth.l1, 3)} (${formatInteger(growth.library)} B)`,
      l1: `${formatInteger(growth.l1)} B`,
      met: growth.library / growth.l1 <= GROWTH_RATIO_LIMIT,
    },
    {
      measure: `Synth wall at N = ${large} vs L1`,
      target: `≤ ${formatRatio(SYNTH_WALL_RATIO_LIMIT)}`,
      library: `${formatRatio(wallRatio, 3)} (${formatMs(library.medianWallMs)})`,
      l1: formatMs(l1.medianWallMs),
      met: wallRatio <= SYNTH_WALL_RATIO_LIMIT,
    },
    {
      measure: `Peak synth RSS at N = ${large} vs L1`,
      target: `≤ ${formatRatio(PEAK_RSS_RATIO_LIMIT)}`,
      library: `${formatRatio(rssRatio, 3)} (${formatMiBFromKiB(library.medianMaxRssKb)})`,
      l1: formatMiBFromKiB(l1.medianMaxRssKb),
      met: rssRatio <= PEAK_RSS_RATIO_LIMIT,
    },
    {
      measure: 'Outputs per OAuth authorization (default)',
      target: '1',
      library: formatDecimal(outputsPerAuthorization),
      l1: formatDecimal((outputCount(l1.template) - outputCount(measurement(synth, 'l1', small).template)) / (large - small)),
      met: outputsPerAuthorization === 1,
    },
  ];
}

function signed(ms: number): string {
  return `${ms >= 0 ? '+' : '−'}${formatMs(Math.abs(ms))}`;
}
