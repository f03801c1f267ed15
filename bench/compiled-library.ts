// The library as consumers load it: the jsii compile output in lib/. Synth children load compiled
// JavaScript so that no variant pays for TypeScript compilation. When lib/ is missing or older
// than src/, it is compiled first with jsii (as `npx projen compile` would).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');
const SRC_DIR = path.join(REPO_ROOT, 'src');
const LIB_DIR = path.join(REPO_ROOT, 'lib');

/** Returns lib/, compiling src/ with jsii first when lib/ is missing or out of date. */
export function ensureCompiledLibrary(log: (line: string) => void): string {
  const stale = staleSources();
  if (stale.length === 0) {
    log('lib/ is up to date with src/');
    return LIB_DIR;
  }
  log(`lib/ is missing or older than src/ (${stale.length} file(s), e.g. ${stale[0]}): compiling with jsii`);
  const jsii = spawnSync('npx', ['jsii', '--silence-warnings=reserved-word'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 300_000 });
  if (jsii.status !== 0 && staleSources().length === 0) {
    // jsii type-model errors (e.g. in a construct someone is still writing) do not stop the
    // TypeScript emit: every source now has current JavaScript, which is all the benchmark loads.
    log(`jsii exited with ${jsii.status} but emitted current JavaScript for every source; benchmarking it. jsii said: ${firstErrorLine(jsii.stdout + jsii.stderr)}`);
  } else if (jsii.status !== 0) {
    throw new Error(
      'The benchmarks need the compiled library in lib/, and `npx jsii --silence-warnings=reserved-word` failed '
      + `(exit ${jsii.status ?? jsii.signal}). Fix the compile errors below (or wait for in-progress edits in src/), then run \`npm run bench\` again.\n`
      + `${jsii.stdout}\n${jsii.stderr}`,
    );
  }
  if (!fs.existsSync(path.join(LIB_DIR, 'index.js'))) {
    throw new Error('jsii succeeded but lib/index.js does not exist: check the "outDir" of tsconfig.json.');
  }
  return LIB_DIR;
}

function firstErrorLine(output: string): string {
  return output.split('\n').find((line) => /error/i.test(line))?.trim() ?? '(no error line)';
}

/** Source files whose compiled JavaScript in lib/ is missing or older than the source. */
function staleSources(): string[] {
  return listTypeScript(SRC_DIR).filter((source) => {
    const compiled = path.join(LIB_DIR, path.relative(SRC_DIR, source)).replace(/\.ts$/, '.js');
    return !fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(source).mtimeMs;
  }).map((source) => path.relative(REPO_ROOT, source));
}

function listTypeScript(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listTypeScript(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}
