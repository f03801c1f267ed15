// What every function of this library shares on the construct side: its own role and log group
// (no AWSLambdaBasicExecutionRole), the log settings of the stack, one timeout per function and
// the custom resource ServiceTimeout derived from it, one function per stack, and the ARN and
// KMS grant for a secret the function reads.
import { Duration, Stack, aws_iam as iam, aws_kms as kms, aws_lambda as lambda, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { AppFabricLogSettings } from './log-settings';
import { acknowledgeCustomResourceHandler } from './nag';

/** The generated `*-function.ts` classes (projen bundles each `*.lambda.ts`). */
export type HandlerFunctionClass<F extends lambda.Function> = new (scope: Construct, id: string, props: lambda.FunctionOptions) => F;

/** What a library function needs beyond its code. */
export interface HandlerFunctionOptions {
  readonly description: string;
  /** The function's timeout; a custom resource it serves gets `serviceTimeoutFor(timeout)`. */
  readonly timeout: Duration;
  readonly environment?: Record<string, string>;
  readonly vpc?: lambda.FunctionOptions['vpc'];
  readonly vpcSubnets?: lambda.FunctionOptions['vpcSubnets'];
  readonly securityGroups?: lambda.FunctionOptions['securityGroups'];
  readonly deadLetterQueue?: lambda.FunctionOptions['deadLetterQueue'];
  /** CloudFormation invokes it for custom resource events (it answers at the ResponseURL). @default false */
  readonly answersCloudFormation?: boolean;
}

/** A library function with its own inline role and its own log group (`<id>Role`, `<id>Logs`). */
export function handlerFunction<F extends lambda.Function>(scope: Construct, id: string, functionClass: HandlerFunctionClass<F>,
  options: HandlerFunctionOptions): { readonly fn: F; readonly role: iam.Role } {
  const logGroup = AppFabricLogSettings._logGroup(scope, `${id}Logs`);
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new functionClass(scope, id, {
    description: options.description,
    role,
    logGroup,
    timeout: options.timeout,
    memorySize: 256,
    environment: options.environment,
    vpc: options.vpc,
    vpcSubnets: options.vpcSubnets,
    securityGroups: options.securityGroups,
    deadLetterQueue: options.deadLetterQueue,
  });
  if (options.answersCloudFormation) {
    acknowledgeCustomResourceHandler(fn);
  }
  return { fn, role };
}

/**
 * How long CloudFormation waits for a custom resource's answer: the function's timeout plus a
 * minute. The handler answers before its own timeout; this bounds what a crash can cost (the
 * default is an hour).
 */
export function serviceTimeoutFor(functionTimeout: Duration): Duration {
  return functionTimeout.plus(Duration.minutes(1));
}

/** The construct with this id at the root of the scope's stack, created on first use. */
export function stackSingleton<T extends Construct>(scope: Construct, id: string, create: (stack: Stack, id: string) => T): T {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild(id) as T | undefined) ?? create(stack, id);
}

/** The ARN to grant on for a secret; one imported by name has a partial ARN, so match its random suffix. */
export function secretGrantArn(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * Lets `grantee` use a secret's KMS key, only through Secrets Manager in the stack's Region
 * (kms:ViaService): the key cannot be used directly. `write` adds GenerateDataKey, which
 * PutSecretValue needs.
 */
export function grantSecretKey(grantee: iam.IGrantable, key: kms.IKey, options: { readonly write?: boolean } = {}): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: options.write ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
    resourceArns: [key.keyArn],
    // The handler calls Secrets Manager in its own Region: the grantee's stack's.
    conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(Construct.isConstruct(grantee) ? grantee : key).region}.amazonaws.com` } },
  });
}
