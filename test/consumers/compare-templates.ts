// Compares each language consumer's cloud assembly with the TypeScript example's, synthesized in
// the same run with the same CLI flags: the same stacks, and per stack the same template (every
// resource, property, output, parameter and rule) and the same asset hashes.
//
//   ts-node test/consumers/compare-templates.ts <out dir> <language> ...
//
// reads <out dir>/typescript/cdk.out (the reference) and <out dir>/<language>/cdk.out.
//
// Exit code 1 when any consumer differs, with each difference as a JSON path.
import * as fs from 'fs';
import * as path from 'path';

/** Where each consumer declares the example app: the files to change with examples/example-app.ts. */
const CONSUMER_SOURCES: Record<string, string> = {
  python: 'test/consumers/python/app.py',
  java: 'test/consumers/java/src/main/java/com/example/appfabric/ExampleApp.java',
  go: 'test/consumers/go/main.go',
};

/** At most this many differences are printed per stack; the count is always printed. */
const MAX_DIFFERENCES_SHOWN = 25;

interface Assembly {
  readonly dir: string;
  /** Stack name -> template file name, from manifest.json. */
  readonly stacks: Map<string, string>;
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function loadAssembly(dir: string): Assembly {
  const manifestFile = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`${manifestFile} does not exist: synthesize that app first`);
  }
  const stacks = new Map<string, string>();
  for (const [name, artifact] of Object.entries<any>(readJson(manifestFile).artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      stacks.set(name, artifact.properties.templateFile);
    }
  }
  return { dir, stacks };
}

/** The asset hashes a stack publishes (file and container image assets), sorted. */
function assetHashes(assembly: Assembly, stack: string): string[] {
  const file = path.join(assembly.dir, `${stack}.assets.json`);
  if (!fs.existsSync(file)) return [];
  const manifest = readJson(file);
  return [...Object.keys(manifest.files ?? {}), ...Object.keys(manifest.dockerImages ?? {})].sort();
}

function show(value: unknown): string {
  if (value === undefined) return '(absent)';
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** Every path at which `actual` differs from `expected`, e.g. `Resources.BundleKey.Properties.Description`. */
export function differences(expected: unknown, actual: unknown, at = ''): string[] {
  if (JSON.stringify(expected) === JSON.stringify(actual)) return [];
  const bothObjects = typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null;
  if (!bothObjects || Array.isArray(expected) !== Array.isArray(actual)) {
    return [`${at || '(root)'}: TypeScript ${show(expected)}, consumer ${show(actual)}`];
  }
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length !== actual.length) {
    return [`${at}: TypeScript has ${expected.length} items, consumer ${actual.length}: TypeScript ${show(expected)}, consumer ${show(actual)}`];
  }
  const keys = [...new Set([...Object.keys(expected as object), ...Object.keys(actual as object)])].sort();
  return keys.flatMap((key) => {
    const e = (expected as any)[key];
    const a = (actual as any)[key];
    const child = at ? `${at}.${key}` : key;
    if (e === undefined) return [`${child}: only in the consumer's template ${show(a)}`];
    if (a === undefined) return [`${child}: missing from the consumer's template (TypeScript ${show(e)})`];
    return differences(e, a, child);
  });
}

/** The differences between one consumer's assembly and the TypeScript example's, as printable lines. */
export function compareAssemblies(reference: Assembly, consumer: Assembly): string[] {
  const found: string[] = [];
  const names = [...new Set([...reference.stacks.keys(), ...consumer.stacks.keys()])].sort();
  for (const stack of names) {
    const expectedFile = reference.stacks.get(stack);
    const actualFile = consumer.stacks.get(stack);
    if (!expectedFile) { found.push(`stack ${stack}: only in the consumer's app`); continue; }
    if (!actualFile) { found.push(`stack ${stack}: missing from the consumer's app`); continue; }
    const lines = differences(readJson(path.join(reference.dir, expectedFile)), readJson(path.join(consumer.dir, actualFile)));
    const expectedAssets = assetHashes(reference, stack);
    const actualAssets = assetHashes(consumer, stack);
    if (JSON.stringify(expectedAssets) !== JSON.stringify(actualAssets)) {
      lines.push(`assets: TypeScript ${show(expectedAssets)}, consumer ${show(actualAssets)}`);
    }
    found.push(...lines.slice(0, MAX_DIFFERENCES_SHOWN).map((line) => `stack ${stack}: ${line}`));
    if (lines.length > MAX_DIFFERENCES_SHOWN) {
      found.push(`stack ${stack}: ... and ${lines.length - MAX_DIFFERENCES_SHOWN} more differences`);
    }
  }
  return found;
}

function main(args: string[]): number {
  const [outDir, ...languages] = args;
  if (!outDir || languages.length === 0) {
    console.error('usage: compare-templates <out dir> <language> ...');
    return 2;
  }
  const referenceDir = path.join(outDir, 'typescript', 'cdk.out');
  const reference = loadAssembly(referenceDir);
  let failed = 0;
  for (const language of languages) {
    const found = compareAssemblies(reference, loadAssembly(path.join(outDir, language, 'cdk.out')));
    const resources = [...reference.stacks.values()]
      .reduce((n, file) => n + Object.keys(readJson(path.join(reference.dir, file)).Resources ?? {}).length, 0);
    if (found.length === 0) {
      console.log(`${language}: same template as the TypeScript example (${reference.stacks.size} stack(s), ${resources} resources, asset hashes included)`);
      continue;
    }
    failed++;
    const source = CONSUMER_SOURCES[language] ?? `the ${language} consumer`;
    console.error([
      `${language}: the consumer's template differs from the TypeScript example's (${found.length} difference(s)):`,
      ...found.map((line) => `  ${line}`),
      `Any change to examples/example-app.ts needs the same change in each consumer: ${Object.values(CONSUMER_SOURCES).join(', ')}.`,
      `If examples/example-app.ts did not change, the ${language} binding itself produces a different template: see ${source}.`,
    ].join('\n'));
  }
  console.log(`consumer templates: ${languages.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  process.exit(main(process.argv.slice(2)));
}
