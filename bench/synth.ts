// Synth: the same stacks built with this library and with CloudFormation's own types (the L1),
// each synthesized in a fresh Node.js process, rounds interleaved so that drift in the machine's
// load hits both variants alike. One more library synth is kept on disk: the handler
// measurements load the function its template names.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runNodeForResult } from './child-process';
import { median } from './stats';

export type Variant = 'library' | 'l1';
export const VARIANTS: readonly Variant[] = ['library', 'l1'];
/** N = 50 is AppFabric's quota of authorizations per account and Region. */
export const AUTHORIZATION_COUNTS = [1, 50] as const;
const SYNTH_APP = path.join(__dirname, 'children', 'synth-app.js');
const CHILD_TIMEOUT_MS = 180_000;

export interface Template {
  readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, unknown>;
}

interface ChildResult {
  readonly constructAndSynthMs: number;
  /** User + system CPU time of the same span, all threads: other load on the machine moves it less than wall time. */
  readonly cpuMs: number;
  readonly maxRssKb: number;
  readonly templateFile: string;
}

export interface SynthMeasurement {
  readonly variant: Variant;
  readonly count: number;
  readonly wallMs: number[];
  readonly maxRssKb: number[];
  readonly medianWallMs: number;
  readonly medianCpuMs: number;
  readonly medianMaxRssKb: number;
  readonly templateBytes: number;
  readonly template: Template;
}

export interface SynthResults {
  readonly rounds: number;
  readonly measurements: SynthMeasurement[];
  /** A library app with one authorization, synthesized into a directory that stays until `close()`. */
  readonly assemblyDir: string;
  readonly assemblyTemplate: Template;
  close(): void;
}

export function measurement(results: SynthResults, variant: Variant, count: number): SynthMeasurement {
  const found = results.measurements.find((m) => m.variant === variant && m.count === count);
  if (!found) throw new Error(`no synth measurement for ${variant} at N = ${count}`);
  return found;
}

export async function measureSynth(libraryDir: string, rounds: number, log: (line: string) => void): Promise<SynthResults> {
  const configs = AUTHORIZATION_COUNTS.flatMap((count) => VARIANTS.map((variant) => ({ variant, count })));
  log(`synth: one warm-up process per variant, then ${rounds} interleaved rounds of ${configs.length} processes`);
  for (const variant of VARIANTS) await synthesizeOnce(variant, 1, libraryDir);

  const runs = new Map(configs.map((c) => [`${c.variant}/${c.count}`, [] as Array<ChildResult & { bytes: Buffer }>]));
  for (let round = 0; round < rounds; round++) {
    // Odd rounds run the configurations in reverse: neither variant always goes first.
    for (const config of round % 2 === 0 ? configs : [...configs].reverse()) {
      runs.get(`${config.variant}/${config.count}`)!.push(await synthesizeOnce(config.variant, config.count, libraryDir));
    }
    log(`synth: round ${round + 1}/${rounds} done`);
  }
  const measurements = configs.map(({ variant, count }): SynthMeasurement => {
    const configRuns = runs.get(`${variant}/${count}`)!;
    const sizes = new Set(configRuns.map((r) => r.bytes.length));
    if (sizes.size !== 1) throw new Error(`${variant} at N = ${count} wrote templates of different sizes: ${[...sizes].join(', ')} B`);
    return {
      variant,
      count,
      wallMs: configRuns.map((r) => r.constructAndSynthMs),
      maxRssKb: configRuns.map((r) => r.maxRssKb),
      medianWallMs: median(configRuns.map((r) => r.constructAndSynthMs)),
      medianCpuMs: median(configRuns.map((r) => r.cpuMs)),
      medianMaxRssKb: median(configRuns.map((r) => r.maxRssKb)),
      templateBytes: configRuns[0].bytes.length,
      template: JSON.parse(configRuns[0].bytes.toString('utf8')) as Template,
    };
  });

  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-appfabric-bench-assembly-'));
  const { result } = await runNodeForResult<ChildResult>(
    [SYNTH_APP, JSON.stringify({ variant: 'library', count: 1, outdir: assemblyDir, libraryDir })], { timeoutMs: CHILD_TIMEOUT_MS });
  return {
    rounds,
    measurements,
    assemblyDir,
    assemblyTemplate: JSON.parse(fs.readFileSync(result.templateFile, 'utf8')) as Template,
    close: () => fs.rmSync(assemblyDir, { recursive: true, force: true }),
  };
}

async function synthesizeOnce(variant: Variant, count: number, libraryDir: string): Promise<ChildResult & { bytes: Buffer }> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-appfabric-bench-'));
  try {
    const { result } = await runNodeForResult<ChildResult>(
      [SYNTH_APP, JSON.stringify({ variant, count, outdir, libraryDir })], { timeoutMs: CHILD_TIMEOUT_MS });
    return { ...result, bytes: fs.readFileSync(result.templateFile) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** (bytes at N = 50 − bytes at N = 1) / 49. */
export function growthPerAuthorization(results: SynthResults, variant: Variant): number {
  const [small, large] = AUTHORIZATION_COUNTS;
  return (measurement(results, variant, large).templateBytes - measurement(results, variant, small).templateBytes) / (large - small);
}

/**
 * The same growth by template section: each resource type's resources, and the outputs, as the
 * template writes them (JSON, indent 1), so the sections add up to nearly the whole growth.
 */
export function growthBySection(results: SynthResults, variant: Variant): Map<string, number> {
  const [small, large] = AUTHORIZATION_COUNTS;
  const sections = (template: Template) => {
    const bytes = new Map<string, number>();
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      const name = `resources of type ${resource.Type}`;
      bytes.set(name, (bytes.get(name) ?? 0) + sectionBytes(logicalId, resource));
    }
    for (const [logicalId, output] of Object.entries(template.Outputs ?? {})) {
      bytes.set('outputs', (bytes.get('outputs') ?? 0) + sectionBytes(logicalId, output));
    }
    return bytes;
  };
  const before = sections(measurement(results, variant, small).template);
  const after = sections(measurement(results, variant, large).template);
  const growth = new Map<string, number>();
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    const perAuthorization = ((after.get(name) ?? 0) - (before.get(name) ?? 0)) / (large - small);
    if (Math.abs(perAuthorization) >= 0.5) growth.set(name, perAuthorization);
  }
  return growth;
}

/** A template entry's bytes at the depth the template writes it (two levels in, indent 1). */
function sectionBytes(key: string, value: unknown): number {
  const text = JSON.stringify({ [key]: value }, undefined, 1);
  // Drop the wrapping braces; each line of the entry sits one level deeper in the template.
  const lines = text.split('\n').slice(1, -1);
  return lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 2, 0);
}

export function resourceCount(template: Template, type?: string): number {
  return Object.values(template.Resources ?? {}).filter((r) => type === undefined || r.Type === type).length;
}

export function customResourceTypes(template: Template): string[] {
  return [...new Set(Object.values(template.Resources ?? {}).map((r) => r.Type).filter((t) => t.startsWith('Custom::')))].sort();
}

export function outputCount(template: Template): number {
  return Object.keys(template.Outputs ?? {}).length;
}
