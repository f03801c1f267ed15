import { App, Stack, Validations, aws_s3 as s3, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';

/** Account and Region every test stack deploys to (an AppFabric Region). */
export const TEST_ENV = { account: '111122223333', region: 'us-east-1' };

/**
 * A stack whose app runs cdk-nag's AwsSolutions checks at synth: a finding interrupts synthesis
 * (so `Template.fromStack` throws with the report) unless the construct that owns the resource
 * acknowledged it with a reason through `Validations.of(...).acknowledge()`.
 */
export function nagStack(id = 'TestStack', env: { account?: string; region?: string } = TEST_ENV): Stack {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return new Stack(app, id, { env });
}

/** Synthesizes the stack; cdk-nag findings fail the test with the report. */
export function expectNagClean(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** A secret for a test stack (the credential's rotation belongs to the SaaS app, not to cdk-nag). */
export function testSecret(scope: Construct, id: string, props: secretsmanager.SecretProps = {}): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, props);
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions::AwsSolutions-SMG4',
    reason: 'Test fixture: SaaS credentials are rotated in the SaaS application, not by a Secrets Manager rotation function.',
  });
  return secret;
}

/**
 * A bucket for a test stack that satisfies cdk-nag: TLS only, server access logs to a second
 * bucket (whose own access logs are acknowledged: logging the log bucket would never end).
 */
export function testBucket(scope: Construct, id: string, props: s3.BucketProps = {}): s3.Bucket {
  const accessLogs = new s3.Bucket(scope, `${id}AccessLogs`, { enforceSSL: true });
  Validations.of(accessLogs).acknowledge({
    id: 'AwsSolutions::AwsSolutions-S1',
    reason: 'Test fixture: this bucket receives the server access logs of another bucket.',
  });
  return new s3.Bucket(scope, id, { enforceSSL: true, serverAccessLogsBucket: accessLogs, ...props });
}
