import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EmulatorRequest, EmulatorResponse, HttpEmulator, sigV4Problem } from './http-emulator';

/**
 * AWS AppFabric emulator: restJson1 over real HTTP, shapes and routes per the official model
 * (appfabric-model.json beside this file; conformance.test.ts checks APPFABRIC_ROUTES against it).
 * It serves app bundles and app authorizations, the operations the library's handler calls.
 */

export type AppAuthorizationStatus = 'PendingConnect' | 'Connected' | 'ConnectionValidationFailed' | 'TokenAutoRotationFailed';
export type AppFabricAuthType = 'oauth2' | 'apiKey';

export interface AppFabricTenant {
  tenantIdentifier: string;
  tenantDisplayName: string;
}

export interface AppFabricTag {
  key: string;
  value: string;
}

export interface StoredAppAuthorization {
  appAuthorizationArn: string;
  appBundleArn: string;
  app: string;
  authType: AppFabricAuthType;
  tenant: AppFabricTenant;
  /** Exactly as received. */
  credential: any;
  status: AppAuthorizationStatus;
  persona: 'admin';
  authUrl?: string;
  createdAt: string;
  updatedAt: string;
  tags: AppFabricTag[];
  clientToken?: string;
}

export interface StoredIngestion {
  arn: string;
  appBundleArn: string;
  app: string;
  tenantId: string;
  createdAt: string;
  updatedAt: string;
  state: 'enabled' | 'disabled';
  ingestionType: 'auditLog';
}

export interface AppFabricEmulatorOptions {
  /** @default 'us-east-1' */
  region?: string;
  /** @default '111122223333' */
  account?: string;
  /** Unsigned requests, or requests not signed for service 'appfabric' in the region, get 403 AccessDeniedException. @default true */
  requireSignature?: boolean;
  /** Whether ConnectAppAuthorization accepts an API key. @default a key that does not start with 'invalid' */
  isApiKeyValid?: (apiKey: string) => boolean;
  /** After an apiKey connect, this many GetAppAuthorization reads still return PendingConnect before the outcome shows. @default 0 */
  connectPendingReads?: number;
  /** Appended to the x-amzn-errortype header after a ':' (real services sometimes add one), to test clients' parsing. @default none */
  errorTypeSuffix?: string;
}

export type AppFabricOperation =
  | 'CreateAppBundle' | 'GetAppBundle' | 'ListAppBundles' | 'DeleteAppBundle'
  | 'CreateAppAuthorization' | 'GetAppAuthorization' | 'UpdateAppAuthorization'
  | 'ConnectAppAuthorization' | 'DeleteAppAuthorization' | 'ListAppAuthorizations'
  | 'TagResource' | 'UntagResource' | 'ListTagsForResource'
  | 'GetIngestion' | 'StartIngestion' | 'StopIngestion';

/** One served operation as it appears on the wire. */
export interface AppFabricRoute {
  readonly operation: AppFabricOperation;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** URI template as in the model; `{label}` matches one percent-decoded path segment. */
  readonly uri: string;
  readonly successCode: number;
  /** Input members read from the JSON body. */
  readonly bodyMembers: readonly string[];
  /** Input members read from the query string (by their query parameter name). */
  readonly queryParameters: readonly string[];
  /** Top-level members of the JSON response body. */
  readonly responseMembers: readonly string[];
}

const BUNDLE = '/appbundles/{appBundleIdentifier}';
const AUTHORIZATIONS = `${BUNDLE}/appauthorizations`;
const AUTHORIZATION = `${AUTHORIZATIONS}/{appAuthorizationIdentifier}`;
const PAGING = ['maxResults', 'nextToken'];

export const APPFABRIC_ROUTES: readonly AppFabricRoute[] = [
  route('CreateAppBundle', 'POST', '/appbundles', 201, { body: ['clientToken', 'customerManagedKeyIdentifier', 'tags'], response: ['appBundle'] }),
  route('GetAppBundle', 'GET', BUNDLE, 200, { response: ['appBundle'] }),
  route('ListAppBundles', 'GET', '/appbundles', 200, { query: PAGING, response: ['appBundleSummaryList', 'nextToken'] }),
  route('DeleteAppBundle', 'DELETE', BUNDLE, 204, {}),
  route('CreateAppAuthorization', 'POST', AUTHORIZATIONS, 201, {
    body: ['app', 'credential', 'tenant', 'authType', 'clientToken', 'tags'],
    response: ['appAuthorization'],
  }),
  route('GetAppAuthorization', 'GET', AUTHORIZATION, 200, { response: ['appAuthorization'] }),
  route('UpdateAppAuthorization', 'PATCH', AUTHORIZATION, 200, { body: ['credential', 'tenant'], response: ['appAuthorization'] }),
  route('ConnectAppAuthorization', 'POST', `${AUTHORIZATION}/connect`, 200, { body: ['authRequest'], response: ['appAuthorizationSummary'] }),
  route('DeleteAppAuthorization', 'DELETE', AUTHORIZATION, 204, {}),
  route('ListAppAuthorizations', 'GET', AUTHORIZATIONS, 200, { query: PAGING, response: ['appAuthorizationSummaryList', 'nextToken'] }),
  route('TagResource', 'POST', '/tags/{resourceArn}', 200, { body: ['tags'] }),
  route('UntagResource', 'DELETE', '/tags/{resourceArn}', 200, { query: ['tagKeys'] }),
  route('ListTagsForResource', 'GET', '/tags/{resourceArn}', 200, { response: ['tags'] }),
  route('GetIngestion', 'GET', `${BUNDLE}/ingestions/{ingestionIdentifier}`, 200, { response: ['ingestion'] }),
  route('StartIngestion', 'POST', `${BUNDLE}/ingestions/{ingestionIdentifier}/start`, 200, {}),
  route('StopIngestion', 'POST', `${BUNDLE}/ingestions/{ingestionIdentifier}/stop`, 200, {}),
];

/** Quotas from the AWS general reference (none adjustable). */
const MAX_APP_BUNDLES = 1;
const MAX_APP_AUTHORIZATIONS = 50;
/** Not documented; deliberately below the 50-authorization quota so a caller that ignores nextToken is caught. */
const DEFAULT_PAGE_SIZE = 25;
const CLIENT_TOKEN_PATTERN = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
const REDIRECT_URI_PATTERN = /^https:\/\/[-a-zA-Z0-9@:%._+~#=/]{1,256}$/;

export class AppFabricEmulator extends HttpEmulator {
  public static async start(options: AppFabricEmulatorOptions = {}): Promise<AppFabricEmulator> {
    const emulator = new AppFabricEmulator(options);
    await emulator.listen();
    return emulator;
  }

  public readonly region: string;
  public readonly account: string;
  private readonly requireSignature: boolean;
  private readonly isApiKeyValid: (apiKey: string) => boolean;
  private readonly connectPendingReads: number;
  private readonly errorTypeSuffix?: string;
  private readonly bundles = new Map<string, BundleRecord>();
  private readonly records = new Map<string, AuthorizationRecord>();
  private readonly ingestionRecords = new Map<string, StoredIngestion>();
  private readonly oauthCodes = new Map<string, OAuthCode>();
  /** Idempotency: `<operation> <scope> <clientToken>` → what the first call created. */
  private readonly clientTokens = new Map<string, { arn: string; digest: string }>();
  private readonly handlers: Record<AppFabricOperation, (call: Call) => unknown> = {
    CreateAppBundle: (call) => this.createAppBundleOperation(call),
    GetAppBundle: (call) => ({ appBundle: bundleView(this.bundle(call.labels.appBundleIdentifier)) }),
    ListAppBundles: (call) => this.listAppBundlesOperation(call),
    DeleteAppBundle: (call) => this.deleteAppBundleOperation(call),
    CreateAppAuthorization: (call) => this.createAppAuthorizationOperation(call),
    GetAppAuthorization: (call) => this.getAppAuthorizationOperation(call),
    UpdateAppAuthorization: (call) => this.updateAppAuthorizationOperation(call),
    ConnectAppAuthorization: (call) => this.connectAppAuthorizationOperation(call),
    DeleteAppAuthorization: (call) => this.deleteAppAuthorizationOperation(call),
    ListAppAuthorizations: (call) => this.listAppAuthorizationsOperation(call),
    TagResource: (call) => this.tagResourceOperation(call),
    UntagResource: (call) => this.untagResourceOperation(call),
    ListTagsForResource: ({ labels }) => ({ tags: this.taggedAuthorization(labels.resourceArn).stored.tags }),
    GetIngestion: ({ labels }) => ({ ingestion: { ...this.ingestion(labels) } }),
    StartIngestion: ({ labels }) => { this.setIngestionState(labels, 'enabled'); return undefined; },
    StopIngestion: ({ labels }) => { this.setIngestionState(labels, 'disabled'); return undefined; },
  };

  private constructor(options: AppFabricEmulatorOptions) {
    super();
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '111122223333';
    this.requireSignature = options.requireSignature ?? true;
    this.isApiKeyValid = options.isApiKeyValid ?? ((apiKey) => !apiKey.startsWith('invalid'));
    this.connectPendingReads = options.connectPendingReads ?? 0;
    this.errorTypeSuffix = options.errorTypeSuffix;
  }

  /** Test setup: a new bundle (not subject to the one-bundle quota that CreateAppBundle enforces). */
  public createAppBundle(): string {
    const arn = `arn:aws:appfabric:${this.region}:${this.account}:appbundle/${randomUUID()}`;
    this.bundles.set(arn, { arn, tags: [] });
    return arn;
  }

  /**
   * Test setup: an ingestion as CloudFormation's AWS::AppFabric::Ingestion would have made it.
   * No document states its state right after creation, so the test chooses (default `disabled`).
   */
  public putIngestion(i: { appBundleArn: string; app: string; tenantId: string; state?: 'enabled' | 'disabled' }): StoredIngestion {
    const now = new Date().toISOString();
    const stored: StoredIngestion = {
      arn: `${i.appBundleArn}/ingestion/${randomUUID()}`,
      appBundleArn: i.appBundleArn,
      app: i.app,
      tenantId: i.tenantId,
      createdAt: now,
      updatedAt: now,
      state: i.state ?? 'disabled',
      ingestionType: 'auditLog',
    };
    this.ingestionRecords.set(stored.arn, stored);
    return { ...stored };
  }

  /** An ingestion's current state (a copy). */
  public ingestionState(arn: string): StoredIngestion | undefined {
    const found = this.ingestionRecords.get(arn);
    return found && { ...found };
  }

  /** Current state (copies), optionally of one bundle. */
  public authorizations(appBundleArn?: string): StoredAppAuthorization[] {
    return [...this.records.values()]
      .filter((r) => appBundleArn === undefined || r.stored.appBundleArn === appBundleArn)
      .map((r) => structuredClone(r.stored));
  }

  /** Test setup: creates an authorization directly, bypassing the API and its validation. */
  public putAuthorization(
    a: Partial<StoredAppAuthorization> & { appBundleArn: string; app: string; authType: AppFabricAuthType; tenant: AppFabricTenant },
  ): StoredAppAuthorization {
    if (!this.bundles.has(a.appBundleArn)) throw new Error(`putAuthorization: unknown bundle ${a.appBundleArn}`);
    const existing = this.findByTenant(a.appBundleArn, a.app, a.tenant.tenantIdentifier);
    if (existing) throw new Error(`putAuthorization: ${a.app}/${a.tenant.tenantIdentifier} already exists as ${existing.stored.appAuthorizationArn}`);
    const credential = a.credential ?? defaultCredential(a.authType);
    const now = new Date().toISOString();
    const stored: StoredAppAuthorization = {
      appAuthorizationArn: a.appAuthorizationArn ?? `${a.appBundleArn}/appauthorization/${randomUUID()}`,
      appBundleArn: a.appBundleArn,
      app: a.app,
      authType: a.authType,
      tenant: { ...a.tenant },
      credential: structuredClone(credential),
      status: a.status ?? 'PendingConnect',
      persona: 'admin',
      authUrl: a.authType === 'oauth2' ? a.authUrl ?? this.authUrl(a.app, credential) : undefined,
      createdAt: a.createdAt ?? now,
      updatedAt: a.updatedAt ?? now,
      tags: structuredClone(a.tags ?? []),
      clientToken: a.clientToken,
    };
    this.records.set(stored.appAuthorizationArn, { stored });
    return structuredClone(stored);
  }

  public setStatus(appAuthorizationArn: string, status: AppAuthorizationStatus): void {
    const record = this.records.get(appAuthorizationArn);
    if (!record) throw new Error(`setStatus: unknown authorization ${appAuthorizationArn}`);
    record.pendingConnect = undefined;
    touch(record, status);
  }

  /** The code an administrator would get from the app after approving; valid for one connect. */
  public issueOAuthCode(appAuthorizationArn: string, options: { expired?: boolean } = {}): string {
    const record = this.records.get(appAuthorizationArn);
    if (!record) throw new Error(`issueOAuthCode: unknown authorization ${appAuthorizationArn}`);
    if (record.stored.authType !== 'oauth2') throw new Error(`issueOAuthCode: ${appAuthorizationArn} is not an oauth2 authorization`);
    const code = randomBytes(16).toString('hex');
    this.oauthCodes.set(code, { appAuthorizationArn, expired: options.expired ?? false, used: false });
    return code;
  }

  protected operationOf(request: EmulatorRequest): string {
    return matchRoute(request.method, request.pathname)?.route.operation ?? 'Unknown';
  }

  protected dispatch(_operation: string, request: EmulatorRequest): EmulatorResponse {
    try {
      this.checkSignature(request);
      const match = matchRoute(request.method, request.pathname);
      if (!match) throw unknownOperation(request);
      const body = match.route.method === 'GET' || match.route.method === 'DELETE' ? {} : parseJsonObject(request.rawBody);
      const output = this.handlers[match.route.operation]({ labels: match.labels, query: request.query, body });
      return { status: match.route.successCode, headers: responseHeaders(), body: output };
    } catch (error) {
      if (error instanceof AppFabricError) return this.errorResponse(error);
      throw error;
    }
  }

  protected throttled(retryAfterSeconds: number): EmulatorResponse {
    const error = new AppFabricError('ThrottlingException', 429, 'Rate exceeded', { serviceCode: 'appfabric' });
    return this.errorResponse(error, { 'retry-after': String(retryAfterSeconds) });
  }

  protected internalError(retryAfterSeconds?: number): EmulatorResponse {
    const error = new AppFabricError('InternalServerException', 500, 'The request processing has failed because of an unknown error.');
    return this.errorResponse(error, retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) });
  }

  private errorResponse(error: AppFabricError, extraHeaders: Record<string, string> = {}): EmulatorResponse {
    const errorType = this.errorTypeSuffix ? `${error.type}:${this.errorTypeSuffix}` : error.type;
    return {
      status: error.status,
      headers: { ...responseHeaders(), 'x-amzn-errortype': errorType, ...extraHeaders },
      body: { message: error.message, ...error.members },
    };
  }

  private checkSignature(request: EmulatorRequest): void {
    if (!this.requireSignature) return;
    const problem = sigV4Problem(request.headers, 'appfabric', this.region);
    if (problem) throw new AppFabricError('AccessDeniedException', 403, problem);
  }

  // ---- app bundles ----

  private createAppBundleOperation({ body }: Call): unknown {
    const fields = new Fields();
    const clientToken = fields.string('clientToken', body.clientToken, { pattern: CLIENT_TOKEN_PATTERN });
    const keyIdentifier = fields.string('customerManagedKeyIdentifier', body.customerManagedKeyIdentifier, { min: 1, max: 1011 });
    const tags = checkTags(fields, body.tags);
    fields.throwIfAny();
    const digest = digestOf({ keyIdentifier, tags });
    const replayed = this.replay('CreateAppBundle', this.account, clientToken, digest);
    if (replayed) return { appBundle: bundleView(this.bundle(replayed)) };
    if (this.bundles.size >= MAX_APP_BUNDLES) {
      throw quotaExceeded(`You can create at most ${MAX_APP_BUNDLES} app bundle per account and Region.`, this.account, 'AppBundle');
    }
    const arn = this.createAppBundle();
    const bundle = this.bundle(arn);
    bundle.customerManagedKeyArn = keyIdentifier && this.keyArn(keyIdentifier);
    bundle.tags = tags ?? [];
    this.remember('CreateAppBundle', this.account, clientToken, arn, digest);
    return { appBundle: bundleView(bundle) };
  }

  private listAppBundlesOperation({ query }: Call): unknown {
    const { page, nextToken } = paginate([...this.bundles.values()], query, 'ListAppBundles');
    return { appBundleSummaryList: page.map((b) => ({ arn: b.arn })), nextToken };
  }

  private deleteAppBundleOperation({ labels }: Call): undefined {
    const bundle = this.bundle(labels.appBundleIdentifier);
    const remaining = this.authorizations(bundle.arn);
    if (remaining.length > 0) {
      // Deletion order is destinations → ingestions → authorizations → bundle.
      throw new AppFabricError('ConflictException', 409, `The app bundle still has ${remaining.length} app authorization(s); delete them first.`, {
        resourceId: bundle.arn,
        resourceType: 'AppBundle',
      });
    }
    this.bundles.delete(bundle.arn);
    return undefined;
  }

  // ---- app authorizations ----

  private createAppAuthorizationOperation({ labels, body }: Call): unknown {
    const fields = new Fields();
    const app = fields.string('app', body.app, { required: true, min: 1, max: 255 });
    const authType = fields.string('authType', body.authType, { required: true, oneOf: ['oauth2', 'apiKey'] }) as AppFabricAuthType | undefined;
    const tenant = checkTenant(fields, 'tenant', body.tenant, true);
    const credentialType = checkCredential(fields, body.credential, true);
    const clientToken = fields.string('clientToken', body.clientToken, { pattern: CLIENT_TOKEN_PATTERN });
    const tags = checkTags(fields, body.tags);
    if (authType && credentialType && credentialType !== authType) {
      fields.fail('credential', `Member must be the credential of authType ${authType}`);
    }
    fields.throwIfAny();
    const bundle = this.bundle(labels.appBundleIdentifier);
    const input = { app: app!, authType: authType!, tenant: tenant!, credential: body.credential, tags: tags ?? [] };

    // A repeated clientToken with the same parameters returns the first result. With different
    // parameters AWS documents IdempotentParameterMismatch; the model has no such error, so the
    // emulator answers 409 ConflictException saying so (the closest modeled error).
    const digest = digestOf(input);
    const replayed = this.replay('CreateAppAuthorization', bundle.arn, clientToken, digest);
    if (replayed) return { appAuthorization: authorizationView(this.records.get(replayed)!.stored) };

    this.ensureTenantIsFree(bundle.arn, input.app, input.tenant.tenantIdentifier);
    if (this.records.size >= MAX_APP_AUTHORIZATIONS) {
      throw quotaExceeded(`You can create at most ${MAX_APP_AUTHORIZATIONS} app authorizations per account and Region.`, bundle.arn, 'AppAuthorization');
    }
    const stored = this.putAuthorization({ ...input, appBundleArn: bundle.arn, clientToken, status: 'PendingConnect' });
    this.remember('CreateAppAuthorization', bundle.arn, clientToken, stored.appAuthorizationArn, digest);
    return { appAuthorization: authorizationView(stored) };
  }

  private getAppAuthorizationOperation({ labels }: Call): unknown {
    const record = this.authorization(labels);
    advancePendingConnect(record);
    return { appAuthorization: authorizationView(record.stored) };
  }

  private updateAppAuthorizationOperation({ labels, body }: Call): unknown {
    const fields = new Fields();
    const tenant = checkTenant(fields, 'tenant', body.tenant, false);
    const credentialType = checkCredential(fields, body.credential, false);
    fields.throwIfAny();
    const record = this.authorization(labels);
    const stored = record.stored;
    if (credentialType && credentialType !== stored.authType) {
      throw validationError([{ name: 'credential', message: `Member must be the credential of authType ${stored.authType}` }]);
    }
    if (tenant && tenant.tenantIdentifier !== stored.tenant.tenantIdentifier) {
      this.ensureTenantIsFree(stored.appBundleArn, stored.app, tenant.tenantIdentifier);
    }
    if (!tenant && !credentialType) return { appAuthorization: authorizationView(stored) };
    if (tenant) stored.tenant = { ...tenant };
    if (credentialType) {
      stored.credential = structuredClone(body.credential);
      if (stored.authType === 'oauth2') stored.authUrl = this.authUrl(stored.app, stored.credential);
    }
    record.pendingConnect = undefined;
    touch(record, stored.status === 'Connected' ? 'PendingConnect' : stored.status);
    return { appAuthorization: authorizationView(stored) };
  }

  private connectAppAuthorizationOperation({ labels, body }: Call): unknown {
    const record = this.authorization(labels);
    if (record.stored.authType === 'apiKey') {
      this.connectApiKey(record, body);
    } else {
      this.connectOAuth2(record, body);
    }
    return { appAuthorizationSummary: authorizationSummary(record.stored) };
  }

  private connectApiKey(record: AuthorizationRecord, body: JsonObject): void {
    if (body.authRequest !== undefined) {
      throw validationError([{ name: 'authRequest', message: 'Member must not be set for an apiKey authorization' }]);
    }
    const apiKey = String(record.stored.credential?.apiKeyCredential?.apiKey ?? '');
    // Connecting is a status change, not an HTTP error: rejected keys show as ConnectionValidationFailed.
    const outcome: AppAuthorizationStatus = this.isApiKeyValid(apiKey) ? 'Connected' : 'ConnectionValidationFailed';
    if (this.connectPendingReads > 0) {
      record.pendingConnect = { readsLeft: this.connectPendingReads, outcome };
      touch(record, 'PendingConnect');
    } else {
      record.pendingConnect = undefined;
      touch(record, outcome);
    }
  }

  private connectOAuth2(record: AuthorizationRecord, body: JsonObject): void {
    const fields = new Fields();
    const authRequest = fields.object('authRequest', body.authRequest, true);
    let code: string | undefined;
    if (authRequest) {
      fields.string('authRequest.redirectUri', authRequest.redirectUri, { required: true, min: 1, max: 1024, pattern: REDIRECT_URI_PATTERN });
      code = fields.string('authRequest.code', authRequest.code, { required: true, min: 1, max: 2048 });
    }
    fields.throwIfAny();
    const issued = this.oauthCodes.get(code!);
    if (!issued || issued.used || issued.expired || issued.appAuthorizationArn !== record.stored.appAuthorizationArn) {
      throw validationError([{ name: 'authRequest.code', message: 'The authorization code is invalid or has expired' }], 'fieldValidationFailed',
        'The authorization code is invalid or has expired. Ask the administrator to approve the app again.');
    }
    issued.used = true;
    record.pendingConnect = undefined;
    touch(record, 'Connected');
  }

  private deleteAppAuthorizationOperation({ labels }: Call): undefined {
    const record = this.authorization(labels);
    this.records.delete(record.stored.appAuthorizationArn);
    return undefined;
  }

  private listAppAuthorizationsOperation({ labels, query }: Call): unknown {
    const bundle = this.bundle(labels.appBundleIdentifier);
    const stored = [...this.records.values()].filter((r) => r.stored.appBundleArn === bundle.arn).map((r) => r.stored);
    const { page, nextToken } = paginate(stored, query, `ListAppAuthorizations ${bundle.arn}`);
    return { appAuthorizationSummaryList: page.map(authorizationSummary), nextToken };
  }

  /** Tags of authorizations only: the one taggable resource the library changes after creating it. */
  private tagResourceOperation({ labels, body }: Call): undefined {
    const record = this.taggedAuthorization(labels.resourceArn);
    const tags = Array.isArray(body.tags) ? body.tags as Array<{ key: string; value: string }> : [];
    if (tags.length === 0) throw validationError([{ name: 'tags', message: 'Member must not be empty' }]);
    const merged = new Map(record.stored.tags.map((tag) => [tag.key, tag.value]));
    for (const tag of tags) merged.set(tag.key, tag.value);
    if (merged.size > 50) throw validationError([{ name: 'tags', message: 'Member must have at most 50 tags' }]);
    record.stored.tags = [...merged].map(([key, value]) => ({ key, value }));
    return undefined;
  }

  private untagResourceOperation({ labels, query }: Call): undefined {
    const record = this.taggedAuthorization(labels.resourceArn);
    const keys = new Set(query.getAll('tagKeys'));
    if (keys.size === 0) throw validationError([{ name: 'tagKeys', message: 'Member is required' }]);
    record.stored.tags = record.stored.tags.filter((tag) => !keys.has(tag.key));
    return undefined;
  }

  private ingestion(labels: Record<string, string>): StoredIngestion {
    const bundle = this.bundle(labels.appBundleIdentifier);
    const id = labels.ingestionIdentifier;
    const found = [...this.ingestionRecords.values()].find((i) => i.appBundleArn === bundle.arn && (i.arn === id || lastSegment(i.arn) === id));
    if (!found) throw notFound(id, 'Ingestion');
    return found;
  }

  private setIngestionState(labels: Record<string, string>, state: 'enabled' | 'disabled'): void {
    const found = this.ingestion(labels);
    found.state = state;
    found.updatedAt = new Date().toISOString();
  }

  private taggedAuthorization(resourceArn: string): AuthorizationRecord {
    const found = this.records.get(resourceArn);
    if (!found) throw notFound(resourceArn, 'AppAuthorization');
    return found;
  }

  // ---- lookups and rules ----

  /** A bundle by ARN or by its UUID. */
  private bundle(identifier: string): BundleRecord {
    const found = [...this.bundles.values()].find((b) => b.arn === identifier || lastSegment(b.arn) === identifier);
    if (!found) throw notFound(identifier, 'AppBundle');
    return found;
  }

  /** An authorization of the path's bundle, by ARN or by its UUID. */
  private authorization(labels: Record<string, string>): AuthorizationRecord {
    const bundle = this.bundle(labels.appBundleIdentifier);
    const id = labels.appAuthorizationIdentifier;
    const found = [...this.records.values()].find((r) =>
      r.stored.appBundleArn === bundle.arn && (r.stored.appAuthorizationArn === id || lastSegment(r.stored.appAuthorizationArn) === id));
    if (!found) throw notFound(id, 'AppAuthorization');
    return found;
  }

  private findByTenant(appBundleArn: string, app: string, tenantIdentifier: string): AuthorizationRecord | undefined {
    return [...this.records.values()].find((r) =>
      r.stored.appBundleArn === appBundleArn && r.stored.app === app && r.stored.tenant.tenantIdentifier === tenantIdentifier);
  }

  /** AppFabric keys an authorization by (app, tenant) within a bundle. */
  private ensureTenantIsFree(appBundleArn: string, app: string, tenantIdentifier: string): void {
    const existing = this.findByTenant(appBundleArn, app, tenantIdentifier);
    if (!existing) return;
    const arn = existing.stored.appAuthorizationArn;
    throw new AppFabricError('ConflictException', 409, `An app authorization for app ${app} and this tenant already exists: ${arn}`, {
      resourceId: arn,
      resourceType: 'AppAuthorization',
    });
  }

  /** The ARN a clientToken created, if the token was used before with the same parameters. */
  private replay(operation: AppFabricOperation, scope: string, clientToken: string | undefined, digest: string): string | undefined {
    if (clientToken === undefined) return undefined;
    const key = `${operation} ${scope} ${clientToken}`;
    const previous = this.clientTokens.get(key);
    const stillExists = previous && (this.records.has(previous.arn) || this.bundles.has(previous.arn));
    if (!previous || !stillExists) {
      this.clientTokens.delete(key);
      return undefined;
    }
    if (previous.digest !== digest) {
      throw new AppFabricError('ConflictException', 409,
        `The client token ${clientToken} was already used with different parameters (IdempotentParameterMismatch).`,
        { resourceId: previous.arn, resourceType: operation === 'CreateAppBundle' ? 'AppBundle' : 'AppAuthorization' });
    }
    return previous.arn;
  }

  private remember(operation: AppFabricOperation, scope: string, clientToken: string | undefined, arn: string, digest: string): void {
    if (clientToken !== undefined) this.clientTokens.set(`${operation} ${scope} ${clientToken}`, { arn, digest });
  }

  /** The URL an administrator opens to approve the app; never contains the client secret. */
  private authUrl(app: string, credential: any): string {
    const host = app.toLowerCase().replace(/[^a-z0-9-]/g, '-');
    const clientId = String(credential?.oauth2Credential?.clientId ?? '');
    const redirectUri = `https://${this.region}.console.aws.amazon.com/appfabric/oauth2`;
    return `https://${host}.example.com/oauth/authorize?client_id=${encodeURIComponent(clientId)}&state=${randomUUID()}`
      + `&redirect_uri=${encodeURIComponent(redirectUri)}`;
  }

  private keyArn(keyIdentifier: string): string {
    return keyIdentifier.startsWith('arn:') ? keyIdentifier : `arn:aws:kms:${this.region}:${this.account}:key/${keyIdentifier}`;
  }
}

// ---- internal state ----

type JsonObject = Record<string, any>;

interface Call {
  readonly labels: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: JsonObject;
}

interface BundleRecord {
  arn: string;
  customerManagedKeyArn?: string;
  tags: AppFabricTag[];
}

interface AuthorizationRecord {
  stored: StoredAppAuthorization;
  /** Set after an apiKey connect while connectPendingReads reads are still to answer PendingConnect. */
  pendingConnect?: { readsLeft: number; outcome: AppAuthorizationStatus };
}

interface OAuthCode {
  appAuthorizationArn: string;
  expired: boolean;
  used: boolean;
}

function touch(record: AuthorizationRecord, status: AppAuthorizationStatus): void {
  record.stored.status = status;
  record.stored.updatedAt = new Date().toISOString();
}

/** A read during a slow apiKey connect: PendingConnect until the reads run out, then the outcome. */
function advancePendingConnect(record: AuthorizationRecord): void {
  const pending = record.pendingConnect;
  if (!pending) return;
  if (pending.readsLeft > 0) {
    pending.readsLeft -= 1;
    return;
  }
  record.pendingConnect = undefined;
  touch(record, pending.outcome);
}

function defaultCredential(authType: AppFabricAuthType): any {
  return authType === 'oauth2'
    ? { oauth2Credential: { clientId: 'test-client-id', clientSecret: 'test-client-secret' } }
    : { apiKeyCredential: { apiKey: 'test-api-key' } };
}

// ---- wire shapes (model: Sz = AppAuthorization, Sk = AppAuthorizationSummary, S13 = AppBundle) ----

function authorizationView(a: StoredAppAuthorization): JsonObject {
  return {
    appAuthorizationArn: a.appAuthorizationArn,
    appBundleArn: a.appBundleArn,
    app: a.app,
    tenant: { ...a.tenant },
    authType: a.authType,
    status: a.status,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
    persona: a.persona,
    ...(a.authUrl !== undefined ? { authUrl: a.authUrl } : {}),
  };
}

function authorizationSummary(a: StoredAppAuthorization): JsonObject {
  return {
    appAuthorizationArn: a.appAuthorizationArn,
    appBundleArn: a.appBundleArn,
    app: a.app,
    tenant: { ...a.tenant },
    status: a.status,
    updatedAt: a.updatedAt,
  };
}

function bundleView(b: BundleRecord): JsonObject {
  return { arn: b.arn, ...(b.customerManagedKeyArn ? { customerManagedKeyArn: b.customerManagedKeyArn } : {}) };
}

function responseHeaders(): Record<string, string> {
  return { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() };
}

// ---- routing ----

function route(
  operation: AppFabricOperation, method: AppFabricRoute['method'], uri: string, successCode: number,
  members: { body?: string[]; query?: string[]; response?: string[] },
): AppFabricRoute {
  return {
    operation,
    method,
    uri,
    successCode,
    bodyMembers: members.body ?? [],
    queryParameters: members.query ?? [],
    responseMembers: members.response ?? [],
  };
}

function matchRoute(method: string, pathname: string): { route: AppFabricRoute; labels: Record<string, string> } | undefined {
  for (const candidate of APPFABRIC_ROUTES) {
    if (candidate.method !== method) continue;
    const labels = matchUri(candidate.uri, pathname);
    if (labels) return { route: candidate, labels };
  }
  return undefined;
}

/** Labels of a URI template matched against a path; each label is one percent-decoded segment. */
export function matchUri(template: string, pathname: string): Record<string, string> | undefined {
  const expected = template.split('/');
  const actual = pathname.split('/');
  if (expected.length !== actual.length) return undefined;
  const labels: Record<string, string> = {};
  for (let i = 0; i < expected.length; i++) {
    const label = /^\{(\w+)\}$/.exec(expected[i]);
    if (!label) {
      if (expected[i] !== actual[i]) return undefined;
      continue;
    }
    if (actual[i] === '') return undefined;
    try {
      labels[label[1]] = decodeURIComponent(actual[i]);
    } catch {
      return undefined;
    }
  }
  return labels;
}

function lastSegment(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

// ---- errors ----

class AppFabricError extends Error {
  constructor(readonly type: string, readonly status: number, message: string, readonly members: JsonObject = {}) {
    super(message);
  }
}

interface FieldProblem {
  name: string;
  message: string;
}

function validationError(fieldList: FieldProblem[], reason = 'fieldValidationFailed', message?: string): AppFabricError {
  const summary = message ?? `${fieldList.length} validation error(s) detected: `
    + fieldList.map((f) => `Value at '${f.name}' failed to satisfy constraint: ${f.message}`).join('; ');
  return new AppFabricError('ValidationException', 400, summary, { reason, fieldList });
}

function unknownOperation(request: EmulatorRequest): AppFabricError {
  return new AppFabricError('ValidationException', 400,
    `No AppFabric operation matches ${request.method} ${request.pathname}; identifiers in the path must be percent-encoded as one segment.`,
    { reason: 'unknownOperation', fieldList: [] });
}

function notFound(resourceId: string, resourceType: string): AppFabricError {
  return new AppFabricError('ResourceNotFoundException', 404, `The ${resourceType} ${resourceId} does not exist.`, { resourceId, resourceType });
}

function quotaExceeded(message: string, resourceId: string, resourceType: string): AppFabricError {
  // The quota codes are not published in the model; these are descriptive placeholders.
  return new AppFabricError('ServiceQuotaExceededException', 402, message, {
    resourceId, resourceType, serviceCode: 'appfabric', quotaCode: `${resourceType}sPerRegion`,
  });
}

// ---- input validation (constraints from the Smithy model; values are never echoed: some are secrets) ----

interface StringRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  oneOf?: string[];
}

class Fields {
  private readonly problems: FieldProblem[] = [];

  public string(name: string, value: unknown, rule: StringRule): string | undefined {
    if (value === undefined || value === null) {
      if (rule.required) this.fail(name, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'string') return this.fail(name, 'Member must be a string');
    if (rule.min !== undefined && value.length < rule.min) return this.fail(name, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value.length > rule.max) return this.fail(name, `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(value)) return this.fail(name, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    if (rule.oneOf && !rule.oneOf.includes(value)) return this.fail(name, `Member must satisfy enum value set: [${rule.oneOf.join(', ')}]`);
    return value;
  }

  public object(name: string, value: unknown, required: boolean): JsonObject | undefined {
    if (value === undefined || value === null) {
      if (required) this.fail(name, 'Member must not be null');
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) return this.fail(name, 'Member must be a structure');
    return value as JsonObject;
  }

  public fail(name: string, message: string): undefined {
    this.problems.push({ name, message });
    return undefined;
  }

  public throwIfAny(): void {
    if (this.problems.length > 0) throw validationError(this.problems);
  }
}

function checkTenant(fields: Fields, name: string, value: unknown, required: boolean): AppFabricTenant | undefined {
  const tenant = fields.object(name, value, required);
  if (!tenant) return undefined;
  const tenantIdentifier = fields.string(`${name}.tenantIdentifier`, tenant.tenantIdentifier, { required: true, min: 1, max: 1024 });
  const tenantDisplayName = fields.string(`${name}.tenantDisplayName`, tenant.tenantDisplayName, { required: true, min: 1, max: 2048 });
  return tenantIdentifier !== undefined && tenantDisplayName !== undefined ? { tenantIdentifier, tenantDisplayName } : undefined;
}

/** Checks the Credential union; returns the auth type its one member stands for. */
function checkCredential(fields: Fields, value: unknown, required: boolean): AppFabricAuthType | undefined {
  const credential = fields.object('credential', value, required);
  if (!credential) return undefined;
  const set = ['oauth2Credential', 'apiKeyCredential'].filter((m) => credential[m] !== undefined && credential[m] !== null);
  if (set.length !== 1) return fields.fail('credential', 'Member must set exactly one of oauth2Credential, apiKeyCredential');
  if (set[0] === 'oauth2Credential') {
    const oauth2 = fields.object('credential.oauth2Credential', credential.oauth2Credential, true);
    const clientId = fields.string('credential.oauth2Credential.clientId', oauth2?.clientId, { required: true, min: 1, max: 2048 });
    const secret = fields.string('credential.oauth2Credential.clientSecret', oauth2?.clientSecret, { required: true, min: 1, max: 2048 });
    return clientId !== undefined && secret !== undefined ? 'oauth2' : undefined;
  }
  const apiKey = fields.object('credential.apiKeyCredential', credential.apiKeyCredential, true);
  return fields.string('credential.apiKeyCredential.apiKey', apiKey?.apiKey, { required: true, min: 1, max: 2048 }) !== undefined ? 'apiKey' : undefined;
}

function checkTags(fields: Fields, value: unknown): AppFabricTag[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return fields.fail('tags', 'Member must be a list');
  if (value.length > 50) return fields.fail('tags', 'Member must have length less than or equal to 50');
  value.forEach((tag, i) => {
    const entry = fields.object(`tags.${i + 1}`, tag, true);
    fields.string(`tags.${i + 1}.key`, entry?.key, { required: true, min: 1, max: 128 });
    fields.string(`tags.${i + 1}.value`, entry?.value, { required: true, min: 0, max: 256 });
  });
  return value as AppFabricTag[];
}

function parseJsonObject(rawBody: string): JsonObject {
  if (rawBody.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw validationError([], 'cannotParse', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw validationError([], 'cannotParse', 'The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

/** One page of items; nextToken is an opaque offset bound to the list it came from. */
function paginate<T>(items: T[], query: URLSearchParams, scope: string): { page: T[]; nextToken?: string } {
  const fields = new Fields();
  const maxResults = parseMaxResults(fields, query.get('maxResults'));
  const offset = parseNextToken(fields, query.get('nextToken'), scope);
  fields.throwIfAny();
  const end = offset + (maxResults ?? DEFAULT_PAGE_SIZE);
  const nextToken = end < items.length ? Buffer.from(JSON.stringify({ scope, offset: end })).toString('base64url') : undefined;
  return { page: items.slice(offset, end), nextToken };
}

function parseMaxResults(fields: Fields, raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= 100)) return fields.fail('maxResults', 'Member must be an integer between 1 and 100');
  return value;
}

function parseNextToken(fields: Fields, raw: string | null, scope: string): number {
  if (raw === null) return 0;
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (token.scope === scope && Number.isInteger(token.offset) && token.offset >= 0) return token.offset;
  } catch {
    // fall through to the validation error
  }
  fields.fail('nextToken', 'Member must be a token returned by a previous call of the same list');
  return 0;
}

/** A digest of a request's parameters, so idempotency checks keep no second copy of secrets. */
function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as JsonObject).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
