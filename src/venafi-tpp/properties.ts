// The wire format between the TppOAuthApplication construct and its handler: the custom
// resource's properties and Data. Typed once, here. Properties carry references (the token
// secret's ARN), never token values. CloudFormation delivers every scalar as a string.

export const TPP_OAUTH_APPLICATION_RESOURCE_TYPE = 'Custom::VenafiTppOAuthApplication';

/** The JSON fields of the token secret. */
export const TOKEN_SECRET_FIELDS = {
  accessToken: 'access_token',
  refreshToken: 'refresh_token',
  clientId: 'client_id',
} as const;

export interface TppOAuthApplicationProperties {
  /** The TPP server's base URL, e.g. `https://tpp.example.com` (https only). */
  readonly ServerUrl: string;
  /** The Secrets Manager secret holding `{"access_token", "refresh_token"?, "client_id"?}`. */
  readonly TokenSecretArn: string;
  /** Extra CA certificates (PEM) trusted for the server's TLS certificate. A certificate is public. */
  readonly TrustedCaCertificate?: string;

  /** The application's ID (its `client_id`; unique and case-sensitive). */
  readonly ApplicationId: string;
  readonly Name: string;
  readonly Vendor: string;
  readonly Description?: string;
  readonly Url?: string;
  readonly Scope: string;
  readonly MaximumScope: string;
  /** Whole seconds, as a string. */
  readonly AccessValidity?: string;
  /** Whole seconds, as a string. */
  readonly GrantValidity?: string;
  /** `true` or `false`. */
  readonly Renewable?: string;
  /** `'true'`: a Create that finds the application ID taken takes that application over. */
  readonly AdoptExisting?: string;
}

/** `Fn::GetAtt` names on the custom resource. */
export interface TppOAuthApplicationData {
  readonly ApplicationId: string;
  readonly Name: string;
}
