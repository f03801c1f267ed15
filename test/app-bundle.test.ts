import { App, CfnElement, Stack, Tags, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AppAuthorization, AppBundle, AppCredential, Application } from '../src';
import { TEST_ENV, expectNagClean, nagStack } from './support/stacks';

describe('AppBundle', () => {
  test('creates one AWS::AppFabric::AppBundle with the customer managed key', () => {
    const stack = nagStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bundle = new AppBundle(stack, 'Bundle', { encryptionKey: key, tags: { team: 'security' } });

    const template = expectNagClean(stack);
    template.resourceCountIs('AWS::AppFabric::AppBundle', 1);
    template.hasResourceProperties('AWS::AppFabric::AppBundle', {
      CustomerManagedKeyIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      Tags: [{ Key: 'team', Value: 'security' }],
    });
    const logicalId = stack.getLogicalId(bundle.node.defaultChild as CfnElement);
    expect(stack.resolve(bundle.appBundleArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
    expect(template.toJSON()).toMatchSnapshot();
  });

  test('without a key it uses an AWS owned key and takes tags from Tags.of', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    Tags.of(bundle).add('owner', 'platform');

    const template = expectNagClean(stack);
    const props = Object.values(template.findResources('AWS::AppFabric::AppBundle'))[0].Properties;
    expect(props.CustomerManagedKeyIdentifier).toBeUndefined();
    expect(props.Tags).toEqual([{ Key: 'owner', Value: 'platform' }]);
  });

  test('the library acknowledges the built-in validation warning for its own AppFabric resources', () => {
    // aws-cdk-lib prints its template validation report to stderr rather than as annotations.
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const stack = nagStack();
    new AppBundle(stack, 'Bundle');
    Template.fromStack(stack);
    expect(printed.mock.calls.flat().join('\n')).not.toContain('Unknown resource type');
    printed.mockRestore();
  });

  test('fails at synth in a Region without AppFabric, naming the Region and the fix', () => {
    const stack = new Stack(new App(), 'Frankfurt', { env: { account: '111122223333', region: 'eu-central-1' } });
    expect(() => new AppBundle(stack, 'Bundle')).toThrow(
      /AppFabric is not available in Region 'eu-central-1'.*us-east-1, eu-west-1, ap-northeast-1/,
    );
  });

  test('an environment-agnostic stack is accepted (the Region is checked at deploy)', () => {
    const stack = new Stack(new App(), 'Agnostic');
    new AppBundle(stack, 'Bundle');
    Template.fromStack(stack).resourceCountIs('AWS::AppFabric::AppBundle', 1);
  });
});

describe('AppBundle.fromAppBundleArn', () => {
  const arn = 'arn:aws:appfabric:eu-west-1:444455556666:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111';

  test('imports the bundle with its account and Region', () => {
    const stack = new Stack(new App(), 'Consumer', { env: { account: '444455556666', region: 'eu-west-1' } });
    const bundle = AppBundle.fromAppBundleArn(stack, 'Bundle', arn);
    expect(bundle.appBundleArn).toBe(arn);
    expect(bundle.env).toEqual({ account: '444455556666', region: 'eu-west-1' });
  });

  test.each([
    ['arn:aws:s3:::my-bucket'],
    ['arn:aws:appfabric:us-east-1:111122223333:ingestion/abc'],
    ['arn:aws:appfabric:us-east-1:111122223333:appbundle/abc/appauthorization/def'],
    ['not-an-arn'],
    [''],
  ])('rejects %j naming the property, the value and the expected shape', (bad) => {
    const stack = new Stack(new App(), 'Consumer');
    expect(() => AppBundle.fromAppBundleArn(stack, 'Bundle', bad)).toThrow(
      `AppBundle.fromAppBundleArn(appBundleArn): '${bad}' is not an AppFabric appbundle ARN. Pass an ARN like arn:aws:appfabric:`,
    );
  });
});

describe('sharing the bundle through SSM', () => {
  test('the owning stack publishes the ARN; another app imports it at deploy time', () => {
    const owner = nagStack('Owner');
    new AppBundle(owner, 'Bundle', { parameterName: '/appfabric/app-bundle-arn' });
    expectNagClean(owner).hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/appfabric/app-bundle-arn', Type: 'String', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bundle'), 'Arn'] },
    });

    const consumer = nagStack('Consumer');
    const shared = AppBundle.fromAppBundleParameter(consumer, 'Bundle', '/appfabric/app-bundle-arn');
    new AppAuthorization(consumer, 'Auth', {
      appBundle: shared,
      app: Application.of('APP1'),
      stackOutputs: false,
      tenant: { tenantIdentifier: 'tenant-1', tenantDisplayName: 'Tenant 1' },
      credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(consumer, 'Secret', 'appfabric/app-1')),
    });
    const template = expectNagClean(consumer).toJSON();
    const parameter = Object.entries<any>(template.Parameters).find(([, p]) => p.Default === '/appfabric/app-bundle-arn');
    expect(parameter?.[1].Type).toBe('AWS::SSM::Parameter::Value<String>');
    const auth = Object.values<any>(template.Resources).find((r) => r.Type === 'Custom::AppFabricAppAuthorization');
    expect(auth.Properties.AppBundleArn).toEqual({ Ref: parameter?.[0] });
  });

  test('a bad parameter name fails with the property', () => {
    expect(() => new AppBundle(new Stack(new App(), 'S', { env: TEST_ENV }), 'Bundle', { parameterName: 'has spaces' }))
      .toThrow("parameterName: 'has spaces' is not an SSM parameter name.");
  });
});
