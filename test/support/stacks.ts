import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';

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
