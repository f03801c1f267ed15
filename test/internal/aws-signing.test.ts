import { createHash, createHmac } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { signRequest } from '../../src/internal/aws-signing';

// Our SigV4 must produce exactly what the AWS SDK's own signer produces for the same request.
class Sha256 {
  private readonly hash;
  constructor(secret?: any) { this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
  update(data: any) { this.hash.update(data); }
  async digest() { return this.hash.digest(); }
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
const date = new Date('2026-11-22T08:30:00Z');

async function smithySignature(method: string, url: URL, headers: Record<string, string>, body?: string): Promise<string> {
  const query: Record<string, string | string[]> = {};
  url.searchParams.forEach((value, key) => {
    const existing = query[key];
    query[key] = existing === undefined ? value : ([] as string[]).concat(existing, value);
  });
  const signer = new SignatureV4({ service: 'appfabric', region: 'us-east-1', credentials, sha256: Sha256 });
  const signed = await signer.sign(new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { ...headers, host: url.host },
    body,
  }), { signingDate: date });
  return signed.headers.authorization;
}

describe('signRequest', () => {
  const bundleArn = 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111';

  test.each([
    ['POST', `/appbundles/${encodeURIComponent(bundleArn)}/appauthorizations`, '{"app":"SLACK"}'],
    ['GET', `/appbundles/${encodeURIComponent(bundleArn)}/appauthorizations?maxResults=100&nextToken=a%2Bb%3D`, undefined],
    ['DELETE', `/tags/${encodeURIComponent(bundleArn)}?tagKeys=b&tagKeys=a`, undefined],
    ['PATCH', '/appbundles/x/appauthorizations/y', '{"tenant":{"tenantIdentifier":"t (1)*!"}}'],
  ])('%s %s matches the AWS SDK signer', async (method, path, body) => {
    const url = new URL(`http://127.0.0.1:8080${path}`);
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    const ours = signRequest({ service: 'appfabric', region: 'us-east-1', credentials, method, url, headers, body, date });
    expect(ours.authorization).toBe(await smithySignature(method, url, headers, body));
    expect(ours['x-amz-date']).toBe('20261122T083000Z');
    expect(ours['x-amz-security-token']).toBe('session-token-example');
  });

  test('the signature changes with the body', () => {
    const url = new URL('https://appfabric.us-east-1.amazonaws.com/appbundles/x/appauthorizations');
    const sign = (body: string) => signRequest({ service: 'appfabric', region: 'us-east-1', credentials, method: 'POST', url, headers: {}, body, date }).authorization;
    expect(sign('{"a":1}')).not.toBe(sign('{"a":2}'));
  });
});
