// Reads credentials from Secrets Manager at deploy time. Failure messages name the secret and
// the field, never a value. The SDK is loaded on first use so events that read no secret (Delete)
// do not pay for it at cold start.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeployError } from './errors';

type SecretsManagerSdk = typeof import('@aws-sdk/client-secrets-manager');

/** Loads the SDK on first use (a plain require: the Lambda runtime provides it). */
function secretsManagerSdk(): SecretsManagerSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-secrets-manager');
}

// One SDK client per Lambda container (per endpoint, should the environment change); values
// are cached per reader (one event) only, so a rotated secret is read afresh by the next event.
const sharedClients = new Map<string, SecretsManagerClient>();

export class SecretReader {
  private readonly cache = new Map<string, Record<string, unknown>>();
  private readonly versions = new Map<string, string>();

  /** The version id of the value last read from a secret (AWSCURRENT at the time). */
  public versionIdOf(secretArn: string): string | undefined {
    return this.versions.get(secretArn);
  }

  /**
   * Returns the named string fields of a JSON secret. `purpose` completes the error text,
   * e.g. "the API key of the ASANA authorization".
   */
  public async readFields(secretArn: string, fields: string[], purpose: string): Promise<Record<string, string>> {
    const json = await this.readJson(secretArn, fields, purpose);
    const values: Record<string, string> = {};
    for (const field of fields) {
      const value = json[field];
      if (typeof value !== 'string' || value.length === 0) {
        const present = Object.keys(json);
        throw new DeployError(
          `Secret ${secretArn} has no non-empty string field '${field}' (${purpose}). ` +
          `Fields present: ${present.length ? present.map((name) => `'${name}'`).join(', ') : 'none'}. ` +
          `Add '${field}' to the secret's JSON, or name the field that holds it in the credential's options.`,
        );
      }
      values[field] = value;
    }
    return values;
  }

  /**
   * The whole JSON object of a secret, read afresh (not from this reader's cache): for a secret
   * another process may have changed, and for updating some fields while keeping the others.
   * `expectedFields` only shapes the error text.
   */
  public async readObject(secretArn: string, expectedFields: string[], purpose: string): Promise<Record<string, unknown>> {
    this.cache.delete(secretArn);
    return { ...(await this.readJson(secretArn, expectedFields, purpose)) };
  }

  /** Stores a new current version (e.g. a refreshed token pair). */
  public async putSecretString(secretArn: string, secretString: string): Promise<void> {
    const sdk = secretsManagerSdk();
    await (await this.sdkClient()).send(new sdk.PutSecretValueCommand({ SecretId: secretArn, SecretString: secretString }));
    this.cache.delete(secretArn);
  }

  private async readJson(secretArn: string, fields: string[], purpose: string): Promise<Record<string, unknown>> {
    const cached = this.cache.get(secretArn);
    if (cached) {
      return cached;
    }
    const sdk = secretsManagerSdk();
    let secretString: string | undefined;
    try {
      const out = await (await this.sdkClient()).send(new sdk.GetSecretValueCommand({ SecretId: secretArn }));
      secretString = out.SecretString;
      if (out.VersionId) {
        this.versions.set(secretArn, out.VersionId);
      }
    } catch (error) {
      // The SDK's error name (and, for failures that never reached the service, its message:
      // network errors carry no secret) tells the cause.
      const sdkError = error as { name?: string; message?: string; $metadata?: unknown };
      const name = sdkError.$metadata || !sdkError.message ? sdkError.name ?? 'Error' : `${sdkError.name}: ${sdkError.message}`;
      const hint = name === 'ResourceNotFoundException'
        ? 'It does not exist in this account and Region: create it, or point the credential at the right secret.'
        : name === 'AccessDeniedException'
          ? 'The handler may not read it: the construct grants access to the secret it is given, so check the secret\'s resource policy and KMS key policy.'
          : 'Check that the secret exists and is readable.';
      throw new DeployError(`Could not read secret ${secretArn} (${purpose}): ${name}. ${hint}`);
    }
    const shape = `{${fields.map((field) => `"${field}": "..."`).join(', ')}}`;
    if (secretString === undefined) {
      throw new DeployError(`Secret ${secretArn} (${purpose}) holds binary data, not a JSON string. Store a JSON object like ${shape}.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(secretString);
    } catch {
      json = undefined;
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new DeployError(`Secret ${secretArn} (${purpose}) is not a JSON object. Store a JSON object like ${shape}.`);
    }
    this.cache.set(secretArn, json as Record<string, unknown>);
    return json as Record<string, unknown>;
  }

  private async sdkClient(): Promise<SecretsManagerClient> {
    const endpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? process.env.AWS_ENDPOINT_URL ?? '';
    let client = sharedClients.get(endpoint);
    if (!client) {
      // The SDK honours AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL itself.
      client = new (secretsManagerSdk().SecretsManagerClient)({ maxAttempts: 6 });
      sharedClients.set(endpoint, client);
    }
    return client;
  }
}
