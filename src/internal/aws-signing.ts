// SigV4 signing for the AWS calls the handlers make without an SDK client (AppFabric has no SDK
// client on the registry these builds use). Written on node:crypto rather than
// @smithy/signature-v4: current releases of that package pull in all of @smithy/core, which
// more than doubled the handler bundle; a test signs the same requests with both and compares.
// Credentials follow the standard chain: the Lambda environment's variables first (no import),
// the full Node.js chain otherwise.
// Also what the AppFabric and Secrets Manager clients share: cached credentials, and how an AWS
// JSON error answer is read.
import { createHash, createHmac } from 'node:crypto';
import { scrub } from './scrub';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

export type CredentialProvider = () => Promise<AwsCredentials>;

/** The standard AWS credential chain, resolving environment variables without loading the SDK. */
export function defaultCredentials(): CredentialProvider {
  let chain: CredentialProvider | undefined;
  return async () => {
    const env = process.env;
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
      return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
    }
    if (!chain) {
      // Loaded only outside Lambda (the runtime sets the variables above).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { defaultProvider } = require('@aws-sdk/credential-provider-node') as typeof import('@aws-sdk/credential-provider-node');
      chain = defaultProvider();
    }
    return chain();
  };
}

/** A provider that keeps what `provider` gave until a minute before it expires. */
export function cachingCredentials(provider: CredentialProvider): CredentialProvider {
  let cached: AwsCredentials | undefined;
  return async () => {
    if (!cached || (cached.expiration && cached.expiration.getTime() - Date.now() <= 60_000)) {
      cached = await provider();
    }
    return cached;
  };
}

/** What an AWS JSON error answer (restJson1 or awsJson1_1) says: its type, scrubbed message and members. */
export function parseAwsError(status: number, headers: Record<string, string | undefined>, body: string):
{ errorType: string; message: string; members: Record<string, any> } {
  let members: Record<string, any> = {};
  try {
    members = body ? JSON.parse(body) : {};
  } catch {
    members = {};
  }
  const typeHeader = headers['x-amzn-errortype'] ?? members.__type ?? members.code ?? `HTTP${status}`;
  // restJson1 may append `:<namespace uri>` and older services prefix `namespace#`.
  const errorType = String(typeHeader).split(':')[0].split('#').pop()!;
  // Services quote requests in their errors; ours carry credentials, remembered when read.
  const message = scrub(String(members.message ?? members.Message ?? 'no message'));
  return { errorType, message, members };
}

/** The endpoint for a service: `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then AWS's. */
export function serviceEndpoint(envSuffix: string, defaultEndpoint: string): string {
  return process.env[`AWS_ENDPOINT_URL_${envSuffix}`] ?? process.env.AWS_ENDPOINT_URL ?? defaultEndpoint;
}

export interface SignInput {
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly method: string;
  /** The URL as it is sent: path segments and query already percent-encoded (see `percentEncode`). */
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** @default now */
  readonly date?: Date;
}

/** Returns the request's headers plus host, x-amz-date, x-amz-security-token and Authorization. */
export function signRequest(input: SignInput): Record<string, string> {
  const amzDate = (input.date ?? new Date()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(input.body ?? '');
  // x-amz-content-sha256 as the AWS SDK sends it, so both sign identical requests.
  const headers: Record<string, string> = {
    ...input.headers, 'host': input.url.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate,
  };
  if (input.credentials.sessionToken) {
    headers['x-amz-security-token'] = input.credentials.sessionToken;
  }
  const canonicalHeaders = Object.entries(headers)
    .map(([name, value]) => [name.toLowerCase(), value.trim().replace(/\s+/g, ' ')])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = canonicalHeaders.map(([name]) => name).join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    canonicalPath(input.url.pathname),
    canonicalQuery(input.url.search),
    canonicalHeaders.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${input.credentials.secretAccessKey}`, day);
  for (const part of [input.region, input.service, 'aws4_request']) {
    key = hmac(key, part);
  }
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, ` +
    `SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

/**
 * RFC 3986 encoding of a path label or query component, as AWS's serializers and SigV4 use it
 * (encodeURIComponent leaves !'()* alone; a space is %20, never +).
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A query string in AWS's wire form: keys in order, repeated for each list item, RFC 3986 encoded. */
export function queryString(params: Record<string, string | readonly string[]>): string {
  return Object.keys(params).sort()
    .flatMap((key) => ([] as string[]).concat(params[key]).map((value) => `${percentEncode(key)}=${percentEncode(value)}`))
    .join('&');
}

/** Services other than S3 sign the path with each (already encoded) segment encoded again. */
function canonicalPath(path: string): string {
  return path.split('/').map(percentEncode).join('/') || '/';
}

/**
 * The query as AWS reads it from the wire (percent-decoding only: `+` is a plus), each name and
 * value encoded again per RFC 3986, sorted. What was sent is what is signed.
 */
function canonicalQuery(search: string): string {
  return search.replace(/^\?/, '').split('&').filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const [key, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [percentEncode(decodeURIComponent(key)), percentEncode(decodeURIComponent(value))];
    })
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('&');
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
