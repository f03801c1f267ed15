import { ArnFormat, Lazy, Stack, aws_iam as iam, aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Properties of `AppFabricLogSettings`.
 */
export interface AppFabricLogSettingsProps {
  /**
   * A KMS key that encrypts the log groups of the library's functions.
   *
   * CloudWatch Logs must be allowed to use the key. For a `kms.Key` defined in this app the key
   * policy gets that statement (for log groups in the stack's account and Region); an imported
   * key's policy must already allow `logs.<region>.amazonaws.com`.
   *
   * @default - encrypted by CloudWatch Logs with its own key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How long the library's functions keep their logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
}

const SETTINGS_ID = 'cdk-appfabric.LogSettings';

/**
 * The log settings of every function this library adds to a stack (custom resource handlers,
 * the rotation follower, the status monitor): one per stack, applied to their log groups
 * whether they are created before or after it.
 *
 * @example
 * import { aws_kms as kms, aws_logs as logs } from 'aws-cdk-lib';
 * import { AppFabricLogSettings } from 'cdk-appfabric';
 *
 * AppFabricLogSettings.configure(this, {
 *   encryptionKey: new kms.Key(this, 'LogKey', { enableKeyRotation: true }),
 *   retention: logs.RetentionDays.THREE_MONTHS,
 * });
 */
export class AppFabricLogSettings extends Construct {
  /**
   * Sets the log settings of the scope's stack. Once per stack.
   *
   * @param scope any construct in the stack
   */
  public static configure(scope: Construct, props: AppFabricLogSettingsProps): AppFabricLogSettings {
    const stack = Stack.of(scope);
    if (stack.node.tryFindChild(SETTINGS_ID)) {
      throw new Error(`${stack.node.path}: AppFabricLogSettings.configure was already called for this stack. Call it once, with every setting.`);
    }
    return new AppFabricLogSettings(stack, SETTINGS_ID, props);
  }

  /**
   * A log group for a library function in the scope's stack, following the stack's settings.
   * @internal
   */
  public static _logGroup(scope: Construct, id: string): logs.LogGroup {
    const stack = Stack.of(scope);
    const settings = () => (stack.node.tryFindChild(SETTINGS_ID) as AppFabricLogSettings | undefined)?.props ?? {};
    const logGroup = new logs.LogGroup(scope, id);
    const cfn = logGroup.node.defaultChild as logs.CfnLogGroup;
    // Lazy: the settings may be configured after the first function is added.
    cfn.retentionInDays = Lazy.number({
      produce: () => {
        const retention = settings().retention ?? logs.RetentionDays.ONE_YEAR;
        // INFINITE is CDK's name for "no RetentionInDays".
        return retention === logs.RetentionDays.INFINITE ? undefined : retention;
      },
    });
    cfn.kmsKeyId = Lazy.string({ produce: () => settings().encryptionKey?.keyArn });
    return logGroup;
  }

  /** The key that encrypts the library's log groups, if any. */
  public readonly encryptionKey?: kms.IKey;

  /** How long the library's functions keep their logs. */
  public readonly retention: logs.RetentionDays;

  private constructor(scope: Construct, id: string, private readonly props: AppFabricLogSettingsProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.retention = props.retention ?? logs.RetentionDays.ONE_YEAR;
    const stack = Stack.of(this);
    // CloudWatch Logs encrypts with the key for this stack's log groups only.
    props.encryptionKey?.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) } },
    }), false);
  }
}
