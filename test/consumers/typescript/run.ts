// The README's TypeScript consumer recipe, run for real (`npx projen test:consumer:typescript`):
//  1. packs the library with the README's build commands;
//  2. sets up the README's app in a temporary directory outside the repository: its setup commands
//     (npm init, installs from the packed file) and its files (cdk.json, tsconfig.json, app.ts, the
//     jest serializer, config and test), taken from the README itself so the two cannot drift;
//  3. `npm test` (cdk synth + jest) writes the snapshot;
//  4. makes a library build that differs from the first in handler code only (a line appended to a
//     bundled handler: the package ships prebuilt handlers, and their esbuild --minify drops
//     comments, so a comment in a handler's source would not change the asset at all), installs it
//     and checks that the template's asset hashes changed while `npm test -- --ci` still passes.
// Needs the npm registry (aws-cdk-lib, jest, ...). Each command has a time limit.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const README = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
/** The package path the README's install lines name. */
const README_TGZ = '/path/to/cdk-appfabric/dist/js/cdk-appfabric@0.0.0.jsii.tgz';
/** The files the README's app consists of. */
const APP_FILES = ['cdk.json', 'tsconfig.json', 'app.ts', 'test/asset-hash-serializer.js', 'jest.config.js', 'test/app.test.js'];
const CHANGED_HANDLER = 'assets/app-authorization/handler/app-authorization.lambda/index.js';
const ASSET_HASH = /[0-9a-f]{64}/g;
const STEP_TIMEOUT_MS = 10 * 60 * 1000;

const env = {
  ...process.env,
  NPM_CONFIG_UPDATE_NOTIFIER: 'false',
  NPM_CONFIG_FUND: 'false',
  NPM_CONFIG_AUDIT: 'false',
  NPM_CONFIG_PREFER_OFFLINE: 'true',
  // Synth needs no AWS account: the app names its environment. Nothing may reach a real endpoint.
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'fake',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};

function sh(command: string, cwd: string): string {
  const started = Date.now();
  console.log(`$ ${command}    (in ${cwd === REPO ? 'the repository' : path.relative(os.tmpdir(), cwd) || cwd})`);
  try {
    const out = execFileSync('bash', ['-euo', 'pipefail', '-c', command], { cwd, env, encoding: 'utf8', timeout: STEP_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
    console.log(`  ok, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return out;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

/** The README's fenced blocks that follow a line naming a file: "`path`:" or "`path`, words:". */
function readmeFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const match of README.matchAll(/^`([\w./-]+)`(?:,[^\n]*)?:\n\n```[^\n]*\n([\s\S]*?)^```/gm)) {
    files.set(match[1], match[2]);
  }
  const missing = APP_FILES.filter((file) => !files.has(file));
  if (missing.length > 0) {
    throw new Error(`README.md no longer shows ${missing.join(', ')} as "\`file\`:" followed by a code block; update ${path.relative(REPO, __filename)} with it.`);
  }
  return files;
}

/** The lines of the README's sh block that starts with `startsWith`. */
function readmeCommands(startsWith: string): string[] {
  const block = [...README.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]).find((b) => b.startsWith(startsWith));
  if (!block) {
    throw new Error(`README.md has no sh block starting with '${startsWith}'.`);
  }
  return block.split('\n').map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line && !line.startsWith('#'));
}

function assetHashes(dir: string): Set<string> {
  const template = fs.readFileSync(path.join(dir, 'cdk.out', 'AppFabric.template.json'), 'utf8');
  return new Set(template.match(ASSET_HASH) ?? []);
}

function main(): void {
  const started = Date.now();
  const files = readmeFiles();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-appfabric-consumer-'));
  let passed = false;
  try {
    // 1. The package, built as the README says.
    const build = readmeCommands('git clone').filter((line) => !line.startsWith('git clone') && line !== 'npm ci');
    for (const line of build) {
      sh(line, REPO);
    }
    const packed = fs.readdirSync(path.join(REPO, 'dist', 'js')).filter((f) => f.endsWith('.tgz'));
    if (packed.length !== 1) {
      throw new Error(`dist/js holds ${packed.length} packages (${packed.join(', ')}); expected the one the build just made.`);
    }
    const v1 = path.join(work, packed[0]);
    fs.copyFileSync(path.join(REPO, 'dist', 'js', packed[0]), v1);

    // 2. The README's app, outside the repository.
    const app = path.join(work, 'my-appfabric-app');
    fs.mkdirSync(app);
    const setup = readmeCommands('mkdir my-appfabric-app').filter((line) => !line.startsWith('mkdir') || !line.includes('&& cd'));
    for (const line of setup) {
      sh(line.split(README_TGZ).join(v1), app);
    }
    for (const [file, content] of files) {
      if (APP_FILES.includes(file)) {
        fs.mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
        fs.writeFileSync(path.join(app, file), content);
      }
    }

    // 3. First run: synthesizes and writes the snapshot.
    sh('npm test -- --ci=false', app);
    const snapshot = fs.readFileSync(path.join(app, 'test', '__snapshots__', 'app.test.js.snap'), 'utf8');
    if (!snapshot.includes('[ASSET HASH]') || /[0-9a-f]{64}/.test(snapshot)) {
      throw new Error('The snapshot holds asset hashes: the README\'s serializer did not mask them.');
    }
    const hashesBefore = assetHashes(app);

    // 4. A library build that differs in handler code only, installed over the first.
    const unpacked = path.join(work, 'v2');
    fs.mkdirSync(unpacked);
    sh(`tar -xzf ${JSON.stringify(v1)} -C ${JSON.stringify(unpacked)}`, work);
    const handler = path.join(unpacked, 'package', CHANGED_HANDLER);
    fs.appendFileSync(handler, '\n;globalThis.cdkAppfabricConsumerTest="handler-only change";\n');
    const v2Name = sh(`npm pack --silent --pack-destination ${JSON.stringify(work)}`, path.join(unpacked, 'package')).trim().split('\n').pop()!;
    sh(`npm install ${JSON.stringify(path.join(work, v2Name))}`, app);
    if (!fs.readFileSync(path.join(app, 'node_modules', 'cdk-appfabric', CHANGED_HANDLER), 'utf8').includes('handler-only change')) {
      throw new Error('The changed library build was not installed.');
    }
    sh('npm test -- --ci', app);
    const hashesAfter = assetHashes(app);
    const changed = [...hashesBefore].filter((hash) => !hashesAfter.has(hash));
    if (changed.length === 0) {
      throw new Error('The template\'s asset hashes did not change with the handler: the test proved nothing.');
    }
    console.log(`\nThe README's app kept its snapshot across a handler-only library change (${changed.length} asset hash(es) changed in the template), ` +
      `in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
    passed = true;
  } finally {
    if (passed || process.env.KEEP_CONSUMER !== 'true') {
      fs.rmSync(work, { recursive: true, force: true });
    } else {
      console.log(`Kept ${work} (KEEP_CONSUMER=true).`);
    }
  }
}

main();
