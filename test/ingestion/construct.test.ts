import {
  App, Annotations as CoreAnnotations, CfnElement, Stack, Tags, Validations,
  aws_kinesis as kinesis, aws_kinesisfirehose as firehose, aws_kms as kms, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import {
  AppAuthorization, AppBundle, AppCredential, Application, AuditLogFormat, AuditLogSchema, Ingestion,
  IngestionDestination, IngestionDestinationTarget,
} from '../../src';
import { acknowledgeWildcardResource } from '../../src/nag';
import { TEST_ENV, expectNagClean, nagStack, testBucket, testSecret } from '../support/stacks';

const WARNING_ID = 'cdk-appfabric:ingestion-needs-connected-oauth';
const INGESTION_ARN = 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111/ingestion/e5f6a7b8-5678-90ab-cdef-222222222222';

function asanaAuthorization(stack: Stack, bundle = new AppBundle(stack, 'Bundle')): AppAuthorization {
  return new AppAuthorization(stack, 'Asana', {
    appBundle: bundle,
    app: Application.ASANA,
    tenant: { tenantIdentifier: '1200000000000000', tenantDisplayName: 'Example Corp Asana' },
    credential: AppCredential.apiKey(testSecret(stack, 'AsanaKey'), { field: 'token' }),
  });
}

function slackAuthorization(stack: Stack, bundle = new AppBundle(stack, 'Bundle')): AppAuthorization {
  return new AppAuthorization(stack, 'Slack', {
    appBundle: bundle,
    app: Application.SLACK,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    credential: AppCredential.oauth2(testSecret(stack, 'SlackClient')),
  });
}

/** A Direct PUT stream into a test bucket; the fixture's own cdk-nag findings are acknowledged here. */
function testDeliveryStream(scope: Construct, id: string, props: Partial<firehose.DeliveryStreamProps> = {}): firehose.DeliveryStream {
  const bucket = testBucket(scope, `${id}Bucket`);
  const stream = new firehose.DeliveryStream(scope, id, {
    destination: new firehose.S3Bucket(bucket),
    encryption: props.source ? undefined : firehose.StreamEncryption.awsOwnedKey(),
    ...props,
  });
  const reason = 'Test fixture: aws-cdk-lib\'s S3 destination grant for the Firehose stream\'s own role (read and write within its bucket).';
  for (const action of ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*']) {
    Validations.of(stream).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`, reason });
  }
  acknowledgeWildcardResource(stream, `${bucket.bucketArn}/*`, reason);
  return stream;
}

function logicalId(construct: Construct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

function destinations(template: Template): any[] {
  return Object.values(template.findResources('AWS::AppFabric::IngestionDestination')).map((r: any) => r.Properties);
}

describe('Ingestion', () => {
  test('creates an auditLog ingestion for the authorization\'s app, tenant and bundle, after the authorization', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    const asana = asanaAuthorization(stack, bundle);
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asana });

    const template = expectNagClean(stack);
    template.resourceCountIs('AWS::AppFabric::Ingestion', 1);
    template.hasResource('AWS::AppFabric::Ingestion', {
      Properties: {
        App: 'ASANA',
        TenantId: '1200000000000000',
        AppBundleArn: { 'Fn::GetAtt': [logicalId(bundle), 'Arn'] },
        IngestionType: 'auditLog',
      },
      DependsOn: Match.arrayWith([logicalId(asana)]),
    });
    expect(stack.resolve(ingestion.ingestionArn)).toEqual({ 'Fn::GetAtt': [logicalId(ingestion), 'Arn'] });
    const stateResource = ingestion.node.findChild('State').node.defaultChild as CfnElement;
    expect(stack.resolve(ingestion.ingestionState)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(stateResource), 'State'] });
    expect(stack.resolve(ingestion.appBundleArn)).toEqual({ 'Fn::GetAtt': [logicalId(bundle), 'Arn'] });
    // The custom resource is what DependsOn names: the authorization is Connected when it completes.
    expect(template.toJSON().Resources[logicalId(asana)].Type).toBe('Custom::AppFabricAppAuthorization');
  });

  const s3Cases: Array<[AuditLogSchema, AuditLogFormat, string | undefined]> = [];
  for (const prefix of [undefined, 'asana/']) {
    s3Cases.push([AuditLogSchema.RAW, AuditLogFormat.JSON, prefix]);
    s3Cases.push([AuditLogSchema.OCSF, AuditLogFormat.JSON, prefix]);
    s3Cases.push([AuditLogSchema.OCSF, AuditLogFormat.PARQUET, prefix]);
  }
  test.each(s3Cases)('S3 %s-%s, prefix %s', (schema, format, prefix) => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const bucket = testBucket(stack, 'Logs');
    const destination = ingestion.addDestination(IngestionDestinationTarget.s3(bucket, prefix), { schema, format });

    const template = expectNagClean(stack);
    expect(destinations(template)).toEqual([{
      AppBundleArn: { 'Fn::GetAtt': [expect.stringMatching(/^Bundle/), 'Arn'] },
      IngestionArn: { 'Fn::GetAtt': [logicalId(ingestion), 'Arn'] },
      ProcessingConfiguration: { AuditLog: { Schema: schema, Format: format } },
      DestinationConfiguration: {
        AuditLog: { Destination: { S3Bucket: { BucketName: { Ref: logicalId(bucket) }, ...(prefix ? { Prefix: prefix } : {}) } } },
      },
    }]);
    expect(destination.schema).toBe(schema);
    expect(destination.format).toBe(format);
    expect(stack.resolve(destination.ingestionDestinationArn)).toEqual({ 'Fn::GetAtt': [logicalId(destination), 'Arn'] });
    // No bucket policy grants AppFabric anything: its service-linked role's own policy does.
    expect(JSON.stringify(template.findResources('AWS::S3::BucketPolicy'))).not.toContain('appfabric');
  });

  test.each([
    [AuditLogSchema.RAW, AuditLogFormat.JSON],
    [AuditLogSchema.OCSF, AuditLogFormat.JSON],
  ])('Firehose %s-%s: tags the stream AWSAppFabricManaged=true', (schema, format) => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const stream = testDeliveryStream(stack, 'Stream');
    ingestion.addDestination(IngestionDestinationTarget.firehose(stream), { schema, format });

    const template = expectNagClean(stack);
    expect(destinations(template)).toEqual([{
      AppBundleArn: { 'Fn::GetAtt': [expect.stringMatching(/^Bundle/), 'Arn'] },
      IngestionArn: { 'Fn::GetAtt': [logicalId(ingestion), 'Arn'] },
      ProcessingConfiguration: { AuditLog: { Schema: schema, Format: format } },
      DestinationConfiguration: { AuditLog: { Destination: { FirehoseStream: { StreamName: { Ref: logicalId(stream) } } } } },
    }]);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      Tags: [{ Key: 'AWSAppFabricManaged', Value: 'true' }],
    });
    // Only the stream is tagged, not its service role.
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain('AWSAppFabricManaged');
  });

  test('a CfnDeliveryStream is accepted and tagged', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const stream = new firehose.CfnDeliveryStream(stack, 'Stream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      s3DestinationConfiguration: {
        bucketArn: testBucket(stack, 'StreamBucket').bucketArn,
        roleArn: 'arn:aws:iam::111122223333:role/firehose-delivery',
      },
    });
    ingestion.addDestination(IngestionDestinationTarget.firehose(stream));
    const template = expectNagClean(stack);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      Tags: [{ Key: 'AWSAppFabricManaged', Value: 'true' }],
    });
    expect(destinations(template)[0].DestinationConfiguration.AuditLog.Destination).toEqual({ FirehoseStream: { StreamName: { Ref: 'Stream' } } });
  });

  test('schema and format default to OCSF and JSON', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const destination = ingestion.addDestination(IngestionDestinationTarget.s3(testBucket(stack, 'Logs')));
    expect([destination.schema, destination.format]).toEqual([AuditLogSchema.OCSF, AuditLogFormat.JSON]);
    expect(destinations(expectNagClean(stack))[0].ProcessingConfiguration).toEqual({ AuditLog: { Schema: 'ocsf', Format: 'json' } });
  });

  test('the destinations prop makes the same destinations as addDestination, as children of the ingestion', () => {
    const build = (useProp: boolean) => {
      const stack = nagStack();
      const bucket = testBucket(stack, 'Logs');
      const stream = testDeliveryStream(stack, 'Stream');
      const configs = [
        { target: IngestionDestinationTarget.s3(bucket, 'asana/'), schema: AuditLogSchema.OCSF, format: AuditLogFormat.PARQUET },
        { target: IngestionDestinationTarget.firehose(stream), schema: AuditLogSchema.RAW, format: AuditLogFormat.JSON },
      ];
      const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack), destinations: useProp ? configs : undefined });
      if (!useProp) {
        configs.forEach((config) => ingestion.addDestination(config.target, config));
      }
      return expectNagClean(stack).toJSON();
    };
    const fromProp = build(true);
    expect(fromProp).toEqual(build(false));
    const ids = Object.entries(fromProp.Resources).filter(([, r]: any) => r.Type === 'AWS::AppFabric::IngestionDestination').map(([id]) => id);
    expect(ids).toHaveLength(2);
    ids.forEach((id) => expect(id).toMatch(/^AsanaLogsDestination[0-9A-F]{8}/));
  });

  test('destination ids follow the target, not the order: reordering replaces nothing', () => {
    const ids = (reverse: boolean) => {
      const stack = nagStack();
      const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
      const bucket = testBucket(stack, 'Logs');
      const targets = [IngestionDestinationTarget.s3(bucket, 'a/'), IngestionDestinationTarget.s3(bucket, 'b/')];
      (reverse ? targets.reverse() : targets).forEach((target) => ingestion.addDestination(target));
      return Object.keys(Template.fromStack(stack).findResources('AWS::AppFabric::IngestionDestination')).sort();
    };
    expect(ids(true)).toEqual(ids(false));
  });

  test('a destination built directly takes its own id and works on an imported ingestion', () => {
    const stack = nagStack();
    const imported = Ingestion.fromIngestionArn(stack, 'Imported', INGESTION_ARN);
    new IngestionDestination(stack, 'ToS3', {
      ingestion: imported,
      target: IngestionDestinationTarget.s3(testBucket(stack, 'Logs')),
      format: AuditLogFormat.PARQUET,
    });
    const template = expectNagClean(stack);
    expect(Object.keys(template.findResources('AWS::AppFabric::IngestionDestination'))).toEqual([expect.stringMatching(/^ToS3/)]);
    expect(destinations(template)[0]).toMatchObject({
      AppBundleArn: 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111',
      IngestionArn: INGESTION_ARN,
      ProcessingConfiguration: { AuditLog: { Schema: 'ocsf', Format: 'parquet' } },
    });
  });

  test('tags from props and Tags.of reach the ingestion and its destinations', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack), tags: { team: 'security' } });
    ingestion.addDestination(IngestionDestinationTarget.s3(testBucket(stack, 'Logs')));
    Tags.of(ingestion).add('cost-center', '42');
    const template = expectNagClean(stack);
    const expected = [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'security' }];
    template.hasResourceProperties('AWS::AppFabric::Ingestion', { Tags: expected });
    template.hasResourceProperties('AWS::AppFabric::IngestionDestination', { Tags: expected });
  });

  test('the library acknowledges the built-in validation warning for ingestions and destinations', () => {
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    ingestion.addDestination(IngestionDestinationTarget.s3(testBucket(stack, 'Logs')));
    Template.fromStack(stack);
    expect(printed.mock.calls.flat().join('\n')).not.toContain('Unknown resource type');
    printed.mockRestore();
  });
});

describe('Ingestion: combinations AppFabric does not offer fail at synth', () => {
  const RAW_PARQUET = (target: string) =>
    `TestStack/AsanaLogs/Destination${'X'.repeat(8)}: format 'parquet' is not offered with schema 'raw' (${target}): AppFabric writes Parquet only in the OCSF schema. ` +
    'Pass schema: AuditLogSchema.OCSF to keep Parquet, or format: AuditLogFormat.JSON to keep raw events.';

  function setup() {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    return { stack, ingestion };
  }
  const masked = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message.replace(/Destination[0-9A-F]{8}/, `Destination${'X'.repeat(8)}`);
    }
    throw new Error('expected a failure');
  };

  test('S3 raw-parquet', () => {
    const { stack, ingestion } = setup();
    const target = IngestionDestinationTarget.s3(testBucket(stack, 'Logs'));
    expect(masked(() => ingestion.addDestination(target, { schema: AuditLogSchema.RAW, format: AuditLogFormat.PARQUET })))
      .toBe(RAW_PARQUET('S3 bucket TestStack/Logs'));
  });

  test('Firehose raw-parquet', () => {
    const { stack, ingestion } = setup();
    const target = IngestionDestinationTarget.firehose(testDeliveryStream(stack, 'Stream'));
    expect(masked(() => ingestion.addDestination(target, { schema: AuditLogSchema.RAW, format: AuditLogFormat.PARQUET })))
      .toBe(RAW_PARQUET('Firehose stream TestStack/Stream'));
  });

  test('Firehose ocsf-parquet', () => {
    const { stack, ingestion } = setup();
    const target = IngestionDestinationTarget.firehose(testDeliveryStream(stack, 'Stream'));
    expect(masked(() => ingestion.addDestination(target, { schema: AuditLogSchema.OCSF, format: AuditLogFormat.PARQUET }))).toBe(
      `TestStack/AsanaLogs/Destination${'X'.repeat(8)}: format 'parquet' is not offered for Firehose stream TestStack/Stream: AppFabric delivers JSON only to Firehose. ` +
      'Pass format: AuditLogFormat.JSON, or deliver Parquet to IngestionDestinationTarget.s3(bucket).',
    );
  });

  test('the destinations prop is validated the same way', () => {
    const stack = nagStack();
    const authorization = asanaAuthorization(stack);
    const target = IngestionDestinationTarget.s3(testBucket(stack, 'Logs'));
    expect(masked(() => new Ingestion(stack, 'AsanaLogs', {
      authorization,
      destinations: [{ target, schema: AuditLogSchema.RAW, format: AuditLogFormat.PARQUET }],
    }))).toBe(RAW_PARQUET('S3 bucket TestStack/Logs'));
  });

  const SIX = 'TestStack/AsanaLogs: destinations: cannot add destination 6 (S3 bucket TestStack/Logs); AppFabric allows at most 5 per ingestion. ' +
    'Pass at most 5 in destinations and addDestination() together, or fan out from one Firehose stream.';

  test('more than 5 destinations through the prop', () => {
    const stack = nagStack();
    const authorization = asanaAuthorization(stack);
    const bucket = testBucket(stack, 'Logs');
    const six = ['1', '2', '3', '4', '5', '6'].map((prefix) => ({ target: IngestionDestinationTarget.s3(bucket, prefix) }));
    expect(() => new Ingestion(stack, 'AsanaLogs', { authorization, destinations: six })).toThrow(SIX);
  });

  test('more than 5 destinations through the prop and addDestination together', () => {
    const stack = nagStack();
    const bucket = testBucket(stack, 'Logs');
    const five = ['1', '2', '3', '4', '5'].map((prefix) => ({ target: IngestionDestinationTarget.s3(bucket, prefix) }));
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack), destinations: five });
    expect(() => ingestion.addDestination(IngestionDestinationTarget.s3(bucket, '6'))).toThrow(SIX);
  });

  test('5 destinations are fine', () => {
    const stack = nagStack();
    const bucket = testBucket(stack, 'Logs');
    const five = ['1', '2', '3', '4', '5'].map((prefix) => ({ target: IngestionDestinationTarget.s3(bucket, prefix) }));
    new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack), destinations: five });
    expectNagClean(stack).resourceCountIs('AWS::AppFabric::IngestionDestination', 5);
  });

  test('the same target, prefix, schema and format twice', () => {
    const { stack, ingestion } = setup();
    const bucket = testBucket(stack, 'Logs');
    ingestion.addDestination(IngestionDestinationTarget.s3(bucket, 'asana/'));
    expect(() => ingestion.addDestination(IngestionDestinationTarget.s3(bucket, 'asana/'))).toThrow(
      "TestStack/AsanaLogs: addDestination: S3 bucket TestStack/Logs already receives schema 'ocsf' format 'json' from this ingestion. Remove the duplicate destination.",
    );
  });
});

describe('Ingestion: what AppFabric\'s service-linked role needs from a destination', () => {
  const CMK = (key: string) =>
    `S3 bucket TestStack/Logs is encrypted with a customer managed KMS key (${key}); ` +
    'AppFabric\'s service-linked role AWSServiceRoleForAppFabric has no KMS permissions, so it cannot write there. ' +
    'Use a bucket encrypted with SSE-S3 (BucketEncryption.S3_MANAGED, the default) or the AWS managed key aws/s3 (BucketEncryption.KMS_MANAGED).';

  test('a bucket with a customer managed key passed as encryptionKey', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const bucket = testBucket(stack, 'Logs', { encryptionKey: key });
    expect(() => ingestion.addDestination(IngestionDestinationTarget.s3(bucket))).toThrow(CMK('TestStack/Key'));
  });

  test('a bucket with BucketEncryption.KMS (a key the bucket creates)', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const bucket = testBucket(stack, 'Logs', { encryption: s3.BucketEncryption.KMS });
    expect(() => ingestion.addDestination(IngestionDestinationTarget.s3(bucket))).toThrow(CMK('TestStack/Logs/Key'));
  });

  test('an imported bucket declared with a customer managed key', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Logs', { bucketName: 'example-logs', encryptionKey: key });
    expect(() => ingestion.addDestination(IngestionDestinationTarget.s3(bucket))).toThrow(CMK('TestStack/Key'));
  });

  test.each([
    ['SSE-S3', { encryption: s3.BucketEncryption.S3_MANAGED }],
    ['aws/s3', { encryption: s3.BucketEncryption.KMS_MANAGED }],
  ])('a bucket encrypted with %s is accepted', (_name, props) => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    ingestion.addDestination(IngestionDestinationTarget.s3(testBucket(stack, 'Logs', props)));
    expectNagClean(stack).resourceCountIs('AWS::AppFabric::IngestionDestination', 1);
  });

  test('an imported bucket declared with the aws/s3 alias is accepted', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Logs', {
      bucketName: 'example-logs', encryptionKey: kms.Alias.fromAliasName(stack, 'AwsS3', 'alias/aws/s3'),
    });
    ingestion.addDestination(IngestionDestinationTarget.s3(bucket));
    expect(destinations(expectNagClean(stack))[0].DestinationConfiguration.AuditLog.Destination).toEqual({ S3Bucket: { BucketName: 'example-logs' } });
  });

  test.each([
    ['Region', { region: 'eu-west-1' }, 'Region eu-west-1', 'Region us-east-1'],
    ['account', { account: '444455556666' }, 'account 444455556666', 'account 111122223333'],
  ])('a bucket in another %s', (what, where, there, here) => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Logs', { bucketName: 'example-logs', ...where });
    expect(() => ingestion.addDestination(IngestionDestinationTarget.s3(bucket))).toThrow(
      `: S3 bucket TestStack/Logs is in ${there} but this stack deploys to ${here}. ` +
      `AppFabric delivers only within its own account and Region: use a target in ${here}.`,
    );
    void what;
  });

  test('a Firehose stream in another Region', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const other = new Stack(stack.node.root as App, 'Dublin', { env: { ...TEST_ENV, region: 'eu-west-1' } });
    const stream = testDeliveryStream(other, 'Stream');
    expect(() => ingestion.addDestination(IngestionDestinationTarget.firehose(stream))).toThrow(
      ': Firehose stream Dublin/Stream is in Region eu-west-1 but this stack deploys to Region us-east-1. ' +
      'AppFabric delivers only within its own account and Region: use a target in Region us-east-1.',
    );
  });

  test('an environment-agnostic stack defers the environment check to AppFabric', () => {
    const stack = new Stack(new App(), 'Agnostic');
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    ingestion.addDestination(IngestionDestinationTarget.s3(s3.Bucket.fromBucketAttributes(stack, 'Logs', { bucketName: 'example-logs', region: 'eu-west-1' })));
    Template.fromStack(stack).resourceCountIs('AWS::AppFabric::IngestionDestination', 1);
  });

  test('a DeliveryStream reading from a Kinesis data stream', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const source = new firehose.KinesisStreamSource(new kinesis.Stream(stack, 'Source'));
    const stream = testDeliveryStream(stack, 'Stream', { source });
    expect(() => ingestion.addDestination(IngestionDestinationTarget.firehose(stream))).toThrow(
      ": Firehose stream TestStack/Stream has source deliveryStreamType 'KinesisStreamAsSource'; AppFabric puts records only into Direct PUT streams. " +
      'Deliver to a stream created without a source (deliveryStreamType DirectPut).',
    );
  });

  test('a CfnDeliveryStream with a Kinesis source', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const stream = new firehose.CfnDeliveryStream(stack, 'Stream', {
      deliveryStreamType: 'KinesisStreamAsSource',
      kinesisStreamSourceConfiguration: {
        kinesisStreamArn: 'arn:aws:kinesis:us-east-1:111122223333:stream/source',
        roleArn: 'arn:aws:iam::111122223333:role/firehose-source',
      },
    });
    expect(() => ingestion.addDestination(IngestionDestinationTarget.firehose(stream))).toThrow(
      "Firehose stream TestStack/Stream has source deliveryStreamType 'KinesisStreamAsSource'",
    );
  });

  test('an imported Firehose stream is accepted as is (AppFabric tags it itself)', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack) });
    const stream = firehose.DeliveryStream.fromDeliveryStreamName(stack, 'Stream', 'appfabric-logs');
    ingestion.addDestination(IngestionDestinationTarget.firehose(stream), { schema: AuditLogSchema.RAW });
    expect(destinations(expectNagClean(stack))[0].DestinationConfiguration.AuditLog.Destination).toEqual({ FirehoseStream: { StreamName: 'appfabric-logs' } });
  });
});

describe('IngestionDestinationTarget: names and prefixes', () => {
  const stack = () => new Stack(new App(), 'S', { env: TEST_ENV });

  test.each([
    ['', 0],
    ['p'.repeat(121), 121],
  ])('S3 prefix of length %#', (prefix, length) => {
    const s = stack();
    expect(() => IngestionDestinationTarget.s3(s3.Bucket.fromBucketName(s, 'B', 'example-logs'), prefix)).toThrow(
      `IngestionDestinationTarget.s3(bucket, prefix): prefix '${prefix}' is ${length} characters; AppFabric accepts 1 to 120. ` +
      'Pass a shorter prefix, or omit prefix to write from the bucket\'s root.',
    );
  });

  test('S3 prefixes of 1 and 120 characters are fine', () => {
    const s = stack();
    const bucket = s3.Bucket.fromBucketName(s, 'B', 'example-logs');
    IngestionDestinationTarget.s3(bucket, 'p');
    IngestionDestinationTarget.s3(bucket, 'p'.repeat(120));
  });

  test.each([['ab'], ['b'.repeat(64)]])('bucket name %s', (name) => {
    const s = stack();
    // aws-cdk-lib checks the names of the buckets it creates or imports; another IBucket may not.
    const bucket = Object.create(s3.Bucket.fromBucketName(s, 'B', 'example-logs'), { bucketName: { value: name } });
    expect(() => IngestionDestinationTarget.s3(bucket)).toThrow(
      `IngestionDestinationTarget.s3(bucket): bucket name '${name}' is ${name.length} characters; AppFabric accepts 3 to 63. ` +
      'Pass a bucket whose name is 3 to 63 characters.',
    );
  });

  test.each([['ab'], ['s'.repeat(65)]])('stream name %s', (name) => {
    const s = stack();
    expect(() => IngestionDestinationTarget.firehose(firehose.DeliveryStream.fromDeliveryStreamName(s, 'F', name))).toThrow(
      `IngestionDestinationTarget.firehose(deliveryStream): stream name '${name}' is ${name.length} characters; AppFabric accepts 3 to 64. ` +
      'Pass a stream whose name is 3 to 64 characters.',
    );
  });
});

describe('Ingestion: ordering and state', () => {
  test('an oauth2 authorization in the same app: a warning explains the two-step deploy', () => {
    const stack = nagStack();
    new Ingestion(stack, 'SlackLogs', { authorization: slackAuthorization(stack) });
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/SlackLogs', Match.anyValue());
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toBe(
      'AppFabric creates this ingestion only after the oauth2 authorization TestStack/Slack (SLACK, tenant examplecorp) is Connected, ' +
      'which needs an administrator, so a first deploy with both fails. Deploy in two steps: (1) deploy the authorization without this ingestion ' +
      '(or with the ingestion in a second stack); (2) open the authorization\'s AuthUrl output, approve, and connect ' +
      '(npx cdk-appfabric connect --stack TestStack --id Slack --code <code>); (3) deploy the ingestion. Once connected, acknowledge this warning: ' +
      `Annotations.of(ingestion).acknowledgeWarning('${WARNING_ID}'). [ack: ${WARNING_ID}]`,
    );
  });

  test('the warning can be acknowledged once the authorization is connected', () => {
    const stack = nagStack();
    const ingestion = new Ingestion(stack, 'SlackLogs', { authorization: slackAuthorization(stack) });
    CoreAnnotations.of(ingestion).acknowledgeWarning(WARNING_ID, 'Slack authorization connected');
    Annotations.fromStack(stack).hasNoWarning('/TestStack/SlackLogs', Match.anyValue());
  });

  test('the two-step layout: ingestion in a second stack, ordered after the authorization\'s stack', () => {
    const app = new App();
    const authStack = new Stack(app, 'Auth', { env: TEST_ENV });
    const logsStack = new Stack(app, 'Logs', { env: TEST_ENV });
    const slack = slackAuthorization(authStack);
    new Ingestion(logsStack, 'SlackLogs', { authorization: slack });
    Template.fromStack(logsStack).hasResourceProperties('AWS::AppFabric::Ingestion', {
      App: 'SLACK', TenantId: 'examplecorp', AppBundleArn: { 'Fn::ImportValue': Match.stringLikeRegexp('Bundle') },
    });
    expect(logsStack.dependencies).toContain(authStack);
  });

  test.each([
    ['an apiKey authorization', (stack: Stack) => asanaAuthorization(stack)],
    ['an imported authorization', (stack: Stack) => AppAuthorization.fromAppAuthorizationAttributes(stack, 'Imported', {
      appAuthorizationArn: 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111/appauthorization/c1',
      app: Application.SLACK,
      tenantIdentifier: 'examplecorp',
      appBundle: AppBundle.fromAppBundleArn(stack, 'Bundle', 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111'),
    })],
  ])('no warning for %s', (_name, make) => {
    const stack = nagStack();
    new Ingestion(stack, 'Logs', { authorization: make(stack) });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    expectNagClean(stack).resourceCountIs('AWS::AppFabric::Ingestion', 1);
  });

  test.each([[undefined, 'true'], [true, 'true'], [false, 'false']])(
    'enabled: %s declares the state the custom resource brings the ingestion to', (enabled, declared) => {
      const stack = nagStack();
      const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack), enabled });
      const template = expectNagClean(stack);
      template.hasResourceProperties('Custom::AppFabricIngestionState', {
        Enabled: declared,
        IngestionArn: { 'Fn::GetAtt': [logicalId(ingestion), 'Arn'] },
      });
      // The state handler may read, start and stop ingestions of the bundle, nothing more.
      const policies = Object.values<any>(template.findResources('AWS::IAM::Policy'))
        .filter((p) => JSON.stringify(p.Properties.Roles).includes('IngestionStateProvider'));
      const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((st: any) => JSON.stringify(st.Action).includes('appfabric'));
      expect(statements.map((st: any) => st.Action)).toEqual([['appfabric:GetIngestion', 'appfabric:StartIngestion', 'appfabric:StopIngestion']]);
    });

  test('fails at synth in a Region without AppFabric', () => {
    const stack = new Stack(new App(), 'Frankfurt', { env: { account: '111122223333', region: 'eu-central-1' } });
    const authorization = AppAuthorization.fromAppAuthorizationAttributes(stack, 'Imported', {
      appAuthorizationArn: 'arn:aws:appfabric:eu-central-1:111122223333:appbundle/b/appauthorization/c',
      app: Application.ASANA,
      tenantIdentifier: 't',
      appBundle: AppBundle.fromAppBundleArn(stack, 'Bundle', 'arn:aws:appfabric:eu-central-1:111122223333:appbundle/b'),
    });
    expect(() => new Ingestion(stack, 'Logs', { authorization })).toThrow(/AppFabric is not available in Region 'eu-central-1'/);
  });
});

describe('Ingestion.fromIngestionArn', () => {
  test('imports the ingestion with its bundle, account and Region', () => {
    const stack = new Stack(new App(), 'Consumer', { env: TEST_ENV });
    const ingestion = Ingestion.fromIngestionArn(stack, 'Ingestion', INGESTION_ARN);
    expect(ingestion.ingestionArn).toBe(INGESTION_ARN);
    expect(ingestion.appBundleArn).toBe('arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111');
    expect(ingestion.env).toEqual({ account: '111122223333', region: 'us-east-1' });
  });

  test('a token ARN: the bundle ARN is cut from it at deploy', () => {
    const stack = new Stack(new App(), 'Consumer', { env: TEST_ENV });
    const arn = new firehose.CfnDeliveryStream(stack, 'AnyResource', {}).getAtt('Arn').toString();
    const ingestion = Ingestion.fromIngestionArn(stack, 'Ingestion', arn);
    const split = { 'Fn::Split': ['/', { 'Fn::GetAtt': ['AnyResource', 'Arn'] }] };
    expect(stack.resolve(ingestion.appBundleArn)).toEqual({
      'Fn::Join': ['/', [{ 'Fn::Select': [0, split] }, { 'Fn::Select': [1, split] }]],
    });
  });

  test.each([
    ['arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2'],
    ['arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2/appauthorization/c3'],
    ['arn:aws:s3:::example-logs'],
    ['not-an-arn'],
  ])('rejects %j naming the property, the value and the expected shape', (bad) => {
    const stack = new Stack(new App(), 'Consumer');
    expect(() => Ingestion.fromIngestionArn(stack, 'Ingestion', bad)).toThrow(
      `Ingestion.fromIngestionArn(ingestionArn): '${bad}' is not an AppFabric ingestion ARN. Pass an ARN like arn:aws:appfabric:`,
    );
  });
});

describe('Ingestion snapshot', () => {
  test('apiKey authorization delivering OCSF Parquet to S3 and raw JSON to Firehose', () => {
    const stack = nagStack();
    const bundle = new AppBundle(stack, 'Bundle');
    const ingestion = new Ingestion(stack, 'AsanaLogs', { authorization: asanaAuthorization(stack, bundle), tags: { team: 'security' } });
    ingestion.addDestination(IngestionDestinationTarget.s3(testBucket(stack, 'Logs'), 'asana/'), {
      schema: AuditLogSchema.OCSF, format: AuditLogFormat.PARQUET,
    });
    ingestion.addDestination(IngestionDestinationTarget.firehose(testDeliveryStream(stack, 'Stream')), {
      schema: AuditLogSchema.RAW, format: AuditLogFormat.JSON,
    });
    // The resources this construct makes or changes only: the authorization's handler has its own snapshot.
    const resources = expectNagClean(stack).toJSON().Resources as Record<string, { Type: string }>;
    const owned = ['AWS::AppFabric::Ingestion', 'AWS::AppFabric::IngestionDestination', 'AWS::KinesisFirehose::DeliveryStream'];
    expect(Object.fromEntries(Object.entries(resources).filter(([, r]) => owned.includes(r.Type)))).toMatchSnapshot();
  });
});
