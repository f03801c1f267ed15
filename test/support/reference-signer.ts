import { createHash, createHmac, Hash, Hmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * AWS's own SigV4 signer (@smithy/signature-v4), given a request exactly as it arrived on the
 * wire: the raw request target (path and query as sent) and the headers as received. The query
 * is read as AWS services read it (percent-decoding only: `+` is a plus), so a request whose
 * query travels in one form and was signed in another gets a different signature here.
 */

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** SHA-256 on node:crypto for @smithy/signature-v4 (it constructs one with a key for HMAC). */
export class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  public update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  public async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

export interface WireRequest {
  readonly method: string;
  /** The request target as sent: percent-encoded path, then `?` and the query string as sent. */
  readonly target: string;
  /** Received headers, names lower-cased. */
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: string;
}

export interface ReferenceCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The Authorization header AWS's signer computes for the request, signing the headers the request says it signed. */
export async function referenceAuthorization(request: WireRequest, service: string, region: string,
  credentials: ReferenceCredentials): Promise<string> {
  const queryAt = request.target.indexOf('?');
  const path = queryAt < 0 ? request.target : request.target.slice(0, queryAt);
  const query: Record<string, string | string[]> = {};
  for (const pair of (queryAt < 0 ? '' : request.target.slice(queryAt + 1)).split('&').filter((p) => p !== '')) {
    const at = pair.indexOf('=');
    const key = decodeURIComponent(at < 0 ? pair : pair.slice(0, at));
    const value = decodeURIComponent(at < 0 ? '' : pair.slice(at + 1));
    const existing = query[key];
    query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
  }
  const signedHeaders = /SignedHeaders=([^,\s]+)/.exec(String(request.headers.authorization ?? ''))?.[1].split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(request.headers[name] ?? '');
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const host = headers.host ?? '127.0.0.1';
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256 });
  const signed = await signer.sign(new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: host.split(':')[0],
    path,
    query,
    headers,
    body: request.body,
  }), { signingDate });
  return signed.headers.authorization;
}
