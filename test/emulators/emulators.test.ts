import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { AppFabricAuthType, AppFabricEmulator, AppFabricEmulatorOptions, StoredAppAuthorization } from './appfabric-emulator';
import { SecretsManagerEmulator } from './secrets-manager-emulator';
import { Sha256 } from '../support/reference-signer';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
const UUID = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const CLIENT_SECRET = 'do-not-leak-this-secret';
const EXAMPLE_TENANT = { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' };

interface CallOptions {
  body?: unknown;
  query?: Record<string, string>;
  /** Sign for another service or region than the emulator's; or not at all. */
  service?: string;
  region?: string;
  unsigned?: boolean;
  /** Headers to remove after signing. */
  dropHeaders?: string[];
}

interface CallResult {
  status: number;
  headers: Headers;
  body: any;
}

/** A real HTTP call to the AppFabric emulator, SigV4-signed as the library's client would sign it. */
async function call(emulator: AppFabricEmulator, method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
  const url = new URL(path, emulator.endpoint);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  let headers: Record<string, string> = { host: url.host, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
  if (!options.unsigned) {
    const signer = new SignatureV4({
      service: options.service ?? 'appfabric', region: options.region ?? emulator.region, credentials: CREDENTIALS, sha256: Sha256,
    });
    const request = new HttpRequest({
      method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query: options.query, headers, body,
    });
    headers = (await signer.sign(request)).headers;
  }
  const { host: _host, ...sendable } = headers;
  for (const name of options.dropHeaders ?? []) delete sendable[name];
  const response = await fetch(url, { method, headers: sendable, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

function authorizationsPath(bundleArn: string, authorizationArn?: string, suffix = ''): string {
  const base = `/appbundles/${encodeURIComponent(bundleArn)}/appauthorizations`;
  return authorizationArn === undefined ? base : `${base}/${encodeURIComponent(authorizationArn)}${suffix}`;
}

function oauth2Input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    app: 'SLACK',
    authType: 'oauth2',
    tenant: EXAMPLE_TENANT,
    credential: { oauth2Credential: { clientId: 'client-123', clientSecret: CLIENT_SECRET } },
    ...overrides,
  };
}

function apiKeyInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    app: 'ASANA',
    authType: 'apiKey',
    tenant: EXAMPLE_TENANT,
    credential: { apiKeyCredential: { apiKey: 'good-key' } },
    ...overrides,
  };
}

function fieldNames(result: CallResult): string[] {
  return (result.body.fieldList as { name: string }[]).map((f) => f.name);
}

describe('AppFabric emulator', () => {
  let emulator: AppFabricEmulator;
  let bundleArn: string;

  async function startWith(options: AppFabricEmulatorOptions): Promise<void> {
    await emulator.close();
    emulator = await AppFabricEmulator.start(options);
    bundleArn = emulator.createAppBundle();
  }

  /** Test setup: an authorization stored directly, bypassing the API. */
  function put(authType: AppFabricAuthType, overrides: Partial<StoredAppAuthorization> = {}): StoredAppAuthorization {
    const credential = authType === 'oauth2'
      ? { oauth2Credential: { clientId: 'client-123', clientSecret: CLIENT_SECRET } }
      : { apiKeyCredential: { apiKey: 'good-key' } };
    return emulator.putAuthorization({
      appBundleArn: bundleArn, app: authType === 'oauth2' ? 'SLACK' : 'ASANA', authType, tenant: { ...EXAMPLE_TENANT }, credential, ...overrides,
    });
  }

  async function create(input: Record<string, unknown>): Promise<CallResult> {
    return call(emulator, 'POST', authorizationsPath(bundleArn), { body: input });
  }

  beforeEach(async () => {
    emulator = await AppFabricEmulator.start();
    bundleArn = emulator.createAppBundle();
  });

  afterEach(async () => {
    await emulator.close();
  });

  describe('HTTP machinery', () => {
    test('listens on 127.0.0.1 on a random port, one per emulator', async () => {
      const other = await AppFabricEmulator.start();
      try {
        expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect(other.endpoint).not.toBe(emulator.endpoint);
      } finally {
        await other.close();
      }
    });

    test('records every request with its operation, status, body and signed service', async () => {
      await create(oauth2Input());
      await call(emulator, 'GET', authorizationsPath(bundleArn), { query: { maxResults: '5' } });
      expect(emulator.requests).toEqual([
        expect.objectContaining({
          operation: 'CreateAppAuthorization',
          method: 'POST',
          status: 201,
          signedService: 'appfabric',
          path: authorizationsPath(bundleArn),
          requestBody: oauth2Input(),
        }),
        expect.objectContaining({ operation: 'ListAppAuthorizations', method: 'GET', status: 200, path: `${authorizationsPath(bundleArn)}?maxResults=5` }),
      ]);
      expect(emulator.requests[0].at).toBeLessThanOrEqual(emulator.requests[1].at);
      expect(emulator.count()).toBe(2);
      expect(emulator.count('ListAppAuthorizations')).toBe(1);
      expect(emulator.count('DeleteAppAuthorization')).toBe(0);
    });

    test('throttle fault: 429 ThrottlingException with Retry-After, once by default, then normal service', async () => {
      emulator.injectFault({ operation: 'CreateAppAuthorization', kind: 'throttle' });
      const throttled = await create(oauth2Input());
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('x-amzn-errortype')).toBe('ThrottlingException');
      expect(throttled.headers.get('retry-after')).toBe('1');
      expect(throttled.body.message).toEqual(expect.any(String));
      expect(emulator.authorizations()).toHaveLength(0);
      expect((await create(oauth2Input())).status).toBe(201);
      expect(emulator.requests.map((r) => r.status)).toEqual([429, 201]);
    });

    test('a fault for one operation leaves the others alone; times counts matching requests', async () => {
      emulator.injectFault({ operation: 'GetAppAuthorization', kind: 'throttle', times: 2, retryAfterSeconds: 3 });
      const created = await create(apiKeyInput());
      const arn = created.body.appAuthorization.appAuthorizationArn;
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(emulator, 'GET', authorizationsPath(bundleArn, arn))).status);
      expect(created.status).toBe(201);
      expect(statuses).toEqual([429, 429, 200]);
      expect(emulator.requests[1].status).toBe(429);
    });

    test('internal fault: 500 InternalServerException, Retry-After only when given', async () => {
      emulator.injectFault({ kind: 'internal' });
      emulator.injectFault({ kind: 'internal', retryAfterSeconds: 0 });
      const first = await create(oauth2Input());
      const second = await create(oauth2Input());
      expect([first.status, second.status]).toEqual([500, 500]);
      expect(first.headers.get('x-amzn-errortype')).toBe('InternalServerException');
      expect(first.headers.get('retry-after')).toBeNull();
      expect(second.headers.get('retry-after')).toBe('0');
    });

    test('faults are consumed in insertion order', async () => {
      emulator.injectFault({ kind: 'throttle' });
      emulator.injectFault({ kind: 'internal' });
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await call(emulator, 'GET', authorizationsPath(bundleArn))).status);
      expect(statuses).toEqual([429, 500, 200]);
    });

    test('times: Infinity keeps failing until clearFaults', async () => {
      emulator.injectFault({ kind: 'throttle', times: Infinity });
      for (let i = 0; i < 3; i++) expect((await call(emulator, 'GET', authorizationsPath(bundleArn))).status).toBe(429);
      emulator.clearFaults();
      expect((await call(emulator, 'GET', authorizationsPath(bundleArn))).status).toBe(200);
    });

    test('reset fault: the socket closes without an answer and the operation does not run', async () => {
      emulator.injectFault({ operation: 'CreateAppAuthorization', kind: 'reset' });
      await expect(create(oauth2Input())).rejects.toThrow();
      expect(emulator.authorizations()).toHaveLength(0);
      expect(emulator.requests).toEqual([expect.objectContaining({ operation: 'CreateAppAuthorization', status: 0 })]);
    });

    test('dropResponse fault: the operation runs but its response is lost', async () => {
      emulator.injectFault({ operation: 'CreateAppAuthorization', kind: 'dropResponse' });
      await expect(create(oauth2Input())).rejects.toThrow();
      expect(emulator.authorizations()).toEqual([expect.objectContaining({ app: 'SLACK', status: 'PendingConnect' })]);
      expect(emulator.requests[0].status).toBe(0);
    });

    test('delay fault and latencyMs slow the answer down', async () => {
      emulator.injectFault({ kind: 'delay', delayMs: 150 });
      let started = Date.now();
      expect((await call(emulator, 'GET', authorizationsPath(bundleArn))).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      emulator.latencyMs = 100;
      started = Date.now();
      expect((await call(emulator, 'GET', authorizationsPath(bundleArn))).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    });

    test('rateLimit: requests above the rate get 429 with a whole-second Retry-After', async () => {
      emulator.rateLimit = { perSecond: 2 };
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await call(emulator, 'GET', authorizationsPath(bundleArn)));
      expect(results.map((r) => r.status)).toEqual([200, 200, 429]);
      expect(results[2].headers.get('retry-after')).toBe('1');
      expect(results[2].headers.get('x-amzn-errortype')).toBe('ThrottlingException');
    });

    test('rejects invalid fault definitions', () => {
      expect(() => emulator.injectFault({ kind: 'delay' })).toThrow(/delayMs/);
      expect(() => emulator.injectFault({ kind: 'throttle', times: 0 })).toThrow(/times/);
      expect(() => emulator.injectFault({ kind: 'throttle', retryAfterSeconds: 1.5 })).toThrow(/retryAfterSeconds/);
    });

    test('close() cuts a pending delay short instead of waiting for it', async () => {
      emulator.injectFault({ kind: 'delay', delayMs: 30_000 });
      const pending = call(emulator, 'GET', authorizationsPath(bundleArn)).then(() => 'answered', () => 'failed');
      for (let i = 0; i < 200 && emulator.count() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(emulator.count()).toBe(1);
      const started = Date.now();
      await emulator.close();
      expect(await pending).toBe('failed');
      expect(Date.now() - started).toBeLessThan(1000);
    });

    test('after close() the endpoint refuses connections', async () => {
      const endpoint = emulator.endpoint;
      await emulator.close();
      await expect(fetch(`${endpoint}/appbundles`)).rejects.toThrow();
    });
  });

  describe('SigV4 presence check', () => {
    test.each([
      ['unsigned', { unsigned: true }],
      ['signed for another service', { service: 's3' }],
      ['signed for another region', { region: 'eu-west-1' }],
    ])('%s → 403 AccessDeniedException', async (_name, options) => {
      const result = await call(emulator, 'GET', authorizationsPath(bundleArn), options);
      expect(result.status).toBe(403);
      expect(result.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
      expect(result.body.message).toEqual(expect.any(String));
    });

    test('a signed request without X-Amz-Date → 403 AccessDeniedException', async () => {
      const result = await call(emulator, 'GET', authorizationsPath(bundleArn), { dropHeaders: ['x-amz-date'] });
      expect(result.status).toBe(403);
      expect(result.body.message).toMatch(/X-Amz-Date/);
    });

    test('records the signed service even when it is the wrong one', async () => {
      await call(emulator, 'GET', authorizationsPath(bundleArn), { service: 's3' });
      expect(emulator.requests[0].signedService).toBe('s3');
    });

    test('requireSignature: false accepts unsigned requests', async () => {
      await startWith({ requireSignature: false });
      expect((await call(emulator, 'GET', authorizationsPath(bundleArn), { unsigned: true })).status).toBe(200);
    });
  });

  describe('CreateAppAuthorization', () => {
    test('oauth2: 201, PendingConnect, ARN under the bundle, authUrl without the client secret', async () => {
      const result = await create(oauth2Input({ tags: [{ key: 'team', value: 'secops' }] }));
      expect(result.status).toBe(201);
      const a = result.body.appAuthorization;
      expect(a).toEqual({
        appAuthorizationArn: expect.stringMatching(new RegExp(`^${bundleArn}/appauthorization/[a-f0-9-]{36}$`)),
        appBundleArn: bundleArn,
        app: 'SLACK',
        tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
        authType: 'oauth2',
        status: 'PendingConnect',
        persona: 'admin',
        createdAt: expect.stringMatching(ISO_8601),
        updatedAt: expect.stringMatching(ISO_8601),
        authUrl: expect.stringMatching(/^https:\/\/slack\.example\.com\/oauth\/authorize\?client_id=client-123&state=[a-f0-9-]{36}&redirect_uri=/),
      });
      expect(a.authUrl).toContain(`redirect_uri=${encodeURIComponent('https://us-east-1.console.aws.amazon.com/appfabric/oauth2')}`);
      expect(JSON.stringify(result.body)).not.toContain(CLIENT_SECRET);
      const stored = emulator.authorizations(bundleArn);
      expect(stored).toEqual([expect.objectContaining({
        appAuthorizationArn: a.appAuthorizationArn,
        credential: { oauth2Credential: { clientId: 'client-123', clientSecret: CLIENT_SECRET } },
        tags: [{ key: 'team', value: 'secops' }],
      })]);
    });

    test('apiKey: PendingConnect and no authUrl', async () => {
      const result = await create(apiKeyInput());
      expect(result.status).toBe(201);
      expect(result.body.appAuthorization).toMatchObject({ authType: 'apiKey', status: 'PendingConnect' });
      expect(result.body.appAuthorization).not.toHaveProperty('authUrl');
    });

    test('the bundle can be named by its UUID as well as by its percent-encoded ARN', async () => {
      const bundleId = bundleArn.split('/').pop()!;
      const result = await call(emulator, 'POST', `/appbundles/${bundleId}/appauthorizations`, { body: oauth2Input() });
      expect(result.status).toBe(201);
      expect(result.body.appAuthorization.appBundleArn).toBe(bundleArn);
    });

    test('an ARN whose slash is not percent-encoded matches no route: 400 unknownOperation', async () => {
      const halfEncoded = `/appbundles/${bundleArn.replace(/:/g, '%3A')}/appauthorizations`;
      const result = await call(emulator, 'POST', halfEncoded, { body: oauth2Input() });
      expect(result.status).toBe(400);
      expect(result.body.reason).toBe('unknownOperation');
      expect(emulator.requests[0].operation).toBe('Unknown');
    });

    test('unknown bundle → 404 ResourceNotFoundException naming it', async () => {
      const missing = bundleArn.replace(/[a-f0-9-]{36}$/, '00000000-0000-4000-8000-000000000000');
      const result = await call(emulator, 'POST', authorizationsPath(missing), { body: oauth2Input() });
      expect(result.status).toBe(404);
      expect(result.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
      expect(result.body).toMatchObject({ resourceId: missing, resourceType: 'AppBundle', message: expect.any(String) });
    });

    test.each<[string, Record<string, unknown>, string[]]>([
      ['missing members', {}, ['app', 'authType', 'credential', 'tenant']],
      ['app longer than 255', oauth2Input({ app: 'A'.repeat(256) }), ['app']],
      ['unknown authType', oauth2Input({ authType: 'basic' }), ['authType']],
      ['empty tenant members', oauth2Input({ tenant: { tenantIdentifier: '', tenantDisplayName: '' } }), ['tenant.tenantIdentifier', 'tenant.tenantDisplayName']],
      ['both credential members', oauth2Input({ credential: { oauth2Credential: { clientId: 'a', clientSecret: 'b' }, apiKeyCredential: { apiKey: 'c' } } }), ['credential']],
      ['no credential member', oauth2Input({ credential: {} }), ['credential']],
      ['credential of the other authType', oauth2Input({ credential: { apiKeyCredential: { apiKey: 'k' } } }), ['credential']],
      ['oauth2 credential without secret', oauth2Input({ credential: { oauth2Credential: { clientId: 'a' } } }), ['credential.oauth2Credential.clientSecret']],
      ['clientToken not a lowercase UUID', oauth2Input({ clientToken: 'ABC' }), ['clientToken']],
      ['51 tags', oauth2Input({ tags: Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' })) }), ['tags']],
      ['tag key too long', oauth2Input({ tags: [{ key: 'k'.repeat(129), value: '' }] }), ['tags.1.key']],
    ])('%s → 400 ValidationException listing the fields', async (_name, input, fields) => {
      const result = await create(input);
      expect(result.status).toBe(400);
      expect(result.headers.get('x-amzn-errortype')).toBe('ValidationException');
      expect(result.body.reason).toBe('fieldValidationFailed');
      expect(fieldNames(result).sort()).toEqual([...fields].sort());
      expect(emulator.authorizations()).toHaveLength(0);
    });

    test('validation messages never echo the values (some are secrets)', async () => {
      const result = await create(oauth2Input({ credential: { oauth2Credential: { clientId: 'x', clientSecret: `${CLIENT_SECRET}${'x'.repeat(2048)}` } } }));
      expect(fieldNames(result)).toEqual(['credential.oauth2Credential.clientSecret']);
      expect(JSON.stringify(result.body)).not.toContain(CLIENT_SECRET);
    });

    test('a body that is not JSON → 400 ValidationException cannotParse', async () => {
      const result = await call(emulator, 'POST', authorizationsPath(bundleArn), { body: '{"app":' });
      expect(result.status).toBe(400);
      expect(result.body.reason).toBe('cannotParse');
    });

    test('same clientToken and parameters → the same authorization, not a second one', async () => {
      const clientToken = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
      const first = await create(oauth2Input({ clientToken }));
      const second = await create(oauth2Input({ clientToken }));
      expect([first.status, second.status]).toEqual([201, 201]);
      expect(second.body.appAuthorization.appAuthorizationArn).toBe(first.body.appAuthorization.appAuthorizationArn);
      expect(emulator.authorizations()).toEqual([expect.objectContaining({ clientToken })]);
    });

    test('same clientToken with different parameters → 409 ConflictException (IdempotentParameterMismatch)', async () => {
      const clientToken = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
      const first = await create(oauth2Input({ clientToken }));
      const second = await create(oauth2Input({ clientToken, tenant: { tenantIdentifier: 'other', tenantDisplayName: 'Other' } }));
      expect(second.status).toBe(409);
      expect(second.headers.get('x-amzn-errortype')).toBe('ConflictException');
      expect(second.body.message).toMatch(/client token .* different parameters/i);
      expect(second.body.resourceId).toBe(first.body.appAuthorization.appAuthorizationArn);
      expect(emulator.authorizations()).toHaveLength(1);
    });

    test('a second authorization for the same app and tenant → 409 naming the existing one', async () => {
      const first = await create(oauth2Input());
      const existingArn = first.body.appAuthorization.appAuthorizationArn;
      const second = await create(oauth2Input({ tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Renamed' } }));
      expect(second.status).toBe(409);
      expect(second.body).toMatchObject({ resourceId: existingArn, resourceType: 'AppAuthorization' });
      expect(second.body.message).toContain(existingArn);
      expect((await create(oauth2Input({ app: 'JIRA' }))).status).toBe(201);
    });

    test('the 51st authorization in the account and Region → 402 ServiceQuotaExceededException', async () => {
      const otherBundle = emulator.createAppBundle();
      for (let i = 0; i < 50; i++) {
        emulator.putAuthorization({ appBundleArn: i < 25 ? bundleArn : otherBundle, app: 'SLACK', authType: 'oauth2', tenant: { tenantIdentifier: `t${i}`, tenantDisplayName: 'T' } });
      }
      const result = await create(oauth2Input());
      expect(result.status).toBe(402);
      expect(result.headers.get('x-amzn-errortype')).toBe('ServiceQuotaExceededException');
      expect(result.body).toMatchObject({ message: expect.stringContaining('50'), serviceCode: 'appfabric' });
    });
  });

  describe('Get, Update, Delete and List', () => {
    test('Get by ARN or by UUID; unknown → 404 with resourceId and resourceType', async () => {
      const created = put('apiKey');
      const byArn = await call(emulator, 'GET', authorizationsPath(bundleArn, created.appAuthorizationArn));
      const byId = await call(emulator, 'GET', authorizationsPath(bundleArn, created.appAuthorizationArn.split('/').pop()));
      expect(byArn.status).toBe(200);
      expect(byArn.body.appAuthorization.appAuthorizationArn).toBe(created.appAuthorizationArn);
      expect(byId.body).toEqual(byArn.body);
      const missingArn = `${bundleArn}/appauthorization/00000000-0000-4000-8000-000000000000`;
      const missing = await call(emulator, 'GET', authorizationsPath(bundleArn, missingArn));
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ resourceId: missingArn, resourceType: 'AppAuthorization' });
    });

    test('an authorization is not found under another bundle', async () => {
      const created = put('apiKey');
      const otherBundle = emulator.createAppBundle();
      expect((await call(emulator, 'GET', authorizationsPath(otherBundle, created.appAuthorizationArn))).status).toBe(404);
    });

    test('Update of a Connected authorization stores the change and goes back to PendingConnect', async () => {
      const created = put('oauth2', { status: 'Connected', updatedAt: '2020-01-01T00:00:00.000Z' });
      const credential = { oauth2Credential: { clientId: 'client-456', clientSecret: 'new-secret' } };
      const result = await call(emulator, 'PATCH', authorizationsPath(bundleArn, created.appAuthorizationArn), {
        body: { credential, tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corporation' } },
      });
      expect(result.status).toBe(200);
      expect(result.body.appAuthorization).toMatchObject({
        status: 'PendingConnect', tenant: { tenantDisplayName: 'Example Corporation' }, authUrl: expect.stringContaining('client_id=client-456'),
      });
      expect(result.body.appAuthorization.updatedAt).not.toBe('2020-01-01T00:00:00.000Z');
      expect(emulator.authorizations()[0].credential).toEqual(credential);
    });

    test('Update to a tenant another authorization of the app has → 409; other rules → 400', async () => {
      const taken = put('oauth2', { tenant: { tenantIdentifier: 'taken', tenantDisplayName: 'T' } });
      const created = put('oauth2');
      const path = authorizationsPath(bundleArn, created.appAuthorizationArn);
      const conflict = await call(emulator, 'PATCH', path, { body: { tenant: { tenantIdentifier: 'taken', tenantDisplayName: 'X' } } });
      expect(conflict.status).toBe(409);
      expect(conflict.body.resourceId).toBe(taken.appAuthorizationArn);
      const wrongType = await call(emulator, 'PATCH', path, { body: { credential: { apiKeyCredential: { apiKey: 'k' } } } });
      expect(wrongType.status).toBe(400);
      expect(fieldNames(wrongType)).toEqual(['credential']);
      expect(emulator.authorizations(bundleArn).map((a) => a.tenant.tenantIdentifier)).toEqual(['taken', 'examplecorp']);
    });

    test('Delete → 204 with no body; then Get and Delete → 404', async () => {
      const created = put('apiKey');
      const path = authorizationsPath(bundleArn, created.appAuthorizationArn);
      const deleted = await call(emulator, 'DELETE', path);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBeUndefined();
      expect(emulator.authorizations()).toHaveLength(0);
      expect((await call(emulator, 'GET', path)).status).toBe(404);
      expect((await call(emulator, 'DELETE', path)).status).toBe(404);
    });

    test('List pages with maxResults and nextToken; items are summaries', async () => {
      for (let i = 0; i < 5; i++) {
        put('apiKey', { tenant: { tenantIdentifier: `t${i}`, tenantDisplayName: 'T' } });
      }
      const seen: string[] = [];
      let nextToken: string | undefined;
      let pages = 0;
      do {
        const query: Record<string, string> = { maxResults: '2', ...(nextToken ? { nextToken } : {}) };
        const page = await call(emulator, 'GET', authorizationsPath(bundleArn), { query });
        expect(page.status).toBe(200);
        expect(Object.keys(page.body.appAuthorizationSummaryList[0]).sort()).toEqual(['app', 'appAuthorizationArn', 'appBundleArn', 'status', 'tenant', 'updatedAt']);
        seen.push(...page.body.appAuthorizationSummaryList.map((s: any) => s.tenant.tenantIdentifier));
        nextToken = page.body.nextToken;
        pages++;
      } while (nextToken && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual(['t0', 't1', 't2', 't3', 't4']);
    });

    test('List without maxResults answers pages of 25, so a caller that ignores nextToken misses items', async () => {
      for (let i = 0; i < 30; i++) put('apiKey', { tenant: { tenantIdentifier: `t${i}`, tenantDisplayName: 'T' } });
      const first = await call(emulator, 'GET', authorizationsPath(bundleArn));
      expect(first.body.appAuthorizationSummaryList).toHaveLength(25);
      const rest = await call(emulator, 'GET', authorizationsPath(bundleArn), { query: { nextToken: first.body.nextToken } });
      expect(rest.body.appAuthorizationSummaryList).toHaveLength(5);
      expect(rest.body).not.toHaveProperty('nextToken');
    });

    test.each([['0'], ['101'], ['ten']])('List with maxResults=%s → 400', async (maxResults) => {
      const result = await call(emulator, 'GET', authorizationsPath(bundleArn), { query: { maxResults } });
      expect(result.status).toBe(400);
      expect(fieldNames(result)).toEqual(['maxResults']);
    });

    test('List with a nextToken from another list → 400', async () => {
      for (let i = 0; i < 3; i++) emulator.createAppBundle();
      const bundles = await call(emulator, 'GET', '/appbundles', { query: { maxResults: '1' } });
      expect(bundles.body.nextToken).toEqual(expect.any(String));
      const result = await call(emulator, 'GET', authorizationsPath(bundleArn), { query: { nextToken: bundles.body.nextToken } });
      expect(result.status).toBe(400);
      expect(fieldNames(result)).toEqual(['nextToken']);
    });
  });

  describe('ConnectAppAuthorization', () => {
    async function connect(arn: string, body?: unknown): Promise<CallResult> {
      return call(emulator, 'POST', authorizationsPath(bundleArn, arn, '/connect'), { body });
    }

    test('apiKey with a valid key → 200 and Connected (response is appAuthorizationSummary per the model)', async () => {
      const created = put('apiKey');
      const result = await connect(created.appAuthorizationArn);
      expect(result.status).toBe(200);
      expect(result.body.appAuthorizationSummary).toMatchObject({ appAuthorizationArn: created.appAuthorizationArn, status: 'Connected' });
      expect(emulator.authorizations()[0].status).toBe('Connected');
    });

    test('apiKey with a rejected key → 200 and ConnectionValidationFailed', async () => {
      const created = put('apiKey', { credential: { apiKeyCredential: { apiKey: 'invalid-key' } } });
      const result = await connect(created.appAuthorizationArn, {});
      expect(result.status).toBe(200);
      expect(result.body.appAuthorizationSummary.status).toBe('ConnectionValidationFailed');
    });

    test('isApiKeyValid decides which keys connect', async () => {
      await startWith({ isApiKeyValid: (key) => key === 'the-one' });
      const created = put('apiKey');
      expect((await connect(created.appAuthorizationArn)).body.appAuthorizationSummary.status).toBe('ConnectionValidationFailed');
    });

    test('connectPendingReads: Get answers PendingConnect that many times, then the outcome', async () => {
      await startWith({ connectPendingReads: 2 });
      const created = put('apiKey');
      expect((await connect(created.appAuthorizationArn)).body.appAuthorizationSummary.status).toBe('PendingConnect');
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await call(emulator, 'GET', authorizationsPath(bundleArn, created.appAuthorizationArn))).body.appAuthorization.status);
      }
      expect(statuses).toEqual(['PendingConnect', 'PendingConnect', 'Connected', 'Connected']);
    });

    test('apiKey with an authRequest → 400', async () => {
      const created = put('apiKey');
      const result = await connect(created.appAuthorizationArn, { authRequest: { redirectUri: 'https://x.example.com', code: 'c' } });
      expect(result.status).toBe(400);
      expect(fieldNames(result)).toEqual(['authRequest']);
    });

    test('oauth2 with an issued code → Connected; the same code again → 400 invalid or expired', async () => {
      const created = put('oauth2');
      const code = emulator.issueOAuthCode(created.appAuthorizationArn);
      const authRequest = { redirectUri: 'https://us-east-1.console.aws.amazon.com/appfabric/oauth2', code };
      const first = await connect(created.appAuthorizationArn, { authRequest });
      expect(first.status).toBe(200);
      expect(first.body.appAuthorizationSummary.status).toBe('Connected');
      const again = await connect(created.appAuthorizationArn, { authRequest });
      expect(again.status).toBe(400);
      expect(again.body.message).toMatch(/invalid or (has )?expired/);
    });

    test.each<[string, (arn: string, other: string) => unknown]>([
      ['an expired code', (arn) => ({ redirectUri: 'https://a.example.com/cb', code: emulator.issueOAuthCode(arn, { expired: true }) })],
      ['an unknown code', () => ({ redirectUri: 'https://a.example.com/cb', code: 'never-issued' })],
      ['another authorization\'s code', (_arn, other) => ({ redirectUri: 'https://a.example.com/cb', code: emulator.issueOAuthCode(other) })],
    ])('oauth2 with %s → 400 and still PendingConnect', async (_name, authRequestFor) => {
      const created = put('oauth2');
      const other = put('oauth2', { app: 'JIRA' });
      const authRequest = authRequestFor(created.appAuthorizationArn, other.appAuthorizationArn);
      const result = await connect(created.appAuthorizationArn, { authRequest });
      expect(result.status).toBe(400);
      expect(result.body.message).toMatch(/invalid or (has )?expired/);
      expect(emulator.authorizations()[0].status).toBe('PendingConnect');
    });

    test.each<[string, unknown, string[]]>([
      ['no authRequest', {}, ['authRequest']],
      ['an http redirectUri', { authRequest: { redirectUri: 'http://insecure.example.com', code: 'c' } }, ['authRequest.redirectUri']],
      ['no code', { authRequest: { redirectUri: 'https://a.example.com' } }, ['authRequest.code']],
    ])('oauth2 with %s → 400 ValidationException', async (_name, body, fields) => {
      const created = put('oauth2');
      const result = await connect(created.appAuthorizationArn, body);
      expect(result.status).toBe(400);
      expect(fieldNames(result)).toEqual(fields);
    });
  });

  describe('app bundles', () => {
    test('CreateAppBundle → 201 once; a second bundle exceeds the quota (402)', async () => {
      await emulator.close();
      emulator = await AppFabricEmulator.start();
      const created = await call(emulator, 'POST', '/appbundles', { body: { customerManagedKeyIdentifier: '1234abcd-12ab-34cd-56ef-1234567890ab' } });
      expect(created.status).toBe(201);
      expect(created.body.appBundle).toEqual({
        arn: expect.stringMatching(/^arn:aws:appfabric:us-east-1:111122223333:appbundle\/[a-f0-9-]{36}$/),
        customerManagedKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      });
      expect((await call(emulator, 'POST', '/appbundles', { body: {} })).status).toBe(402);
      const got = await call(emulator, 'GET', `/appbundles/${encodeURIComponent(created.body.appBundle.arn)}`);
      expect(got.body).toEqual(created.body);
      const listed = await call(emulator, 'GET', '/appbundles');
      expect(listed.body).toEqual({ appBundleSummaryList: [{ arn: created.body.appBundle.arn }] });
    });

    test('DeleteAppBundle: 409 while it has authorizations, 204 once empty', async () => {
      const created = put('apiKey');
      const path = `/appbundles/${encodeURIComponent(bundleArn)}`;
      expect((await call(emulator, 'DELETE', path)).status).toBe(409);
      await call(emulator, 'DELETE', authorizationsPath(bundleArn, created.appAuthorizationArn));
      expect((await call(emulator, 'DELETE', path)).status).toBe(204);
      expect((await call(emulator, 'GET', path)).status).toBe(404);
    });
  });

  describe('test-setup helpers', () => {
    test('putAuthorization refuses an unknown bundle and a duplicate (app, tenant)', () => {
      put('apiKey');
      expect(() => put('apiKey')).toThrow(/already exists/);
      expect(() => put('apiKey', { appBundleArn: 'arn:nope' })).toThrow(/unknown bundle/);
    });

    test('setStatus changes what Get answers; authorizations() returns copies', async () => {
      const created = put('oauth2');
      emulator.setStatus(created.appAuthorizationArn, 'TokenAutoRotationFailed');
      emulator.authorizations()[0].status = 'Connected';
      const got = await call(emulator, 'GET', authorizationsPath(bundleArn, created.appAuthorizationArn));
      expect(got.body.appAuthorization.status).toBe('TokenAutoRotationFailed');
      expect(() => emulator.setStatus('arn:nope', 'Connected')).toThrow(/unknown authorization/);
    });

    test('errorTypeSuffix is appended to x-amzn-errortype', async () => {
      await startWith({ errorTypeSuffix: 'http://internal.amazon.com/coral/com.amazonaws.fabric/' });
      const result = await call(emulator, 'GET', authorizationsPath(bundleArn, '00000000-0000-0000-0000-000000000000'));
      expect(result.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.fabric/');
    });
  });
});

describe('Secrets Manager emulator (real @aws-sdk/client-secrets-manager client)', () => {
  let emulator: SecretsManagerEmulator;
  let client: SecretsManagerClient;

  beforeEach(async () => {
    emulator = await SecretsManagerEmulator.start();
    client = new SecretsManagerClient({ endpoint: emulator.endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 3 });
  });

  afterEach(async () => {
    client.destroy();
    await emulator.close();
  });

  test('putSecret returns the full ARN with a 6-character suffix that stays with the secret', () => {
    const arn = emulator.putSecret('app/slack', '{"clientId":"a"}');
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:111122223333:secret:app\/slack-[A-Za-z0-9]{6}$/);
    expect(emulator.putSecret('app/slack', '{"clientId":"b"}')).toBe(arn);
    expect(emulator.secretString(arn)).toBe('{"clientId":"b"}');
    expect(emulator.versionId('app/slack')).toMatch(UUID);
  });

  test.each([
    ['name', () => 'app/asana'],
    ['full ARN', (arn: string) => arn],
    ['partial ARN', (arn: string) => arn.slice(0, -7)],
  ])('GetSecretValue by %s', async (_name, idFor) => {
    const arn = emulator.putSecret('app/asana', '{"token":"t1"}');
    const result = await client.send(new GetSecretValueCommand({ SecretId: idFor(arn) }));
    expect(result).toMatchObject({
      ARN: arn, Name: 'app/asana', SecretString: '{"token":"t1"}', VersionId: emulator.versionId(arn), VersionStages: ['AWSCURRENT'],
    });
    expect(result.CreatedDate).toBeInstanceOf(Date);
    expect(Math.abs(result.CreatedDate!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(emulator.requests[0]).toMatchObject({ operation: 'GetSecretValue', method: 'POST', path: '/', status: 200, signedService: 'secretsmanager' });
  });

  test('PutSecretValue adds a new AWSCURRENT; the old one becomes AWSPREVIOUS and stays readable', async () => {
    const arn = emulator.putSecret('app/asana', 'v1');
    const firstVersion = emulator.versionId(arn);
    const put = await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v2' }));
    expect(put).toMatchObject({ ARN: arn, Name: 'app/asana', VersionStages: ['AWSCURRENT'] });
    expect(put.VersionId).toBe(emulator.versionId(arn));
    expect(emulator.secretString('app/asana')).toBe('v2');
    const previous = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }));
    expect(previous).toMatchObject({ SecretString: 'v1', VersionId: firstVersion, VersionStages: ['AWSPREVIOUS'] });
    const byId = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: firstVersion }));
    expect(byId.SecretString).toBe('v1');
  });

  test('PutSecretValue with a repeated ClientRequestToken is idempotent', async () => {
    const arn = emulator.putSecret('app/asana', 'v1');
    const token = 'b1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
    const first = await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v2', ClientRequestToken: token }));
    const second = await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v2', ClientRequestToken: token }));
    expect([first.VersionId, second.VersionId]).toEqual([token, token]);
    const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    expect(Object.values(described.VersionIdsToStages ?? {}).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
    expect(described.VersionIdsToStages?.[token]).toEqual(['AWSCURRENT']);
    await expect(client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'v3', ClientRequestToken: token })))
      .rejects.toMatchObject({ name: 'ResourceExistsException' });
  });

  test('a missing secret surfaces as the SDK\'s ResourceNotFoundException, without retries', async () => {
    const error = await client.send(new GetSecretValueCommand({ SecretId: 'missing' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect((error as ResourceNotFoundException).message).toBe("Secrets Manager can't find the specified secret.");
    expect((error as ResourceNotFoundException).$metadata.httpStatusCode).toBe(400);
    expect(emulator.count('GetSecretValue')).toBe(1);
  });

  test('the wire error has the documented shape and x-amzn-ErrorType header', async () => {
    await emulator.close();
    emulator = await SecretsManagerEmulator.start({ requireSignature: false });
    const response = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: 'missing' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await response.json()).toEqual({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
  });

  test('an unsigned request is rejected', async () => {
    const response = await fetch(emulator.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  test.each([
    ['an injected 500', { kind: 'internal' as const }, 500],
    ['an injected throttle (400 ThrottlingException)', { kind: 'throttle' as const, retryAfterSeconds: 0 }, 400],
    ['a connection reset', { kind: 'reset' as const }, 0],
  ])('the SDK retries %s and then succeeds', async (_name, fault, firstStatus) => {
    emulator.putSecret('app/asana', 'v1');
    emulator.injectFault({ operation: 'GetSecretValue', ...fault });
    const result = await client.send(new GetSecretValueCommand({ SecretId: 'app/asana' }));
    expect(result.SecretString).toBe('v1');
    expect(result.$metadata.attempts).toBe(2);
    expect(emulator.requests.map((r) => r.status)).toEqual([firstStatus, 200]);
  });

  test('the SDK gives up after maxAttempts of 500s and reports InternalServiceError', async () => {
    emulator.putSecret('app/asana', 'v1');
    emulator.injectFault({ operation: 'GetSecretValue', kind: 'internal', times: Infinity });
    const error = await client.send(new GetSecretValueCommand({ SecretId: 'app/asana' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InternalServiceError', $metadata: { httpStatusCode: 500, attempts: 3 } });
    expect(emulator.count('GetSecretValue')).toBe(3);
  });

  test('faults address operations by name', async () => {
    const arn = emulator.putSecret('app/asana', 'v1');
    emulator.injectFault({ operation: 'PutSecretValue', kind: 'internal', times: Infinity });
    await expect(client.send(new GetSecretValueCommand({ SecretId: arn }))).resolves.toMatchObject({ SecretString: 'v1' });
    expect(emulator.count('GetSecretValue')).toBe(1);
  });

  test('deleteSecret: the secret is gone; re-creating it gives a new ARN suffix', async () => {
    const arn = emulator.putSecret('app/asana', 'v1');
    emulator.deleteSecret('app/asana');
    expect(emulator.secretString('app/asana')).toBeUndefined();
    await expect(client.send(new GetSecretValueCommand({ SecretId: arn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const recreated = emulator.putSecret('app/asana', 'v2');
    expect(recreated.slice(0, -6)).toBe(arn.slice(0, -6));
    expect(emulator.secretString(arn)).toBeUndefined();
    expect(emulator.secretString(recreated)).toBe('v2');
  });
});
