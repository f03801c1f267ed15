// One function per stack for every authorization it holds, invoked by CloudFormation directly;
// and, when some authorization follows rotation, one rotation follower with its own role.
import {
  Duration, aws_cloudwatch as cloudwatch, aws_iam as iam, aws_lambda as lambda, aws_secretsmanager as secretsmanager, aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IAppBundle } from '../app-bundle';
import { grantSecretKey, handlerFunction, secretGrantArn, serviceTimeoutFor, stackSingleton } from '../handler-function';
import { acknowledgeDeadLetterQueue } from '../nag';
import { AppAuthorizationFunction } from './handler/app-authorization-function';
import { RotationFunction } from './handler/rotation-function';

/** How long the handler may run: the apiKey connect wait plus AppFabric and Secrets Manager calls. */
const HANDLER_TIMEOUT = Duration.minutes(5);

export class AppAuthorizationProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: Construct): AppAuthorizationProvider {
    return stackSingleton(scope, 'cdk-appfabric.AppAuthorizationProvider', (stack, id) => new AppAuthorizationProvider(stack, id));
  }

  /** The handler function's ARN: CloudFormation invokes it directly. */
  public readonly serviceToken: string;
  /** How long CloudFormation waits for the handler's answer. */
  public readonly serviceTimeout = serviceTimeoutFor(HANDLER_TIMEOUT);
  public readonly handler: lambda.IFunction;
  private readonly role: iam.Role;
  private readonly grantedBundles = new Set<string>();
  private readonly secretReaders = new Map<iam.Role, { statement: iam.PolicyStatement; secrets: Set<secretsmanager.ISecret> }>();
  private follower?: RotationFollower;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const { fn, role } = handlerFunction(this, 'Handler', AppAuthorizationFunction, {
      description: 'cdk-appfabric: creates, updates and deletes AppFabric app authorizations',
      timeout: HANDLER_TIMEOUT,
      answersCloudFormation: true,
    });
    this.handler = fn;
    this.role = role;
    this.serviceToken = fn.functionArn;
  }

  /** Lets the handler manage the authorizations of one bundle (and nothing else in AppFabric). */
  public grantBundle(appBundle: IAppBundle): void {
    // Keyed by the bundle's ARN string (a token's string form is stable), so two imports of
    // one bundle share a statement.
    if (!this.grantedBundles.has(appBundle.appBundleArn)) {
      this.grantedBundles.add(appBundle.appBundleArn);
      appBundle.grantManageAuthorizations(this.role);
    }
  }

  /** Lets the handler read one secret (GetSecretValue only) and decrypt it through Secrets Manager. */
  public grantSecret(secret: secretsmanager.ISecret): void {
    this.grantSecretRead(this.role, secret);
  }

  /** The stack's rotation follower, created on first use. */
  public rotationFollower(): RotationFollower {
    this.follower ??= new RotationFollower(this, 'RotationFollower', (role, secret) => this.grantSecretRead(role, secret));
    return this.follower;
  }

  private grantSecretRead(role: iam.Role, secret: secretsmanager.ISecret): void {
    let reader = this.secretReaders.get(role);
    if (!reader) {
      // One statement lists every secret: a statement per secret would grow the template (and
      // overflow the inline policy) with each authorization.
      reader = { statement: new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'] }), secrets: new Set() };
      role.addToPrincipalPolicy(reader.statement);
      this.secretReaders.set(role, reader);
    }
    if (reader.secrets.has(secret)) {
      return;
    }
    reader.secrets.add(secret);
    reader.statement.addResources(secretGrantArn(secret));
    if (secret.encryptionKey) {
      grantSecretKey(role, secret.encryptionKey);
    }
  }
}

/**
 * Sends a rotated secret's new value to AppFabric. Its own role may read the followed secrets
 * and update, connect and tag the following authorizations, nothing else. A follow that still
 * fails after Lambda's retries lands in an encrypted dead-letter queue, and `failedAlarm` fires.
 */
export class RotationFollower extends Construct {
  public readonly function: lambda.IFunction;
  /** Events whose follow failed (from Lambda after its retries, or from EventBridge). */
  public readonly deadLetterQueue: sqs.Queue;
  /** Fires when a follow failed: its event waits in the dead-letter queue. */
  public readonly failedAlarm: cloudwatch.Alarm;
  private readonly role: iam.Role;

  constructor(scope: Construct, id: string, private readonly grantSecretRead: (role: iam.Role, secret: secretsmanager.ISecret) => void) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const { fn, role } = handlerFunction(this, 'Function', RotationFunction, {
      description: 'cdk-appfabric: sends rotated secrets to AppFabric authorizations',
      timeout: HANDLER_TIMEOUT,
      deadLetterQueue: this.deadLetterQueue,
    });
    this.function = fn;
    this.role = role;
    this.failedAlarm = this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' })
      .createAlarm(this, 'FailedAlarm', {
        alarmDescription: 'cdk-appfabric: a rotated secret could not be sent to its AppFabric authorization; the event waits in the dead-letter queue',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    acknowledgeDeadLetterQueue(this.deadLetterQueue, this.failedAlarm);
  }

  /** Lets the follower update one authorization from one secret. */
  public follow(authorization: { grantUpdateCredential(grantee: iam.IGrantable): iam.Grant }, secret: secretsmanager.ISecret): void {
    authorization.grantUpdateCredential(this.role);
    this.grantSecretRead(this.role, secret);
  }
}
