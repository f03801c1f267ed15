// What every custom resource of this library shares: its handler's own log group and inline
// role (no AWSLambdaBasicExecutionRole), and an aws-cdk-lib Provider (onEvent only) in front of it.
import { Stack, Validations, aws_iam as iam, aws_lambda as lambda, aws_logs as logs, custom_resources as cr } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag';

/** A log group and a role that may write to it, for a handler function. */
export function handlerRoleAndLogs(scope: Construct): { role: iam.Role; logGroup: logs.LogGroup } {
  const logGroup = new logs.LogGroup(scope, 'HandlerLogs', { retention: logs.RetentionDays.ONE_YEAR });
  const role = new iam.Role(scope, 'HandlerRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return { role, logGroup };
}

/** The Provider framework in front of `onEventHandler`; returns its service token. */
export function providerFramework(scope: Construct, onEventHandler: lambda.IFunction): string {
  const provider = new cr.Provider(scope, 'Provider', {
    onEventHandler,
    logGroup: new logs.LogGroup(scope, 'ProviderLogs', { retention: logs.RetentionDays.ONE_YEAR }),
  });
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The Provider framework function of aws-cdk-lib writes its logs with AWSLambdaBasicExecutionRole; its role only invokes the handler.',
  });
  acknowledgeWildcardResource(provider, `${onEventHandler.functionArn}:*`,
    'The Provider framework may invoke the handler function and its versions, nothing else.');
  return provider.serviceToken;
}

/** The construct with this id at the root of the scope's stack, created on first use. */
export function stackSingleton<T extends Construct>(scope: Construct, id: string, create: (stack: Stack, id: string) => T): T {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild(id) as T | undefined) ?? create(stack, id);
}
