// Synth: the same stacks built with this library and with CloudFormation's own types (L1), each
// synthesized in a fresh Node.js process (children/synth-app.js), runs interleaved so that drift
// in the machine's load hits both variants alike.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runNodeForResult } from './child-process';
import { median } from './stats';
import {
  AUTHORIZATION_TYPES, Template, growthPerAuthorization, outputCount, policyStatementCount, resourceCount, resourceTypeCounts, templateBytes,
} from './template-anatomy';

export type Variant = 'library' | 'l1';
export const VARIANTS: readonly Variant[] = ['library', 'l1'];
export const AUTHORIZATION_COUNTS = [1, 10, 50] as const;
const SYNTH_APP = path.join(__dirname, 'children', 'synth-app.js');

/** What children/synth-app.js is asked to build. */
interface SynthRequest {
  readonly variant: Variant;
  readonly count: number;
  readonly outdir: string;
  readonly libraryDir: string;
  /** AppAuthorizationProps.stackOutputs (library only). */
  readonly stackOutputs?: boolean;
  /** Extra app context, e.g. feature flags. */
  readonly context?: Record<string, unknown>;
}

/** What children/synth-app.js reports. */
interface SynthChildResult {
  readonly scriptStartMs: number;
  readonly commonLoadMs: number;
  readonly constructMs: number;
  readonly synthMs: number;
  readonly constructAndSynthMs: number;
  /** CPU time (user + system, all threads) of construct + synth: less sensitive to other load than wall time. */
  readonly constructAndSynthCpuMs: number;
  readonly processStartToSynthEndMs: number;
  readonly rssAfterCommonLoadKb: number;
  readonly rssAfterConstructKb: number;
  /** Library only: require() of lib/ and the RSS right after it. */
  readonly libraryLoadMs: number;
  readonly rssAfterLibraryLoadKb: number;
  /** Modules in require.cache after constructing, and the aws-cdk-lib submodules among them. */
  readonly modulesAfterConstruct: number;
  readonly cdkModulesAfterConstruct: string[];
  readonly maxRssKb: number;
  readonly templateFile: string;
  /** asset.* entries written to the cloud assembly. */
  readonly stagedAssets: number;
}

/** One configuration that is timed: a variant at a size, optionally without CDK's template validation. */
export interface TimedConfig {
  readonly variant: Variant;
  readonly count: number;
  /** CDK_VALIDATION=false: aws-cdk-lib's built-in template validation off. */
  readonly withoutValidation?: boolean;
  /** Library only: the template plan's measurable part (PLANNED_TEMPLATE below) applied. */
  readonly planned?: boolean;
}

/**
 * The library configured the way the template-growth plan proposes to make its defaults: no stack
 * outputs, and GetSecretValue grants merged into one statement (what minimizePolicies does).
 */
export const PLANNED_TEMPLATE = { stackOutputs: false, context: { '@aws-cdk/aws-iam:minimizePolicies': true } };

export interface TimedConfigResult extends TimedConfig {
  readonly runs: SynthChildResult[];
  readonly medianConstructAndSynthMs: number;
  readonly medianConstructAndSynthCpuMs: number;
  readonly medianConstructMs: number;
  readonly medianSynthMs: number;
  readonly medianProcessStartToSynthEndMs: number;
  readonly medianMaxRssKb: number;
  readonly medianRssAfterConstructKb: number;
  readonly template: Template;
  /** Whether every run wrote a byte-identical template. */
  readonly deterministic: boolean;
}

export interface TemplateFacts {
  readonly bytes: number;
  readonly fileBytes: number;
  readonly resources: number;
  readonly outputs: number;
  readonly resourceTypes: Record<string, number>;
  readonly policyStatements: number;
  readonly stagedAssets: number;
}

/** A library configuration synthesized once (bytes only) to measure what a change would save. */
export interface WhatIf {
  readonly label: string;
  readonly stackOutputs: boolean;
  readonly context: Record<string, unknown>;
  readonly growthPerAuthorization?: number;
  /** AWS::IAM::ManagedPolicy resources at N=50 (aws-cdk-lib's overflow policies). */
  readonly managedPoliciesAt50?: number;
}

export interface SynthResults {
  readonly runsPerConfig: number;
  readonly timed: TimedConfigResult[];
  readonly facts: Map<string, TemplateFacts>;
  /** (bytes at N=50 − bytes at N=1) / 49, by variant. */
  readonly growthPerAuthorization: Record<Variant, number>;
  /** The same growth, part by part (see template-anatomy.ts). */
  readonly growthByPart: Record<Variant, Map<string, number>>;
  readonly whatIfs: WhatIf[];
}

export function configKey(config: TimedConfig): string {
  return `${config.variant}/${config.count}${config.withoutValidation ? '/no-validation' : ''}${config.planned ? '/planned' : ''}`;
}

export async function runSynthBenchmark(libraryDir: string, runsPerConfig: number, log: (line: string) => void): Promise<SynthResults> {
  const configs: TimedConfig[] = [
    ...AUTHORIZATION_COUNTS.flatMap((count) => VARIANTS.map((variant) => ({ variant, count }))),
    ...[1, 50].flatMap((count) => VARIANTS.map((variant) => ({ variant, count, withoutValidation: true }))),
    { variant: 'library', count: 50, planned: true },
  ];
  log(`synth: warming up (file cache), then ${runsPerConfig} interleaved rounds of ${configs.length} fresh processes`);
  for (const variant of VARIANTS) await synthesizeOnce({ variant, count: 1 }, libraryDir);

  const runs = new Map<string, SynthChildResult[]>(configs.map((c) => [configKey(c), []]));
  const templates = new Map<string, { template: Template; fileBytes: number; hashes: Set<string> }>();
  for (let round = 0; round < runsPerConfig; round++) {
    for (const config of roundOrder(configs, round)) {
      const { result, template, fileBytes, hash } = await synthesizeOnce(config, libraryDir);
      runs.get(configKey(config))!.push(result);
      const seen = templates.get(configKey(config)) ?? { template, fileBytes, hashes: new Set<string>() };
      seen.hashes.add(hash);
      templates.set(configKey(config), seen);
    }
    log(`synth: round ${round + 1}/${runsPerConfig} done`);
  }

  const timed = configs.map((config): TimedConfigResult => {
    const configRuns = runs.get(configKey(config))!;
    const seen = templates.get(configKey(config))!;
    return {
      ...config,
      runs: configRuns,
      medianConstructAndSynthMs: median(configRuns.map((r) => r.constructAndSynthMs)),
      medianConstructAndSynthCpuMs: median(configRuns.map((r) => r.constructAndSynthCpuMs)),
      medianConstructMs: median(configRuns.map((r) => r.constructMs)),
      medianSynthMs: median(configRuns.map((r) => r.synthMs)),
      medianProcessStartToSynthEndMs: median(configRuns.map((r) => r.processStartToSynthEndMs)),
      medianMaxRssKb: median(configRuns.map((r) => r.maxRssKb)),
      medianRssAfterConstructKb: median(configRuns.map((r) => r.rssAfterConstructKb)),
      template: seen.template,
      deterministic: seen.hashes.size === 1,
    };
  });

  const facts = new Map<string, TemplateFacts>();
  for (const config of timed.filter((c) => !c.withoutValidation && !c.planned)) {
    const seen = templates.get(configKey(config))!;
    facts.set(configKey(config), {
      bytes: templateBytes(config.template),
      fileBytes: seen.fileBytes,
      resources: resourceCount(config.template),
      outputs: outputCount(config.template),
      resourceTypes: resourceTypeCounts(config.template),
      policyStatements: policyStatementCount(config.template),
      stagedAssets: config.runs[0].stagedAssets,
    });
  }
  const templateOf = (variant: Variant, count: number) => timed.find((c) => configKey(c) === `${variant}/${count}`)!.template;
  const growth = (variant: Variant) => (facts.get(`${variant}/50`)!.fileBytes - facts.get(`${variant}/1`)!.fileBytes) / 49;
  const growthByPart = (variant: Variant) => growthPerAuthorization(
    { template: templateOf(variant, 1), count: 1 }, { template: templateOf(variant, 50), count: 50 }, AUTHORIZATION_TYPES[variant]);

  log('synth: what-if configurations of the library (template bytes only)');
  const whatIfs = await measureWhatIfs(libraryDir);
  return {
    runsPerConfig,
    timed,
    facts,
    growthPerAuthorization: { library: growth('library'), l1: growth('l1') },
    growthByPart: { library: growthByPart('library'), l1: growthByPart('l1') },
    whatIfs,
  };
}

/** Each round visits every configuration; odd rounds reverse the order, so neither variant always goes first. */
function roundOrder(configs: TimedConfig[], round: number): TimedConfig[] {
  return round % 2 === 0 ? configs : [...configs].reverse();
}

async function synthesizeOnce(config: TimedConfig & { stackOutputs?: boolean; context?: Record<string, unknown> }, libraryDir: string) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-appfabric-bench-'));
  try {
    const options = config.planned ? PLANNED_TEMPLATE : { stackOutputs: config.stackOutputs, context: config.context };
    const request: SynthRequest = { variant: config.variant, count: config.count, outdir, libraryDir, ...options };
    const env = { ...process.env, ...(config.withoutValidation ? { CDK_VALIDATION: 'false' } : {}) };
    const { result } = await runNodeForResult<SynthChildResult>([SYNTH_APP, JSON.stringify(request)], { env, timeoutMs: 180_000 });
    const text = fs.readFileSync(result.templateFile);
    return {
      result,
      template: JSON.parse(text.toString('utf8')) as Template,
      fileBytes: text.length,
      hash: createHash('sha256').update(text).digest('hex'),
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

const WHAT_IFS: Array<Omit<WhatIf, 'growthPerAuthorization'>> = [
  { label: 'stackOutputs: false', stackOutputs: false, context: {} },
  { label: 'feature flag @aws-cdk/aws-iam:minimizePolicies on', stackOutputs: true, context: { '@aws-cdk/aws-iam:minimizePolicies': true } },
  { label: 'stackOutputs: false and minimizePolicies on', stackOutputs: false, context: { '@aws-cdk/aws-iam:minimizePolicies': true } },
];

async function measureWhatIfs(libraryDir: string): Promise<WhatIf[]> {
  const measured: WhatIf[] = [];
  for (const whatIf of WHAT_IFS) {
    const synthesizeAt = (count: number) => synthesizeOnce({ variant: 'library', count, withoutValidation: true, ...whatIf }, libraryDir);
    const small = await synthesizeAt(1);
    const large = await synthesizeAt(50);
    measured.push({
      ...whatIf,
      growthPerAuthorization: (large.fileBytes - small.fileBytes) / 49,
      managedPoliciesAt50: resourceTypeCounts(large.template)['AWS::IAM::ManagedPolicy'] ?? 0,
    });
  }
  return measured;
}
