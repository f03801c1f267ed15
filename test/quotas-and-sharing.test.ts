import { App, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AppAuthorization, AppBundle, AppCredential, Application } from '../src';
import { expectNagClean, nagStack, TEST_ENV } from './support/stacks';

function authorization(stack: Stack, bundle: AppBundle, i: number) {
  return new AppAuthorization(stack, `Auth${i}`, {
    appBundle: bundle,
    app: Application.of(`APP${i}`),
    stackOutputs: false,
    tenant: { tenantIdentifier: `tenant-${i}`, tenantDisplayName: `Tenant ${i}` },
    credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, `Secret${i}`, `appfabric/app-${i}`)),
  });
}

describe('quotas at synth', () => {
  test('50 authorizations in one account and Region are fine; the 51st fails with the quota', () => {
    const stack = new Stack(new App(), 'Platform', { env: TEST_ENV });
    const bundle = new AppBundle(stack, 'Bundle');
    for (let i = 1; i <= 50; i++) {
      authorization(stack, bundle, i);
    }
    expect(() => authorization(stack, bundle, 51)).toThrow(
      'Platform/Auth51: this app creates 51 AppAuthorizations in account 111122223333, Region us-east-1; ' +
      'AppFabric allows 50 per account and Region (a quota that cannot be raised).');
  });

  test('the count spans stacks of the same account and Region', () => {
    const app = new App();
    const a = new Stack(app, 'A', { env: TEST_ENV });
    const b = new Stack(app, 'B', { env: TEST_ENV });
    const other = new Stack(app, 'C', { env: { ...TEST_ENV, region: 'eu-west-1' } });
    new AppBundle(a, 'Bundle');
    new AppBundle(other, 'Bundle');
    expect(() => new AppBundle(b, 'Bundle')).toThrow(/B\/Bundle: this app creates 2 AppBundles in account 111122223333, Region us-east-1; AppFabric allows 1.*AppBundle.fromAppBundleParameter/);
  });

  test('environment-agnostic stacks are not counted (their account is known only at deploy)', () => {
    const app = new App();
    new AppBundle(new Stack(app, 'A'), 'Bundle');
    expect(() => new AppBundle(new Stack(app, 'B'), 'Bundle')).not.toThrow();
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
    authorization(consumer, shared as AppBundle, 1);
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
