// A small AppFabric client for the operations this library calls: restJson1 over SigV4, with
// retries, typed errors and the standard endpoint overrides. `AppFabricApi` is the seam: the
// official @aws-sdk/client-appfabric could implement it where it is installable.
import { CredentialProvider, cachingCredentials, defaultCredentials, parseAwsError, percentEncode, queryString, serviceEndpoint, signRequest } from './aws-signing';
import { NetworkError, send } from './http';
import { RetryableFailure, errorMessage, parseRetryAfter, withRetry } from './retry';

export type AuthTypeValue = 'oauth2' | 'apiKey';
export type AppAuthorizationStatus = 'PendingConnect' | 'Connected' | 'ConnectionValidationFailed' | 'TokenAutoRotationFailed';

export interface Tenant {
  readonly tenantIdentifier: string;
  readonly tenantDisplayName: string;
}

/** Exactly one member is set (a union in the AppFabric model). Sensitive: never log it. */
export interface Credential {
  readonly oauth2Credential?: { readonly clientId: string; readonly clientSecret: string };
  readonly apiKeyCredential?: { readonly apiKey: string };
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface AppAuthorization {
  readonly appAuthorizationArn: string;
  readonly appBundleArn: string;
  readonly app: string;
  readonly tenant: Tenant;
  readonly authType: AuthTypeValue;
  readonly status: AppAuthorizationStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly persona?: string;
  readonly authUrl?: string;
}

export interface AppAuthorizationSummary {
  readonly appAuthorizationArn: string;
  readonly appBundleArn: string;
  readonly app: string;
  readonly tenant: Tenant;
  readonly status: AppAuthorizationStatus;
  readonly updatedAt: string;
}

export interface CreateAppAuthorizationInput {
  readonly appBundleIdentifier: string;
  readonly app: string;
  readonly authType: AuthTypeValue;
  readonly tenant: Tenant;
  readonly credential: Credential;
  readonly clientToken?: string;
  readonly tags?: Tag[];
}

export interface AppAuthorizationPage {
  readonly items: AppAuthorizationSummary[];
  readonly nextToken?: string;
}

export interface AuthRequest {
  readonly redirectUri: string;
  readonly code: string;
}

/** The AppFabric operations the library uses. */
export interface AppFabricApi {
  createAppAuthorization(input: CreateAppAuthorizationInput): Promise<AppAuthorization>;
  getAppAuthorization(appBundleIdentifier: string, appAuthorizationIdentifier: string): Promise<AppAuthorization>;
  updateAppAuthorization(appBundleIdentifier: string, appAuthorizationIdentifier: string,
    changes: { credential?: Credential; tenant?: Tenant }): Promise<AppAuthorization>;
  connectAppAuthorization(appBundleIdentifier: string, appAuthorizationIdentifier: string,
    authRequest?: AuthRequest): Promise<AppAuthorizationSummary>;
  deleteAppAuthorization(appBundleIdentifier: string, appAuthorizationIdentifier: string): Promise<void>;
  listAppAuthorizations(appBundleIdentifier: string, nextToken?: string): Promise<AppAuthorizationPage>;
  tagResource(resourceArn: string, tags: Tag[]): Promise<void>;
  untagResource(resourceArn: string, tagKeys: string[]): Promise<void>;
  listTagsForResource(resourceArn: string): Promise<Tag[]>;
  /** An ingestion's state: `enabled` or `disabled`. */
  getIngestionState(appBundleIdentifier: string, ingestionIdentifier: string): Promise<string>;
  startIngestion(appBundleIdentifier: string, ingestionIdentifier: string): Promise<void>;
  stopIngestion(appBundleIdentifier: string, ingestionIdentifier: string): Promise<void>;
}

const BUNDLE = '/appbundles/{appBundleIdentifier}';
const AUTHORIZATIONS = `${BUNDLE}/appauthorizations`;
const AUTHORIZATION = `${AUTHORIZATIONS}/{appAuthorizationIdentifier}`;
const INGESTION = `${BUNDLE}/ingestions/{ingestionIdentifier}`;
const TAGS = '/tags/{resourceArn}';

/**
 * How each operation travels (restJson1); the conformance test holds this against the model.
 * `jsonBody`: the model's input has body members, so a JSON object is sent (`{}` when none is
 * set, as AWS's serializers do); without them no body and no content type.
 */
export const APPFABRIC_ROUTES = {
  CreateAppAuthorization: { method: 'POST', uri: AUTHORIZATIONS, successCode: 201, jsonBody: true },
  GetAppAuthorization: { method: 'GET', uri: AUTHORIZATION, successCode: 200, jsonBody: false },
  UpdateAppAuthorization: { method: 'PATCH', uri: AUTHORIZATION, successCode: 200, jsonBody: true },
  ConnectAppAuthorization: { method: 'POST', uri: `${AUTHORIZATION}/connect`, successCode: 200, jsonBody: true },
  DeleteAppAuthorization: { method: 'DELETE', uri: AUTHORIZATION, successCode: 204, jsonBody: false },
  ListAppAuthorizations: { method: 'GET', uri: AUTHORIZATIONS, successCode: 200, jsonBody: false },
  TagResource: { method: 'POST', uri: TAGS, successCode: 200, jsonBody: true },
  UntagResource: { method: 'DELETE', uri: TAGS, successCode: 200, jsonBody: false },
  ListTagsForResource: { method: 'GET', uri: TAGS, successCode: 200, jsonBody: false },
  GetIngestion: { method: 'GET', uri: INGESTION, successCode: 200, jsonBody: false },
  StartIngestion: { method: 'POST', uri: `${INGESTION}/start`, successCode: 200, jsonBody: false },
  StopIngestion: { method: 'POST', uri: `${INGESTION}/stop`, successCode: 200, jsonBody: false },
} as const;

export type AppFabricOperation = keyof typeof APPFABRIC_ROUTES;

/** An error AppFabric answered with (`x-amzn-errortype` and the body's members). */
export class AppFabricServiceError extends Error {
  constructor(
    public readonly operation: AppFabricOperation,
    public readonly errorType: string,
    public readonly statusCode: number,
    message: string,
    public readonly resourceId?: string,
    public readonly retryAfterMs?: number,
  ) {
    super(`AppFabric ${operation} failed: ${errorType} (HTTP ${statusCode}): ${message}`);
    this.name = errorType;
  }
}

export function isAppFabricError(error: unknown, errorType: string): error is AppFabricServiceError {
  return error instanceof AppFabricServiceError && error.errorType === errorType;
}

/** Throttling, server errors and network errors are worth another attempt. */
export function classifyRetryable(error: unknown): RetryableFailure | undefined {
  if (error instanceof NetworkError) {
    return {};
  }
  if (error instanceof AppFabricServiceError && (error.statusCode === 429 || error.statusCode >= 500)) {
    return { retryAfterMs: error.retryAfterMs };
  }
  return undefined;
}

export interface AppFabricClientOptions {
  /** @default process.env.AWS_REGION */
  readonly region?: string;
  /** @default AWS_ENDPOINT_URL_APPFABRIC, AWS_ENDPOINT_URL, then https://appfabric.<region>.amazonaws.com */
  readonly endpoint?: string;
  /** @default the standard chain */
  readonly credentials?: CredentialProvider;
  /** Epoch milliseconds: retries stop before it. @default 5 minutes from each call */
  readonly deadline?: () => number;
  /** One line per retried attempt. Never receives request bodies. */
  readonly log?: (line: string) => void;
  /** Ceiling for a single attempt. @default 30 seconds */
  readonly attemptTimeoutMs?: number;
}

export class AppFabricClient implements AppFabricApi {
  private readonly region: string;
  private readonly endpoint: string;
  private readonly credentials: CredentialProvider;
  private readonly deadline: () => number;
  private readonly log: (line: string) => void;
  private readonly attemptTimeoutMs: number;

  constructor(options: AppFabricClientOptions = {}) {
    const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) {
      throw new Error('No AWS Region: set AWS_REGION (the Lambda runtime sets it) or pass region.');
    }
    this.region = region;
    this.endpoint = options.endpoint ?? serviceEndpoint('APPFABRIC', `https://appfabric.${region}.amazonaws.com`);
    this.credentials = cachingCredentials(options.credentials ?? defaultCredentials());
    this.deadline = options.deadline ?? (() => Date.now() + 5 * 60_000);
    this.log = options.log ?? (() => undefined);
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
  }

  public async createAppAuthorization(input: CreateAppAuthorizationInput): Promise<AppAuthorization> {
    const { appBundleIdentifier, ...body } = input;
    const out = await this.call('CreateAppAuthorization', { appBundleIdentifier }, body);
    return out.appAuthorization;
  }

  public async getAppAuthorization(appBundleIdentifier: string, appAuthorizationIdentifier: string): Promise<AppAuthorization> {
    const out = await this.call('GetAppAuthorization', { appBundleIdentifier, appAuthorizationIdentifier });
    return out.appAuthorization;
  }

  public async updateAppAuthorization(appBundleIdentifier: string, appAuthorizationIdentifier: string,
    changes: { credential?: Credential; tenant?: Tenant }): Promise<AppAuthorization> {
    const out = await this.call('UpdateAppAuthorization', { appBundleIdentifier, appAuthorizationIdentifier }, changes);
    return out.appAuthorization;
  }

  public async connectAppAuthorization(appBundleIdentifier: string, appAuthorizationIdentifier: string,
    authRequest?: AuthRequest): Promise<AppAuthorizationSummary> {
    const out = await this.call('ConnectAppAuthorization', { appBundleIdentifier, appAuthorizationIdentifier }, { authRequest });
    return out.appAuthorizationSummary;
  }

  public async deleteAppAuthorization(appBundleIdentifier: string, appAuthorizationIdentifier: string): Promise<void> {
    await this.call('DeleteAppAuthorization', { appBundleIdentifier, appAuthorizationIdentifier });
  }

  public async listAppAuthorizations(appBundleIdentifier: string, nextToken?: string): Promise<AppAuthorizationPage> {
    const query: Record<string, string> = { maxResults: '100' };
    if (nextToken) {
      query.nextToken = nextToken;
    }
    const out = await this.call('ListAppAuthorizations', { appBundleIdentifier }, undefined, query);
    return { items: out.appAuthorizationSummaryList ?? [], nextToken: out.nextToken ?? undefined };
  }

  public async tagResource(resourceArn: string, tags: Tag[]): Promise<void> {
    await this.call('TagResource', { resourceArn }, { tags });
  }

  public async untagResource(resourceArn: string, tagKeys: string[]): Promise<void> {
    await this.call('UntagResource', { resourceArn }, undefined, { tagKeys });
  }

  public async getIngestionState(appBundleIdentifier: string, ingestionIdentifier: string): Promise<string> {
    const out = await this.call('GetIngestion', { appBundleIdentifier, ingestionIdentifier });
    return out.ingestion.state;
  }

  public async startIngestion(appBundleIdentifier: string, ingestionIdentifier: string): Promise<void> {
    await this.call('StartIngestion', { appBundleIdentifier, ingestionIdentifier });
  }

  public async stopIngestion(appBundleIdentifier: string, ingestionIdentifier: string): Promise<void> {
    await this.call('StopIngestion', { appBundleIdentifier, ingestionIdentifier });
  }

  public async listTagsForResource(resourceArn: string): Promise<Tag[]> {
    const out = await this.call('ListTagsForResource', { resourceArn });
    return out.tags ?? [];
  }

  private async call(operation: AppFabricOperation, pathParams: Record<string, string>, body?: object,
    query: Record<string, string | string[]> = {}): Promise<any> {
    const route = APPFABRIC_ROUTES[operation];
    const search = queryString(query);
    const url = new URL(this.endpoint.replace(/\/$/, '') + expandUri(route.uri, pathParams) + (search ? `?${search}` : ''));
    const payload = route.jsonBody ? JSON.stringify(body ?? {}) : undefined;
    return withRetry(async () => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
      }
      const signedHeaders = signRequest({
        service: 'appfabric',
        region: this.region,
        credentials: await this.credentials(),
        method: route.method,
        url,
        headers,
        body: payload,
      });
      const timeoutMs = Math.min(this.attemptTimeoutMs, Math.max(1, this.deadline() - Date.now()));
      const response = await send({ method: route.method, url, headers: signedHeaders, body: payload, timeoutMs });
      if (response.status === route.successCode) {
        return response.body ? JSON.parse(response.body) : {};
      }
      throw toServiceError(operation, response.status, response.headers, response.body);
    }, {
      deadline: this.deadline(),
      retryable: classifyRetryable,
      onRetry: (error, attempt, delay) => this.log(`AppFabric ${operation}: attempt ${attempt} failed (${errorMessage(error)}); retrying in ${delay} ms`),
    });
  }
}

/** Fills `{name}` placeholders; an ARN (with `:` and `/`) is percent-encoded (RFC 3986) as one segment. */
export function expandUri(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') {
      throw new Error(`missing ${name}`);
    }
    return percentEncode(value);
  });
}

function toServiceError(operation: AppFabricOperation, status: number, headers: Record<string, string | undefined>,
  body: string): AppFabricServiceError {
  const { errorType, message, members } = parseAwsError(status, headers, body);
  return new AppFabricServiceError(operation, errorType, status, message, members.resourceId, parseRetryAfter(headers['retry-after']));
}
