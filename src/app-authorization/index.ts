import {
  Annotations, CfnOutput, CfnResource, Duration, IResource, Lazy, Names, RemovalPolicy, Resource, Stack, TagManager, TagType, Token,
  aws_events as events, aws_events_targets as targets, aws_iam as iam,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import {
  AppAuthorizationProperties, APP_AUTHORIZATION_RESOURCE_TYPE, AUTH_URL_OUTPUT_SUFFIX, CREDENTIAL_VERSION_TAG, DEFAULT_CREDENTIAL_FIELDS,
  OWNER_LOGICAL_ID_TAG, OWNER_STACK_TAG, RotationEvent,
} from './properties';
import { AppAuthorizationProvider } from './provider';
import { IAppBundle } from '../app-bundle';
import { Application, AuthType } from '../application';
import { AppCredential } from '../credential';
import { acknowledgeLibraryFunctions } from '../nag';
import {
  assertAppFabricRegion, checkSameEnvironment, checkSecretReference, checkText, checkWholeSeconds, countTowardsQuota, validateTagsAtSynth,
} from '../synth-checks';

/** The id of the synth information (a warning with followSecretRotation) about OAuth authorizations returning to PendingConnect. */
const OAUTH2_RECONNECT_WARNING = 'cdk-appfabric:oauth2-reconnect-after-change';
/** What an administrator does with an AuthUrl output. */
const AUTH_URL_OUTPUT_DESCRIPTION = 'Approve, then run npx cdk-appfabric connect';

/** The id of the synth warning about connectTimeout on an OAuth authorization. */
const CONNECT_TIMEOUT_IGNORED_WARNING = 'cdk-appfabric:connect-timeout-ignored';

/**
 * The tenant of the application an authorization connects to.
 */
export interface Tenant {
  /**
   * The application's identifier for the tenant, e.g. a Slack workspace or an Okta domain.
   * 1 to 1024 characters.
   */
  readonly tenantIdentifier: string;

  /**
   * A display name for the tenant. 1 to 2048 characters.
   */
  readonly tenantDisplayName: string;
}

/**
 * An AppFabric app authorization.
 */
export interface IAppAuthorization extends IResource {
  /**
   * The ARN of the authorization.
   * @attribute
   */
  readonly appAuthorizationArn: string;

  /** The application it authorizes. */
  readonly app: Application;

  /** The tenant's identifier in the application. */
  readonly tenantIdentifier: string;

  /** The bundle it belongs to. */
  readonly appBundle: IAppBundle;

  /**
   * Grants sending a new credential to this authorization: reading, updating, connecting it and
   * its tags, nothing else.
   *
   * @param grantee the principal to grant to
   */
  grantUpdateCredential(grantee: iam.IGrantable): iam.Grant;
}

/** Grants shared by created and imported authorizations. */
abstract class AppAuthorizationBase extends Resource implements IAppAuthorization {
  public abstract readonly appAuthorizationArn: string;
  public abstract readonly app: Application;
  public abstract readonly tenantIdentifier: string;
  public abstract readonly appBundle: IAppBundle;

  public grantUpdateCredential(grantee: iam.IGrantable): iam.Grant {
    // Get, Update and Connect are authorized on the authorization and its bundle; tags on the authorization.
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['appfabric:GetAppAuthorization', 'appfabric:UpdateAppAuthorization', 'appfabric:ConnectAppAuthorization'],
      resourceArns: [this.appBundle.appBundleArn, this.appAuthorizationArn],
    }).combine(iam.Grant.addToPrincipal({
      grantee,
      actions: ['appfabric:ListTagsForResource', 'appfabric:TagResource'],
      resourceArns: [this.appAuthorizationArn],
    }));
  }
}

/**
 * Properties of an `AppAuthorization`.
 */
export interface AppAuthorizationProps {
  /** The bundle the authorization belongs to. */
  readonly appBundle: IAppBundle;

  /** The application to authorize, e.g. `Application.SLACK` or `Application.of('NEWAPP')`. */
  readonly app: Application;

  /** The application's tenant. */
  readonly tenant: Tenant;

  /**
   * The credential, as a reference to a Secrets Manager secret. Its type must match the
   * application's auth type.
   */
  readonly credential: AppCredential;

  /**
   * Tags for the authorization. `Tags.of(authorization).add(...)` works as well.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };

  /**
   * What happens to the authorization when it leaves the stack: `DESTROY` deletes it from
   * AppFabric, `RETAIN` keeps it.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Whether to add the `<id>AuthUrl` stack output to an OAuth authorization: the URL an
   * administrator opens to approve access. apiKey authorizations get no output. The ARN and
   * status stay available as `appAuthorizationArn` and `status` (and through
   * `npx cdk-appfabric status`); add outputs for them with `CfnOutput` if you need them.
   *
   * @default true
   */
  readonly stackOutputs?: boolean;

  /**
   * apiKey authorizations: how long the deploy waits for AppFabric to report `Connected` after
   * connecting. At most 4 minutes (the handler's timeout leaves room to report a failure).
   *
   * @default Duration.minutes(2)
   */
  readonly connectTimeout?: Duration;

  /**
   * Take over an authorization that already exists for the same app and tenant in the bundle
   * (e.g. one made in the console) instead of failing: the deploy brings its tenant display name
   * and credential to the declared state and keeps its ARN. Once adopted it is managed like any
   * other, `removalPolicy` included.
   *
   * @default false - a Create that finds the app and tenant taken fails, naming the existing ARN
   */
  readonly adoptExisting?: boolean;

  /**
   * Follow rotation of the credential's secret: when its `AWSCURRENT` version changes (Secrets
   * Manager's `Secret Label Updated` event, no CloudTrail trail needed), a function sends the new
   * value to AppFabric; apiKey authorizations are connected and verified again. An OAuth
   * authorization returns to `PendingConnect` and needs a new approval: pair this with an
   * `AppFabricMonitor` whose alarm reports it.
   *
   * @default false - a new secret value reaches AppFabric only when the stack changes the credential
   */
  readonly followSecretRotation?: boolean;
}

/** Attributes for importing an authorization made elsewhere. */
export interface AppAuthorizationAttributes {
  /** The ARN of the authorization. */
  readonly appAuthorizationArn: string;
  /** The application it authorizes. */
  readonly app: Application;
  /** The tenant's identifier in the application. */
  readonly tenantIdentifier: string;
  /** The bundle it belongs to. */
  readonly appBundle: IAppBundle;
}

/**
 * An AWS AppFabric app authorization, managed by a custom resource
 * (`Custom::AppFabricAppAuthorization`) that reads the credential from Secrets Manager at deploy
 * time, connects apiKey authorizations during the deploy and returns the `authUrl` of OAuth ones.
 *
 * @example
 * import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
 * import { AppAuthorization, AppBundle, AppCredential, Application } from 'cdk-appfabric';
 *
 * // The secret holds {"apiKey": "..."}; the template holds only its ARN and the field name.
 * const asana = new AppAuthorization(this, 'Asana', {
 *   appBundle: new AppBundle(this, 'Bundle'),
 *   app: Application.ASANA,
 *   tenant: { tenantIdentifier: '1200000000000000', tenantDisplayName: 'Example Corp' },
 *   credential: AppCredential.apiKey(secretsmanager.Secret.fromSecretNameV2(this, 'AsanaKey', 'appfabric/asana')),
 * });
 */
export class AppAuthorization extends AppAuthorizationBase {
  /** Imports an authorization by its attributes. */
  public static fromAppAuthorizationAttributes(scope: Construct, id: string, attrs: AppAuthorizationAttributes): IAppAuthorization {
    class Imported extends AppAuthorizationBase {
      public readonly appAuthorizationArn = attrs.appAuthorizationArn;
      public readonly app = attrs.app;
      public readonly tenantIdentifier = attrs.tenantIdentifier;
      public readonly appBundle = attrs.appBundle;
    }
    return new Imported(scope, id);
  }

  public readonly appAuthorizationArn: string;
  public readonly app: Application;
  public readonly tenantIdentifier: string;
  public readonly appBundle: IAppBundle;

  /** How AppFabric authenticates to the application. */
  public readonly authType: AuthType;

  /**
   * The URL an administrator opens to approve an OAuth authorization (empty for apiKey).
   * @attribute
   */
  public readonly authUrl: string;

  /**
   * The authorization's status when the deploy finished, e.g. `PendingConnect` or `Connected`.
   * @attribute
   */
  public readonly status: string;

  /** Tags applied to the authorization when AppFabric creates it or the stack updates it. */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: AppAuthorizationProps) {
    super(scope, id);
    assertAppFabricRegion(this);
    validateProps(this, props);
    refuseDuplicate(this, props);
    countTowardsQuota(this, 'AppAuthorization');

    this.app = props.app;
    this.appBundle = props.appBundle;
    this.tenantIdentifier = props.tenant.tenantIdentifier;
    this.authType = props.app.authType;
    this.tags = new TagManager(TagType.KEY_VALUE, 'Custom::AppFabricAppAuthorization', props.tags);
    validateTagsAtSynth(this, this.tags, [OWNER_STACK_TAG, OWNER_LOGICAL_ID_TAG, CREDENTIAL_VERSION_TAG]);

    const provider = AppAuthorizationProvider.of(this);
    acknowledgeLibraryFunctions(provider);
    provider.grantBundle(props.appBundle);
    provider.grantSecret(props.credential.secret);

    const credential = props.credential;
    const properties: AppAuthorizationProperties = {
      AppBundleArn: props.appBundle.appBundleArn,
      App: props.app.name,
      AuthType: props.app.authType,
      TenantIdentifier: props.tenant.tenantIdentifier,
      TenantDisplayName: props.tenant.tenantDisplayName,
      CredentialSecretArn: credential.secret.secretArn,
      CredentialFields: credentialFields(credential),
      ConnectTimeoutSeconds: props.app.authType === AuthType.API_KEY
        ? String((props.connectTimeout ?? Duration.minutes(2)).toSeconds()) : undefined,
      AdoptExisting: props.adoptExisting ? 'true' : undefined,
    };
    // A CfnResource rather than a CustomResource: a stack holds up to 50 of these, and each
    // template byte is paid 50 times. CloudFormation deletes a custom resource by default, so
    // only another removal policy is written (a CustomResource writes "Delete" twice).
    const resource = new CfnResource(this, 'Resource', {
      type: APP_AUTHORIZATION_RESOURCE_TYPE,
      properties: {
        ServiceToken: provider.serviceToken,
        ServiceTimeout: String(provider.serviceTimeout.toSeconds()),
        ...properties,
        // Rendered at synth, after Tags.of(...) aspects have run.
        Tags: Lazy.any({ produce: () => renderTags(this.tags) }),
      },
    });
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    if (removalPolicy !== RemovalPolicy.DESTROY) {
      resource.applyRemovalPolicy(removalPolicy);
    }
    // No explicit dependency on the bundle: AppBundleArn (a Fn::GetAtt for a bundle of this stack)
    // already orders the authorization after it.

    this.appAuthorizationArn = Token.asString(resource.getAtt('AppAuthorizationArn'));
    this.authUrl = Token.asString(resource.getAtt('AuthUrl'));
    this.status = Token.asString(resource.getAtt('Status'));

    if ((props.stackOutputs ?? true) && this.authType === AuthType.OAUTH2) {
      this.addAuthUrlOutput(id);
    }
    if (props.followSecretRotation) {
      this.followSecretRotation(provider, properties, credential);
    }
    if (this.authType === AuthType.OAUTH2) {
      annotateReconnect(this, props);
    }
  }

  private followSecretRotation(provider: AppAuthorizationProvider, properties: AppAuthorizationProperties, credential: AppCredential): void {
    const secret = credential.secret;
    // The event carries the secret's full ARN: matched exactly when it is known. A secret imported
    // by name has only a partial ARN, so the rule matches it and its random suffix by prefix (which
    // also matches siblings such as `<name>-staging-…`); the follower then compares the event's
    // ARN with the full ARN Secrets Manager returns, and ignores siblings.
    const secretMatch = secret.secretFullArn ? [secret.secretFullArn] : [{ prefix: `${secret.secretArn}-` }];
    const rule = new events.Rule(this, 'SecretRotation', {
      description: `Follows rotation of the credential of ${this.node.path}`,
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['Secret Label Updated'],
        resources: secretMatch as string[],
        detail: { labelUpdated: ['AWSCURRENT'] },
      },
    });
    const input: RotationEvent = {
      authorization: { ...properties, AppAuthorizationArn: this.appAuthorizationArn },
      versionId: events.EventField.fromPath('$.detail.versionId'),
      secretArn: events.EventField.fromPath('$.resources[0]'),
    };
    const follower = provider.rotationFollower();
    follower.follow(this, secret);
    rule.addTarget(new targets.LambdaFunction(follower.function, {
      event: events.RuleTargetInput.fromObject(input),
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      // An event EventBridge could not deliver is kept and alarmed on like a failed follow.
      deadLetterQueue: follower.deadLetterQueue,
    }));
  }

  /**
   * The one output a person needs: CloudFormation allows 200 per stack, so the library adds one
   * per OAuth authorization and none per apiKey one. Its name says whose URL it is; the
   * description says what to do with it, in as few bytes as it takes (one per authorization).
   */
  private addAuthUrlOutput(id: string): void {
    new CfnOutput(this, 'AuthUrlOutput', {
      value: this.authUrl,
      description: AUTH_URL_OUTPUT_DESCRIPTION,
    }).overrideLogicalId(`${outputPrefix(this, id)}${AUTH_URL_OUTPUT_SUFFIX}`);
  }
}

/**
 * AppFabric sends a Connected OAuth authorization back to PendingConnect when its tenant or
 * credential changes. Synth cannot see the deployed state, so every OAuth authorization says so as
 * information. It is a warning only when the app itself will make such changes without a deploy:
 * followSecretRotation sends each rotated client secret to AppFabric, so every rotation needs a new
 * approval.
 */
function annotateReconnect(authorization: AppAuthorization, props: AppAuthorizationProps): void {
  const subject = `${props.app.name} (tenant '${props.tenant.tenantIdentifier}') is an OAuth authorization`;
  const reconnect = 'an administrator must open the AuthUrl output, approve and connect again (npx cdk-appfabric connect)';
  if (props.followSecretRotation) {
    Annotations.of(authorization).addWarningV2(OAUTH2_RECONNECT_WARNING,
      `${subject} with followSecretRotation: every rotation of its secret returns it to PendingConnect, and ${reconnect}; ` +
      'until then AppFabric cannot reach the application. Alarm on it with an AppFabricMonitor, or rotate the client secret by a ' +
      `deploy instead. Acknowledge with Annotations.of(authorization).acknowledgeWarning('${OAUTH2_RECONNECT_WARNING}').`);
  } else {
    Annotations.of(authorization).addInfoV2(OAUTH2_RECONNECT_WARNING,
      `${subject}: a deploy that changes its tenant or credential returns it to PendingConnect, and ${reconnect}.`);
  }
}

/**
 * The credential's field names, each only when it is not the default: the handler reads an absent
 * field under its default name, and every authorization's template is smaller by the repetition.
 */
function credentialFields(credential: AppCredential): AppAuthorizationProperties['CredentialFields'] {
  const named = (field: string | undefined, name: keyof typeof DEFAULT_CREDENTIAL_FIELDS) =>
    (field === DEFAULT_CREDENTIAL_FIELDS[name] ? undefined : field);
  return credential.authType === AuthType.API_KEY
    ? { ApiKey: named(credential.apiKeyField, 'ApiKey') }
    : { ClientId: named(credential.clientIdField, 'ClientId'), ClientSecret: named(credential.clientSecretField, 'ClientSecret') };
}

function renderTags(tags: TagManager): AppAuthorizationProperties['Tags'] {
  const rendered = tags.renderTags() as Array<{ Key: string; Value: string }> | undefined;
  return rendered && rendered.length > 0 ? rendered.map((tag) => ({ key: tag.Key, value: tag.Value })) : undefined;
}

/** Output names start with the construct's id, made unique in the stack by a short hash. */
function outputPrefix(scope: Construct, id: string): string {
  const clean = id.replace(/[^A-Za-z0-9]/g, '');
  const isDirectChild = scope.node.scope === Stack.of(scope);
  return isDirectChild ? clean : Names.uniqueId(scope).replace(/[^A-Za-z0-9]/g, '');
}

function validateProps(scope: Construct, props: AppAuthorizationProps): void {
  const credentialType = props.credential.authType;
  if (credentialType !== props.app.authType) {
    const factory = props.app.authType === AuthType.API_KEY ? 'AppCredential.apiKey(secret)' : 'AppCredential.oauth2(secret)';
    throw new Error(
      `${scope.node.path}: credential is an ${credentialType} credential but ${props.app.name} uses ${props.app.authType}. ` +
      `Pass ${factory}, or Application.of('${props.app.name}', AuthType.${credentialType === AuthType.API_KEY ? 'API_KEY' : 'OAUTH2'}) if the application really takes ${credentialType}.`,
    );
  }
  const tenantFix = 'Pass the application\'s identifier for the tenant (e.g. a Slack workspace or an Okta domain) exactly as the application shows it.';
  checkText(scope, 'tenant.tenantIdentifier', props.tenant.tenantIdentifier, 1024, tenantFix);
  checkText(scope, 'tenant.tenantDisplayName', props.tenant.tenantDisplayName, 2048, 'Pass a readable name for the tenant, 1 to 2048 characters.');
  checkSameEnvironment(scope, `appBundle ${props.appBundle.node.path}`, props.appBundle, (what, here) =>
    `AppFabric keeps authorizations in the bundle of their own account and Region: use the bundle of ${what} ${here}, or deploy this stack where the bundle is.`);
  checkSecretReference(scope, 'credential.secret', props.credential.secret);
  if (props.app.authType === AuthType.API_KEY) {
    checkWholeSeconds(scope, 'connectTimeout', props.connectTimeout, 1, 240, 'Pass whole seconds between 1 second and 4 minutes, e.g. Duration.seconds(90).');
  } else if (props.connectTimeout) {
    Annotations.of(scope).addWarningV2(CONNECT_TIMEOUT_IGNORED_WARNING,
      `connectTimeout is set, but ${props.app.name} is an ${props.app.authType} application: the deploy never waits for it to connect ` +
      '(an administrator approves it later), so connectTimeout has no effect. Remove connectTimeout.');
  }
}

/** The authorizations declared in each app, by (bundle, app, tenant): AppFabric allows one of each. */
const declaredAuthorizations = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Two constructs for one (bundle, app, tenant) would both manage, and delete, the same
 * authorization. A bundle is compared by its ARN as the app sees it (the same bundle, or the same
 * imported ARN), so an unresolved tenant cannot be compared and is left to the deploy.
 */
function refuseDuplicate(scope: Construct, props: AppAuthorizationProps): void {
  const tenant = props.tenant.tenantIdentifier;
  if (Token.isUnresolved(tenant)) {
    return;
  }
  const root = scope.node.root;
  const declared = declaredAuthorizations.get(root) ?? new Map<string, string>();
  declaredAuthorizations.set(root, declared);
  const key = JSON.stringify([props.appBundle.appBundleArn, props.app.name, tenant]);
  const first = declared.get(key);
  if (first) {
    throw new Error(
      `${scope.node.path}: tenant.tenantIdentifier '${tenant}' of ${props.app.name} in bundle ${props.appBundle.node.path} is already declared by ${first}. ` +
      'AppFabric allows one authorization per app and tenant in a bundle, and two constructs would both manage (and delete) it. ' +
      'Keep one construct and pass it where the other is used, or give this one another tenant.',
    );
  }
  declared.set(key, scope.node.path);
}
