import { Token, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { AuthType } from './application';

/**
 * Options for `AppCredential.oauth2()`.
 */
export interface OAuth2CredentialOptions {
  /**
   * The JSON field of the secret that holds the OAuth client id.
   * @default 'clientId'
   */
  readonly clientIdField?: string;

  /**
   * The JSON field of the secret that holds the OAuth client secret.
   * @default 'clientSecret'
   */
  readonly clientSecretField?: string;
}

/**
 * Options for `AppCredential.apiKey()`.
 */
export interface ApiKeyCredentialOptions {
  /**
   * The JSON field of the secret that holds the API key.
   * @default 'apiKey'
   */
  readonly field?: string;
}

/**
 * The credential AppFabric uses to reach an application: a reference to a Secrets Manager
 * secret holding JSON, never the value. The handler reads the secret at deploy time.
 *
 * @example
 * import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
 * import { AppCredential } from 'cdk-appfabric';
 *
 * // {"id": "...", "secret": "..."}
 * const okta = AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(this, 'OktaClient', 'appfabric/okta'), {
 *   clientIdField: 'id',
 *   clientSecretField: 'secret',
 * });
 */
export class AppCredential {
  /**
   * An OAuth 2.0 client (id and secret) stored as JSON in a secret,
   * e.g. `{"clientId": "...", "clientSecret": "..."}`.
   */
  public static oauth2(secret: secretsmanager.ISecret, options: OAuth2CredentialOptions = {}): AppCredential {
    return new AppCredential(AuthType.OAUTH2, secret, {
      clientIdField: checkField(options.clientIdField ?? 'clientId', 'clientIdField'),
      clientSecretField: checkField(options.clientSecretField ?? 'clientSecret', 'clientSecretField'),
    });
  }

  /**
   * An API key stored as JSON in a secret, e.g. `{"apiKey": "..."}`.
   */
  public static apiKey(secret: secretsmanager.ISecret, options: ApiKeyCredentialOptions = {}): AppCredential {
    return new AppCredential(AuthType.API_KEY, secret, { apiKeyField: checkField(options.field ?? 'apiKey', 'field') });
  }

  private constructor(
    /** The auth type this credential is for. */
    public readonly authType: AuthType,
    /** The secret holding the credential. */
    public readonly secret: secretsmanager.ISecret,
    /** The JSON field names, by role. */
    private readonly fields: { clientIdField?: string; clientSecretField?: string; apiKeyField?: string },
  ) {}

  /** The JSON field holding the OAuth client id (oauth2 only). */
  public get clientIdField(): string | undefined {
    return this.fields.clientIdField;
  }

  /** The JSON field holding the OAuth client secret (oauth2 only). */
  public get clientSecretField(): string | undefined {
    return this.fields.clientSecretField;
  }

  /** The JSON field holding the API key (apiKey only). */
  public get apiKeyField(): string | undefined {
    return this.fields.apiKeyField;
  }
}

function checkField(field: string, property: string): string {
  if (!Token.isUnresolved(field) && field.trim().length === 0) {
    throw new Error(`AppCredential ${property}: '${field}' is not a JSON field name. Name the field of the secret's JSON that holds the value, e.g. 'apiKey'.`);
  }
  return field;
}
