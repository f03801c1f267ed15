import {
  Arn, ArnFormat, IResource, Resource, Tags, Token, aws_appfabric as appfabric, aws_iam as iam, aws_kms as kms, aws_ssm as ssm,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeUnknownResourceType, acknowledgeWildcardResource } from './nag';
import { assertAppFabricRegion, checkSameEnvironment, countTowardsQuota, parseAppFabricArn, validateTagsAtSynth } from './synth-checks';

/**
 * An AppFabric app bundle: the container for an account's app authorizations and ingestions.
 * AppFabric allows one per account and Region.
 */
export interface IAppBundle extends IResource {
  /**
   * The ARN of the app bundle.
   * @attribute
   */
  readonly appBundleArn: string;

  /**
   * The ID of the app bundle (the last part of its ARN).
   * @attribute
   */
  readonly appBundleId: string;

  /**
   * Grants creating, reading, updating, connecting, tagging and deleting the app authorizations
   * of this bundle (and listing them), nothing else in AppFabric.
   *
   * @param grantee the principal to grant to
   */
  grantManageAuthorizations(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants listing the app authorizations of this bundle, with their status.
   *
   * @param grantee the principal to grant to
   */
  grantListAuthorizations(grantee: iam.IGrantable): iam.Grant;

  /**
   * Grants reading, starting and stopping the ingestions of this bundle.
   *
   * @param grantee the principal to grant to
   */
  grantStartStopIngestions(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of an `AppBundle`.
 */
export interface AppBundleProps {
  /**
   * A customer managed KMS key that encrypts the bundle's data.
   *
   * AppFabric creates a grant on the key with the credentials of whoever creates the bundle, so
   * the deploying role (the CloudFormation execution role) needs kms:DescribeKey,
   * kms:CreateGrant, kms:GenerateDataKey and kms:Decrypt on it. A key with the default key
   * policy in the same account satisfies that.
   *
   * @default - an AWS owned key
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Tags for the bundle. `Tags.of(bundle).add(...)` works as well.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * Publish the bundle's ARN in an SSM String parameter of this name, so stacks in other apps
   * can import it with `AppBundle.fromAppBundleParameter()`.
   *
   * @default - no parameter
   */
  readonly parameterName?: string;
}

/** Attributes and grants shared by created and imported bundles. */
abstract class AppBundleBase extends Resource implements IAppBundle {
  public abstract readonly appBundleArn: string;

  public get appBundleId(): string {
    // A literal ARN splits here; a token (a bundle of this app) with Fn::Select at deploy time.
    return Arn.split(this.appBundleArn, ArnFormat.SLASH_RESOURCE_NAME).resourceName!;
  }

  public grantManageAuthorizations(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnChildren(grantee, 'appauthorization', [
      'appfabric:CreateAppAuthorization', 'appfabric:GetAppAuthorization', 'appfabric:UpdateAppAuthorization',
      'appfabric:ConnectAppAuthorization', 'appfabric:DeleteAppAuthorization', 'appfabric:ListAppAuthorizations',
      'appfabric:TagResource', 'appfabric:UntagResource', 'appfabric:ListTagsForResource',
    ], 'AppFabric assigns authorization ids at create time; the wildcard covers authorizations inside this one bundle only.');
  }

  public grantListAuthorizations(grantee: iam.IGrantable): iam.Grant {
    // Authorized on the bundle alone.
    return iam.Grant.addToPrincipal({ grantee, actions: ['appfabric:ListAppAuthorizations'], resourceArns: [this.appBundleArn] });
  }

  public grantStartStopIngestions(grantee: iam.IGrantable): iam.Grant {
    return this.grantOnChildren(grantee, 'ingestion', ['appfabric:GetIngestion', 'appfabric:StartIngestion', 'appfabric:StopIngestion'],
      'Ingestion ids are assigned by AppFabric; the wildcard covers ingestions inside this one bundle only.');
  }

  /** Actions authorized on the bundle and on its children of one kind (ids AppFabric assigns). */
  private grantOnChildren(grantee: iam.IGrantable, kind: string, actions: string[], reason: string): iam.Grant {
    const children = `${this.appBundleArn}/${kind}/*`;
    const grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.appBundleArn, children] });
    if (Construct.isConstruct(grantee.grantPrincipal)) {
      acknowledgeWildcardResource(grantee.grantPrincipal, children, reason);
    }
    return grant;
  }
}

/**
 * An AWS AppFabric app bundle (`AWS::AppFabric::AppBundle`).
 *
 * Only one bundle may exist per account and Region: create it in one stack and import it
 * elsewhere with `AppBundle.fromAppBundleArn()`.
 *
 * @resource AWS::AppFabric::AppBundle
 *
 * @example
 * import { aws_kms as kms } from 'aws-cdk-lib';
 * import { AppBundle } from 'cdk-appfabric';
 *
 * const bundle = new AppBundle(this, 'Bundle', {
 *   encryptionKey: new kms.Key(this, 'BundleKey', { enableKeyRotation: true }),
 * });
 */
export class AppBundle extends AppBundleBase {
  /**
   * Imports an existing app bundle by its ARN.
   *
   * @param appBundleArn e.g. `arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-...`
   */
  public static fromAppBundleArn(scope: Construct, id: string, appBundleArn: string): IAppBundle {
    const parsed = parseAppFabricArn(appBundleArn, 'AppBundle.fromAppBundleArn(appBundleArn)', 'appbundle');
    class Imported extends AppBundleBase {
      public readonly appBundleArn = appBundleArn;
    }
    const imported = new Imported(scope, id, { account: parsed?.account, region: parsed?.region });
    checkSameEnvironment(imported, 'AppBundle.fromAppBundleArn(appBundleArn)', imported, (what, here) =>
      `AppFabric serves a bundle only in its own account and Region: import the bundle of ${what} ${here} ` +
      '(one per account and Region), or deploy this stack to the bundle\'s account and Region.');
    return imported;
  }

  /**
   * Imports the bundle whose ARN another stack or app published in an SSM parameter (see
   * `AppBundleProps.parameterName`). The value is read by CloudFormation at deploy time, so the
   * consuming stack follows the owner without a code change.
   *
   * @param parameterName the SSM String parameter's name, e.g. `/appfabric/app-bundle-arn`
   */
  public static fromAppBundleParameter(scope: Construct, id: string, parameterName: string): IAppBundle {
    checkParameterName(parameterName, 'AppBundle.fromAppBundleParameter(parameterName)');
    const arn = ssm.StringParameter.valueForStringParameter(scope, parameterName);
    class Imported extends AppBundleBase {
      public readonly appBundleArn = arn;
    }
    return new Imported(scope, id);
  }

  public readonly appBundleArn: string;

  /** The customer managed key that encrypts the bundle, if any. */
  public readonly encryptionKey?: kms.IKey;

  /** The SSM parameter holding the bundle's ARN, when `parameterName` is set. */
  public readonly parameter?: ssm.IStringParameter;

  constructor(scope: Construct, id: string, props: AppBundleProps = {}) {
    super(scope, id);
    assertAppFabricRegion(this);
    countTowardsQuota(this, 'AppBundle');

    const resource = new appfabric.CfnAppBundle(this, 'Resource', {
      customerManagedKeyIdentifier: props.encryptionKey?.keyArn,
    });
    acknowledgeUnknownResourceType(resource);
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      Tags.of(this).add(key, value);
    }
    validateTagsAtSynth(this, resource.cdkTagManager);

    this.encryptionKey = props.encryptionKey;
    this.appBundleArn = resource.attrArn;

    if (props.parameterName !== undefined) {
      checkParameterName(props.parameterName, 'parameterName');
      this.parameter = new ssm.StringParameter(this, 'ArnParameter', {
        parameterName: props.parameterName,
        stringValue: this.appBundleArn,
        description: 'ARN of the AWS AppFabric app bundle (cdk-appfabric AppBundle)',
      });
    }
  }
}

function checkParameterName(name: string, property: string): void {
  if (!Token.isUnresolved(name) && !/^[a-zA-Z0-9_.\-/]{1,2048}$/.test(name)) {
    throw new Error(`${property}: '${name}' is not an SSM parameter name. Use letters, digits and _ . - /, e.g. '/appfabric/app-bundle-arn'.`);
  }
}
