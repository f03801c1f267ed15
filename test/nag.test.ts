// cdk-nag's AwsSolutions, NIST 800-53 R5 and Serverless packs on a stack holding every construct
// of the library (its inputs imported, so every resource in the template is the library's own).
// Each finding is fixed or acknowledged in src/nag.ts with a reason; the test fails on any other.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  App, Duration, IPolicyValidationPlugin, Stack, Validations, aws_kms as kms, aws_s3 as s3, aws_secretsmanager as secretsmanager, aws_sns as sns,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import {
  AppAuthorization, AppBundle, AppCredential, AppFabricMonitor, Application, AuditLogFormat, AuditLogSchema, Ingestion,
  IngestionDestinationTarget, TppOAuthApplication,
} from '../src';
import * as library from '../src';
import { TEST_ENV } from './support/stacks';

function everyConstruct(stack: Stack): void {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${TEST_ENV.region}:${TEST_ENV.account}:${resource}`;
  const bundle = new AppBundle(stack, 'Bundle', {
    encryptionKey: kms.Key.fromKeyArn(stack, 'Key', arn('kms', 'key/1234abcd-12ab-34cd-56ef-1234567890ab')),
    tags: { owner: 'security' },
  });
  const slack = new AppAuthorization(stack, 'Slack', {
    appBundle: bundle,
    app: Application.SLACK,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, 'SlackSecret', 'appfabric/slack')),
    followSecretRotation: true,
  });
  const asana = new AppAuthorization(stack, 'Asana', {
    appBundle: bundle,
    app: Application.ASANA,
    tenant: { tenantIdentifier: '1200000000000000', tenantDisplayName: 'Example Corp Asana' },
    credential: AppCredential.apiKey(secretsmanager.Secret.fromSecretCompleteArn(stack, 'AsanaSecret', arn('secretsmanager', 'secret:appfabric/asana-AbCdEf'))),
    followSecretRotation: true,
  });
  new Ingestion(stack, 'AsanaLogs', {
    authorization: asana,
    destinations: [{
      target: IngestionDestinationTarget.s3(s3.Bucket.fromBucketName(stack, 'Logs', 'example-audit-logs'), 'asana'),
      schema: AuditLogSchema.OCSF,
      format: AuditLogFormat.PARQUET,
    }],
  });
  new AppFabricMonitor(stack, 'Monitor', {
    appBundle: bundle,
    authorizations: [slack, asana],
    alarmTopic: sns.Topic.fromTopicArn(stack, 'Topic', arn('sns', 'appfabric-alarms')),
  });
  new TppOAuthApplication(stack, 'CertBot', {
    serverUrl: 'https://tpp.example.com',
    tokenSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'TppToken', 'tpp/admin-token'),
    applicationId: 'cert-bot',
    applicationName: 'Certificate bot',
    vendor: 'Example Corp',
    scope: 'certificate:manage,revoke',
    accessValidity: Duration.hours(1),
  });
}

interface Findings {
  readonly open: string[];
  readonly acknowledged: string[];
}

/** Synthesizes the stack with one pack and reads the validation report: `<rule> <construct path>` per finding. */
function findings(pack: (app: App) => IPolicyValidationPlugin): Findings {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-appfabric-nag-'));
  try {
    const app = new App({ outdir });
    Validations.of(app).addPlugins(pack(app));
    everyConstruct(new Stack(app, 'Library', { env: TEST_ENV }));
    try {
      app.synth();
    } catch {
      // Findings interrupt synthesis; the report is written first.
    }
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    const nag = (report.pluginReports as any[]).filter((plugin) => plugin.pluginName !== 'CloudFormation Validate');
    const rows = (violations: any[]) => violations.flatMap((v) => (v.violatingConstructs as any[]).map((c) => `${v.ruleName} ${c.constructPath}`)).sort();
    return { open: rows(nag.flatMap((p) => p.violations)), acknowledged: rows(nag.flatMap((p) => p.suppressedViolations ?? [])) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

test('AwsSolutions: no open finding', () => {
  const result = findings((app) => new AwsSolutionsChecks(app));
  expect(result.open).toEqual([]);
  expect(result.acknowledged.length).toBeGreaterThan(0);
});

test('NIST 800-53 R5: no open finding', () => {
  const result = findings((app) => new NIST80053R5Checks(app));
  expect(result.open).toEqual([]);
  expect(result.acknowledged).toEqual(expect.arrayContaining(['NIST.800.53.R5-LambdaInsideVPC Library/Monitor/Function/Resource']));
});

test('Serverless: no open finding', () => {
  const result = findings((app) => new ServerlessChecks(app));
  expect(result.open).toEqual([]);
});

test('the nag helpers are not part of the public API', () => {
  const api = library as unknown as Record<string, unknown>;
  for (const helper of ['acknowledgeUnknownResourceType', 'acknowledgeWildcardResource', 'acknowledgeLibraryFunctions']) {
    expect(api[helper]).toBeUndefined();
  }
});
