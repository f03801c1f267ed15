import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { FieldProblem, inputLayout, modelOperation, shapeOf, validateInput } from './appfabric-service-model';
import { EmulatorRequest, EmulatorResponse, HttpEmulator, sigV4Problem } from './http-emulator';

/**
 * AWS AppFabric emulator: restJson1 over real HTTP. Routes, where each member travels and every
 * input constraint come from the official model (appfabric-service-model.ts reads appfabric-model.json),
 * so the emulator rejects exactly what the model forbids; on top of that it keeps the service's
 * own rules the model cannot state (quotas, one authorization per app and tenant, connect flow).
 * It serves app bundles, app authorizations, tags and ingestion state.
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

/** The operations served; each one's route and members are the model's. */
export const APPFABRIC_ROUTES: readonly AppFabricRoute[] = ([
  'CreateAppBundle', 'GetAppBundle', 'ListAppBundles', 'DeleteAppBundle',
  'CreateAppAuthorization', 'GetAppAuthorization', 'UpdateAppAuthorization',
  'ConnectAppAuthorization', 'DeleteAppAuthorization', 'ListAppAuthorizations',
  'TagResource', 'UntagResource', 'ListTagsForResource',
  'GetIngestion', 'StartIngestion', 'StopIngestion',
] as const).map(route);

/** Quotas from the AWS general reference (none adjustable). */
const MAX_APP_BUNDLES = 1;
const MAX_APP_AUTHORIZATIONS = 50;
/** Not documented; deliberately below the 50-authorization quota so a caller that ignores nextToken is caught. */
const DEFAULT_PAGE_SIZE = 25;

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
      // A body sent to an operation whose input has no body members is not read, as by AWS.
      const body = match.route.bodyMembers.length > 0 ? parseJsonObject(request.rawBody) : {};
      const query = new Map(match.route.queryParameters.map((name) => [name, request.query.getAll(name)] as const)
        .filter(([, values]) => values.length > 0));
      const { problems, input } = validateInput(modelOperation(match.route.operation), { labels: match.labels, query, body });
      if (problems.length > 0) throw validationError(problems, problems.some((p) => p.cannotParse) ? 'cannotParse' : 'fieldValidationFailed');
      const output = this.handlers[match.route.operation]({ labels: match.labels, input });
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

  /** Hostile mode: AppFabric's 400 or 500 whose message quotes the request (see Fault.echo). */
  protected hostileError(status: 400 | 500, message: string): EmulatorResponse {
    return this.errorResponse(status === 400
      ? new AppFabricError('ValidationException', 400, message, { reason: 'other', fieldList: [] })
      : new AppFabricError('InternalServerException', 500, message));
  }

  protected rejected(status: number, errorType: string): EmulatorResponse {
    return this.errorResponse(new AppFabricError(errorType, status, `Injected ${errorType}: the request was refused.`));
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

  private createAppBundleOperation({ input }: Call): unknown {
    const clientToken: string | undefined = input.clientToken;
    const keyIdentifier: string | undefined = input.customerManagedKeyIdentifier;
    const tags: AppFabricTag[] | undefined = input.tags;
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

  private listAppBundlesOperation({ input }: Call): unknown {
    const { page, nextToken } = paginate([...this.bundles.values()], input, 'ListAppBundles');
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

  private createAppAuthorizationOperation({ labels, input: request }: Call): unknown {
    const authType: AppFabricAuthType = request.authType;
    const clientToken: string | undefined = request.clientToken;
    // The model cannot say that the credential's one member must match authType; the service does.
    if (credentialTypeOf(request.credential) !== authType) {
      throw validationError([{ name: 'credential', message: `Member must be the credential of authType ${authType}` }]);
    }
    const bundle = this.bundle(labels.appBundleIdentifier);
    const tags: AppFabricTag[] = request.tags ?? [];
    const input = { app: request.app as string, authType, tenant: tenantOf(request.tenant), credential: request.credential, tags };

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

  private updateAppAuthorizationOperation({ labels, input }: Call): unknown {
    const tenant = input.tenant === undefined ? undefined : tenantOf(input.tenant);
    const credentialType = input.credential === undefined ? undefined : credentialTypeOf(input.credential);
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
      stored.credential = structuredClone(input.credential);
      if (stored.authType === 'oauth2') stored.authUrl = this.authUrl(stored.app, stored.credential);
    }
    record.pendingConnect = undefined;
    touch(record, stored.status === 'Connected' ? 'PendingConnect' : stored.status);
    return { appAuthorization: authorizationView(stored) };
  }

  private connectAppAuthorizationOperation({ labels, input }: Call): unknown {
    const record = this.authorization(labels);
    if (record.stored.authType === 'apiKey') {
      this.connectApiKey(record, input);
    } else {
      this.connectOAuth2(record, input);
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

  private connectOAuth2(record: AuthorizationRecord, input: JsonObject): void {
    // Optional in the model; the service needs it for an oauth2 authorization.
    if (input.authRequest === undefined) {
      throw validationError([{ name: 'authRequest', message: 'Member must not be null for an oauth2 authorization' }]);
    }
    const code: string = input.authRequest.code;
    const issued = this.oauthCodes.get(code);
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

  private listAppAuthorizationsOperation({ labels, input }: Call): unknown {
    const bundle = this.bundle(labels.appBundleIdentifier);
    const stored = [...this.records.values()].filter((r) => r.stored.appBundleArn === bundle.arn).map((r) => r.stored);
    const { page, nextToken } = paginate(stored, input, `ListAppAuthorizations ${bundle.arn}`);
    return { appAuthorizationSummaryList: page.map(authorizationSummary), nextToken };
  }

  /** Tags of authorizations only: the one taggable resource the library changes after creating it. */
  private tagResourceOperation({ labels, input }: Call): undefined {
    const record = this.taggedAuthorization(labels.resourceArn);
    const tags = input.tags as AppFabricTag[];
    const merged = new Map(record.stored.tags.map((tag) => [tag.key, tag.value]));
    for (const tag of tags) merged.set(tag.key, tag.value);
    // 50 tags per resource: AWS's tagging rule, beyond the model's 50 per request.
    if (merged.size > 50) throw validationError([{ name: 'tags', message: 'A resource can have at most 50 tags' }]);
    record.stored.tags = [...merged].map(([key, value]) => ({ key, value }));
    return undefined;
  }

  private untagResourceOperation({ labels, input }: Call): undefined {
    const record = this.taggedAuthorization(labels.resourceArn);
    const keys = new Set(input.tagKeys as string[]);
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
  /** The operation's input members, valid per the model (query integers parsed). */
  readonly input: JsonObject;
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

/** An operation's route and members, from the model. */
function route(operation: AppFabricOperation): AppFabricRoute {
  const modeled = modelOperation(operation);
  const layout = inputLayout(modeled);
  return {
    operation,
    method: (modeled.http.method ?? 'POST') as AppFabricRoute['method'],
    uri: modeled.http.requestUri,
    successCode: modeled.http.responseCode ?? 200,
    bodyMembers: layout.body,
    queryParameters: Object.values(layout.query),
    responseMembers: Object.keys(shapeOf(modeled.output).members ?? {}),
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

function validationError(problems: FieldProblem[], reason = 'fieldValidationFailed', message?: string): AppFabricError {
  const fieldList = problems.map(({ name, message: text }) => ({ name, message: text }));
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

// ---- input (valid per the model by the time an operation sees it) ----

function tenantOf(tenant: JsonObject): AppFabricTenant {
  return { tenantIdentifier: tenant.tenantIdentifier, tenantDisplayName: tenant.tenantDisplayName };
}

/** The auth type the Credential union's one member stands for. */
function credentialTypeOf(credential: JsonObject): AppFabricAuthType {
  return credential.oauth2Credential !== undefined && credential.oauth2Credential !== null ? 'oauth2' : 'apiKey';
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
function paginate<T>(items: T[], input: JsonObject, scope: string): { page: T[]; nextToken?: string } {
  const offset = parseNextToken(input.nextToken, scope);
  const end = offset + (input.maxResults ?? DEFAULT_PAGE_SIZE);
  const nextToken = end < items.length ? Buffer.from(JSON.stringify({ scope, offset: end })).toString('base64url') : undefined;
  return { page: items.slice(offset, end), nextToken };
}

/** The model leaves nextToken unconstrained; the service rejects one it did not hand out. */
function parseNextToken(raw: string | undefined, scope: string): number {
  if (raw === undefined) return 0;
  try {
    const token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (token.scope === scope && Number.isInteger(token.offset) && token.offset >= 0) return token.offset;
  } catch {
    // fall through to the validation error
  }
  throw validationError([{ name: 'nextToken', message: 'Member must be a token returned by a previous call of the same list' }]);
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
