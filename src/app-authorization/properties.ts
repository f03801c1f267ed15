// The wire format between the AppAuthorization construct and its handler: the custom resource's
// properties and Data. Typed once, here. Properties carry references (ARNs, field names), never
// secret values. CloudFormation delivers every scalar as a string.

export const APP_AUTHORIZATION_RESOURCE_TYPE = 'Custom::AppFabricAppAuthorization';

export interface AppAuthorizationProperties {
  readonly AppBundleArn: string;
  readonly App: string;
  /** `oauth2` or `apiKey`. */
  readonly AuthType: string;
  readonly TenantIdentifier: string;
  readonly TenantDisplayName: string;
  /** The Secrets Manager secret holding the credential as JSON. */
  readonly CredentialSecretArn: string;
  /** oauth2: the JSON fields holding the client id and secret. apiKey: the field holding the key. */
  readonly CredentialFields: AppAuthorizationCredentialFields;
  /** Tags for a new authorization (AppFabric cannot change them later). */
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

/** `Fn::GetAtt` names on the custom resource. */
export interface AppAuthorizationData {
  readonly AppAuthorizationArn: string;
  /** Empty for apiKey authorizations. */
  readonly AuthUrl: string;
  readonly Status: string;
  readonly AuthType: string;
  readonly Persona: string;
}
