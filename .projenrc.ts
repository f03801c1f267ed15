import { awscdk, javascript } from 'projen';

// The first aws-cdk-lib release with all four aws_appfabric L1 classes. 2.275.0 has only
// CfnAppAuthorization and CfnIngestionDestination; CfnAppBundle and CfnIngestion arrive in 2.276.0.
const CDK_FLOOR = '2.276.0';
// aws-cdk CLI 3.x refuses aws-cdk-lib 2.x cloud assemblies; 2.1148.1 reads 2.276.0's.
const CDK_CLI = 'aws-cdk@2.1148.1';

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
  constructsVersion: '10.5.1',
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

  gitignore: ['examples/cdk.out/', 'test/.tmp/', '.bench/', '*.bak', '.jsii.tabl.json'],
  githubOptions: { mergify: false },
  depsUpgrade: false,
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

project.synth();
