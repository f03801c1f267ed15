// Acknowledging cdk-nag findings on the library's own resources. cdk-nag (v3, through
// Validations) matches granular findings by their exact id, which names the resource the way
// cdk-nag renders it: `<LogicalId.Attr>` for Fn::GetAtt, `<LogicalId>` for Ref, joined as text.
import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * aws-cdk-lib's built-in template validation does not know the AppFabric resource types yet and
 * warns `Unknown resource type` (F3006) for them. The types are real; users should not see
 * noise caused by this library's own resources.
 */
export function acknowledgeUnknownResourceType(resource: IConstruct): void {
  Validations.of(resource).acknowledge({
    id: 'CloudFormation-Validate::F3006',
    reason: 'AWS::AppFabric::* are real CloudFormation types the bundled validation schema does not list yet',
  });
}

/** Acknowledges `AwsSolutions-IAM5` for one wildcard resource of a policy in `scope`. */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({
    id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResourceName(Stack.of(scope).resolve(resource))}]`,
    reason,
  });
}

function nagResourceName(resolved: unknown): string {
  if (typeof resolved === 'string') {
    return resolved;
  }
  const value = resolved as Record<string, any>;
  if (value.Ref) {
    return `<${value.Ref}>`;
  }
  if (value['Fn::GetAtt']) {
    return `<${value['Fn::GetAtt'].join('.')}>`;
  }
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'];
    return (parts as unknown[]).map(nagResourceName).join(separator);
  }
  return JSON.stringify(resolved);
}

/**
 * Findings of cdk-nag's NIST 800-53 R5 and Serverless packs that hold for every function this
 * library deploys (custom resource handlers, the rotation follower, the monitor), with why.
 */
const LIBRARY_FUNCTION_ACKNOWLEDGEMENTS: Array<[string, string]> = [
  ['NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC',
    'The library\'s functions call only AWS public endpoints (AppFabric, Secrets Manager) over TLS with SigV4; ' +
    'TppOAuthApplication takes vpc for a TPP server on a private network.'],
  ['NIST.800.53.R5::NIST.800.53.R5-LambdaConcurrency',
    'Invoked only by this stack\'s CloudFormation events, EventBridge rules and schedule; reserved concurrency would ' +
    'throttle deploy events and take capacity from the account\'s pool.'],
  ['NIST.800.53.R5::NIST.800.53.R5-IAMNoInlinePolicy',
    'Each function\'s role has its own policy, created and deleted with it and scoped to the resources this stack declares; ' +
    'a managed policy would outlive the role and could be attached elsewhere.'],
  ['Serverless::Serverless-LambdaTracing',
    'A few AWS calls per deploy or schedule, each logged with its outcome; active tracing would add xray:Put* on * to every role.'],
];

const acknowledgedScopes = new WeakSet<IConstruct>();

/** Acknowledges, once per scope, the findings every library function shares (see the reasons above). */
export function acknowledgeLibraryFunctions(scope: IConstruct): void {
  if (acknowledgedScopes.has(scope)) {
    return;
  }
  acknowledgedScopes.add(scope);
  for (const [id, reason] of LIBRARY_FUNCTION_ACKNOWLEDGEMENTS) {
    Validations.of(scope).acknowledge({ id, reason });
  }
}

/**
 * A function CloudFormation invokes for custom resource events: it answers each event itself at
 * the event's ResponseURL (FAILED for anything thrown, before its own timeout), and the custom
 * resource's ServiceTimeout bounds a crash. A dead-letter queue would hold events nobody can
 * answer any more.
 */
export function acknowledgeCustomResourceHandler(fn: IConstruct): void {
  const reason = 'CloudFormation invokes this custom resource handler and waits for its answer at the event\'s ResponseURL: ' +
    'the handler answers FAILED for anything thrown, before its own timeout, and ServiceTimeout bounds a crash. ' +
    'An event in a dead-letter queue could no longer be answered.';
  Validations.of(fn).acknowledge(
    { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', reason },
    { id: 'Serverless::Serverless-LambdaDLQ', reason },
  );
}

/** The monitor's scheduled function and its schedule: the next run repeats a failed one. */
export function acknowledgeScheduledFunction(fn: IConstruct, schedule: IConstruct): void {
  const reason = 'A scheduled status check: the next scheduled run repeats a failed one, and failures show in the ' +
    'function\'s Errors metric and as missing status metrics. A dead-letter queue would hold stale checks.';
  Validations.of(fn).acknowledge(
    { id: 'NIST.800.53.R5::NIST.800.53.R5-LambdaDLQ', reason },
    { id: 'Serverless::Serverless-LambdaDLQ', reason },
  );
  Validations.of(schedule).acknowledge({ id: 'Serverless::Serverless-EventBusDLQ', reason });
}

/** The rotation follower's dead-letter queue and the alarm on it. */
export function acknowledgeDeadLetterQueue(queue: IConstruct, alarm: IConstruct): void {
  Validations.of(queue).acknowledge({
    id: 'Serverless::Serverless-SQSRedrivePolicy',
    reason: 'This queue is itself the dead-letter queue of the rotation follower; messages are inspected, not redriven further.',
  });
  Validations.of(alarm).acknowledge({
    id: 'NIST.800.53.R5::NIST.800.53.R5-CloudWatchAlarmAction',
    reason: 'The library cannot know whom to notify: the alarm shows a failed follow in CloudWatch, and an app adds its own ' +
      'action to it (construct path cdk-appfabric.AppAuthorizationProvider/RotationFollower/FailedAlarm).',
  });
}
