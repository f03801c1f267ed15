// One handler and one Provider per stack, however many authorizations it holds.
import { Duration, aws_iam as iam, aws_lambda as lambda, aws_logs as logs, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IAppBundle } from '../app-bundle';
import { acknowledgeWildcardResource } from '../nag';
import { handlerRoleAndLogs, providerFramework, stackSingleton } from '../provider-framework';
import { AppAuthorizationFunction } from './handler/app-authorization-function';
import { RotationFunction } from './handler/rotation-function';

/** How long the handler may run: the apiKey connect wait plus AppFabric and Secrets Manager calls. */
export const HANDLER_TIMEOUT = Duration.minutes(5);

export class AppAuthorizationProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: Construct): AppAuthorizationProvider {
    return stackSingleton(scope, 'cdk-appfabric.AppAuthorizationProvider', (stack, id) => new AppAuthorizationProvider(stack, id));
  }

  public readonly serviceToken: string;
  public readonly handler: lambda.IFunction;
  private readonly role: iam.Role;
  private readonly grantedBundles = new Set<string>();
  private readonly grantedSecrets = new Set<secretsmanager.ISecret>();
  private secretStatement?: iam.PolicyStatement;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    // An inline role: logs to its own log group only (no AWSLambdaBasicExecutionRole), AppFabric
    // and secrets as each authorization adds them.
    const { role, logGroup } = handlerRoleAndLogs(this);
    this.role = role;
    this.handler = new AppAuthorizationFunction(this, 'Handler', {
      description: 'cdk-appfabric: creates, updates and deletes AppFabric app authorizations',
      role: this.role,
      logGroup,
      timeout: HANDLER_TIMEOUT,
      memorySize: 256,
    });
    this.serviceToken = providerFramework(this, this.handler);
  }

  /**
   * The function that follows rotated secrets (created on first use). It shares the handler's
   * role: it does a subset of the same work on the same authorizations and secrets.
   */
  public rotationFollower(): lambda.IFunction {
    const existing = this.node.tryFindChild('RotationFollower') as lambda.IFunction | undefined;
    if (existing) {
      return existing;
    }
    const logGroup = new logs.LogGroup(this, 'RotationFollowerLogs', { retention: logs.RetentionDays.ONE_YEAR });
    logGroup.grantWrite(this.role);
    return new RotationFunction(this, 'RotationFollower', {
      description: 'cdk-appfabric: sends rotated secrets to AppFabric authorizations',
      role: this.role,
      logGroup,
      timeout: HANDLER_TIMEOUT,
      memorySize: 256,
    });
  }

  /** Lets the handler manage authorizations in one bundle (and nothing else in AppFabric). */
  public grantBundle(appBundle: IAppBundle): void {
    // Keyed by the bundle's ARN string (a token's string form is stable), so two imports of
    // one bundle share a statement.
    const appBundleArn = appBundle.appBundleArn;
    if (this.grantedBundles.has(appBundleArn)) {
      return;
    }
    this.grantedBundles.add(appBundleArn);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'appfabric:CreateAppAuthorization', 'appfabric:GetAppAuthorization', 'appfabric:UpdateAppAuthorization',
        'appfabric:ConnectAppAuthorization', 'appfabric:DeleteAppAuthorization', 'appfabric:ListAppAuthorizations',
        'appfabric:TagResource', 'appfabric:UntagResource', 'appfabric:ListTagsForResource',
      ],
      // Get/Update/Connect/Delete are authorized on the authorization and the bundle.
      resources: [appBundleArn, `${appBundleArn}/appauthorization/*`],
    }));
    acknowledgeWildcardResource(this.role, `${appBundleArn}/appauthorization/*`,
      'AppFabric assigns authorization ids at create time; the wildcard covers authorizations inside this one bundle only.');
  }

  /** Lets the handler read one secret (GetSecretValue only) and decrypt it with its key. */
  public grantSecret(secret: secretsmanager.ISecret): void {
    if (this.grantedSecrets.has(secret)) {
      return;
    }
    this.grantedSecrets.add(secret);
    // One statement lists every secret: a statement per secret would grow the template (and
    // overflow the inline policy) with each authorization.
    if (!this.secretStatement) {
      this.secretStatement = new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'] });
      this.role.addToPrincipalPolicy(this.secretStatement);
    }
    // A secret imported by name has a partial ARN: match its random suffix.
    this.secretStatement.addResources(secret.secretFullArn ?? `${secret.secretArn}-??????`);
    secret.encryptionKey?.grantDecrypt(this.role);
  }
}
