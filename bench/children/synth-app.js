// Child process of the synth benchmark: builds ONE app (one variant, N authorizations), synthesizes
// it into a directory and reports its own timings and memory on stdout.
//
// Plain JavaScript on purpose: it runs under plain `node`, so neither variant pays for TypeScript
// compilation and peak RSS is not inflated by ts-node. Both variants run this same file.
//
//   node synth-app.js '<json SynthRequest>'   (see SynthRequest in bench/synth-benchmark.ts)
'use strict';
const scriptStartMs = performance.now(); // ms since the process started (Node.js bootstrap before it)
const request = JSON.parse(process.argv[2]);

const ENV = { account: '111122223333', region: 'us-east-1' };
// What the CDK CLI passes to an app: resource path metadata and asset metadata on. Version
// reporting (AWS::CDK::Metadata) is off in both variants: it is not an authorization's cost.
const CLI_CONTEXT = { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true };

const cdk = require('aws-cdk-lib');
const commonLoadEndMs = performance.now();
function rssKb() {
  return Math.round(process.memoryUsage().rss / 1024);
}

/** The aws-cdk-lib submodules (e.g. "aws-lambda") this process has loaded so far. */
function loadedCdkModules() {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules[\\/]aws-cdk-lib[\\/]([^\\/]+)[\\/]/.exec(file);
    if (match && match[1] !== 'node_modules') names.add(match[1]);
  }
  return [...names].sort();
}

const libraryLoad = { ms: 0, rssKb: 0 };

/** This library: one AppBundle, N oauth2 AppAuthorizations, each with its own secret. */
function buildLibraryStack(stack, count) {
  const loadStartMs = performance.now();
  const appfabric = require(request.libraryDir);
  libraryLoad.ms = performance.now() - loadStartMs;
  libraryLoad.rssKb = rssKb();
  const bundle = new appfabric.AppBundle(stack, 'Bundle');
  for (let i = 1; i <= count; i++) {
    const secret = cdk.aws_secretsmanager.Secret.fromSecretNameV2(stack, `Secret${i}`, `appfabric/tenant-${i}`);
    new appfabric.AppAuthorization(stack, `Authorization${i}`, {
      appBundle: bundle,
      app: appfabric.Application.SLACK,
      tenant: { tenantIdentifier: `tenant-${i}`, tenantDisplayName: `Tenant ${i}` },
      credential: appfabric.AppCredential.oauth2(secret),
      stackOutputs: request.stackOutputs,
    });
  }
}

/** CloudFormation's own types: CfnAppBundle and N CfnAppAuthorizations whose credential is a
 *  Secrets Manager dynamic reference ({{resolve:secretsmanager:...}}) to the same secrets. */
function buildL1Stack(stack, count) {
  const { aws_appfabric: appfabric, aws_secretsmanager: secretsmanager, SecretValue, Validations } = cdk;
  const bundle = new appfabric.CfnAppBundle(stack, 'Bundle');
  // The same acknowledgement AppBundle makes: the bundled validation schema lacks this type.
  Validations.of(bundle).acknowledge({ id: 'CloudFormation-Validate::F3006', reason: 'AWS::AppFabric::AppBundle is a real type' });
  for (let i = 1; i <= count; i++) {
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, `Secret${i}`, `appfabric/tenant-${i}`);
    const field = (jsonField) => SecretValue.secretsManager(secret.secretArn, { jsonField }).unsafeUnwrap();
    new appfabric.CfnAppAuthorization(stack, `Authorization${i}`, {
      appBundleIdentifier: bundle.attrArn,
      app: 'SLACK',
      authType: 'oauth2',
      tenant: { tenantIdentifier: `tenant-${i}`, tenantDisplayName: `Tenant ${i}` },
      credential: { oauth2Credential: { clientId: field('clientId'), clientSecret: field('clientSecret') } },
    });
  }
}

const rssAfterCommonLoadKb = rssKb();
const constructStartMs = performance.now();
const cpuAtConstructStart = process.cpuUsage();
const app = new cdk.App({ outdir: request.outdir, analyticsReporting: false, context: { ...CLI_CONTEXT, ...request.context } });
const stack = new cdk.Stack(app, 'AppFabricBench', { env: ENV });
(request.variant === 'library' ? buildLibraryStack : buildL1Stack)(stack, request.count);
const constructEndMs = performance.now();
const rssAfterConstructKb = rssKb();
const modulesAfterConstruct = Object.keys(require.cache).length;
const cdkModulesAfterConstruct = loadedCdkModules();
const assembly = app.synth();
const synthEndMs = performance.now();
const cpu = process.cpuUsage(cpuAtConstructStart);
const templateFile = assembly.getStackByName('AppFabricBench').templateFullPath;
const stagedAssets = require('fs').readdirSync(request.outdir).filter((name) => name.startsWith('asset.')).length;

// Reported at exit: the peak RSS of the whole process, including anything that runs after synth().
process.on('exit', () => {
  const result = {
    scriptStartMs,
    commonLoadMs: commonLoadEndMs - scriptStartMs,
    constructMs: constructEndMs - constructStartMs,
    synthMs: synthEndMs - constructEndMs,
    constructAndSynthMs: synthEndMs - constructStartMs,
    constructAndSynthCpuMs: (cpu.user + cpu.system) / 1000,
    processStartToSynthEndMs: synthEndMs,
    rssAfterCommonLoadKb,
    rssAfterConstructKb,
    libraryLoadMs: libraryLoad.ms,
    rssAfterLibraryLoadKb: libraryLoad.rssKb,
    modulesAfterConstruct,
    cdkModulesAfterConstruct,
    maxRssKb: process.resourceUsage().maxRSS,
    templateFile,
    stagedAssets,
  };
  require('fs').writeSync(1, `@@bench-result ${JSON.stringify(result)}\n`);
});
