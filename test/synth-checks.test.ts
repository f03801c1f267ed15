import { App, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { AppAuthorization, AppBundle, AppCredential, Application } from '../src';
import { TEST_ENV } from './support/stacks';

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
