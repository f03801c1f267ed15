// Following rotated secrets: the rotation follower against the emulators, and its wiring.
import { aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { AppAuthorization, AppBundle, AppCredential, Application } from '../../src';
import { handler as followRotation } from '../../src/app-authorization/handler/rotation.lambda';
import { AppAuthorizationProperties, CREDENTIAL_VERSION_TAG } from '../../src/app-authorization/properties';
import { HandlerHarness, cfnEvent, handler as onEvent, lambdaContext } from '../support/handler-harness';
import { expectNagClean, nagStack, testSecret } from '../support/stacks';

describe('rotation follower', () => {
  let harness: HandlerHarness;
  beforeEach(async () => { harness = await HandlerHarness.start(); });
  afterEach(async () => { await harness.close(); });

  async function deployed(props: AppAuthorizationProperties) {
    const { PhysicalResourceId } = await onEvent(cfnEvent('Create', props), lambdaContext());
    return { ...props, AppAuthorizationArn: PhysicalResourceId };
  }

  function rotate(name: string, value: object): string {
    harness.secrets.putSecret(name, JSON.stringify(value));
    return harness.secrets.versionId(name)!;
  }

  test('a rotated API key reaches AppFabric and is verified; a duplicate event changes nothing', async () => {
    const authorization = await deployed(harness.apiKeyProps('good-key'));
    const versionId = rotate('appfabric/asana', { apiKey: 'good-key-rotated' });

    expect(await followRotation({ authorization, versionId }, lambdaContext())).toBe('updated');
    const [stored] = harness.appfabric.authorizations();
    expect(stored.credential).toEqual({ apiKeyCredential: { apiKey: 'good-key-rotated' } });
    expect(stored.status).toBe('Connected');
    expect(stored.tags).toContainEqual({ key: CREDENTIAL_VERSION_TAG, value: versionId });

    const updates = harness.appfabric.count('UpdateAppAuthorization');
    expect(await followRotation({ authorization, versionId }, lambdaContext())).toBe('unchanged');
    expect(harness.appfabric.count('UpdateAppAuthorization')).toBe(updates);
  });

  test('the first event after a Create, for the version it applied, writes nothing (an OAuth authorization stays Connected)', async () => {
    const authorization = await deployed(harness.props());
    harness.appfabric.setStatus(authorization.AppAuthorizationArn, 'Connected');
    const secretArn = authorization.CredentialSecretArn;
    const versionId = harness.secrets.versionId(secretArn)!;
    harness.appfabric.requests.length = 0;
    expect(await followRotation({ authorization, versionId, secretArn }, lambdaContext())).toBe('unchanged');
    expect(harness.appfabric.count('UpdateAppAuthorization') + harness.appfabric.count('TagResource')).toBe(0);
    expect(harness.appfabric.authorizations()[0].status).toBe('Connected');
  });

  test("a sibling secret's rotation changes nothing, even while the followed secret has a version not yet applied", async () => {
    // Imported by name: the rule matches 'appfabric/slack-' by prefix, so it also fires for 'appfabric/slack-staging'.
    const followedFullArn = harness.secrets.putSecret('appfabric/slack', JSON.stringify({ clientId: 'id', clientSecret: 'CANARY-1' }));
    const byName = followedFullArn.replace(/-[A-Za-z0-9]{6}$/, '');
    const authorization = await deployed(harness.props({ CredentialSecretArn: byName }));
    harness.appfabric.setStatus(authorization.AppAuthorizationArn, 'Connected');
    rotate('appfabric/slack', { clientId: 'id', clientSecret: 'CANARY-2' });
    const sibling = harness.secrets.putSecret('appfabric/slack-staging', JSON.stringify({ clientId: 'id', clientSecret: 'CANARY-staging' }));
    harness.appfabric.requests.length = 0;

    const outcome = await followRotation({ authorization, versionId: harness.secrets.versionId(sibling), secretArn: sibling }, lambdaContext());

    expect(outcome).toBe('another-secret');
    expect(harness.appfabric.requests).toEqual([]);
    expect(harness.appfabric.authorizations()[0].status).toBe('Connected');
    expect(harness.logs.join('\n')).toContain(`the event is about ${sibling}, not ${followedFullArn}`);
    // The followed secret's own event still applies its new version.
    expect(await followRotation({ authorization, versionId: harness.secrets.versionId(byName), secretArn: followedFullArn }, lambdaContext())).toBe('pending-consent');
  });

  test('events out of order converge on the current version', async () => {
    const authorization = await deployed(harness.apiKeyProps('good-key'));
    const older = rotate('appfabric/asana', { apiKey: 'good-key-2' });
    const newer = rotate('appfabric/asana', { apiKey: 'good-key-3' });
    expect(await followRotation({ authorization, versionId: newer }, lambdaContext())).toBe('updated');
    expect(await followRotation({ authorization, versionId: older }, lambdaContext())).toBe('unchanged');
    expect(harness.appfabric.authorizations()[0].credential).toEqual({ apiKeyCredential: { apiKey: 'good-key-3' } });
  });

  test('an OAuth credential rotation leaves the authorization waiting for consent, and says so', async () => {
    const authorization = await deployed(harness.props());
    harness.appfabric.setStatus(authorization.AppAuthorizationArn, 'Connected');
    const versionId = rotate('appfabric/slack', { clientId: 'slack-client-id', clientSecret: 'CANARY-rotated' });
    expect(await followRotation({ authorization, versionId }, lambdaContext())).toBe('pending-consent');
    expect(harness.appfabric.authorizations()[0].status).toBe('PendingConnect');
    expect(harness.logs.join('\n')).toMatch(/WARNING: SLACK for tenant 'examplecorp' is PendingConnect after the new credential/);
    expect(harness.logs.join('\n')).not.toContain('CANARY');
  });

  test('a rotated key the application rejects fails the invocation with the reason (and the monitor alarms)', async () => {
    const authorization = await deployed(harness.apiKeyProps('good-key'));
    const versionId = rotate('appfabric/asana', { apiKey: 'invalid-rotated' });
    await expect(followRotation({ authorization, versionId }, lambdaContext())).rejects.toThrow(/ConnectionValidationFailed/);
    expect(harness.appfabric.authorizations()[0].status).toBe('ConnectionValidationFailed');
  });
});

describe('followSecretRotation wiring', () => {
  test("a rule on the secret's Secret Label Updated event for AWSCURRENT targets one follower per stack", () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    const created = testSecret(stack, 'AsanaKey');
    const imported = secretsmanager.Secret.fromSecretNameV2(stack, 'OtherKey', 'appfabric/other');
    new AppAuthorization(stack, 'Asana', {
      appBundle: bundle,
      app: Application.ASANA,
      followSecretRotation: true,
      tenant: { tenantIdentifier: '1200', tenantDisplayName: 'A' },
      credential: AppCredential.apiKey(created),
    });
    new AppAuthorization(stack, 'Other', {
      appBundle: bundle,
      app: Application.TERRAFORM_CLOUD,
      followSecretRotation: true,
      tenant: { tenantIdentifier: 'org', tenantDisplayName: 'O' },
      credential: AppCredential.apiKey(imported),
    });
    const template = expectNagClean(stack);
    const rules = Object.values<any>(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    expect(rules[0].Properties.EventPattern).toEqual({
      'source': ['aws.secretsmanager'],
      'detail-type': ['Secret Label Updated'],
      'resources': [{ Ref: expect.stringMatching(/^AsanaKey/) }],
      'detail': { labelUpdated: ['AWSCURRENT'] },
    });
    expect(JSON.stringify(rules[1].Properties.EventPattern.resources)).toContain('"prefix"');
    const input = JSON.stringify(rules[0].Properties.Targets[0].InputTransformer);
    expect(input).toContain('$.detail.versionId');
    expect(input).toContain('$.resources[0]');
    expect(input).toContain('AppAuthorizationArn');
    const followers = Object.values<any>(template.findResources('AWS::Lambda::Function'))
      .filter((fn) => String(fn.Properties.Description).includes('rotated secrets'));
    expect(followers).toHaveLength(1);
  });

  test('the follower has its own role: update, connect and tag the following authorizations, read their secrets, nothing else', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    const key = new kms.Key(stack, 'SecretKey', { enableKeyRotation: true });
    new AppAuthorization(stack, 'Asana', {
      appBundle: bundle,
      app: Application.ASANA,
      followSecretRotation: true,
      tenant: { tenantIdentifier: '1200', tenantDisplayName: 'A' },
      credential: AppCredential.apiKey(testSecret(stack, 'AsanaKey', { encryptionKey: key })),
    });
    const template = expectNagClean(stack);
    const follower = Object.entries<any>(template.findResources('AWS::Lambda::Function'))
      .find(([, fn]) => String(fn.Properties.Description).includes('rotated secrets'))!;
    const handler = Object.entries<any>(template.findResources('AWS::Lambda::Function'))
      .find(([, fn]) => String(fn.Properties.Description).includes('creates, updates and deletes'))!;
    const roleOf = (fn: any) => fn.Properties.Role['Fn::GetAtt'][0];
    expect(roleOf(follower[1])).not.toBe(roleOf(handler[1]));
    const policy = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes(roleOf(follower[1])))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    const actions = statements.flatMap((statement: any) => [].concat(statement.Action));
    expect(actions.filter((action: string) => action.startsWith('appfabric:')).sort()).toEqual([
      'appfabric:ConnectAppAuthorization', 'appfabric:GetAppAuthorization', 'appfabric:ListTagsForResource', 'appfabric:TagResource',
      'appfabric:UpdateAppAuthorization',
    ]);
    // Only the following authorization (and its bundle), never a wildcard.
    expect(JSON.stringify(statements)).not.toContain('*');
    const decrypt = statements.find((statement: any) => statement.Action === 'kms:Decrypt');
    expect(decrypt.Condition).toEqual({ StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } });
    // A failed follow lands in an encrypted dead-letter queue (from Lambda and from EventBridge) and raises an alarm.
    const queueId = Object.keys(template.findResources('AWS::SQS::Queue'))[0];
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(follower[1].Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    const rule = Object.values<any>(template.findResources('AWS::Events::Rule'))[0];
    expect(rule.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
    });
  });
});
