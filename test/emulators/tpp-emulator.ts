import { randomBytes } from 'node:crypto';
import { EmulatorRequest, EmulatorResponse, EmulatorTls, HttpEmulator } from './http-emulator';

/**
 * Venafi TPP emulator over HTTPS on 127.0.0.1, following ../shared/reference/VENAFI-TPP.md:
 * `POST /vedsdk/oauth/{CreateApplication,GetApplication,UpdateApplication,DeleteApplication}`
 * (bearer token with the `admin` scope and a role per endpoint; UpdateApplication replaces the
 * whole configuration), and `/vedauth` tokens: `authorize/oauth`, `authorize/token` (single-use
 * refresh tokens), `authorize/verify`, `revoke/token`. Success is `Result: 0, Success: true`;
 * errors are `{"error", "error_description"}` with 400, 401 or 403.
 */

export type TppRole = 'Admin' | 'Grant Admin' | 'Auditor' | 'App Owner' | 'App Maintainer';

/** An application as TPP stores it. Optional numbers absent = TPP's default. */
export interface StoredTppApplication {
  ID: string;
  Name: string;
  Vendor: string;
  Description: string;
  Url: string;
  Scope: string;
  MaximumScope: string;
  AccessValidity?: number;
  GrantValidity?: number;
  Renewable: boolean;
}

export interface TppEmulatorOptions {
  /** The server certificate and key (the tests make them with a test CA). */
  readonly tls: EmulatorTls;
  /**
   * How Get/Update/DeleteApplication report an unknown application, which the reference leaves
   * open: 'http400' → HTTP 400 invalid_request; 'result' → HTTP 200 with `Success: false` and a
   * non-zero `Result`. @default 'http400'
   */
  readonly missingApplication?: 'http400' | 'result';
}

export interface IssuedTokens {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly client_id: string;
  readonly expires: number;
  readonly refresh_until: number;
  readonly scope: string;
}

export interface IssueTokenOptions {
  /** @default 'admin' */
  readonly scope?: string;
  /** Roles of the identity the token belongs to. @default ['Admin'] */
  readonly roles?: TppRole[];
  /** The API integration the token was issued to. @default 'cdk-appfabric' */
  readonly clientId?: string;
  /** @default 'local:{admin}' */
  readonly identity?: string;
  /** Access token lifetime. @default 90 days */
  readonly accessValidityMs?: number;
}

/** Roles allowed per endpoint (the reference's table). */
const ROLES: Record<string, TppRole[]> = {
  CreateApplication: ['Admin'],
  GetApplication: ['Admin', 'Grant Admin', 'Auditor', 'App Owner', 'App Maintainer'],
  UpdateApplication: ['Admin', 'App Owner', 'App Maintainer'],
  DeleteApplication: ['Admin', 'App Owner'],
};

const WEBSDK_OPERATIONS = new Map(Object.keys(ROLES).map((name) => [name.toLowerCase(), name]));
const AUTH_ROUTES: Record<string, { method: string; operation: string }> = {
  '/vedauth/authorize/oauth': { method: 'POST', operation: 'AuthorizeOAuth' },
  '/vedauth/authorize/token': { method: 'POST', operation: 'RefreshToken' },
  '/vedauth/authorize/verify': { method: 'GET', operation: 'VerifyToken' },
  '/vedauth/revoke/token': { method: 'GET', operation: 'RevokeToken' },
};

interface Grant {
  readonly id: number;
  readonly clientId: string;
  readonly identity: string;
  readonly scope: string;
  readonly roles: TppRole[];
  readonly accessValidityMs: number;
  readonly refreshUntil: number;
  revoked: boolean;
}

interface AccessToken {
  readonly grant: Grant;
  expiresAt: number;
  /** Superseded by a refresh: the old pair is dead. */
  dead: boolean;
}

interface RefreshToken {
  readonly grant: Grant;
  used: boolean;
}

interface User {
  readonly password: string;
  readonly roles: TppRole[];
}

type Json = Record<string, any>;

const DAY_MS = 24 * 3600_000;

export class TppEmulator extends HttpEmulator {
  public static async start(options: TppEmulatorOptions): Promise<TppEmulator> {
    const emulator = new TppEmulator(options);
    await emulator.listen();
    return emulator;
  }

  /** How Get/Update/DeleteApplication report an unknown application (changeable between calls). */
  public missingApplication: 'http400' | 'result';
  private readonly applications = new Map<string, StoredTppApplication>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  private readonly users = new Map<string, User>();
  private readonly scriptedAnswers: Array<{ operation: string; response: EmulatorResponse }> = [];
  private nextGrantId = 1;

  private constructor(options: TppEmulatorOptions) {
    super({ tls: options.tls });
    this.missingApplication = options.missingApplication ?? 'http400';
  }

  // ----- test-setup helpers -----

  /** Issues a token pair as /vedauth/authorize/oauth would, without a user. */
  public issueToken(options: IssueTokenOptions = {}): IssuedTokens {
    const grant: Grant = {
      id: this.nextGrantId++,
      clientId: options.clientId ?? 'cdk-appfabric',
      identity: options.identity ?? 'local:{admin}',
      scope: options.scope ?? 'admin',
      roles: options.roles ?? ['Admin'],
      accessValidityMs: options.accessValidityMs ?? 90 * DAY_MS,
      refreshUntil: Date.now() + 365 * DAY_MS,
      revoked: false,
    };
    return this.mintPair(grant);
  }

  /** Makes an access token expired (its refresh token still works). */
  public expireAccessToken(accessToken: string): void {
    const token = this.accessTokens.get(accessToken);
    if (!token) throw new Error('unknown access token');
    token.expiresAt = Date.now() - 1000;
  }

  /** Adds a user for /vedauth/authorize/oauth. */
  public addUser(username: string, password: string, roles: TppRole[] = ['Admin']): void {
    this.users.set(username, { password, roles });
  }

  /** Stores an application as if made outside the stack (fields left out take TPP's defaults). */
  public putApplication(application: Partial<StoredTppApplication> & { ID: string }): StoredTppApplication {
    const stored = withDefaults(application);
    this.applications.set(stored.ID, stored);
    return { ...stored };
  }

  public application(id: string): StoredTppApplication | undefined {
    const stored = this.applications.get(id);
    return stored && { ...stored };
  }

  public applicationIds(): string[] {
    return [...this.applications.keys()];
  }

  /** The next request for `operation` gets this answer instead (e.g. HTTP 200 with `Success: false`). */
  public scriptAnswer(operation: string, response: EmulatorResponse): void {
    this.scriptedAnswers.push({ operation, response });
  }

  // ----- protocol -----

  protected operationOf(request: EmulatorRequest): string {
    const path = decodeURIComponent(request.pathname).toLowerCase().replace(/\/+$/, '');
    const websdk = /^\/vedsdk\/oauth\/([a-z]+)$/.exec(path);
    if (websdk && request.method === 'POST') return WEBSDK_OPERATIONS.get(websdk[1]) ?? 'Unknown';
    const auth = AUTH_ROUTES[path];
    return auth && auth.method === request.method ? auth.operation : 'Unknown';
  }

  protected dispatch(operation: string, request: EmulatorRequest): EmulatorResponse {
    const scripted = this.scriptedAnswers.findIndex((answer) => answer.operation === operation);
    if (scripted >= 0) {
      return this.scriptedAnswers.splice(scripted, 1)[0].response;
    }
    try {
      switch (operation) {
        case 'AuthorizeOAuth': return this.authorizeOAuth(parseBody(request));
        case 'RefreshToken': return this.refreshToken(parseBody(request));
        case 'VerifyToken': return this.verifyToken(request);
        case 'RevokeToken': return this.revokeToken(request);
        case 'Unknown': return { status: 404, headers: jsonHeaders(), body: { error: 'not_found', error_description: 'No such endpoint.' } };
        default: {
          this.authorize(operation, request);
          return this.webSdk(operation, parseBody(request));
        }
      }
    } catch (error) {
      if (error instanceof TppProblem) return error.response();
      throw error;
    }
  }

  protected throttled(retryAfterSeconds: number): EmulatorResponse {
    return { status: 429, headers: { ...jsonHeaders(), 'retry-after': String(retryAfterSeconds) }, body: { error: 'too_many_requests', error_description: 'Too many requests.' } };
  }

  protected internalError(retryAfterSeconds?: number): EmulatorResponse {
    const headers = retryAfterSeconds === undefined ? jsonHeaders() : { ...jsonHeaders(), 'retry-after': String(retryAfterSeconds) };
    return { status: 500, headers, body: { error: 'server_error', error_description: 'An internal error occurred.' } };
  }

  /** Hostile mode: an OAuth error whose error_description quotes the request (see Fault.echo). */
  protected hostileError(status: 400 | 500, message: string): EmulatorResponse {
    return { status, headers: jsonHeaders(), body: { error: status === 400 ? 'invalid_request' : 'server_error', error_description: message } };
  }

  protected rejected(status: number, errorType: string): EmulatorResponse {
    return { status, headers: jsonHeaders(), body: { error: errorType, error_description: `Injected ${errorType}: the request was refused.` } };
  }

  /** Bearer token, then the `admin` scope, then the identity's role for the endpoint. */
  private authorize(operation: string, request: EmulatorRequest): void {
    const match = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
    if (!match) throw new TppProblem(401, 'invalid_token', 'The access token is missing.');
    const token = this.accessTokens.get(match[1]);
    if (!token || token.dead || token.grant.revoked) throw new TppProblem(401, 'invalid_token', 'The access token is invalid or revoked.');
    if (token.expiresAt <= Date.now()) throw new TppProblem(401, 'invalid_token', 'The access token has expired.');
    if (!scopeNames(token.grant.scope).has('admin')) {
      throw new TppProblem(403, 'insufficient_scope', 'The access token does not have the admin scope required by this endpoint.');
    }
    if (!token.grant.roles.some((role) => ROLES[operation].includes(role))) {
      throw new TppProblem(401, 'insufficient_rights', `The identity does not have a role permitted to call ${operation}.`);
    }
  }

  private webSdk(operation: string, input: Json): EmulatorResponse {
    switch (operation) {
      case 'CreateApplication': return ok({ Application: this.createApplication(input) });
      case 'GetApplication': return ok({ Application: render(this.find(input.ApplicationId)) });
      case 'UpdateApplication': {
        this.updateApplication(input.Application);
        return ok({});
      }
      case 'DeleteApplication': {
        this.applications.delete(this.find(input.ApplicationId).ID);
        return ok({});
      }
      default: throw new Error(`unrouted operation ${operation}`);
    }
  }

  private createApplication(input: Json): Json {
    const id = requireString(input, 'ApplicationId');
    if (this.applications.has(id)) throw new TppProblem(400, 'invalid_request', `An application with ID '${id}' already exists.`);
    const application = validated({
      ID: id,
      Name: requireString(input, 'Name'),
      Vendor: requireString(input, 'Vendor'),
      Description: optionalString(input, 'Description') ?? '',
      Url: optionalString(input, 'Url') ?? '',
      Scope: requireString(input, 'Scope'),
      // The doc's example spells it MaxScope; clients send MaximumScope.
      MaximumScope: optionalString(input, 'MaximumScope') ?? optionalString(input, 'MaxScope') ?? requireString(input, 'Scope'),
      AccessValidity: optionalSeconds(input, 'AccessValidity'),
      GrantValidity: optionalSeconds(input, 'GrantValidity'),
      Renewable: optionalBoolean(input, 'Renewable') ?? false,
    });
    this.applications.set(id, application);
    return render(application);
  }

  /** The whole configuration is replaced: a field left out takes its default. */
  private updateApplication(input: unknown): void {
    if (!isObject(input)) throw new TppProblem(400, 'invalid_request', 'Application is required.');
    const id = requireString(input, 'ID');
    this.find(id);
    this.applications.set(id, validated({
      ID: id,
      Name: optionalString(input, 'Name') ?? '',
      Vendor: optionalString(input, 'Vendor') ?? '',
      Description: optionalString(input, 'Description') ?? '',
      Url: optionalString(input, 'Url') ?? '',
      Scope: optionalString(input, 'Scope') ?? '',
      MaximumScope: optionalString(input, 'MaximumScope') ?? '',
      AccessValidity: optionalSeconds(input, 'AccessValidity'),
      GrantValidity: optionalSeconds(input, 'GrantValidity'),
      Renewable: optionalBoolean(input, 'Renewable') ?? false,
    }));
  }

  private find(applicationId: unknown): StoredTppApplication {
    if (typeof applicationId !== 'string' || applicationId === '') throw new TppProblem(400, 'invalid_request', 'ApplicationId is required.');
    const application = this.applications.get(applicationId);
    if (application) return application;
    const description = `The application '${applicationId}' does not exist.`;
    if (this.missingApplication === 'result') throw new TppProblem(200, undefined, description, 2);
    throw new TppProblem(400, 'invalid_request', description);
  }

  private authorizeOAuth(input: Json): EmulatorResponse {
    const user = this.users.get(String(input.username ?? ''));
    if (!user || user.password !== input.password) throw new TppProblem(400, 'invalid_grant', 'Username or password is incorrect.');
    const tokens = this.issueToken({
      clientId: requireString(input, 'client_id'), scope: requireString(input, 'scope'), roles: user.roles, identity: `local:{${input.username}}`,
    });
    return { status: 200, headers: jsonHeaders(), body: { ...tokens, expires_in: Math.round((tokens.expires * 1000 - Date.now()) / 1000), token_type: 'Bearer' } };
  }

  /** A refresh token works once: the old pair dies and a new one is minted on the same grant. */
  private refreshToken(input: Json): EmulatorResponse {
    const refresh = this.refreshTokens.get(String(input.refresh_token ?? ''));
    if (!refresh || refresh.used || refresh.grant.revoked || refresh.grant.refreshUntil <= Date.now() || refresh.grant.clientId !== input.client_id) {
      throw new TppProblem(400, 'invalid_grant', 'The refresh token is invalid, expired, revoked or already used.');
    }
    refresh.used = true;
    for (const token of this.accessTokens.values()) {
      if (token.grant === refresh.grant) token.dead = true;
    }
    const tokens = this.mintPair(refresh.grant);
    return { status: 200, headers: jsonHeaders(), body: { ...tokens, token_type: 'Bearer' } };
  }

  private verifyToken(request: EmulatorRequest): EmulatorResponse {
    const token = this.bearer(request);
    return {
      status: 200,
      headers: jsonHeaders(),
      body: {
        application: token.grant.clientId, identity: token.grant.identity, scope: token.grant.scope, expires: Math.floor(token.expiresAt / 1000),
      },
    };
  }

  private revokeToken(request: EmulatorRequest): EmulatorResponse {
    this.bearer(request).grant.revoked = true;
    return { status: 200, headers: jsonHeaders(), body: { Result: 0, Success: true } };
  }

  private bearer(request: EmulatorRequest): AccessToken {
    const match = /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? ''));
    const token = match ? this.accessTokens.get(match[1]) : undefined;
    if (!token || token.dead || token.grant.revoked || token.expiresAt <= Date.now()) {
      throw new TppProblem(401, 'invalid_token', 'The access token is missing, invalid, expired or revoked.');
    }
    return token;
  }

  private mintPair(grant: Grant): IssuedTokens {
    const accessToken = randomBytes(18).toString('base64url');
    const refreshToken = randomBytes(18).toString('base64url');
    const expiresAt = Date.now() + grant.accessValidityMs;
    this.accessTokens.set(accessToken, { grant, expiresAt, dead: false });
    this.refreshTokens.set(refreshToken, { grant, used: false });
    return {
      access_token: accessToken,
      refresh_token: refreshToken,
      client_id: grant.clientId,
      expires: Math.floor(expiresAt / 1000),
      refresh_until: Math.floor(grant.refreshUntil / 1000),
      scope: grant.scope,
    };
  }
}

class TppProblem extends Error {
  constructor(readonly status: number, readonly error: string | undefined, readonly description: string, readonly result?: number) {
    super(description);
  }

  public response(): EmulatorResponse {
    if (this.status === 200) {
      // A failure TPP reports inside a 200: Success false with a non-zero Result.
      return { status: 200, headers: jsonHeaders(), body: { Error_Description: this.description, Result: this.result ?? 1, Success: false } };
    }
    const headers = this.status === 401 ? { ...jsonHeaders(), 'www-authenticate': `Bearer error="${this.error}"` } : jsonHeaders();
    return { status: this.status, headers, body: { error: this.error, error_description: this.description } };
  }
}

function ok(body: Json): EmulatorResponse {
  return { status: 200, headers: jsonHeaders(), body: { ...body, Result: 0, Success: true } };
}

function jsonHeaders(): Record<string, string> {
  return { 'content-type': 'application/json; charset=utf-8' };
}

/** GetApplication leaves out validities that are TPP's defaults. */
function render(application: StoredTppApplication): Json {
  return Object.fromEntries(Object.entries(application).filter(([, value]) => value !== undefined));
}

function withDefaults(application: Partial<StoredTppApplication> & { ID: string }): StoredTppApplication {
  return {
    Name: '', Vendor: '', Description: '', Url: '', Scope: '', MaximumScope: '', Renewable: false, ...application,
  };
}

/** Scope must stay within MaximumScope: same scope names with at most its restrictions. */
function validated(application: StoredTppApplication): StoredTppApplication {
  for (const [field, value] of [['Scope', application.Scope], ['MaximumScope', application.MaximumScope]] as const) {
    if (value !== '' && !/^[A-Za-z][\w-]*(:[A-Za-z][\w-]*(,[A-Za-z][\w-]*)*)?(;[A-Za-z][\w-]*(:[A-Za-z][\w-]*(,[A-Za-z][\w-]*)*)?)*$/.test(value)) {
      throw new TppProblem(400, 'invalid_request', `${field} '${value}' is not a valid scope.`);
    }
  }
  const maximum = scopeMap(application.MaximumScope);
  for (const [name, restrictions] of scopeMap(application.Scope)) {
    const allowed = maximum.get(name);
    if (!allowed || [...restrictions].some((restriction) => !allowed.has(restriction))) {
      throw new TppProblem(400, 'invalid_request', `Scope '${application.Scope}' exceeds MaximumScope '${application.MaximumScope}'.`);
    }
  }
  return application;
}

function scopeMap(scope: string): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const item of scope.split(';').filter(Boolean)) {
    const [name, restrictions] = item.split(':');
    map.set(name, new Set(restrictions ? restrictions.split(',') : []));
  }
  return map;
}

function scopeNames(scope: string): Set<string> {
  return new Set(scopeMap(scope).keys());
}

function parseBody(request: EmulatorRequest): Json {
  try {
    const parsed = JSON.parse(request.rawBody === '' ? '{}' : request.rawBody);
    if (isObject(parsed)) return parsed;
  } catch {
    // fall through
  }
  throw new TppProblem(400, 'invalid_request', 'The request body is not a JSON object.');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(input: Json, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') throw new TppProblem(400, 'invalid_request', `${name} is required.`);
  return value;
}

function optionalString(input: Json, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new TppProblem(400, 'invalid_request', `${name} must be a string.`);
  return value;
}

function optionalSeconds(input: Json, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Number.isInteger(value) || value <= 0) throw new TppProblem(400, 'invalid_request', `${name} must be a positive whole number of seconds.`);
  return value;
}

function optionalBoolean(input: Json, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new TppProblem(400, 'invalid_request', `${name} must be true or false.`);
  return value;
}
