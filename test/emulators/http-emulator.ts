import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * Shared machinery of the local service emulators: a real HTTP server on 127.0.0.1, a request
 * log, fault injection (throttling, 500s, resets, slowness, lost responses), a token-bucket rate
 * limit and a SigV4 presence check. A subclass supplies the wire protocol: how a request names
 * its operation, how an operation is answered and how throttling and internal errors look.
 */

export type FaultKind = 'throttle' | 'internal' | 'reset' | 'delay' | 'dropResponse' | 'hostile' | 'reject';

/**
 * How a hostile error quotes the request body (the request target when there is no body), as
 * services' validation errors do: whole, as 16-character prefixes of each string value it holds,
 * JSON-escaped, URL-encoded, or base64-encoded.
 */
export type EchoForm = 'verbatim' | 'prefix' | 'json' | 'url' | 'base64';

export interface Fault {
  /** Operation the fault applies to, e.g. 'CreateAppAuthorization' or 'GetSecretValue'; undefined = any operation. */
  operation?: string;
  /**
   * throttle: throttling error with a Retry-After header; internal: HTTP 500 (Retry-After only if
   * retryAfterSeconds is given); reset: destroy the socket without answering, before the operation
   * runs; delay: wait delayMs, then answer normally; dropResponse: run the operation (its state
   * changes stay), then destroy the socket without answering, like a response lost on the way back;
   * hostile: the protocol's error for `status` (400 or 500) whose message echoes the request in the
   * form `echo`, the operation not run; reject: a definite client error (`status`, `errorType`)
   * before the operation runs, e.g. a 403 after a lost response.
   */
  kind: FaultKind;
  /** hostile: the status of the error, 400 or 500 (default 400). reject: any 4xx (default 400). */
  status?: number;
  /** hostile: how the message quotes the request. @default 'verbatim' */
  echo?: EchoForm;
  /** reject: the protocol's error type, e.g. 'AccessDeniedException'. @default 'ValidationException' */
  errorType?: string;
  /** How many matching requests the fault affects (default 1); Infinity allowed. */
  times?: number;
  /** Value of the Retry-After header in whole seconds (throttle: default 1; internal: no header unless given). */
  retryAfterSeconds?: number;
  /** How long a 'delay' fault waits before answering. */
  delayMs?: number;
}

export interface RecordedRequest {
  /** Operation the request named, or 'Unknown'. */
  operation: string;
  method: string;
  /** The request target as received: percent-encoded path plus query string. */
  path: string;
  /** HTTP status sent; 0 when the socket was reset or the response dropped. */
  status: number;
  /** Parsed JSON body; the raw text if it was not JSON; undefined if empty. */
  requestBody: any;
  /** The body exactly as received ('' when there was none). */
  rawBody: string;
  /** The request's headers as received (names lower-cased). */
  headers: http.IncomingHttpHeaders;
  /** Service of the SigV4 Authorization header's credential scope, when the header parses. */
  signedService?: string;
  /** Date.now() when the request arrived. */
  at: number;
}

/** A request as the protocol layer sees it. */
export interface EmulatorRequest {
  readonly method: string;
  /** Percent-encoded path, without the query string. */
  readonly pathname: string;
  /** The query string decoded as AWS decodes it: percent-escapes only, so `+` stays a plus. */
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawBody: string;
}

/** An answer from the protocol layer; a body other than a string is sent as JSON. */
export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** The parts of a SigV4 Authorization header the emulators look at. */
export interface SigV4Scope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string[];
}

const SIGV4_AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

/** Parses (does not verify) a SigV4 Authorization header; undefined when absent or malformed. */
export function parseSigV4Authorization(headers: http.IncomingHttpHeaders): SigV4Scope | undefined {
  const match = SIGV4_AUTHORIZATION.exec(headers.authorization ?? '');
  if (!match) return undefined;
  return { accessKeyId: match[1], date: match[2], region: match[3], service: match[4], signedHeaders: match[5].split(';') };
}

/** Why a request is not acceptably signed for (service, region), or undefined when it is. */
export function sigV4Problem(headers: http.IncomingHttpHeaders, service: string, region: string): string | undefined {
  const scope = parseSigV4Authorization(headers);
  if (!scope) return 'The request has no valid AWS4-HMAC-SHA256 Authorization header.';
  if (!headers['x-amz-date']) return 'The request has no X-Amz-Date header.';
  if (scope.service !== service) return `Credential should be scoped to correct service: '${service}'.`;
  if (scope.region !== region) return `Credential should be scoped to a valid region: '${region}'.`;
  return undefined;
}

/** Largest request body an emulator accepts; AWS APIs of this kind take far less. */
const MAX_BODY_BYTES = 1024 * 1024;

/** A server certificate (PEM) and its private key: the emulator then serves HTTPS. */
export interface EmulatorTls {
  readonly key: string;
  readonly cert: string;
}

/** Options of the shared machinery; a subclass passes them on. */
export interface HttpEmulatorOptions {
  /** Serve HTTPS with this certificate instead of plain HTTP. @default plain HTTP */
  readonly tls?: EmulatorTls;
}

interface ActiveFault extends Fault {
  remaining: number;
}

/** Token bucket with burst = perSecond, refilled continuously. */
class TokenBucket {
  private tokens: number;
  private last = Date.now();

  constructor(readonly perSecond: number) {
    this.tokens = perSecond;
  }

  /** Takes a token; returns undefined on success, else the whole seconds until one is available. */
  public take(): number | undefined {
    const now = Date.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.perSecond));
  }
}

interface PendingSleep {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

/**
 * Each request is read whole, logged, then: latencyMs → the first matching fault (reset, delay,
 * throttle, internal, dropResponse) → the rate limit → the operation. A dropped or reset request
 * stays in the log with status 0.
 */
export abstract class HttpEmulator {
  /** Fixed latency added to every request, in milliseconds. */
  public latencyMs = 0;
  /** When set, requests above this rate (token bucket, burst = perSecond) get a throttling error. */
  public rateLimit?: { perSecond: number };
  public readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly faults: ActiveFault[] = [];
  private readonly sleeps = new Set<PendingSleep>();
  private bucket?: TokenBucket;
  private baseUrl?: string;
  private closed = false;
  private readonly scheme: 'http' | 'https';

  protected constructor(options: HttpEmulatorOptions = {}) {
    const listener: http.RequestListener = (req, res) => {
      void this.serve(req, res);
    };
    this.scheme = options.tls ? 'https' : 'http';
    // An https.Server is an http.Server with TLS underneath: the rest of the machinery is the same.
    this.server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);
  }

  /** 'http://127.0.0.1:<port>' ('https://…' with tls); available after start(). */
  public get endpoint(): string {
    if (!this.baseUrl) throw new Error('The emulator has not been started');
    return this.baseUrl;
  }

  public injectFault(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!(times >= 1)) throw new Error(`Fault.times must be at least 1 (or Infinity), got ${times}`);
    if (fault.kind === 'delay' && !(fault.delayMs !== undefined && fault.delayMs >= 0)) {
      throw new Error('A delay fault needs delayMs >= 0');
    }
    if (fault.retryAfterSeconds !== undefined && !(Number.isInteger(fault.retryAfterSeconds) && fault.retryAfterSeconds >= 0)) {
      throw new Error(`Fault.retryAfterSeconds must be a whole number of seconds >= 0, got ${fault.retryAfterSeconds}`);
    }
    this.faults.push({ ...fault, remaining: times });
  }

  public clearFaults(): void {
    this.faults.length = 0;
  }

  /** Recorded requests, optionally for one operation, including failed and faulted ones. */
  public count(operation?: string): number {
    return operation === undefined ? this.requests.length : this.requests.filter((r) => r.operation === operation).length;
  }

  public async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const sleep of this.sleeps) {
      clearTimeout(sleep.timer);
      sleep.resolve();
    }
    this.sleeps.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
  }

  /** Starts listening on 127.0.0.1 on a random free port. */
  protected async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `${this.scheme}://127.0.0.1:${address.port}`;
  }

  /** The operation a request names, or 'Unknown'. */
  protected abstract operationOf(request: EmulatorRequest): string;
  /** Performs the operation and answers it (errors included). */
  protected abstract dispatch(operation: string, request: EmulatorRequest): EmulatorResponse;
  /** The protocol's throttling error. */
  protected abstract throttled(retryAfterSeconds: number): EmulatorResponse;
  /** The protocol's internal server error. */
  protected abstract internalError(retryAfterSeconds?: number): EmulatorResponse;
  /** The protocol's client (400) or server (500) error carrying `message`, which echoes the request. */
  protected abstract hostileError(status: 400 | 500, message: string): EmulatorResponse;
  /** The protocol's client error, for `reject` faults. */
  protected rejected(status: number, errorType: string): EmulatorResponse {
    return { status, headers: { 'content-type': 'application/json' }, body: { __type: errorType, message: `Injected ${errorType}: the request was refused.` } };
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const request = await readRequest(req);
    if (!request) {
      req.socket.destroy();
      return;
    }
    const operation = this.operationOf(request);
    const record: RecordedRequest = {
      operation,
      method: request.method,
      path: req.url ?? '',
      status: 0,
      requestBody: bodyForLog(request.rawBody),
      rawBody: request.rawBody,
      headers: request.headers,
      signedService: parseSigV4Authorization(request.headers)?.service,
      at: Date.now(),
    };
    this.requests.push(record);

    await this.sleep(this.latencyMs);
    const fault = this.takeFault(operation);
    if (fault?.kind === 'delay') await this.sleep(fault.delayMs ?? 0);
    if (this.closed || fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    const response = this.faultResponse(fault, request, record.path) ?? this.rateLimitResponse() ?? this.safeDispatch(operation, request);
    if (fault?.kind === 'dropResponse') {
      req.socket.destroy();
      return;
    }
    record.status = response.status;
    send(res, response);
  }

  private faultResponse(fault: Fault | undefined, request: EmulatorRequest, target: string): EmulatorResponse | undefined {
    if (fault?.kind === 'throttle') return this.throttled(fault.retryAfterSeconds ?? 1);
    if (fault?.kind === 'internal') return this.internalError(fault.retryAfterSeconds);
    if (fault?.kind === 'hostile') return this.hostileError(fault.status === 500 ? 500 : 400, echoMessage(fault.echo ?? 'verbatim', request.rawBody || target));
    if (fault?.kind === 'reject') return this.rejected(fault.status ?? 400, fault.errorType ?? 'ValidationException');
    return undefined;
  }

  private rateLimitResponse(): EmulatorResponse | undefined {
    if (!this.rateLimit) return undefined;
    if (this.bucket?.perSecond !== this.rateLimit.perSecond) this.bucket = new TokenBucket(this.rateLimit.perSecond);
    const waitSeconds = this.bucket.take();
    return waitSeconds === undefined ? undefined : this.throttled(waitSeconds);
  }

  /** A bug in an emulator answers 500 with its message instead of hanging the client. */
  private safeDispatch(operation: string, request: EmulatorRequest): EmulatorResponse {
    try {
      return this.dispatch(operation, request);
    } catch (error) {
      const internal = this.internalError();
      return { ...internal, body: { ...(internal.body as object), message: `Emulator error: ${(error as Error).message}` } };
    }
  }

  /** The first fault (in insertion order) that matches the operation, consumed by one use. */
  private takeFault(operation: string): Fault | undefined {
    const index = this.faults.findIndex((f) => f.operation === undefined || f.operation === operation);
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    return fault;
  }

  /** A sleep that close() cuts short, so no timer outlives the emulator. */
  private async sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return;
    await new Promise<void>((resolve) => {
      const pending: PendingSleep = {
        timer: setTimeout(() => {
          this.sleeps.delete(pending);
          resolve();
        }, ms),
        resolve,
      };
      this.sleeps.add(pending);
    });
  }
}

/** A validation-style message quoting the request in one form. */
export function echoMessage(form: EchoForm, request: string): string {
  switch (form) {
    case 'verbatim': return `Value '${request}' failed to satisfy constraint: the request is not valid`;
    case 'prefix': return stringLeaves(request).map(([at, value]) => `Value '${value.slice(0, 16)}...' at '${at}' failed to satisfy constraint`).join('; ');
    case 'json': return `Could not parse request: ${JSON.stringify(request)}`;
    case 'url': return `Bad request ${encodeURIComponent(request)}`;
    case 'base64': return `Request rejected; request id data ${Buffer.from(request, 'utf8').toString('base64')}`;
  }
}

/** Each string value of a JSON or form-encoded request with its path (`credential.apiKeyCredential.apiKey`). */
function stringLeaves(request: string): Array<[string, string]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(request);
  } catch {
    parsed = Object.fromEntries(new URLSearchParams(request));
  }
  const leaves: Array<[string, string]> = [];
  const walk = (value: unknown, at: string) => {
    if (typeof value === 'string') leaves.push([at, value]);
    else if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${at}.${i + 1}`));
    else if (value && typeof value === 'object') Object.entries(value).forEach(([k, v]) => walk(v, at ? `${at}.${k}` : k));
  };
  walk(parsed, '');
  return leaves;
}

/** Reads the whole request; undefined if it was aborted or too large. */
async function readRequest(req: http.IncomingMessage): Promise<EmulatorRequest | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return undefined;
      chunks.push(chunk as Buffer);
    }
  } catch {
    return undefined;
  }
  const target = req.url ?? '/';
  const queryAt = target.indexOf('?');
  return {
    method: req.method ?? 'GET',
    pathname: queryAt < 0 ? target : target.slice(0, queryAt),
    query: awsQuery(queryAt < 0 ? '' : target.slice(queryAt + 1)),
    headers: req.headers,
    rawBody: Buffer.concat(chunks).toString('utf8'),
  };
}

/**
 * A query string as AWS services read it: split on `&` and the first `=`, then percent-decoded.
 * Unlike HTML form decoding (URLSearchParams' own parser), `+` is a literal plus, so a client that
 * sends `+` for a space is caught. A malformed escape is kept as sent.
 */
export function awsQuery(search: string): URLSearchParams {
  const query = new URLSearchParams();
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    query.append(percentDecode(at < 0 ? pair : pair.slice(0, at)), percentDecode(at < 0 ? '' : pair.slice(at + 1)));
  }
  return query;
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function bodyForLog(rawBody: string): any {
  if (rawBody === '') return undefined;
  try {
    return JSON.parse(rawBody);
  } catch {
    return rawBody;
  }
}

function send(res: http.ServerResponse, response: EmulatorResponse): void {
  const payload = response.body === undefined ? '' : typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(payload)) });
  res.end(payload);
}
