// Child process of the synth benchmark: builds ONE app (the library or the L1, N authorizations),
// synthesizes it and reports its wall time, CPU time and peak memory on stdout.
//
// Plain JavaScript on purpose: both variants run this same file under plain `node`, so neither
// pays for TypeScript compilation and peak RSS is not inflated by ts-node.
//
//   node synth-app.js '{"variant":"library"|"l1","count":N,"outdir":"...","libraryDir":"..."}'
'use strict';
const request = JSON.parse(process.argv[2]);

const ENV = { account: '111122223333', region: 'us-east-1' };
// What the CDK CLI passes to an app: resource path and asset metadata on. Version reporting
// (AWS::CDK::Metadata) is off in both variants: it is not an authorization's cost.
const CLI_CONTEXT = { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true };

const cdk = require('aws-cdk-lib');

/** The library: one AppBundle, N oauth2 AppAuthorizations, each with its own secret. */
function buildLibraryStack(stack, count) {
  const appfabric = require(request.libraryDir);
  const bundle = new appfabric.AppBundle(stack, 'Bundle');
  for (let i = 1; i <= count; i++) {
    const secret = cdk.aws_secretsmanager.Secret.fromSecretNameV2(stack, `Secret${i}`, `appfabric/tenant-${i}`);
    new appfabric.AppAuthorization(stack, `Authorization${i}`, {
      appBundle: bundle,
      app: appfabric.Application.SLACK,
      tenant: { tenantIdentifier: `tenant-${i}`, tenantDisplayName: `Tenant ${i}` },
      credential: appfabric.AppCredential.oauth2(secret),
    });
  }
}

/** CloudFormation's own types: CfnAppBundle and N CfnAppAuthorizations whose credential is a
 *  Secrets Manager dynamic reference ({{resolve:secretsmanager:...}}) to the same secrets. */
function buildL1Stack(stack, count) {
  const { aws_appfabric: appfabric, aws_secretsmanager: secretsmanager, SecretValue, Validations } = cdk;
  const bundle = new appfabric.CfnAppBundle(stack, 'Bundle');
  // The acknowledgement AppBundle makes too: the bundled validation schema lacks this type.
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

const startMs = performance.now();
const cpuAtStart = process.cpuUsage();
const app = new cdk.App({ outdir: request.outdir, analyticsReporting: false, context: CLI_CONTEXT });
const stack = new cdk.Stack(app, 'AppFabricBench', { env: ENV });
(request.variant === 'library' ? buildLibraryStack : buildL1Stack)(stack, request.count);
const assembly = app.synth();
const constructAndSynthMs = performance.now() - startMs;
const cpu = process.cpuUsage(cpuAtStart);
const templateFile = assembly.getStackByName('AppFabricBench').templateFullPath;

// Reported at exit: the peak RSS of the whole process, including anything that runs after synth().
process.on('exit', () => {
  require('fs').writeSync(1, `@@bench-result ${JSON.stringify({ constructAndSynthMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS, templateFile })}\n`);
});
