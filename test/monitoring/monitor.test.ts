// The status monitor: metrics from the emulator's statuses, and alarms that read them.
import { Duration, aws_secretsmanager as secretsmanager, aws_sns as sns } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AppAuthorization, AppBundle, AppCredential, AppFabricMonitor, Application } from '../../src';
import { AppFabricClient } from '../../src/internal/appfabric-client';
import { reportStatuses } from '../../src/monitoring/handler/status-monitor';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';
import { expectNagClean, nagStack } from '../support/stacks';

function monitoredStack(options: { topic?: boolean } = {}) {
  const stack = nagStack();
  const bundle = new AppBundle(stack, 'Bundle');
  const slack = new AppAuthorization(stack, 'Slack', {
    appBundle: bundle,
    app: Application.SLACK,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'E' },
    credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'appfabric/slack')),
  });
  const topic = options.topic ? new sns.Topic(stack, 'Alarms', { enforceSSL: true }) : undefined;
  const monitor = new AppFabricMonitor(stack, 'Monitor', {
    appBundle: bundle, authorizations: [slack], alarmTopic: topic, notConnectedFor: Duration.minutes(30),
  });
  return { stack, monitor };
}

describe('metrics', () => {
  let emulator: AppFabricEmulator;
  beforeEach(async () => { emulator = await AppFabricEmulator.start(); });
  afterEach(async () => { await emulator.close(); });

  test('a TokenAutoRotationFailed authorization reports 0, and the bundle reports one not Connected', async () => {
    const bundleArn = emulator.createAppBundle();
    const slack = emulator.putAuthorization({ appBundleArn: bundleArn, app: 'SLACK', authType: 'oauth2', tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'E' } });
    const asana = emulator.putAuthorization({ appBundleArn: bundleArn, app: 'ASANA', authType: 'apiKey', tenant: { tenantIdentifier: '1200', tenantDisplayName: 'A' } });
    emulator.setStatus(slack.appAuthorizationArn, 'TokenAutoRotationFailed');
    emulator.setStatus(asana.appAuthorizationArn, 'Connected');
    const lines: string[] = [];
    const client = new AppFabricClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: async () => ({ accessKeyId: 'AKID', secretAccessKey: 's' }) });

    const report = await reportStatuses(client, bundleArn, (line) => lines.push(line), 1_700_000_000_000);

    expect(report).toEqual({ total: 2, notConnected: [{ app: 'SLACK', tenant: 'examplecorp', status: 'TokenAutoRotationFailed' }] });
    const records = lines.map((line) => JSON.parse(line));
    const slackRecord = records.find((r) => r.App === 'SLACK');
    expect(slackRecord).toMatchObject({ AuthorizationConnected: 0, Status: 'TokenAutoRotationFailed', Tenant: 'examplecorp', AppBundleId: bundleArn.split('/').pop() });
    expect(slackRecord._aws.CloudWatchMetrics).toEqual([{ Namespace: 'CdkAppFabric', Dimensions: [['AppBundleId', 'App', 'Tenant']], Metrics: [{ Name: 'AuthorizationConnected', Unit: 'Count' }] }]);
    expect(records.find((r) => r.App === 'ASANA').AuthorizationConnected).toBe(1);
    expect(records.find((r) => 'AuthorizationsNotConnected' in r).AuthorizationsNotConnected).toBe(1);

    // The value it published breaches the alarm the construct defines for that authorization.
    const { stack } = monitoredStack();
    const alarms = Object.values<any>(expectNagClean(stack).findResources('AWS::CloudWatch::Alarm'));
    const perAuthorization = alarms.find((a) => a.Properties.MetricName === 'AuthorizationConnected').Properties;
    expect(perAuthorization.Namespace).toBe('CdkAppFabric');
    expect(perAuthorization.Dimensions.map((d: any) => d.Name).sort()).toEqual(['App', 'AppBundleId', 'Tenant']);
    expect(perAuthorization.Dimensions.find((d: any) => d.Name === 'Tenant').Value).toBe(slackRecord.Tenant);
    expect(breaches(perAuthorization, slackRecord.AuthorizationConnected)).toBe(true);
    expect(breaches(perAuthorization, 1)).toBe(false);
  });
});

/** Whether one datapoint breaches an alarm's threshold. */
function breaches(alarm: { ComparisonOperator: string; Threshold: number }, value: number): boolean {
  switch (alarm.ComparisonOperator) {
    case 'LessThanThreshold': return value < alarm.Threshold;
    case 'GreaterThanOrEqualToThreshold': return value >= alarm.Threshold;
    default: throw new Error(`unexpected ${alarm.ComparisonOperator}`);
  }
}

describe('AppFabricMonitor', () => {
  test('a schedule, a bundle-wide alarm, one alarm per listed authorization, SNS actions and a dashboard', () => {
    const { stack } = monitoredStack({ topic: true });
    const template = expectNagClean(stack);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'AuthorizationsNotConnected',
      Namespace: 'CdkAppFabric',
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 6,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('the monitor may only list the authorizations of its bundle', () => {
    const { stack } = monitoredStack();
    const template = expectNagClean(stack);
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('MonitorFunctionRole'));
    const statements = policies[0].Properties.PolicyDocument.Statement;
    const appfabric = statements.filter((s: any) => JSON.stringify(s.Action).includes('appfabric'));
    expect(appfabric).toEqual([{ Action: 'appfabric:ListAppAuthorizations', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Bundle/), 'Arn'] } }]);
  });

  test.each([
    [{ interval: Duration.seconds(30) }, /interval 30 seconds must be a whole number of minutes, at least 1/],
    [{ interval: Duration.minutes(10), notConnectedFor: Duration.minutes(5) }, /notConnectedFor 5 minutes is shorter than interval 10 minutes/],
  ])('bad durations fail at synth: %#', (options, message) => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    expect(() => new AppFabricMonitor(stack, 'Monitor', { appBundle: bundle, ...options })).toThrow(message);
  });
});
