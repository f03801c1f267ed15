// The TPP emulator on the wire: HTTPS with the test CA, the reference's endpoints, status codes
// and bodies, and the shared machinery (request log, fault injection).
import { TppEmulator } from './tpp-emulator';
import { HttpResponse, send } from '../../src/internal/http';
import { TestPki, makeTestPki } from '../support/tpp-harness';

let pki: TestPki;
let tpp: TppEmulator;
beforeAll(async () => { pki = await makeTestPki(); });
beforeEach(async () => { tpp = await TppEmulator.start({ tls: pki.serverTls }); });
afterEach(async () => { await tpp.close(); });

interface Answer {
  status: number;
  body: any;
  headers: HttpResponse['headers'];
}

async function call(path: string, body?: unknown, token?: string, method = 'POST'): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await send({
    method,
    url: new URL(path, tpp.endpoint),
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    timeoutMs: 5_000,
    ca: pki.caCertificate,
  });
  return { status: response.status, body: response.body ? JSON.parse(response.body) : undefined, headers: response.headers };
}

const APP = {
  ApplicationId: 'cert-bot',
  Name: 'Certificate bot',
  Vendor: 'Example Corp',
  Description: 'd',
  Url: 'https://bots.example.com',
  Scope: 'certificate:manage',
  MaximumScope: 'certificate:manage,revoke',
  AccessValidity: 3600,
  GrantValidity: 86400,
  Renewable: true,
};

describe('TPP emulator', () => {
  test('serves HTTPS with a certificate from the test CA, and only to clients that trust it', async () => {
    expect(tpp.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const admin = tpp.issueToken();
    expect((await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, admin.access_token)).status).toBe(400);
    await expect(send({ method: 'POST', url: new URL('/vedsdk/oauth/GetApplication', tpp.endpoint), headers: {}, timeoutMs: 5_000 }))
      .rejects.toMatchObject({ name: 'NetworkError', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  test('Create, Get, Update (full replace), Delete with Result 0 and Success true', async () => {
    const { access_token: token } = tpp.issueToken();
    const created = await call('/vedsdk/oauth/CreateApplication', APP, token);
    expect(created).toMatchObject({ status: 200, body: { Result: 0, Success: true, Application: { ID: 'cert-bot', Scope: 'certificate:manage', AccessValidity: 3600 } } });

    const got = await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'cert-bot' }, token);
    expect(got.body).toEqual({
      Application: {
        ID: 'cert-bot',
        Name: 'Certificate bot',
        Vendor: 'Example Corp',
        Description: 'd',
        Url: 'https://bots.example.com',
        Scope: 'certificate:manage',
        MaximumScope: 'certificate:manage,revoke',
        AccessValidity: 3600,
        GrantValidity: 86400,
        Renewable: true,
      },
      Result: 0,
      Success: true,
    });

    // A field left out is reset to its default.
    const partial = await call('/vedsdk/oauth/UpdateApplication', { Application: { ID: 'cert-bot', Name: 'Renamed', Vendor: 'Example Corp', Scope: 'certificate', MaximumScope: 'certificate' } }, token);
    expect(partial).toMatchObject({ status: 200, body: { Result: 0, Success: true } });
    expect(tpp.application('cert-bot')).toEqual({
      ID: 'cert-bot',
      Name: 'Renamed',
      Vendor: 'Example Corp',
      Description: '',
      Url: '',
      Scope: 'certificate',
      MaximumScope: 'certificate',
      AccessValidity: undefined,
      GrantValidity: undefined,
      Renewable: false,
    });
    expect((await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'cert-bot' }, token)).body.Application).not.toHaveProperty('AccessValidity');

    expect(await call('/vedsdk/oauth/DeleteApplication', { ApplicationId: 'cert-bot' }, token)).toMatchObject({ status: 200, body: { Result: 0, Success: true } });
    expect(tpp.applicationIds()).toEqual([]);
  });

  test('paths are case-insensitive, like TPP on IIS', async () => {
    const { access_token: token } = tpp.issueToken();
    expect((await call('/vedsdk/OAuth/createapplication', APP, token)).status).toBe(200);
    expect(tpp.requests.map((r) => r.operation)).toEqual(['CreateApplication']);
  });

  test('request errors: missing fields, duplicates, scope beyond MaximumScope, bad validity', async () => {
    const { access_token: token } = tpp.issueToken();
    expect(await call('/vedsdk/oauth/CreateApplication', { ...APP, Name: undefined }, token))
      .toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: 'Name is required.' } });
    expect((await call('/vedsdk/oauth/CreateApplication', { ...APP, Scope: 'certificate:manage,delete' }, token)).body.error_description)
      .toBe("Scope 'certificate:manage,delete' exceeds MaximumScope 'certificate:manage,revoke'.");
    expect((await call('/vedsdk/oauth/CreateApplication', { ...APP, AccessValidity: 1.5 }, token)).body.error_description)
      .toBe('AccessValidity must be a positive whole number of seconds.');
    await call('/vedsdk/oauth/CreateApplication', APP, token);
    expect((await call('/vedsdk/oauth/CreateApplication', APP, token)).body.error_description).toBe("An application with ID 'cert-bot' already exists.");
    // An update that leaves MaximumScope out resets it, which no longer covers Scope.
    expect((await call('/vedsdk/oauth/UpdateApplication', { Application: { ID: 'cert-bot', Scope: 'certificate' } }, token)).status).toBe(400);
  });

  test('a missing application: HTTP 400, or HTTP 200 with Success false and a Result', async () => {
    const { access_token: token } = tpp.issueToken();
    expect(await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'nope' }, token))
      .toMatchObject({ status: 400, body: { error: 'invalid_request', error_description: "The application 'nope' does not exist." } });
    tpp.missingApplication = 'result';
    expect(await call('/vedsdk/oauth/DeleteApplication', { ApplicationId: 'nope' }, token))
      .toMatchObject({ status: 200, body: { Success: false, Result: 2, Error_Description: "The application 'nope' does not exist." } });
  });

  test('tokens: missing or unknown → 401 invalid_token; no admin scope → 403 insufficient_scope; wrong role → 401 insufficient_rights', async () => {
    expect(await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }))
      .toMatchObject({ status: 401, body: { error: 'invalid_token' }, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    expect((await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, 'made-up')).body.error).toBe('invalid_token');
    const scoped = tpp.issueToken({ scope: 'certificate:manage;configuration' });
    expect(await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, scoped.access_token)).toMatchObject({ status: 403, body: { error: 'insufficient_scope' } });
    const auditor = tpp.issueToken({ scope: 'admin:viewlogs', roles: ['Auditor'] });
    expect((await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, auditor.access_token)).status).toBe(400);
    expect(await call('/vedsdk/oauth/CreateApplication', APP, auditor.access_token)).toMatchObject({ status: 401, body: { error: 'insufficient_rights' } });
    const owner = tpp.issueToken({ roles: ['App Owner'] });
    expect((await call('/vedsdk/oauth/DeleteApplication', { ApplicationId: 'x' }, owner.access_token)).status).toBe(400);
  });

  test('an expired access token → 401 invalid_token; the refresh token is single-use and kills the old pair', async () => {
    const first = tpp.issueToken();
    tpp.expireAccessToken(first.access_token);
    expect(await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, first.access_token))
      .toMatchObject({ status: 401, body: { error: 'invalid_token', error_description: 'The access token has expired.' } });

    const refreshed = await call('/vedauth/authorize/token', { client_id: 'cdk-appfabric', refresh_token: first.refresh_token });
    expect(refreshed).toMatchObject({ status: 200, body: { client_id: 'cdk-appfabric', token_type: 'Bearer', scope: 'admin' } });
    expect(refreshed.body.access_token).not.toBe(first.access_token);
    expect((await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, refreshed.body.access_token)).status).toBe(400);

    expect(await call('/vedauth/authorize/token', { client_id: 'cdk-appfabric', refresh_token: first.refresh_token }))
      .toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect((await call('/vedauth/authorize/token', { client_id: 'someone-else', refresh_token: refreshed.body.refresh_token })).status).toBe(400);
  });

  test('authorize/oauth, verify and revoke', async () => {
    tpp.addUser('jane', 'correct horse');
    expect((await call('/vedauth/authorize/oauth', { client_id: 'cdk-appfabric', username: 'jane', password: 'wrong', scope: 'admin' })).body.error).toBe('invalid_grant');
    const granted = await call('/vedauth/authorize/oauth', { client_id: 'cdk-appfabric', username: 'jane', password: 'correct horse', scope: 'admin' });
    expect(granted.body).toMatchObject({ scope: 'admin', token_type: 'Bearer', client_id: 'cdk-appfabric' });
    const token = granted.body.access_token;
    expect(await call('/vedauth/authorize/verify', undefined, token, 'GET')).toMatchObject({ status: 200, body: { identity: 'local:{jane}', application: 'cdk-appfabric' } });
    expect((await call('/vedauth/revoke/token', undefined, token, 'GET')).status).toBe(200);
    expect((await call('/vedauth/authorize/verify', undefined, token, 'GET')).status).toBe(401);
    expect((await call('/vedauth/authorize/token', { client_id: 'cdk-appfabric', refresh_token: granted.body.refresh_token })).status).toBe(400);
  });

  test('request log, scripted answers and fault injection from the shared machinery', async () => {
    const { access_token: token } = tpp.issueToken();
    tpp.injectFault({ operation: 'GetApplication', kind: 'throttle', retryAfterSeconds: 3 });
    tpp.injectFault({ operation: 'GetApplication', kind: 'internal' });
    tpp.scriptAnswer('GetApplication', { status: 200, body: { Result: 9, Success: false } });
    expect(await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, token)).toMatchObject({ status: 429, headers: { 'retry-after': '3' }, body: { error: 'too_many_requests' } });
    expect(await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, token)).toMatchObject({ status: 500, body: { error: 'server_error' } });
    expect(await call('/vedsdk/oauth/GetApplication', { ApplicationId: 'x' }, token)).toMatchObject({ status: 200, body: { Result: 9, Success: false } });
    expect(tpp.requests.map((r) => [r.operation, r.status])).toEqual([['GetApplication', 429], ['GetApplication', 500], ['GetApplication', 200]]);
    expect(tpp.requests[0].requestBody).toEqual({ ApplicationId: 'x' });
    expect((await call('/vedsdk/oauth/NoSuchThing', {}, token)).status).toBe(404);
  });
});
