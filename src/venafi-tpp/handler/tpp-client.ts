// A small client for Venafi TPP: the WebSDK OAuth application endpoints (`/vedsdk/oauth/*`) and
// the token refresh of the Auth SDK (`/vedauth/authorize/token`), over HTTPS with an optional
// internal CA. Retries throttling, server and network errors within the deadline; a rejected
// access token is renewed once through a TokenStore. Every token is remembered by the shared
// scrubber the moment it is read or issued, and every message built here is scrubbed.
import * as tls from 'node:tls';
import { DeployError } from '../../internal/errors';
import { HttpResponse, NetworkError, send } from '../../internal/http';
import { RetryDeadlineError, RetryableFailure, errorMessage, parseRetryAfter, withOutcomeOf, withRetry } from '../../internal/retry';
import { rememberSecret, scrub } from '../../internal/scrub';

/**
 * An OAuth application as GetApplication returns it. Note the casing: requests name it by
 * `ApplicationId`, the object by `ID`. Fields this library does not know are kept as they are.
 */
export interface TppApplication {
  readonly ID: string;
  readonly Name?: string;
  readonly Vendor?: string;
  readonly Description?: string;
  readonly Url?: string;
  readonly Scope?: string;
  readonly MaximumScope?: string;
  /** Seconds. */
  readonly AccessValidity?: number;
  /** Seconds. */
  readonly GrantValidity?: number;
  readonly Renewable?: boolean;
  readonly [field: string]: unknown;
}

export interface CreateApplicationInput {
  readonly ApplicationId: string;
  readonly Name: string;
  readonly Vendor: string;
  readonly Description: string;
  readonly Url: string;
  readonly Scope: string;
  readonly MaximumScope: string;
  readonly AccessValidity?: number;
  readonly GrantValidity?: number;
  readonly Renewable?: boolean;
}

/** The TPP operations the handler uses. */
export interface TppApi {
  getApplication(applicationId: string): Promise<TppApplication>;
  /** Returns the application TPP made (or undefined when its answer names none). */
  createApplication(input: CreateApplicationInput): Promise<TppApplication | undefined>;
  /** Replaces the whole configuration: send the complete structure. */
  updateApplication(application: TppApplication): Promise<void>;
  deleteApplication(applicationId: string): Promise<void>;
}

export type TppOperation = 'CreateApplication' | 'GetApplication' | 'UpdateApplication' | 'DeleteApplication' | 'RefreshToken';

/**
 * TPP answered, and not with success: an HTTP error, or HTTP 200 whose body says `Success: false`
 * or a non-zero `Result`. `error` and `description` are TPP's `error` and `error_description`.
 */
export class TppError extends Error {
  constructor(
    public readonly operation: TppOperation,
    public readonly status: number,
    public readonly error: string | undefined,
    public readonly description: string | undefined,
    public readonly result?: string,
    public readonly retryAfterMs?: number,
  ) {
    super(`TPP ${operation} failed: HTTP ${status}${error ? ` ${error}` : ''}${description ? `: ${description}` : ''}` +
      `${result !== undefined ? ` (Result ${result})` : ''}`);
    this.name = 'TppError';
  }

  /** The server refused the caller (token, rights or scope) rather than the request. */
  public get isAuthorizationFailure(): boolean {
    return this.status === 401 || this.status === 403;
  }

  /**
   * The answer came, but says the operation did not succeed: HTTP 200 without success, or 400.
   * Not a refusal of the caller (401/403), not a transient failure, and not a 404 (a wrong
   * serverUrl path must not pass for a missing application).
   */
  public get isApplicationFailure(): boolean {
    return (this.status >= 200 && this.status < 300) || this.status === 400;
  }
}

export function isInvalidTokenError(error: unknown): error is TppError {
  return error instanceof TppError && error.status === 401 && error.error === 'invalid_token';
}

/** Throttling, server errors and network errors are worth another attempt; TLS failures are not. */
export function classifyTppRetryable(error: unknown): RetryableFailure | undefined {
  if (error instanceof NetworkError) {
    return isTlsFailure(error.code) ? undefined : {};
  }
  if (error instanceof TppError && (error.status === 429 || error.status >= 500)) {
    return { retryAfterMs: error.retryAfterMs };
  }
  return undefined;
}

/** Node reports a certificate it cannot verify with OpenSSL's codes, e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE. */
export function isTlsFailure(code: string | undefined): boolean {
  return !!code && /CERT|SELF_SIGNED|ISSUER|LEAF_SIGNATURE|SSL|TLS|HOSTNAME_MISMATCH|INVALID_CA/.test(code);
}

/** The tokens as stored (in Secrets Manager, for the handler). */
export interface StoredTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly clientId?: string;
}

/** A new pair from `/vedauth/authorize/token`. */
export interface RefreshedTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch seconds, when TPP says. */
  readonly expires?: number;
  readonly refreshUntil?: number;
}

/** Where the tokens live. The client never writes a token anywhere else. */
export interface TokenStore {
  /** Names the store in messages, e.g. "secret arn:aws:secretsmanager:…". */
  readonly description: string;
  /** Reads the tokens afresh. */
  load(): Promise<StoredTokens>;
  /** Stores a refreshed pair, keeping whatever else the store holds. */
  save(tokens: RefreshedTokens): Promise<void>;
}

export interface TppClientOptions {
  /** The server's base URL, https only, e.g. `https://tpp.example.com`. */
  readonly serverUrl: string;
  /** Extra CA certificates (PEM) to trust besides the public roots. */
  readonly trustedCaCertificate?: string;
  readonly tokens: TokenStore;
  /** Epoch milliseconds: retries stop before it. */
  readonly deadline: () => number;
  /** One line per retry and per token renewal; never a token. */
  readonly log?: (line: string) => void;
  /** Ceiling for a single attempt. @default 30 seconds */
  readonly attemptTimeoutMs?: number;
}

export class TppClient implements TppApi {
  private readonly baseUrl: URL;
  private readonly ca?: string;
  private readonly log: (line: string) => void;
  private readonly attemptTimeoutMs: number;
  private current?: StoredTokens;
  private renewed = false;

  constructor(private readonly options: TppClientOptions) {
    this.baseUrl = parseServerUrl(options.serverUrl);
    // Added to Node's public roots (like NODE_EXTRA_CA_CERTS): `ca` alone would replace them.
    this.ca = options.trustedCaCertificate ? [...tls.rootCertificates, options.trustedCaCertificate].join('\n') : undefined;
    const log = options.log ?? (() => undefined);
    this.log = (line) => log(scrub(line));
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
  }

  public async getApplication(applicationId: string): Promise<TppApplication> {
    const body = await this.callWebSdk('GetApplication', { ApplicationId: applicationId });
    const application = body.Application;
    if (!isObject(application) || typeof application.ID !== 'string') {
      throw new TppError('GetApplication', 200, 'unexpected_response', 'the answer has no Application object with an ID');
    }
    return application as TppApplication;
  }

  public async createApplication(input: CreateApplicationInput): Promise<TppApplication | undefined> {
    const body = await this.callWebSdk('CreateApplication', withoutUndefined(input));
    return isObject(body.Application) && typeof body.Application.ID === 'string' ? body.Application as TppApplication : undefined;
  }

  public async updateApplication(application: TppApplication): Promise<void> {
    await this.callWebSdk('UpdateApplication', { Application: withoutUndefined(application) });
  }

  public async deleteApplication(applicationId: string): Promise<void> {
    await this.callWebSdk('DeleteApplication', { ApplicationId: applicationId });
  }

  /** `POST /vedsdk/oauth/<operation>` with the bearer token; a rejected token is renewed once. */
  private async callWebSdk(operation: Exclude<TppOperation, 'RefreshToken'>, request: object): Promise<Record<string, unknown>> {
    let token = await this.accessToken();
    try {
      return await this.postWithRetry(operation, `vedsdk/oauth/${operation}`, request, token);
    } catch (error) {
      if (!isInvalidTokenError(error) || this.renewed) {
        throw this.explain(error);
      }
      this.log(`TPP ${operation}: the access token was rejected (invalid_token); renewing it once`);
      token = await this.renewToken(token, error);
      try {
        return await this.postWithRetry(operation, `vedsdk/oauth/${operation}`, request, token);
      } catch (retryError) {
        throw this.explain(retryError);
      }
    }
  }

  private async accessToken(): Promise<string> {
    if (!this.current) {
      this.current = await this.options.tokens.load();
      this.remember(this.current);
    }
    return this.current.accessToken;
  }

  /**
   * Renews a rejected access token: the store may already hold a newer one (refreshed by another
   * deploy); otherwise the refresh token buys a new pair, which is stored BEFORE it is used,
   * because TPP has just made the old pair useless.
   */
  private async renewToken(rejected: string, rejection: TppError): Promise<string> {
    this.renewed = true;
    const stored = await this.options.tokens.load();
    this.remember(stored);
    if (stored.accessToken !== rejected) {
      this.log(`the ${this.options.tokens.description} holds a newer access token than the one rejected: using it`);
      this.current = stored;
      return stored.accessToken;
    }
    const rejectedBecause = `TPP rejected the access token in the ${this.options.tokens.description} (${describeTppFailure(rejection)})`;
    if (!stored.refreshToken) {
      throw deployError(`${rejectedBecause}, and it holds no refresh_token to renew it with. ` +
        'Obtain a new token (POST /vedauth/authorize/oauth with the admin scope) and store access_token, refresh_token and client_id in the secret.');
    }
    if (!stored.clientId) {
      throw deployError(`${rejectedBecause}. It holds a refresh_token but no client_id, which TPP needs to refresh it. ` +
        'Add client_id (the application ID the token was issued to) to the secret, or store a new access_token.');
    }
    let refreshed: RefreshedTokens;
    try {
      refreshed = await this.refresh(stored.clientId, stored.refreshToken);
    } catch (error) {
      if (error instanceof TppError) {
        throw deployError(`${rejectedBecause}, and TPP refused to refresh it: ${describeTppFailure(error)}. ` +
          'A refresh token works once and expires (refresh_until): obtain a new token pair (POST /vedauth/authorize/oauth) and store it in the secret.');
      }
      throw this.explain(error);
    }
    this.remember(refreshed);
    try {
      await this.options.tokens.save(refreshed);
    } catch (error) {
      throw deployError(`TPP issued a new token pair, but storing it in the ${this.options.tokens.description} failed: ${errorMessage(error)}. ` +
        'The old refresh token is now spent: obtain a new token pair (POST /vedauth/authorize/oauth) and store it in the secret.');
    }
    this.log(`refreshed the TPP token pair and stored it in the ${this.options.tokens.description}`);
    this.current = { ...stored, accessToken: refreshed.accessToken, refreshToken: refreshed.refreshToken };
    return refreshed.accessToken;
  }

  /** `POST /vedauth/authorize/token` {client_id, refresh_token} → a new pair. Not retried on 4xx. */
  private async refresh(clientId: string, refreshToken: string): Promise<RefreshedTokens> {
    const body = await this.postWithRetry('RefreshToken', 'vedauth/authorize/token', { client_id: clientId, refresh_token: refreshToken });
    if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string' || !body.access_token || !body.refresh_token) {
      throw new TppError('RefreshToken', 200, 'unexpected_response', 'the answer has no access_token and refresh_token');
    }
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expires: typeof body.expires === 'number' ? body.expires : undefined,
      refreshUntil: typeof body.refresh_until === 'number' ? body.refresh_until : undefined,
    };
  }

  private async postWithRetry(operation: TppOperation, path: string, request: object, bearer?: string): Promise<Record<string, unknown>> {
    const url = new URL(path, this.baseUrl);
    const payload = JSON.stringify(request);
    const deadline = this.options.deadline();
    return withRetry(async () => {
      const headers: Record<string, string> = { 'content-type': 'application/json', 'accept': 'application/json' };
      if (bearer) {
        headers.authorization = `Bearer ${bearer}`;
      }
      const timeoutMs = Math.min(this.attemptTimeoutMs, Math.max(1, deadline - Date.now()));
      const response = await send({ method: 'POST', url, headers, body: payload, timeoutMs, ca: this.ca });
      return this.readAnswer(operation, response);
    }, {
      deadline,
      retryable: classifyTppRetryable,
      onRetry: (error, attempt, delay) => this.log(`TPP ${operation}: attempt ${attempt} failed (${scrub(errorMessage(error))}); retrying in ${delay} ms`),
    });
  }

  /** The JSON body of a successful answer, or the TppError it amounts to. */
  private readAnswer(operation: TppOperation, response: HttpResponse): Record<string, unknown> {
    const body = parseJsonObject(response.body);
    const failure = answerFailure(operation, response, body);
    if (failure) {
      throw new TppError(operation, failure.status, failure.error && scrub(failure.error),
        failure.description && scrub(failure.description), failure.result, parseRetryAfter(response.headers['retry-after']));
    }
    return body!;
  }

  /** Turns transport failures into messages for the person deploying. */
  private explain(error: unknown): Error {
    const cause = error instanceof RetryDeadlineError ? error.lastError : error;
    const server = this.baseUrl.origin;
    if (cause instanceof NetworkError && isTlsFailure(cause.code)) {
      return deployError(
        `Could not verify the TLS certificate of TPP at ${server} (${cause.code}). The handler trusts the public root CAs` +
        `${this.ca ? ' and trustedCaCertificate' : ''}. If TPP's certificate comes from an internal CA, pass that CA's certificate (PEM) as ` +
        'trustedCaCertificate; also check that the certificate names the host in serverUrl and has not expired.',
      );
    }
    if (cause instanceof NetworkError) {
      // Keeps the retry layer's word on whether an attempt may have taken effect.
      return withOutcomeOf(deployError(`Could not reach TPP at ${server}: ${scrub(errorMessage(error))}. ` +
        'If TPP is on a private network, place the handler in its VPC (vpc, vpcSubnets, securityGroups) and allow HTTPS from it to TPP.'), error);
    }
    // TppError messages are scrubbed when made; the type stays for the caller's decisions.
    return error instanceof Error ? error : new Error(scrub(String(error)));
  }

  private remember(tokens: StoredTokens | RefreshedTokens): void {
    rememberSecret(tokens.accessToken);
    rememberSecret(tokens.refreshToken);
  }
}

/** A message for the person deploying, with every remembered token removed. */
function deployError(message: string): DeployError {
  return new DeployError(scrub(message));
}

interface AnswerFailure {
  readonly status: number;
  readonly error?: string;
  readonly description?: string;
  readonly result?: string;
}

/**
 * Why an answer is not a success, or undefined when it is. WebSDK answers succeed with
 * `Success: true` and `Result` 0 (when present): anything else fails, even with HTTP 200.
 * Token answers (`/vedauth`) carry no Success. Error bodies use `error` and `error_description`
 * (the docs also show them capitalised), or a WWW-Authenticate header.
 */
export function answerFailure(operation: TppOperation, response: HttpResponse, body: Record<string, unknown> | undefined): AnswerFailure | undefined {
  const error = stringField(body, 'error') ?? bearerChallenge(response.headers['www-authenticate'], 'error');
  const description = stringField(body, 'error_description') ?? bearerChallenge(response.headers['www-authenticate'], 'error_description');
  const resultValue = body ? fieldIgnoringCase(body, 'result') : undefined;
  const result = resultValue === undefined || resultValue === null ? undefined : String(resultValue);
  if (response.status < 200 || response.status >= 300) {
    return { status: response.status, error: error ?? (body ? undefined : httpBodyHint(response)), description, result };
  }
  if (!body) {
    return { status: response.status, error: 'unexpected_response', description: `the answer is not a JSON object (${httpBodyHint(response)})` };
  }
  if (operation === 'RefreshToken') {
    return undefined;
  }
  const success = fieldIgnoringCase(body, 'success');
  if (success !== true || (result !== undefined && Number(result) !== 0)) {
    return {
      status: response.status,
      error: error ?? 'operation_failed',
      description: description ?? stringField(body, 'message') ??
      (success === undefined ? 'the answer has no Success: true' : undefined),
      result,
    };
  }
  return undefined;
}

/** One line describing a failure for a failure reason: error code and description, never a token. */
export function describeTppFailure(error: TppError): string {
  return `HTTP ${error.status}${error.error ? ` ${error.error}` : ''}${error.description ? `: ${error.description}` : ''}`;
}

/** The server's base URL; https only, as tokens travel in its requests. */
export function parseServerUrl(serverUrl: string): URL {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw deployError('serverUrl is not a URL. Pass the TPP server\'s base URL, e.g. https://tpp.example.com.');
  }
  if (url.protocol !== 'https:') {
    throw deployError(`serverUrl uses ${url.protocol.replace(/:$/, '')}, not https: the handler sends tokens to it. Pass an https:// URL.`);
  }
  // A base path (a reverse proxy's prefix) is kept: requests resolve against it.
  if (!url.pathname.endsWith('/')) {
    url.pathname += '/';
  }
  return url;
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldIgnoringCase(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : body[key];
}

function stringField(body: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = body ? fieldIgnoringCase(body, name) : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A parameter of `WWW-Authenticate: Bearer error="invalid_token", error_description="…"`. */
function bearerChallenge(header: string | undefined, parameter: string): string | undefined {
  const match = header ? new RegExp(`(?:^|[\\s,])${parameter}="([^"]*)"`).exec(header) : null;
  return match ? match[1] : undefined;
}

function httpBodyHint(response: HttpResponse): string {
  return `content-type ${response.headers['content-type'] ?? 'none'}, ${response.body.length} bytes`;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
