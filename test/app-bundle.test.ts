import { App, CfnElement, Stack, Tags, aws_kms as kms } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AppBundle } from '../src';
import { expectNagClean, nagStack } from './support/stacks';

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
