// The wire format between the AppAuthorization construct and its handler: the custom resource's
// properties and Data. Typed once, here. Properties carry references (ARNs, field names), never
// secret values. CloudFormation delivers every scalar as a string.

export const APP_AUTHORIZATION_RESOURCE_TYPE = 'Custom::AppFabricAppAuthorization';

/** The stack output of an OAuth authorization's AuthUrl is named `<construct id>AuthUrl`. */
export const AUTH_URL_OUTPUT_SUFFIX = 'AuthUrl';

export interface AppAuthorizationProperties {
  readonly AppBundleArn: string;
  readonly App: string;
  /** `oauth2` or `apiKey`. */
  readonly AuthType: string;
  readonly TenantIdentifier: string;
  readonly TenantDisplayName: string;
  /** The Secrets Manager secret holding the credential as JSON. */
  readonly CredentialSecretArn: string;
  /**
   * oauth2: the JSON fields holding the client id and secret. apiKey: the field holding the key.
   * A field left out is read under its default name (DEFAULT_CREDENTIAL_FIELDS); the construct
   * writes only names that differ from it.
   */
  readonly CredentialFields: AppAuthorizationCredentialFields;
  /** The authorization's tags; an Update tags and untags it to match. */
  readonly Tags?: Array<{ key: string; value: string }>;
  /** apiKey: how long to wait for `Connected` after connecting, in seconds (a string). */
  readonly ConnectTimeoutSeconds?: string;
  /** `'true'`: a Create that finds (app, tenant) taken takes that authorization over. */
  readonly AdoptExisting?: string;
}

export interface AppAuthorizationCredentialFields {
  readonly ClientId?: string;
  readonly ClientSecret?: string;
  readonly ApiKey?: string;
}

/** The JSON field names a credential's secret has unless the construct names others. */
export const DEFAULT_CREDENTIAL_FIELDS = { ClientId: 'clientId', ClientSecret: 'clientSecret', ApiKey: 'apiKey' } as const;

/** `Fn::GetAtt` names on the custom resource. */
export interface AppAuthorizationData {
  readonly AppAuthorizationArn: string;
  /** Empty for apiKey authorizations. */
  readonly AuthUrl: string;
  readonly Status: string;
  readonly AuthType: string;
  readonly Persona: string;
}

/** The input the secret-rotation rule sends to the rotation follower. */
export interface RotationEvent {
  /** The authorization's custom resource properties, plus its ARN. */
  readonly authorization: AppAuthorizationProperties & { readonly AppAuthorizationArn: string };
  /** The version the `Secret Label Updated` event announced (the follower applies the current one). */
  readonly versionId?: string;
  /**
   * The full ARN of the secret the event is about (its `resources[0]`). The follower acts only when
   * it is the credential's secret: a rule for a secret imported by name matches a prefix, which
   * also matches siblings such as `<name>-staging`.
   */
  readonly secretArn?: string;
}

/** Tags naming the resource that owns an authorization: the stack's id and its logical id. */
export const OWNER_STACK_TAG = 'cdk-appfabric:owner-stack-id';
export const OWNER_LOGICAL_ID_TAG = 'cdk-appfabric:owner-logical-id';

/** Tag on an authorization naming the secret version its credential came from (a version id, not a value). */
export const CREDENTIAL_VERSION_TAG = 'cdk-appfabric:credential-version';
