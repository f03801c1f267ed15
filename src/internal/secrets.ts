// Reads credentials from Secrets Manager at deploy time (and writes refreshed TPP tokens) with the
// library's own signed awsJson1_1 calls: no SDK to load on the handlers' hot path. Every value read
// is remembered for scrubbing before anything else sees it. Failure messages name the secret and
// the field, never a value; a service error keeps Secrets Manager's own message (it never carries
// the value: none was returned) with what to do about it.
import { randomUUID } from 'node:crypto';
import { CredentialProvider, cachingCredentials, defaultCredentials, parseAwsError, serviceEndpoint, signRequest } from './aws-signing';
import { DeployError } from './errors';
import { NetworkError, send } from './http';
import { RetryableFailure, errorMessage, parseRetryAfter, withRetry } from './retry';
import { rememberSecret, rememberSecretString, scrub } from './scrub';

type SecretsManagerOperation = 'GetSecretValue' | 'PutSecretValue';

/** An error Secrets Manager answered with (awsJson1_1: `__type` or `x-amzn-errortype`, and `message`). */
export class SecretsManagerError extends Error {
  constructor(
    public readonly operation: SecretsManagerOperation,
    public readonly errorType: string,
    public readonly statusCode: number,
    message: string,
    public readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = errorType;
  }
}

/** Throttling (HTTP 400 ThrottlingException in this protocol, or 429), server and network errors. */
function classifyRetryable(error: unknown): RetryableFailure | undefined {
  if (error instanceof NetworkError) {
    return {};
  }
  if (error instanceof SecretsManagerError &&
    (error.statusCode >= 500 || error.statusCode === 429 || error.errorType === 'ThrottlingException')) {
    return { retryAfterMs: error.retryAfterMs };
  }
  return undefined;
}

export interface SecretReaderOptions {
  /** @default process.env.AWS_REGION */
  readonly region?: string;
  /** @default AWS_ENDPOINT_URL_SECRETS_MANAGER, AWS_ENDPOINT_URL, then https://secretsmanager.<region>.amazonaws.com */
  readonly endpoint?: string;
  /** @default the standard chain */
  readonly credentials?: CredentialProvider;
  /** Epoch milliseconds: retries stop before it. @default 1 minute from each call */
  readonly deadline?: () => number;
  /** One line per retried attempt. Never receives request or response bodies. */
  readonly log?: (line: string) => void;
  /** Ceiling for a single attempt. @default 10 seconds */
  readonly attemptTimeoutMs?: number;
}

export class SecretReader {
  private readonly cache = new Map<string, Record<string, unknown>>();
  private readonly versions = new Map<string, string>();
  private readonly fullArns = new Map<string, string>();
  private readonly options: SecretReaderOptions;
  private readonly credentials: CredentialProvider;

  constructor(options: SecretReaderOptions = {}) {
    this.options = options;
    this.credentials = cachingCredentials(options.credentials ?? defaultCredentials());
  }

  /** The version id of the value last read from a secret (AWSCURRENT at the time). */
  public versionIdOf(secretArn: string): string | undefined {
    return this.versions.get(secretArn);
  }

  /** The full ARN (random suffix included) of a secret read by name or partial ARN. */
  public fullArnOf(secretArn: string): string | undefined {
    return this.fullArns.get(secretArn);
  }

  /**
   * Returns the named string fields of a JSON secret. `purpose` completes the error text,
   * e.g. "the API key of the ASANA authorization". Every string field is remembered for
   * scrubbing except `publicFields` (an OAuth client id is shown in every AuthUrl by design).
   */
  public async readFields(secretArn: string, fields: string[], purpose: string, publicFields: string[] = []): Promise<Record<string, string>> {
    const json = await this.readJson(secretArn, fields, purpose, publicFields);
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
  public async readObject(secretArn: string, expectedFields: string[], purpose: string,
    publicFields: string[] = []): Promise<Record<string, unknown>> {
    this.cache.delete(secretArn);
    return { ...(await this.readJson(secretArn, expectedFields, purpose, publicFields)) };
  }

  /** Stores a new current version (e.g. a refreshed token pair); remembered as readFields does. */
  public async putSecretString(secretArn: string, secretString: string, publicFields: string[] = []): Promise<void> {
    rememberSecretString(secretString, publicFields);
    // One token for every attempt: a retry after a lost response adds no second version.
    const clientRequestToken = randomUUID();
    try {
      await this.call('PutSecretValue', { SecretId: secretArn, SecretString: secretString, ClientRequestToken: clientRequestToken });
    } catch (error) {
      throw secretFailure(error, 'write', secretArn, 'the refreshed tokens', this.region());
    }
    this.cache.delete(secretArn);
  }

  private async readJson(secretArn: string, fields: string[], purpose: string, publicFields: string[]): Promise<Record<string, unknown>> {
    const cached = this.cache.get(secretArn);
    if (cached) {
      return cached;
    }
    let out: { SecretString?: unknown; SecretBinary?: unknown; VersionId?: unknown; ARN?: unknown };
    try {
      out = await this.call('GetSecretValue', { SecretId: secretArn });
    } catch (error) {
      throw secretFailure(error, 'read', secretArn, purpose, this.region());
    }
    if (typeof out.SecretString === 'string') {
      // Before anything else can see it: every log line, reason and answer is scrubbed of it.
      rememberSecretString(out.SecretString, publicFields);
    }
    if (typeof out.VersionId === 'string') {
      this.versions.set(secretArn, out.VersionId);
    }
    if (typeof out.ARN === 'string') {
      this.fullArns.set(secretArn, out.ARN);
    }
    const shape = `{${fields.map((field) => `"${field}": "..."`).join(', ')}}`;
    if (typeof out.SecretString !== 'string') {
      if (typeof out.SecretBinary === 'string') {
        rememberSecret(out.SecretBinary);
      }
      throw new DeployError(`Secret ${secretArn} (${purpose}) holds binary data (SecretBinary), not a JSON string. ` +
        `Store a JSON object like ${shape} as the secret's string value.`);
    }
    let json: unknown;
    try {
      json = JSON.parse(out.SecretString);
    } catch {
      json = undefined;
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new DeployError(`Secret ${secretArn} (${purpose}) is not a JSON object. Store a JSON object like ${shape}.`);
    }
    this.cache.set(secretArn, json as Record<string, unknown>);
    return json as Record<string, unknown>;
  }

  /** One awsJson1_1 call, signed, retried on throttling, server and network errors. */
  private async call(operation: SecretsManagerOperation, input: object): Promise<any> {
    const region = this.region();
    const url = new URL(this.options.endpoint ?? serviceEndpoint('SECRETS_MANAGER', `https://secretsmanager.${region}.amazonaws.com`));
    const payload = JSON.stringify(input);
    const deadline = this.options.deadline?.() ?? Date.now() + 60_000;
    return withRetry(async () => {
      const headers = signRequest({
        service: 'secretsmanager',
        region,
        credentials: await this.credentials(),
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `secretsmanager.${operation}` },
        body: payload,
      });
      const timeoutMs = Math.min(this.options.attemptTimeoutMs ?? 10_000, Math.max(1, deadline - Date.now()));
      const response = await send({ method: 'POST', url, headers, body: payload, timeoutMs });
      if (response.status === 200) {
        return parseOutput(response.body);
      }
      throw toServiceError(operation, response.status, response.headers, response.body);
    }, {
      deadline,
      retryable: classifyRetryable,
      onRetry: (error, attempt, delay) =>
        this.options.log?.(`Secrets Manager ${operation}: attempt ${attempt} failed (${scrub(errorMessage(error))}); retrying in ${delay} ms`),
    });
  }

  private region(): string {
    const region = this.options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new DeployError('No AWS Region to read secrets in: set AWS_REGION (the Lambda runtime sets it).');
    }
    return region;
  }
}

/** A successful response; readJson remembers the secret's value before anything can log it. */
function parseOutput(body: string): any {
  let out: any;
  try {
    out = JSON.parse(body);
  } catch {
    // Never quote the body: it may hold the secret.
    throw new Error('Secrets Manager answered with a body that is not JSON');
  }
  return out ?? {};
}

function toServiceError(operation: SecretsManagerOperation, status: number, headers: Record<string, string | undefined>,
  body: string): SecretsManagerError {
  const { errorType, message } = parseAwsError(status, headers, body);
  return new SecretsManagerError(operation, errorType, status, message, parseRetryAfter(headers['retry-after']));
}

/** A DeployError keeping Secrets Manager's error type and message, with what to do about it. */
function secretFailure(error: unknown, action: 'read' | 'write', secretArn: string, purpose: string, region: string): Error {
  if (error instanceof DeployError) {
    return error;
  }
  const cause = (error instanceof SecretsManagerError ? `${error.errorType}: ${error.message}` : scrub(errorMessage(error))).replace(/\.$/, '');
  return new DeployError(`Could not ${action} secret ${secretArn} (${purpose}): ${cause}. ${hintFor(error, action, secretArn, region)}`);
}

function hintFor(error: unknown, action: 'read' | 'write', secretArn: string, region: string): string {
  if (!(error instanceof SecretsManagerError)) {
    return 'Check that Secrets Manager is reachable from the handler (VPC endpoints or NAT when it runs in a VPC).';
  }
  const permission = action === 'read' ? 'secretsmanager:GetSecretValue' : 'secretsmanager:PutSecretValue';
  switch (error.errorType) {
    case 'ResourceNotFoundException':
      return 'It does not exist in this account and Region: create it, or point the credential at the right secret.';
    case 'AccessDeniedException':
      return `The handler's role needs ${permission} on the secret, which the construct grants for the secret it is given: ` +
        'check for a Deny in the secret\'s resource policy or an SCP, and, for a customer-managed KMS key, that its key policy ' +
        `allows the role kms:Decrypt${action === 'write' ? ' and kms:GenerateDataKey' : ''} through Secrets Manager.`;
    case 'DecryptionFailure':
    case 'EncryptionFailure':
      return `Secrets Manager could not ${action === 'read' ? 'decrypt' : 'encrypt'} it with its KMS key: check that the key is enabled ` +
        `and that its key policy allows the handler's role ${action === 'read' ? 'kms:Decrypt' : 'kms:GenerateDataKey and kms:Decrypt'} ` +
        `with kms:ViaService secretsmanager.${region}.amazonaws.com.`;
    case 'InvalidRequestException':
      return /deletion/i.test(error.message)
        ? `The secret is scheduled for deletion: restore it (aws secretsmanager restore-secret --secret-id ${secretArn}) ` +
          'or point the credential at another secret.'
        : 'Check the secret\'s state in the Secrets Manager console.';
    default:
      return 'Check that the secret exists and is readable.';
  }
}
