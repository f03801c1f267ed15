import { App, Annotations as CdkAnnotations, RemovalPolicy, Stack, Tags, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AppAuthorization, AppBundle, AppCredential, Application, AuthType, IAppBundle } from '../../src';
import { expectNagClean, nagStack, testSecret } from '../support/stacks';

function stackWithThreeAuthorizations() {
  const stack = nagStack();
  const bundle = new AppBundle(stack, 'Bundle');
  const key = new kms.Key(stack, 'SecretsKey', { enableKeyRotation: true });
  const slackSecret = testSecret(stack, 'SlackClient', { encryptionKey: key });
  const oktaSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'OktaClient', 'appfabric/okta');
  const asanaSecret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'AsanaKey',
    'arn:aws:secretsmanager:us-east-1:111122223333:secret:appfabric/asana-AbCdEf');
  const slack = new AppAuthorization(stack, 'Slack', {
    appBundle: bundle,
    app: Application.SLACK,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    credential: AppCredential.oauth2(slackSecret),
    tags: { team: 'security' },
  });
  const okta = new AppAuthorization(stack, 'Okta', {
    appBundle: bundle,
    app: Application.OKTA,
    tenant: { tenantIdentifier: 'examplecorp.okta.com', tenantDisplayName: 'Example Corp Okta' },
    credential: AppCredential.oauth2(oktaSecret, { clientIdField: 'id', clientSecretField: 'secret' }),
  });
  const asana = new AppAuthorization(stack, 'Asana', {
    appBundle: bundle,
    app: Application.ASANA,
    tenant: { tenantIdentifier: '1200000000000000', tenantDisplayName: 'Example Corp Asana' },
    credential: AppCredential.apiKey(asanaSecret, { field: 'token' }),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { stack, bundle, slack, okta, asana, slackSecret, key };
}

describe('AppAuthorization', () => {
  test('three authorizations share one handler function, which CloudFormation invokes directly', () => {
    const { stack } = stackWithThreeAuthorizations();
    const template = expectNagClean(stack);
    template.resourceCountIs('Custom::AppFabricAppAuthorization', 3);
    const functions = template.findResources('AWS::Lambda::Function');
    const handlers = Object.values(functions).filter((fn: any) => fn.Properties.Description?.startsWith('cdk-appfabric'));
    expect(handlers).toHaveLength(1);
    expect(handlers[0].Properties.Runtime).toBe('nodejs24.x');
    // No Provider framework: the service token is the handler's ARN, and an answer is due
    // a minute after the function's timeout at the latest.
    expect(Object.keys(functions)).toHaveLength(1);
    const handlerId = Object.keys(functions)[0];
    const resources = Object.values<any>(template.findResources('Custom::AppFabricAppAuthorization'));
    for (const resource of resources) {
      expect(resource.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [handlerId, 'Arn'] });
      expect(resource.Properties.ServiceTimeout).toBe(String(handlers[0].Properties.Timeout + 60));
    }
  });

  test('properties carry references only, and the credential field names that differ from the defaults', () => {
    const { stack } = stackWithThreeAuthorizations();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::AppFabricAppAuthorization', {
      App: 'OKTA',
      AuthType: 'oauth2',
      TenantIdentifier: 'examplecorp.okta.com',
      TenantDisplayName: 'Example Corp Okta',
      CredentialSecretArn: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      CredentialFields: { ClientId: 'id', ClientSecret: 'secret' },
    });
    template.hasResourceProperties('Custom::AppFabricAppAuthorization', {
      App: 'ASANA',
      AuthType: 'apiKey',
      CredentialSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:appfabric/asana-AbCdEf',
      CredentialFields: { ApiKey: 'token' },
      ConnectTimeoutSeconds: '120',
    });
    template.hasResourceProperties('Custom::AppFabricAppAuthorization', {
      App: 'SLACK',
      Tags: [{ key: 'team', value: 'security' }],
      // clientId and clientSecret: the handler reads an absent field under its default name.
      CredentialFields: Match.exact({}),
    });
  });

  test('removal policy: DESTROY by default (CloudFormation\'s own default, so not written), RETAIN on request', () => {
    const { stack } = stackWithThreeAuthorizations();
    const resources = Template.fromStack(stack).findResources('Custom::AppFabricAppAuthorization');
    const policies = Object.values(resources).map((r: any) => [r.Properties.App, r.DeletionPolicy, r.UpdateReplacePolicy]);
    expect(policies).toEqual(expect.arrayContaining([
      ['SLACK', undefined, undefined], ['OKTA', undefined, undefined], ['ASANA', 'Retain', 'Retain'],
    ]));
  });

  test('adoptExisting is passed to the handler', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    new AppAuthorization(stack, 'Slack', {
      appBundle: bundle,
      app: Application.SLACK,
      adoptExisting: true,
      tenant: { tenantIdentifier: 't', tenantDisplayName: 'T' },
      credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'appfabric/slack')),
    });
    Template.fromStack(stack).hasResourceProperties('Custom::AppFabricAppAuthorization', { AdoptExisting: 'true' });
  });

  test('one output per oauth2 authorization, its AuthUrl named after the construct; none for apiKey', () => {
    const { stack } = stackWithThreeAuthorizations();
    const outputs = Template.fromStack(stack).toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual(['OktaAuthUrl', 'SlackAuthUrl']);
    expect(outputs.SlackAuthUrl.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Slack/), 'AuthUrl'] });
  });

  test('stackOutputs: false adds no outputs', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    new AppAuthorization(stack, 'Slack', {
      appBundle: bundle,
      app: Application.SLACK,
      stackOutputs: false,
      tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
      credential: AppCredential.oauth2(testSecret(stack, 'S')),
    });
    expect(Template.fromStack(stack).toJSON().Outputs).toBeUndefined();
  });

  test('Tags.of applies to authorizations', () => {
    const { stack, okta } = stackWithThreeAuthorizations();
    Tags.of(okta).add('cost-center', '42');
    Template.fromStack(stack).hasResourceProperties('Custom::AppFabricAppAuthorization', {
      App: 'OKTA', Tags: [{ key: 'cost-center', value: '42' }],
    });
  });

  test('the handler may manage authorizations of its bundle only, and read exactly the referenced secrets', () => {
    const { stack } = stackWithThreeAuthorizations();
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy: any) => JSON.stringify(policy.Properties.Roles).includes('HandlerRole'));
    expect(policies).toHaveLength(1);
    const statements: any[] = (policies[0] as any).Properties.PolicyDocument.Statement;
    const appfabric = statements.filter((s) => JSON.stringify(s.Action).includes('appfabric:'));
    expect(appfabric).toHaveLength(1);
    expect(appfabric[0].Resource).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^Bundle/), 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Bundle/), 'Arn'] }, '/appauthorization/*']] },
    ]);
    const secretStatements = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    // One statement, GetSecretValue only, on exactly the three referenced secrets.
    expect(secretStatements.map((s) => [s.Action, s.Resource.length])).toEqual([['secretsmanager:GetSecretValue', 3]]);
    const secretResources = JSON.stringify(secretStatements.map((s) => s.Resource));
    expect(secretResources).toContain('SlackClient');
    expect(secretResources).toContain(':secret:appfabric/okta-??????');
    expect(secretResources).toContain('arn:aws:secretsmanager:us-east-1:111122223333:secret:appfabric/asana-AbCdEf');
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
    const kmsStatements = statements.filter((s) => JSON.stringify(s.Action).includes('kms:'));
    expect(kmsStatements).toHaveLength(1);
    expect(kmsStatements[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SecretsKey/), 'Arn'] });
  });

  test('a credential that does not match the app fails at synth with the fix', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    const secret = testSecret(stack, 'S');
    expect(() => new AppAuthorization(stack, 'Asana', {
      appBundle: bundle,
      app: Application.ASANA,
      tenant: { tenantIdentifier: 't', tenantDisplayName: 'T' },
      credential: AppCredential.oauth2(secret),
    })).toThrow(/TestStack\/Asana: credential is an oauth2 credential but ASANA uses apiKey. Pass AppCredential.apiKey\(secret\)/);
  });

  test.each([
    [{ tenantIdentifier: '', tenantDisplayName: 'T' }, /TestStack\/Slack: tenant.tenantIdentifier is empty. Pass the application's identifier for the tenant/],
    [{ tenantIdentifier: 't', tenantDisplayName: 'x'.repeat(2049) }, /TestStack\/Slack: tenant.tenantDisplayName is 2049 characters; AppFabric accepts 1 to 2048. Pass a readable name/],
  ])('a bad tenant fails at synth: %#', (tenant, message) => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    expect(() => new AppAuthorization(stack, 'Slack', {
      appBundle: bundle,
      app: Application.SLACK,
      tenant,
      credential: AppCredential.oauth2(testSecret(stack, 'S')),
    })).toThrow(message);
  });

  test('an empty credential field name fails with the property', () => {
    const stack = new Stack(new App(), 'S');
    expect(() => AppCredential.apiKey(testSecret(stack, 'S'), { field: ' ' }))
      .toThrow("AppCredential field: ' ' is not a JSON field name.");
  });

  test('an authorization in an imported bundle works the same', () => {
    const stack = nagStack();
    const bundle = AppBundle.fromAppBundleArn(stack, 'Bundle', 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111');
    const auth = new AppAuthorization(stack, 'Zoom', {
      appBundle: bundle,
      app: Application.ZOOM,
      tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
      credential: AppCredential.oauth2(testSecret(stack, 'S')),
    });
    expect(auth.authType).toBe(AuthType.OAUTH2);
    expectNagClean(stack).hasResourceProperties('Custom::AppFabricAppAuthorization', {
      AppBundleArn: 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111',
    });
  });

  test('snapshot', () => {
    const { stack } = stackWithThreeAuthorizations();
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});

describe('synth annotations', () => {
  const RECONNECT = Match.stringLikeRegexp('returns it to PendingConnect');

  test('OAuth authorizations say, as information, that a tenant or credential change needs a new approval; apiKey ones say nothing', () => {
    const { stack } = stackWithThreeAuthorizations();
    const annotations = Annotations.fromStack(stack);
    const infos = annotations.findInfo('*', RECONNECT);
    expect(infos.map((i) => i.id).sort()).toEqual(['/TestStack/Okta', '/TestStack/Slack']);
    for (const info of infos) {
      expect(String(info.entry.data)).toMatch(/\[ack: cdk-appfabric:oauth2-reconnect-after-change\]$/);
    }
    expect(annotations.findWarning('*', RECONNECT)).toEqual([]);
  });

  test('the information can be acknowledged by its id', () => {
    const stack = nagStack();
    const slack = new AppAuthorization(stack, 'Slack', {
      appBundle: new AppBundle(stack, 'Bundle'),
      app: Application.SLACK,
      tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
      credential: AppCredential.oauth2(testSecret(stack, 'SlackClient')),
    });
    CdkAnnotations.of(slack).acknowledgeInfo('cdk-appfabric:oauth2-reconnect-after-change', 'our runbook covers reconnecting');
    expect(Annotations.fromStack(stack).findInfo('*', RECONNECT)).toEqual([]);
  });

  test('an OAuth authorization that follows secret rotation warns: every rotation needs a new approval', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    new AppAuthorization(stack, 'Slack', {
      appBundle: bundle,
      app: Application.SLACK,
      tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
      credential: AppCredential.oauth2(testSecret(stack, 'SlackClient')),
      followSecretRotation: true,
    });
    const annotations = Annotations.fromStack(stack);
    const warnings = annotations.findWarning('*', RECONNECT);
    expect(warnings.map((w) => w.id)).toEqual(['/TestStack/Slack']);
    expect(String(warnings[0].entry.data)).toMatch(/followSecretRotation: every rotation of its secret returns it to PendingConnect/);
    expect(String(warnings[0].entry.data)).toMatch(/acknowledgeWarning\('cdk-appfabric:oauth2-reconnect-after-change'\)/);
    expect(annotations.findInfo('*', RECONNECT)).toEqual([]);
  });

  test('an apiKey authorization that follows secret rotation does not warn (the deploy-free update reconnects it)', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    new AppAuthorization(stack, 'Asana', {
      appBundle: bundle,
      app: Application.ASANA,
      tenant: { tenantIdentifier: '1200000000000000', tenantDisplayName: 'Example Corp' },
      credential: AppCredential.apiKey(testSecret(stack, 'AsanaKey')),
      followSecretRotation: true,
    });
    expect(Annotations.fromStack(stack).findWarning('*', RECONNECT)).toEqual([]);
    expect(Annotations.fromStack(stack).findInfo('*', RECONNECT)).toEqual([]);
  });

  test('the warning can be acknowledged', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    const slack = new AppAuthorization(stack, 'Slack', {
      appBundle: bundle,
      app: Application.SLACK,
      tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
      credential: AppCredential.oauth2(testSecret(stack, 'SlackClient')),
      followSecretRotation: true,
    });
    CdkAnnotations.of(slack).acknowledgeWarning('cdk-appfabric:oauth2-reconnect-after-change', 'an AppFabricMonitor alarms on it');
    expect(Annotations.fromStack(stack).findWarning('*', RECONNECT)).toEqual([]);
  });
});

describe('ownership', () => {
  function slackProps(bundle: IAppBundle, secret: secretsmanager.ISecret, tenantIdentifier = 'examplecorp') {
    return { appBundle: bundle, app: Application.SLACK, tenant: { tenantIdentifier, tenantDisplayName: 'Example Corp' }, credential: AppCredential.oauth2(secret) };
  }

  test('two authorizations for the same bundle, app and tenant in one app are rejected at synth, naming both', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    const secret = testSecret(stack, 'SlackClient');
    new AppAuthorization(stack, 'Slack', slackProps(bundle, secret));
    expect(() => new AppAuthorization(stack, 'SlackAgain', { ...slackProps(bundle, secret), adoptExisting: true })).toThrow(
      "TestStack/SlackAgain: tenant.tenantIdentifier 'examplecorp' of SLACK in bundle TestStack/Bundle is already declared by TestStack/Slack. " +
      'AppFabric allows one authorization per app and tenant in a bundle, and two constructs would both manage (and delete) it. ' +
      'Keep one construct and pass it where the other is used, or give this one another tenant.');
  });

  test('across stacks of one app, for one imported bundle ARN, too', () => {
    const app = new App();
    const arn = 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111';
    const env = { account: '111122223333', region: 'us-east-1' };
    const [first, second] = ['First', 'Second'].map((id) => new Stack(app, id, { env }));
    new AppAuthorization(first, 'Slack', slackProps(AppBundle.fromAppBundleArn(first, 'Bundle', arn), testSecret(first, 'S')));
    expect(() => new AppAuthorization(second, 'Slack', slackProps(AppBundle.fromAppBundleArn(second, 'Bundle', arn), testSecret(second, 'S'))))
      .toThrow(/^Second\/Slack: tenant\.tenantIdentifier 'examplecorp' of SLACK in bundle Second\/Bundle is already declared by First\/Slack\./);
  });

  test('another tenant, another app or another bundle is fine', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    const secret = testSecret(stack, 'SlackClient');
    new AppAuthorization(stack, 'Slack', slackProps(bundle, secret));
    new AppAuthorization(stack, 'SlackOther', slackProps(bundle, secret, 'othercorp'));
    new AppAuthorization(stack, 'Zoom', { ...slackProps(bundle, secret), app: Application.ZOOM });
    new AppAuthorization(stack, 'Elsewhere', slackProps(AppBundle.fromAppBundleArn(stack, 'Other',
      'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-222222222222'), secret));
  });
});
