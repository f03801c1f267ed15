import { randomBytes, randomUUID } from 'node:crypto';
import { EmulatorRequest, EmulatorResponse, HttpEmulator, parseSigV4Authorization, sigV4Problem } from './http-emulator';

/**
 * AWS Secrets Manager emulator: awsJson1_1 (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`)
 * over real HTTP, as the library's own client and the real `@aws-sdk/client-secrets-manager` v3
 * client speak it: GetSecretValue, PutSecretValue and a minimal DescribeSecret, with staging labels
 * AWSCURRENT and AWSPREVIOUS. It also plays what a handler may meet in an account: a secret
 * scheduled for deletion, a binary secret, a KMS key that cannot decrypt (or encrypt), and a
 * caller denied access, each answered with Secrets Manager's own error type and message.
 */

export interface SecretsManagerEmulatorOptions {
  /** @default 'us-east-1' */
  region?: string;
  /** @default '111122223333' */
  account?: string;
  /** Unsigned requests, or requests not signed for 'secretsmanager' in the region, are rejected. @default true */
  requireSignature?: boolean;
}

const TARGET_PREFIX = 'secretsmanager.';
const JSON_1_1 = 'application/x-amz-json-1.1';
const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** The role the emulator says a denied caller has (AWS names the caller's assumed role). */
const CALLER = 'arn:aws:sts::111122223333:assumed-role/AppFabricHandlerRole/handler-session';

/** States of a secret that make Secrets Manager refuse it. */
export type SecretTrouble =
  /** DeleteSecret with a recovery window: every read and write fails until it is restored. */
  | 'scheduledForDeletion'
  /** The secret's KMS key is disabled or its policy refuses Secrets Manager: DecryptionFailure on read, EncryptionFailure on write. */
  | 'kmsKeyUnusable'
  /** The caller's identity has no allow (or the resource policy denies): AccessDeniedException. */
  | 'accessDenied';

export class SecretsManagerEmulator extends HttpEmulator {
  public static async start(options: SecretsManagerEmulatorOptions = {}): Promise<SecretsManagerEmulator> {
    const emulator = new SecretsManagerEmulator(options);
    await emulator.listen();
    return emulator;
  }

  public readonly region: string;
  public readonly account: string;
  private readonly requireSignature: boolean;
  /** Secrets by name, in creation order. */
  private readonly secrets = new Map<string, SecretRecord>();
  private readonly operations: Record<string, (input: JsonObject) => JsonObject> = {
    GetSecretValue: (input) => this.getSecretValue(input),
    PutSecretValue: (input) => this.putSecretValue(input),
    DescribeSecret: (input) => this.describeSecret(input),
  };

  private constructor(options: SecretsManagerEmulatorOptions) {
    super();
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '111122223333';
    this.requireSignature = options.requireSignature ?? true;
  }

  /**
   * Creates the secret, or adds a new AWSCURRENT version to it. Returns the full ARN; its 6-character
   * suffix stays the same for the life of the secret (a deleted and re-created secret gets a new one, as in AWS).
   */
  public putSecret(name: string, secretString: string): string {
    const secret = this.secrets.get(name) ?? this.createSecret(name);
    addVersion(secret, randomUUID(), { secretString });
    return secret.arn;
  }

  /** Creates the secret, or adds a new AWSCURRENT version, holding binary data (no SecretString). */
  public putBinarySecret(name: string, data: Buffer): string {
    const secret = this.secrets.get(name) ?? this.createSecret(name);
    addVersion(secret, randomUUID(), { secretBinary: data.toString('base64') });
    return secret.arn;
  }

  /** Puts a secret into a state Secrets Manager refuses to serve (undefined: back to normal). */
  public setTrouble(nameOrArn: string, trouble: SecretTrouble | undefined): void {
    const secret = this.find(nameOrArn);
    if (!secret) throw new Error(`setTrouble: unknown secret ${nameOrArn}`);
    secret.trouble = trouble;
  }

  public secretString(nameOrArn: string): string | undefined {
    const secret = this.find(nameOrArn);
    return secret && currentVersion(secret)?.secretString;
  }

  public versionId(nameOrArn: string): string | undefined {
    const secret = this.find(nameOrArn);
    return secret && currentVersion(secret)?.versionId;
  }

  public deleteSecret(name: string): void {
    this.secrets.delete(name);
  }

  protected operationOf(request: EmulatorRequest): string {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || request.pathname !== '/' || !target.startsWith(TARGET_PREFIX)) return 'Unknown';
    return target.slice(TARGET_PREFIX.length);
  }

  protected dispatch(operation: string, request: EmulatorRequest): EmulatorResponse {
    try {
      this.checkSignature(request);
      if (!String(request.headers['content-type'] ?? '').startsWith(JSON_1_1)) {
        throw new SecretsManagerError('SerializationException', `Content-Type must be ${JSON_1_1}.`);
      }
      const perform = Object.hasOwn(this.operations, operation) ? this.operations[operation] : undefined;
      if (!perform) throw new SecretsManagerError('UnknownOperationException', `Unknown operation ${operation}.`);
      return { status: 200, headers: responseHeaders(), body: perform(parseInput(request.rawBody)) };
    } catch (error) {
      if (error instanceof SecretsManagerError) return errorResponse(error);
      throw error;
    }
  }

  /**
   * Secrets Manager throttles with HTTP 400 and error type ThrottlingException. The SDK retries it
   * by name (ThrottlingException is among @smithy's throttling error codes), not by status.
   */
  protected throttled(retryAfterSeconds: number): EmulatorResponse {
    return errorResponse(new SecretsManagerError('ThrottlingException', 'Rate exceeded'), { 'retry-after': String(retryAfterSeconds) });
  }

  protected internalError(retryAfterSeconds?: number): EmulatorResponse {
    const error = new SecretsManagerError('InternalServiceError', 'An error occurred on the server side.', 500);
    return errorResponse(error, retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) });
  }

  /** Hostile mode: a validation or service error whose message quotes the request (see Fault.echo). */
  protected hostileError(status: 400 | 500, message: string): EmulatorResponse {
    return errorResponse(status === 400 ? new SecretsManagerError('InvalidParameterException', message) : new SecretsManagerError('InternalServiceError', message, 500));
  }

  private checkSignature(request: EmulatorRequest): void {
    if (!this.requireSignature) return;
    if (!parseSigV4Authorization(request.headers)) {
      throw new SecretsManagerError('MissingAuthenticationTokenException', 'Request is missing Authentication Token');
    }
    const problem = sigV4Problem(request.headers, 'secretsmanager', this.region);
    if (problem) throw new SecretsManagerError('InvalidSignatureException', problem);
  }

  private getSecretValue(input: JsonObject): JsonObject {
    const secret = this.require(input.SecretId, 'GetSecretValue');
    if (secret.trouble === 'kmsKeyUnusable') {
      throw new SecretsManagerError('DecryptionFailure', "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
    }
    const versionId = optionalString(input.VersionId, 'VersionId');
    const versionStage = optionalString(input.VersionStage, 'VersionStage');
    const version = selectVersion(secret, versionId, versionStage);
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      ...(version.secretString !== undefined ? { SecretString: version.secretString } : { SecretBinary: version.secretBinary }),
      VersionStages: [...version.stages],
      CreatedDate: version.createdDate,
    };
  }

  private putSecretValue(input: JsonObject): JsonObject {
    const secret = this.require(input.SecretId, 'PutSecretValue');
    if (secret.trouble === 'kmsKeyUnusable') {
      throw new SecretsManagerError('EncryptionFailure',
        "Secrets Manager can't encrypt the protected secret text using the provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state.");
    }
    if (typeof input.SecretString !== 'string') {
      throw new SecretsManagerError('InvalidParameterException', 'SecretString is required (this emulator does not support SecretBinary).');
    }
    const token = optionalString(input.ClientRequestToken, 'ClientRequestToken');
    if (token !== undefined && (token.length < 32 || token.length > 64)) {
      throw new SecretsManagerError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters long.');
    }
    const existing = token === undefined ? undefined : secret.versions.find((v) => v.versionId === token);
    if (existing && existing.secretString !== input.SecretString) {
      throw new SecretsManagerError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
    }
    // A repeated ClientRequestToken with the same value is an idempotent retry: no new version.
    const version = existing ?? addVersion(secret, token ?? randomUUID(), { secretString: input.SecretString });
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  }

  private describeSecret(input: JsonObject): JsonObject {
    const secret = this.require(input.SecretId, 'DescribeSecret');
    const versionIdsToStages: Record<string, string[]> = {};
    for (const version of secret.versions) {
      if (version.stages.length > 0) versionIdsToStages[version.versionId] = [...version.stages];
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: secret.createdDate,
      LastChangedDate: secret.lastChangedDate,
      VersionIdsToStages: versionIdsToStages,
    };
  }

  /** The secret an operation may use: access is checked first, then the secret's state (as AWS does). */
  private require(secretId: unknown, operation: string): SecretRecord {
    if (typeof secretId !== 'string' || secretId.length < 1 || secretId.length > 2048) {
      throw new SecretsManagerError('InvalidParameterException', 'SecretId must be a string of 1 to 2048 characters.');
    }
    const secret = this.find(secretId);
    if (secret?.trouble === 'accessDenied') {
      throw new SecretsManagerError('AccessDeniedException', `User: ${CALLER} is not authorized to perform: secretsmanager:${operation} ` +
        `on resource: ${secretId} because no identity-based policy allows the secretsmanager:${operation} action`);
    }
    if (!secret) throw new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    if (secret.trouble === 'scheduledForDeletion' && operation !== 'DescribeSecret') {
      throw new SecretsManagerError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    }
    return secret;
  }

  /** By name, full ARN, or partial ARN (the ARN without its random suffix). */
  private find(secretId: string): SecretRecord | undefined {
    const arnPrefix = `arn:aws:secretsmanager:${this.region}:${this.account}:secret:`;
    return [...this.secrets.values()].find((s) => secretId === s.name || secretId === s.arn || secretId === `${arnPrefix}${s.name}`);
  }

  private createSecret(name: string): SecretRecord {
    const suffix = Array.from(randomBytes(6), (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join('');
    const now = epochSeconds();
    const secret: SecretRecord = {
      name,
      arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${suffix}`,
      versions: [],
      createdDate: now,
      lastChangedDate: now,
    };
    this.secrets.set(name, secret);
    return secret;
  }
}

type JsonObject = Record<string, any>;

interface SecretVersion {
  versionId: string;
  /** Exactly one of secretString and secretBinary (base64, as awsJson1_1 carries blobs). */
  secretString?: string;
  secretBinary?: string;
  stages: string[];
  /** Epoch seconds, as awsJson1_1 sends timestamps. */
  createdDate: number;
}

interface SecretRecord {
  name: string;
  arn: string;
  versions: SecretVersion[];
  createdDate: number;
  lastChangedDate: number;
  trouble?: SecretTrouble;
}

class SecretsManagerError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

/** Adds the new AWSCURRENT version; the old current becomes AWSPREVIOUS, the old previous loses its label. */
function addVersion(secret: SecretRecord, versionId: string, value: Pick<SecretVersion, 'secretString' | 'secretBinary'>): SecretVersion {
  for (const version of secret.versions) {
    version.stages = version.stages.filter((s) => s !== PREVIOUS).map((s) => (s === CURRENT ? PREVIOUS : s));
  }
  const version: SecretVersion = { versionId, ...value, stages: [CURRENT], createdDate: epochSeconds() };
  secret.versions.push(version);
  secret.lastChangedDate = version.createdDate;
  return version;
}

function currentVersion(secret: SecretRecord): SecretVersion | undefined {
  return secret.versions.find((v) => v.stages.includes(CURRENT));
}

function selectVersion(secret: SecretRecord, versionId: string | undefined, versionStage: string | undefined): SecretVersion {
  const stage = versionStage ?? (versionId === undefined ? CURRENT : undefined);
  const version = versionId !== undefined
    ? secret.versions.find((v) => v.versionId === versionId)
    : secret.versions.find((v) => v.stages.includes(stage!));
  if (!version) {
    const which = versionId !== undefined ? `VersionId: ${versionId}` : `staging label: ${stage}`;
    throw new SecretsManagerError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${which}`);
  }
  if (stage !== undefined && !version.stages.includes(stage)) {
    throw new SecretsManagerError('InvalidRequestException', `The version ${version.versionId} does not have the staging label ${stage}.`);
  }
  return version;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new SecretsManagerError('InvalidParameterException', `${name} must be a string.`);
  return value;
}

function parseInput(rawBody: string): JsonObject {
  try {
    const parsed = JSON.parse(rawBody === '' ? '{}' : rawBody);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw new SecretsManagerError('SerializationException', 'The request body is not a JSON object.');
}

function epochSeconds(): number {
  return Date.now() / 1000;
}

function responseHeaders(): Record<string, string> {
  return { 'content-type': JSON_1_1, 'x-amzn-requestid': randomUUID() };
}

function errorResponse(error: SecretsManagerError, extraHeaders: Record<string, string> = {}): EmulatorResponse {
  return {
    status: error.status,
    headers: { ...responseHeaders(), 'x-amzn-errortype': error.type, ...extraHeaders },
    body: { __type: error.type, message: error.message },
  };
}
