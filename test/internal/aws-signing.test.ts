import { percentEncode, queryString, signRequest } from '../../src/internal/aws-signing';
import { referenceAuthorization } from '../support/reference-signer';

// Our SigV4 must produce exactly what AWS's own signer produces for the request as it is sent:
// the reference signer is given the request target on the wire and reads its query as AWS does.

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
const date = new Date('2026-11-22T08:30:00Z');

describe('signRequest', () => {
  const bundleArn = 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111';
  const bundle = percentEncode(bundleArn);

  test.each([
    ['POST', `/appbundles/${bundle}/appauthorizations`, '{"app":"SLACK"}'],
    ['GET', `/appbundles/${bundle}/appauthorizations?${queryString({ maxResults: '100', nextToken: 'a+b= c*~/:ü' })}`, undefined],
    ['DELETE', `/tags/${bundle}?${queryString({ tagKeys: ['Cost Center', 'b', 'a', "x!'()*", '🔑'] })}`, undefined],
    ['PATCH', '/appbundles/x/appauthorizations/y', '{"tenant":{"tenantIdentifier":"t (1)*!"}}'],
    ['POST', `/appbundles/${bundle}/ingestions/${percentEncode(`${bundleArn}/ingestion/x`)}/start`, undefined],
  ])('%s %s matches AWS\'s signer given the request as sent', async (method, target, body) => {
    const url = new URL(`http://127.0.0.1:8080${target}`);
    expect(url.pathname + url.search).toBe(target);
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    const ours = signRequest({ service: 'appfabric', region: 'us-east-1', credentials, method, url, headers, body, date });
    expect(ours.authorization).toBe(await referenceAuthorization({ method, target, headers: ours, body }, 'appfabric', 'us-east-1', credentials));
    expect(ours['x-amz-date']).toBe('20261122T083000Z');
    expect(ours['x-amz-security-token']).toBe('session-token-example');
  });

  test('a query sent with `+` for a space is signed as AWS reads it (a plus), so the mistake cannot hide behind a matching signature', async () => {
    const target = '/tags/x?tagKeys=Cost+Center';
    const ours = signRequest({ service: 'appfabric', region: 'us-east-1', credentials, method: 'DELETE', url: new URL(`http://127.0.0.1:8080${target}`), headers: {}, date });
    expect(ours.authorization).toBe(await referenceAuthorization({ method: 'DELETE', target, headers: ours }, 'appfabric', 'us-east-1', credentials));
    const spaced = signRequest({ service: 'appfabric', region: 'us-east-1', credentials, method: 'DELETE', url: new URL('http://127.0.0.1:8080/tags/x?tagKeys=Cost%20Center'), headers: {}, date });
    expect(spaced.authorization).not.toBe(ours.authorization);
  });

  test('the signature changes with the body', () => {
    const url = new URL('https://appfabric.us-east-1.amazonaws.com/appbundles/x/appauthorizations');
    const sign = (body: string) => signRequest({ service: 'appfabric', region: 'us-east-1', credentials, method: 'POST', url, headers: {}, body, date }).authorization;
    expect(sign('{"a":1}')).not.toBe(sign('{"a":2}'));
  });
});

describe('percentEncode and queryString', () => {
  test('RFC 3986: only unreserved characters stay; a space is %20; keys sorted, lists repeated in order', () => {
    expect(percentEncode("a b+c*d~e/f:g!h'i(j)kü")).toBe('a%20b%2Bc%2Ad~e%2Ff%3Ag%21h%27i%28j%29k%C3%BC');
    expect(queryString({ tagKeys: ['b b', 'a'], maxResults: '1' })).toBe('maxResults=1&tagKeys=b%20b&tagKeys=a');
    expect(queryString({})).toBe('');
  });
});
