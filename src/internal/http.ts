// One HTTP(S) exchange on Node's own http/https modules: they take a custom CA (for TPP servers
// with an internal certificate) and report resets plainly. No retries here: see retry.ts.
import * as http from 'node:http';
import * as https from 'node:https';

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Milliseconds before the attempt is abandoned as a network error. */
  readonly timeoutMs: number;
  /** Extra trusted CA certificates (PEM) for HTTPS. */
  readonly ca?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | undefined>;
  readonly body: string;
}

/** The request never produced a response: reset, refused, timed out. Always retryable. */
export class NetworkError extends Error {
  constructor(message: string, public readonly code?: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

export function send(request: HttpRequest): Promise<HttpResponse> {
  const transport = request.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(request.url, {
      method: request.method,
      headers: request.headers,
      ca: request.ca,
      timeout: Math.max(1, request.timeoutMs),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        headers: flattenHeaders(res.headers),
        body: Buffer.concat(chunks).toString('utf8'),
      }));
      res.on('error', (error: NodeJS.ErrnoException) => reject(new NetworkError(`response from ${request.url.host} broke off: ${error.message}`, error.code)));
    });
    req.on('timeout', () => req.destroy(new NetworkError(`no response from ${request.url.host} within ${request.timeoutMs} ms`, 'ETIMEDOUT')));
    req.on('error', (error: NodeJS.ErrnoException) => reject(error instanceof NetworkError
      ? error
      : new NetworkError(`request to ${request.url.host} failed: ${error.code ?? error.message}`, error.code)));
    req.end(request.body);
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string | undefined> {
  const flat: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
