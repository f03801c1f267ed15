// The log settings of the library's functions: one per stack, applied to every log group.
import { aws_kms as kms, aws_logs as logs, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { AppAuthorization, AppBundle, AppCredential, AppFabricLogSettings, AppFabricMonitor, Application } from '../src';
import { expectNagClean, nagStack } from './support/stacks';

function stackWithFunctions() {
  const stack = nagStack();
  const bundle = new AppBundle(stack, 'Bundle');
  new AppAuthorization(stack, 'Slack', {
    appBundle: bundle,
    app: Application.SLACK,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, 'SlackClient', 'appfabric/slack')),
  });
  new AppFabricMonitor(stack, 'Monitor', { appBundle: bundle, dashboard: false });
  return stack;
}

test('by default every log group keeps its logs a year, with CloudWatch Logs encryption', () => {
  const template = expectNagClean(stackWithFunctions());
  const groups = Object.values<any>(template.findResources('AWS::Logs::LogGroup'));
  expect(groups).toHaveLength(2);
  for (const group of groups) {
    expect(group.Properties).toEqual({ RetentionInDays: 365 });
  }
});

test('a key and retention set once, even after the functions exist, apply to every log group; the key lets CloudWatch Logs in', () => {
  const stack = stackWithFunctions();
  const key = new kms.Key(stack, 'LogKey', { enableKeyRotation: true });
  AppFabricLogSettings.configure(stack, { encryptionKey: key, retention: logs.RetentionDays.THREE_MONTHS });
  const template = expectNagClean(stack);
  const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
  for (const group of Object.values<any>(template.findResources('AWS::Logs::LogGroup'))) {
    expect(group.Properties).toEqual({ RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  }
  const keyPolicy = Object.values<any>(template.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
  expect(keyPolicy.find((statement: any) => statement.Principal?.Service === 'logs.us-east-1.amazonaws.com')?.Condition).toEqual({
    ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:111122223333:log-group:*']] } },
  });
});

test('a second configure for the same stack is refused, naming the fix', () => {
  const stack = stackWithFunctions();
  AppFabricLogSettings.configure(stack, { retention: logs.RetentionDays.ONE_MONTH });
  expect(() => AppFabricLogSettings.configure(stack, { retention: logs.RetentionDays.ONE_WEEK }))
    .toThrow('TestStack: AppFabricLogSettings.configure was already called for this stack. Call it once, with every setting.');
});
