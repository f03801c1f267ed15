import { awscdk, javascript } from 'projen';

// The first aws-cdk-lib release with all four aws_appfabric L1 classes. 2.275.0 has only
// CfnAppAuthorization and CfnIngestionDestination; CfnAppBundle and CfnIngestion arrive in 2.276.0.
const CDK_FLOOR = '2.276.0';
// aws-cdk CLI 3.x refuses aws-cdk-lib 2.x cloud assemblies; 2.1148.1 reads 2.276.0's.
const CDK_CLI = 'aws-cdk@2.1148.1';
// The constructs release the library declares as its floor (peer dependency).
const CONSTRUCTS_FLOOR = '10.5.1';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-appfabric',
  description:
    'AWS CDK constructs for AWS AppFabric (app bundles, app authorizations with Secrets Manager credentials, audit log ingestions) and Venafi TPP OAuth applications.',
  keywords: ['aws-cdk', 'cdk', 'appfabric', 'aws-appfabric', 'saas', 'ocsf', 'audit-logs', 'venafi', 'tpp'],
  author: 'cdk-appfabric maintainers',
  authorAddress: 'maintainers@cdk-appfabric.dev',
  repositoryUrl: 'https://github.com/cdk-appfabric/cdk-appfabric.git',
  defaultReleaseBranch: 'main',
  license: 'Apache-2.0',
  stability: 'experimental',

  cdkVersion: CDK_FLOOR,
  constructsVersion: CONSTRUCTS_FLOOR,
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  // Bindings for every jsii language.
  publishToPypi: { distName: 'cdk-appfabric', module: 'cdk_appfabric' },
  publishToMaven: {
    javaPackage: 'io.github.cdkappfabric',
    mavenGroupId: 'io.github.cdk-appfabric',
    mavenArtifactId: 'cdk-appfabric',
  },
  publishToNuget: { dotNetNamespace: 'CdkAppFabric', packageId: 'CdkAppFabric' },
  publishToGo: { moduleName: 'github.com/cdk-appfabric/cdk-appfabric-go' },

  // Handlers: every src/**/*.lambda.ts is bundled at build time into assets/, so a consumer's
  // synth needs neither Docker nor esbuild. The runtime is pinned: templates stay deterministic.
  lambdaAutoDiscover: true,
  lambdaOptions: {
    runtime: awscdk.LambdaRuntime.NODEJS_24_X,
    // SDK v3 reuses connections by default; the environment variable would only add noise.
    awsSdkConnectionReuse: false,
    bundlingOptions: {
      // The Lambda Node.js runtime ships the AWS SDK v3; keep it out of the bundle.
      externals: ['@aws-sdk/*'],
      sourcemap: false,
      // `minify` is passed through to esbuild by projen's bundler.
      ...({ minify: true } as object),
    },
  },

  devDeps: [
    'cdk-nag@^3',
    CDK_CLI,
    'esbuild',
    // Reference signer for the tests of our own SigV4 (src/internal/aws-signing.ts).
    '@smithy/signature-v4',
    '@smithy/protocol-http',
    '@aws-sdk/client-secrets-manager',
    '@aws-sdk/credential-provider-node',
    '@aws-sdk/client-cloudformation',
    // The TPP emulator's test CA and server certificate.
    'selfsigned',
  ],

  jestOptions: {
    // Snapshots never rewrite themselves: `npx projen test:update` is the deliberate way.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      snapshotSerializers: ['<rootDir>/test/support/asset-hash-serializer.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/examples/cdk.out/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },

  gitignore: ['examples/cdk.out/', 'test/.tmp/', '.bench/', '*.bak', '.jsii.tabl.json', 'test/consumers/java/target/'],
  githubOptions: { mergify: false },
  depsUpgrade: false,
  // commit-and-tag-version 13 (projen's default, used only by `projen bump`) and its
  // conventional-changelog dependencies require Node.js >= 22: on Node 20, the default here, every
  // `npm ci` printed 17 EBADENGINE warnings. 12.x does the same job and supports Node 18+.
  bumpPackage: 'commit-and-tag-version@^12',
  pullRequestTemplate: false,
});

for (const path of ['/examples/', '/bench/', '/docs/', '/.ci/', '/ARCHITECTURE.md', '/rosetta/']) {
  project.addPackageIgnore(path);
}

// The `cdk-appfabric` command: bundled with its AWS SDK dependencies, so it runs from the npm
// package without installing anything else.
project.bundler.addBundle('src/cli/main.ts', {
  platform: 'node',
  target: 'node20',
  outfile: 'cdk-appfabric.js',
  executable: true,
  ...({ minify: true, banner: '#!/usr/bin/env node' } as object),
});
project.addBins({ 'cdk-appfabric': 'assets/cli/main/cdk-appfabric.js' });
project.eslint?.allowDevDeps('src/cli/**');

// Handler code is bundled at build time: the packages it imports are build dependencies.
project.eslint?.allowDevDeps('src/internal/**');
project.eslint?.allowDevDeps('src/**/handler/**');

// With updateSnapshot NEVER projen adds `test:update` for deliberate snapshot updates.


// Tests load the bundled handlers from assets/, so bundle first (esbuild takes about a second).
project.testTask.prependSpawn(project.tasks.tryFind('bundle')!);

// The AWS SDK v3 that some tests drive (the Secrets Manager emulator's conformance tests use the
// real client) warns, once per process, that its releases from 2027 need Node.js 22. It runs on the
// development Node.js (20) here only; the handlers run on nodejs24.x, and `test:node24` runs the
// same suite there. The SDK's documented switch keeps that note out of every test run.
project.testTask.env('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');

// npm 11 runs a dependency's install script only when package.json allows it, and ends each install
// listing the scripts it skipped. Neither is needed: esbuild's postinstall only re-checks the binary
// its platform package already installed, and @parcel/watcher's builds from source only when asked
// (npm_config_build_from_source). Denied explicitly: the same install, without the list.
project.package.addField('allowScripts', { 'esbuild': false, '@parcel/watcher': false });

// The example app: synthesized with the pinned aws-cdk CLI.
const synthExample = project.addTask('synth:example', {
  description: 'Synthesize the example app (examples/) into examples/cdk.out with the aws-cdk CLI',
  steps: [
    { spawn: 'bundle' },
    { exec: 'cdk synth --quiet --output cdk.out', cwd: 'examples' },
  ],
});
project.addTask('bench', {
  description: 'Run the benchmarks and regenerate docs/BENCHMARKS.md',
  steps: [
    { spawn: 'bundle' },
    { exec: 'ts-node --transpile-only --project bench/tsconfig.json bench/run.ts' },
  ],
});

project.addTask('chaos', {
  description: 'The chaos suite: seeded lifecycles under fault schedules against the emulators (--seeds N, --from N)',
  steps: [{ exec: 'ts-node --transpile-only --project test/tsconfig.json test/chaos/run.ts --seeds 1000', receiveArgs: true }],
});

project.addTask('example', {
  description: 'Synthesize the example app and rehearse its deploy against the local emulators',
  steps: [
    { spawn: synthExample.name },
    { exec: 'ts-node --transpile-only --project test/tsconfig.json test/rehearsal/main.ts examples/cdk.out' },
  ],
});

// Documentation examples: every TypeScript snippet of the README and the docstrings compiles
// under jsii-rosetta in strict mode (fixtures in rosetta/), and its Python, Java, C# and Go
// translations go into the tablet that jsii-pacmak reads for each language's docs. Part of the
// build (post-compile), so a snippet that stops compiling fails CI. The assembly is marked strict
// as well, so a later pacmak or rosetta run on it never falls back to untranslated TypeScript.
project.package.file.addOverride('jsii.metadata.jsii.rosetta.strict', true);
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Compile the README and docstring examples with jsii-rosetta (strict) and write their translations (.jsii.tabl.json)',
  steps: [{ exec: 'jsii-rosetta extract --strict' }],
});
project.postCompileTask.spawn(rosettaExtract);
project.addPackageIgnore('!.jsii.tabl.json');

// The README's consumer recipe, for real: packs the library, builds the README's app outside the
// repository from the packed file, snapshots it with the README's serializer, then installs a
// build whose handler code differs and checks the snapshot still passes. Needs the npm registry;
// run by CI, not by `npm test`.
project.addTask('test:consumer:typescript', {
  description: "Build the README's TypeScript app from the packed library and keep its snapshot across a handler-only library change",
  steps: [{ exec: 'ts-node --transpile-only --project test/tsconfig.json test/consumers/typescript/run.ts' }],
});

// ---------------------------------------------------------------------------------------------
// Bindings and their consumers (issue 19). `package:bindings` builds the Python wheel, the Java
// jar and the Go module (dist/python, dist/java, dist/go) and the .NET code (dist/dotnet, code
// only: no .NET SDK here). Each `consumer:<language>` installs what was built, with aws-cdk-lib
// and constructs at the library's floors, in a project outside src/ (test/consumers/<language>),
// declares the example app there and synthesizes it with the pinned aws-cdk CLI, the same way
// `consumers:reference` synthesizes examples/example-app.ts; `consumers:compare` then requires the
// same templates and asset hashes. Any change to examples/example-app.ts needs the same change in
// each consumer. Everything they write stays in test/.tmp (ignored).
const FLOORS = { CDK_FLOOR, CONSTRUCTS_FLOOR };
const CONSUMERS_OUT = 'test/.tmp/consumers';
const MAVEN_REPO = 'test/.tmp/maven-repo';
// Go's build cache stays in the clone too (the module cache is the Go registry's own).
const GO_BUILD_CACHE = { GOCACHE: '$(echo "$PWD/test/.tmp/go-build")' };
// The same CLI flags for every language: version reporting off, since its analytics record the
// language and Node.js version by design.
const consumerSynth = (app: string, language: string) =>
  `cdk synth --quiet --no-version-reporting --app "${app}" --output ../../.tmp/consumers/${language}/cdk.out`;

// projen's per-language package tasks, adapted to this machine: the Java build resolves aws-cdk-lib
// at the floor from the Maven registry, or from the Maven repository registry-gaps.sh fills while
// that registry does not carry it yet; .NET is code only.
const packageJava = project.tasks.tryFind('package:java')!;
packageJava.reset('bash test/consumers/registry-gaps.sh java');
packageJava.exec(`jsii-pacmak -v --target java --maven-local-repository ${MAVEN_REPO}`);
for (const [name, value] of Object.entries(FLOORS)) packageJava.env(name, value);
project.tasks.tryFind('package:go')!.env('GOCACHE', GO_BUILD_CACHE.GOCACHE);
project.tasks.tryFind('package:dotnet')!.reset('jsii-pacmak -v --code-only --target dotnet');
const packageBindings = project.addTask('package:bindings', {
  description: 'Build the Python wheel, Java jar and Go module into dist/, and the .NET code (code only)',
  steps: ['python', 'java', 'go', 'dotnet'].map((language) => ({ spawn: `package:${language}` })),
});

project.addTask('consumers:reference', {
  description: 'Synthesize the TypeScript example the way the language consumers are synthesized (the reference)',
  steps: [
    { spawn: 'bundle' },
    { exec: `cdk synth --quiet --no-version-reporting --output ../${CONSUMERS_OUT}/typescript/cdk.out`, cwd: 'examples' },
  ],
});

project.addTask('consumer:python', {
  description: 'Install the built wheel in a fresh virtual environment and synthesize the example in Python',
  env: FLOORS,
  steps: [
    { exec: 'bash test/consumers/registry-gaps.sh python' },
    { exec: `rm -rf ${CONSUMERS_OUT}/python && python3 -m venv ${CONSUMERS_OUT}/python/venv` },
    {
      exec: `${CONSUMERS_OUT}/python/venv/bin/pip install --quiet --disable-pip-version-check `
        + '--find-links test/.tmp/registry-gaps/python dist/python/*.whl '
        + '"aws-cdk-lib==$CDK_FLOOR" "constructs==$CONSTRUCTS_FLOOR"',
    },
    { exec: consumerSynth('../../.tmp/consumers/python/venv/bin/python app.py', 'python'), cwd: 'test/consumers/python' },
  ],
});

// The consumer's Maven local repository is inside the clone: nothing built here (this library's
// jar, a registry-gap aws-cdk-lib) lands in the user's ~/.m2. The library's own artifacts are
// dropped first, so a rebuilt 0.0.0 jar is never shadowed by the previous run's.
const mavenArgs = `-B -q -Dmaven.repo.local=$PWD/../../../${MAVEN_REPO} `
  + '-Daws-cdk-lib.version=$CDK_FLOOR -Dconstructs.version=$CONSTRUCTS_FLOOR';
project.addTask('consumer:java', {
  description: 'Build a Maven project on the built jar and synthesize the example in Java',
  env: FLOORS,
  steps: [
    { exec: `rm -rf ${CONSUMERS_OUT}/java ${MAVEN_REPO}/io/github/cdk-appfabric test/consumers/java/target` },
    { exec: `mvn ${mavenArgs} compile`, cwd: 'test/consumers/java' },
    { exec: consumerSynth(`mvn ${mavenArgs} exec:java`, 'java'), cwd: 'test/consumers/java' },
  ],
});

project.addTask('consumer:go', {
  description: 'Build a Go module on the built Go module (go.mod replace) and synthesize the example in Go',
  env: { ...FLOORS, ...GO_BUILD_CACHE },
  steps: [
    {
      exec: 'grep -q "github.com/aws/aws-cdk-go/awscdk/v2 v$CDK_FLOOR$" go.mod '
        + '|| (echo "test/consumers/go/go.mod must require github.com/aws/aws-cdk-go/awscdk/v2 v$CDK_FLOOR (the floor)"; exit 1)',
      cwd: 'test/consumers/go',
    },
    { exec: 'rm -rf ../../.tmp/consumers/go && go build -o ../../.tmp/consumers/go/example-app .', cwd: 'test/consumers/go' },
    { exec: consumerSynth('../../.tmp/consumers/go/example-app', 'go'), cwd: 'test/consumers/go' },
  ],
});

const compareConsumers = `ts-node --transpile-only --project test/tsconfig.json test/consumers/compare-templates.ts ${CONSUMERS_OUT}`;
project.addTask('consumers:compare', {
  description: 'Compare consumers\' templates with the TypeScript example\'s (args: the languages, e.g. python java go)',
  steps: [{ exec: compareConsumers, receiveArgs: true }],
});

project.addTask('consumers', {
  description: 'Build the bindings, run every language consumer and compare their templates with the TypeScript example',
  steps: [
    { spawn: packageBindings.name },
    { spawn: 'consumers:reference' },
    { spawn: 'consumer:python' },
    { spawn: 'consumer:java' },
    { spawn: 'consumer:go' },
    { exec: `${compareConsumers} python java go` },
  ],
});

// Node.js 24, the handlers' Lambda runtime (nodejs24.x), from the npm registry: the package the
// `node` package's install script would fetch for this platform (npm 11 blocks that script).
const NODE24 = 'test/.tmp/node24';
project.addTask('node24:install', {
  description: `Install Node.js 24 from the npm registry into ${NODE24}`,
  condition: `! test -x ${NODE24}/bin/node`,
  steps: [{
    exec: `npm install --global --prefix ${NODE24} --no-audit --no-fund --loglevel=error `
      + '"node-$(node -p \'process.platform + "-" + process.arch\')@24"',
  }],
});
project.addTask('test:node24', {
  description: 'Run the jest suite (handler bundles, rehearsal, chaos subset) under Node.js 24',
  steps: [
    { spawn: 'node24:install' },
    { spawn: 'bundle' },
    { exec: `PATH="$PWD/${NODE24}/bin:$PATH" node -e 'console.log("tests under Node.js " + process.version)'` },
    { exec: `PATH="$PWD/${NODE24}/bin:$PATH" jest --ci --coverage=false`, receiveArgs: true },
  ],
});

project.synth();
