import { APPFABRIC_ROUTES, AppFabricEmulator, AppFabricRoute } from './appfabric-emulator';
import { MODEL, ShapeRef, errorStatus, inputLayout, modelOperation, patternOf, shapeOf } from './appfabric-service-model';

/**
 * Conformance of the AppFabric emulator with the official service model (appfabric-model.json,
 * see appfabric-model.ORIGIN.md): its routes, the JSON it sends over HTTP, and its validation,
 * which must reject exactly what the model forbids and accept what it allows.
 * The client's own requests are held to the model in test/internal/appfabric-client.test.ts.
 */

/** The operations the library's handler calls, plus the bundle operations its tests use. */
const REQUIRED_OPERATIONS = [
  'CreateAppBundle', 'GetAppBundle', 'ListAppBundles', 'DeleteAppBundle',
  'CreateAppAuthorization', 'GetAppAuthorization', 'UpdateAppAuthorization',
  'ConnectAppAuthorization', 'DeleteAppAuthorization', 'ListAppAuthorizations',
  'TagResource', 'UntagResource', 'ListTagsForResource',
  'GetIngestion', 'StartIngestion', 'StopIngestion',
];

/** Input member names of an operation at one location (undefined = the JSON body). */
function inputMembers(name: string, location: 'uri' | 'querystring' | undefined): string[] {
  const layout = inputLayout(modelOperation(name));
  const names = location === 'uri' ? layout.labels : location === 'querystring' ? Object.values(layout.query) : layout.body;
  return [...names].sort();
}

function uriLabels(uri: string): string[] {
  return [...uri.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
}

/** Where a JSON value departs from a model shape: unknown or missing members, wrong types, bad unions. */
function shapeProblems(ref: ShapeRef | undefined, value: unknown, at: string): string[] {
  const shape = shapeOf(ref);
  switch (shape.type) {
    case 'structure': return structureProblems(ref, value, at);
    case 'list':
      if (!Array.isArray(value)) return [`${at}: expected a list`];
      return value.flatMap((item, i) => shapeProblems(shape.member, item, `${at}[${i}]`));
    case 'timestamp':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
        ? [] : [`${at}: expected an ISO-8601 timestamp string`];
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : [`${at}: expected an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean`];
    default:
      if (typeof value !== 'string') return [`${at}: expected a string`];
      return shape.enum && !shape.enum.includes(value) ? [`${at}: not one of the model's values ${shape.enum.join(', ')}`] : [];
  }
}

function structureProblems(ref: ShapeRef | undefined, value: unknown, at: string): string[] {
  const shape = shapeOf(ref);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: expected a structure`];
  const members = shape.members ?? {};
  const present = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined);
  const problems = [
    ...present.filter((k) => !(k in members)).map((k) => `${at}.${k}: not a member in the model`),
    ...(shape.required ?? []).filter((k) => !present.includes(k)).map((k) => `${at}.${k}: required by the model but missing`),
    ...present.filter((k) => k in members).flatMap((k) => shapeProblems(members[k], (value as Record<string, unknown>)[k], `${at}.${k}`)),
  ];
  if (shape.union && present.length !== 1) problems.push(`${at}: a union must have exactly one member, has ${present.length}`);
  return problems;
}

describe('the model copy', () => {
  test('is the AppFabric restJson1 model signed as appfabric', () => {
    expect(MODEL.metadata).toMatchObject({ protocol: 'rest-json', signingName: 'appfabric' });
  });

  test('carries the constraints the emulator validates with, and every pattern compiles', () => {
    expect(shapeOf({ shape: 'RedirectUri' })).toMatchObject({ max: 1024 });
    expect(shapeOf({ shape: 'AuthType' }).enum).toEqual(['oauth2', 'apiKey']);
    for (const shape of Object.values(MODEL.shapes)) {
      if (shape.pattern !== undefined) expect(() => patternOf(shape.pattern!)).not.toThrow();
    }
    expect(patternOf(shapeOf({ shape: 'Identifier' }).pattern!).test('arn:aws:appfabric:us-east-1:1:appbundle/x')).toBe(true);
    expect(patternOf(shapeOf({ shape: 'Identifier' }).pattern!).test('x0a1b2c3d-0a1b-4c2d-8e3f-0a1b2c3d4e5f')).toBe(false);
    expect(errorStatus('ServiceQuotaExceededException')).toBe(402);
  });

  test('the shape checker finds unknown members, missing required members, wrong types and bad unions', () => {
    const output = modelOperation('GetAppAuthorization').output;
    expect(shapeProblems(output, { appAuthorization: { appAuthorizationArn: 'a', extra: 1, createdAt: 'yesterday' } }, '$')).toEqual(expect.arrayContaining([
      '$.appAuthorization.extra: not a member in the model',
      '$.appAuthorization.app: required by the model but missing',
      '$.appAuthorization.createdAt: expected an ISO-8601 timestamp string',
    ]));
    const credential = shapeOf(modelOperation('CreateAppAuthorization').input).members!.credential;
    expect(shapeProblems(credential, { oauth2Credential: { clientId: 'a', clientSecret: 'b' }, apiKeyCredential: { apiKey: 'c' } }, '$'))
      .toEqual(['$: a union must have exactly one member, has 2']);
  });
});

describe('route table', () => {
  test('serves every operation the library needs, each once', () => {
    const served = APPFABRIC_ROUTES.map((r) => r.operation);
    expect([...served].sort()).toEqual([...REQUIRED_OPERATIONS].sort());
    expect(new Set(APPFABRIC_ROUTES.map((r) => `${r.method} ${r.uri}`)).size).toBe(APPFABRIC_ROUTES.length);
  });

  describe.each(APPFABRIC_ROUTES.map((r): [string, AppFabricRoute] => [r.operation, r]))('%s', (name, route) => {
    const operation = modelOperation(name);

    test('method, URI and success code match the model', () => {
      expect({ method: route.method, uri: route.uri, successCode: route.successCode }).toEqual({
        method: operation.http.method ?? 'POST',
        uri: operation.http.requestUri,
        successCode: operation.http.responseCode ?? 200,
      });
    });

    test('URI labels, query parameters and body members match the model input', () => {
      expect(uriLabels(route.uri)).toEqual(inputMembers(name, 'uri'));
      expect([...route.queryParameters].sort()).toEqual(inputMembers(name, 'querystring'));
      expect([...route.bodyMembers].sort()).toEqual(inputMembers(name, undefined));
      expect(inputLayout(operation).headers).toEqual([]);
    });

    test('response members match the model output', () => {
      expect([...route.responseMembers].sort()).toEqual(Object.keys(shapeOf(operation.output).members ?? {}).sort());
    });
  });
});

describe('responses on the wire', () => {
  let emulator: AppFabricEmulator;

  beforeAll(async () => {
    // Signing is not what this suite checks; emulators.test.ts covers it.
    emulator = await AppFabricEmulator.start({ requireSignature: false });
  });

  afterAll(async () => {
    await emulator.close();
  });

  /** Sends a request and checks the status and body against the model's route and output shape. */
  async function expectConformingCall(operation: string, method: string, uri: string, body?: unknown): Promise<any> {
    const response = await fetch(`${emulator.endpoint}${uri}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const output = text === '' ? undefined : JSON.parse(text);
    const modelOp = modelOperation(operation);
    expect({ operation, status: response.status }).toEqual({ operation, status: modelOp.http.responseCode ?? 200 });
    if (Object.keys(shapeOf(modelOp.output).members ?? {}).length === 0) {
      expect(output).toBeUndefined();
    } else {
      expect(shapeProblems(modelOp.output, output, operation)).toEqual([]);
    }
    return output;
  }

  test('a full lifecycle answers with the model\'s output shapes', async () => {
    const bundle = await expectConformingCall('CreateAppBundle', 'POST', '/appbundles', { customerManagedKeyIdentifier: '0a1b2c3d-0a1b-4c2d-8e3f-000000000001' });
    const bundlePath = `/appbundles/${encodeURIComponent(bundle.appBundle.arn)}`;
    await expectConformingCall('GetAppBundle', 'GET', bundlePath);
    await expectConformingCall('ListAppBundles', 'GET', '/appbundles?maxResults=1');

    const tenant = { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' };
    const oauth2 = await expectConformingCall('CreateAppAuthorization', 'POST', `${bundlePath}/appauthorizations`, {
      app: 'SLACK',
      authType: 'oauth2',
      tenant,
      credential: { oauth2Credential: { clientId: 'id', clientSecret: 'secret' } },
      clientToken: '0a1b2c3d-0a1b-4c2d-8e3f-0a1b2c3d4e5f',
      tags: [{ key: 'k', value: 'v' }],
    });
    const apiKey = await expectConformingCall('CreateAppAuthorization', 'POST', `${bundlePath}/appauthorizations`, {
      app: 'ASANA', authType: 'apiKey', tenant, credential: { apiKeyCredential: { apiKey: 'key' } },
    });
    const oauth2Path = `${bundlePath}/appauthorizations/${encodeURIComponent(oauth2.appAuthorization.appAuthorizationArn)}`;
    const apiKeyPath = `${bundlePath}/appauthorizations/${encodeURIComponent(apiKey.appAuthorization.appAuthorizationArn)}`;

    await expectConformingCall('GetAppAuthorization', 'GET', oauth2Path);
    await expectConformingCall('UpdateAppAuthorization', 'PATCH', apiKeyPath, { tenant: { ...tenant, tenantDisplayName: 'Renamed' } });
    await expectConformingCall('ConnectAppAuthorization', 'POST', `${apiKeyPath}/connect`, {});
    const code = emulator.issueOAuthCode(oauth2.appAuthorization.appAuthorizationArn);
    await expectConformingCall('ConnectAppAuthorization', 'POST', `${oauth2Path}/connect`, {
      authRequest: { redirectUri: 'https://us-east-1.console.aws.amazon.com/appfabric/oauth2', code },
    });
    const page = await expectConformingCall('ListAppAuthorizations', 'GET', `${bundlePath}/appauthorizations?maxResults=1`);
    await expectConformingCall('ListAppAuthorizations', 'GET', `${bundlePath}/appauthorizations?nextToken=${encodeURIComponent(page.nextToken)}`);

    const tagsPath = `/tags/${encodeURIComponent(oauth2.appAuthorization.appAuthorizationArn)}`;
    await expectConformingCall('TagResource', 'POST', tagsPath, { tags: [{ key: 'team', value: 'security' }] });
    await expectConformingCall('ListTagsForResource', 'GET', tagsPath);
    await expectConformingCall('UntagResource', 'DELETE', `${tagsPath}?tagKeys=team&tagKeys=k`);
    expect(emulator.authorizations().find((a) => a.app === 'SLACK')?.tags).toEqual([]);

    const ingestion = emulator.putIngestion({ appBundleArn: oauth2.appAuthorization.appBundleArn, app: 'SLACK', tenantId: 'examplecorp' });
    const ingestionPath = `${bundlePath}/ingestions/${encodeURIComponent(ingestion.arn)}`;
    await expectConformingCall('StartIngestion', 'POST', `${ingestionPath}/start`);
    await expectConformingCall('StopIngestion', 'POST', `${ingestionPath}/stop`);
    await expectConformingCall('GetIngestion', 'GET', ingestionPath);

    await expectConformingCall('DeleteAppAuthorization', 'DELETE', oauth2Path);
    await expectConformingCall('DeleteAppAuthorization', 'DELETE', apiKeyPath);
    await expectConformingCall('DeleteAppBundle', 'DELETE', bundlePath);

    const served = new Set(emulator.requests.map((r) => r.operation));
    expect([...served].sort()).toEqual([...REQUIRED_OPERATIONS].sort());
  });
});

describe('validation: exactly what the model forbids', () => {
  let emulator: AppFabricEmulator;
  let bundlePath: string;
  let oauth2Arn: string;
  let apiKeyPath: string;

  beforeAll(async () => {
    emulator = await AppFabricEmulator.start({ requireSignature: false });
    const bundleArn = emulator.createAppBundle();
    bundlePath = `/appbundles/${encodeURIComponent(bundleArn)}`;
    oauth2Arn = emulator.putAuthorization({ appBundleArn: bundleArn, app: 'SLACK', authType: 'oauth2', tenant: { tenantIdentifier: 't', tenantDisplayName: 'T' } }).appAuthorizationArn;
    const apiKeyArn = emulator.putAuthorization({
      appBundleArn: bundleArn,
      app: 'ASANA',
      authType: 'apiKey',
      tenant: { tenantIdentifier: 't', tenantDisplayName: 'T' },
      tags: [{ key: 'a+b', value: '' }, { key: 'a b', value: '' }],
    }).appAuthorizationArn;
    apiKeyPath = `${bundlePath}/appauthorizations/${encodeURIComponent(apiKeyArn)}`;
  });

  afterAll(async () => {
    await emulator.close();
  });

  async function send(method: string, target: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${emulator.endpoint}${target}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  const connectOAuth2 = (authRequest: unknown) =>
    send('POST', `${bundlePath}/appauthorizations/${encodeURIComponent(oauth2Arn)}/connect`, { authRequest });

  test('a redirectUri of 1,024 characters with any character the pattern allows is accepted', async () => {
    const prefix = "https://example.com/cb?a=(1)&b=x*'!$,;=+~#@:";
    const redirectUri = prefix + 'u'.repeat(1024 - prefix.length);
    const result = await connectOAuth2({ redirectUri, code: emulator.issueOAuthCode(oauth2Arn) });
    expect(result).toMatchObject({ status: 200, body: { appAuthorizationSummary: { status: 'Connected' } } });
  });

  test.each<[string, unknown, string, string]>([
    ['redirectUri of 1,025 characters', { redirectUri: `https://e.com/${'u'.repeat(1011)}`, code: 'c' }, 'authRequest.redirectUri', 'Member must have length less than or equal to 1024'],
    ['redirectUri over http', { redirectUri: 'http://example.com/cb', code: 'c' }, 'authRequest.redirectUri', 'Member must satisfy regular expression pattern'],
    ['redirectUri with a space', { redirectUri: 'https://example.com/a b', code: 'c' }, 'authRequest.redirectUri', 'Member must satisfy regular expression pattern'],
    ['empty code', { redirectUri: 'https://example.com/cb', code: '' }, 'authRequest.code', 'Member must have length greater than or equal to 1'],
    ['no code', { redirectUri: 'https://example.com/cb' }, 'authRequest.code', 'Member must not be null'],
  ])('%s → 400 ValidationException naming the field', async (_name, authRequest, field, message) => {
    const result = await connectOAuth2(authRequest);
    expect(result.status).toBe(400);
    expect(result.body.reason).toBe('fieldValidationFailed');
    expect(result.body.fieldList).toEqual([{ name: field, message: expect.stringContaining(message) }]);
    expect(JSON.stringify(result.body)).not.toContain('"c"');
  });

  test.each<[string, string, string, unknown, string, string]>([
    ['maxResults 0', 'GET', '/appauthorizations?maxResults=0', undefined, 'fieldValidationFailed', 'maxResults'],
    ['maxResults 101', 'GET', '/appauthorizations?maxResults=101', undefined, 'fieldValidationFailed', 'maxResults'],
    ['maxResults not a number', 'GET', '/appauthorizations?maxResults=ten', undefined, 'cannotParse', 'maxResults'],
    ['a tenant that is not a structure', 'POST', '/appauthorizations',
      { app: 'X', authType: 'apiKey', tenant: 'acme', credential: { apiKeyCredential: { apiKey: 'k' } } }, 'cannotParse', 'tenant'],
    ['a clientToken that is not a lowercase UUID', 'POST', '/appauthorizations',
      { app: 'X', authType: 'apiKey', tenant: { tenantIdentifier: 'x', tenantDisplayName: 'X' }, credential: { apiKeyCredential: { apiKey: 'k' } }, clientToken: '0A1B2C3D-0A1B-4C2D-8E3F-0A1B2C3D4E5F' },
      'fieldValidationFailed', 'clientToken'],
  ])('%s → 400 (%s)', async (_name, method, suffix, body, reason, field) => {
    const result = await send(method, `${bundlePath}${suffix}`, body);
    expect(result.status).toBe(400);
    expect(result.body.reason).toBe(reason);
    expect(result.body.fieldList.map((f: { name: string }) => f.name)).toEqual([field]);
  });

  test('an identifier that is neither an ARN nor a lowercase UUID is rejected; a UUID that matches nothing is not found', async () => {
    const bad = await send('GET', '/appbundles/my-bundle');
    expect(bad.status).toBe(400);
    expect(bad.body.fieldList).toEqual([{ name: 'appBundleIdentifier', message: expect.stringContaining('regular expression pattern') }]);
    expect((await send('GET', '/appbundles/0a1b2c3d-0a1b-4c2d-8e3f-0a1b2c3d4e5f')).status).toBe(404);
  });

  test('tag lists: empty is allowed (min 0), tagKeys is required and at most 200, lengths count characters, not UTF-16 units', async () => {
    const tagsPath = `/tags/${encodeURIComponent(decodeURIComponent(apiKeyPath.split('/').pop()!))}`;
    expect((await send('POST', tagsPath, { tags: [] })).status).toBe(200);
    expect((await send('POST', tagsPath, { tags: [{ key: '🔑'.repeat(128), value: '' }] })).status).toBe(200);
    const tooLong = await send('POST', tagsPath, { tags: [{ key: '🔑'.repeat(129), value: '' }] });
    expect(tooLong.body.fieldList).toEqual([{ name: 'tags.1.key', message: 'Member must have length less than or equal to 128' }]);
    expect((await send('DELETE', tagsPath)).body.fieldList).toEqual([{ name: 'tagKeys', message: 'Member must not be null' }]);
    const many = Array.from({ length: 201 }, (_, i) => `tagKeys=k${i}`).join('&');
    expect((await send('DELETE', `${tagsPath}?${many}`)).body.fieldList).toEqual([{ name: 'tagKeys', message: 'Member must have length less than or equal to 200' }]);
  });

  test('the query is decoded as AWS decodes it: `+` is a plus, `%20` a space', async () => {
    const tagsPath = `/tags/${encodeURIComponent(decodeURIComponent(apiKeyPath.split('/').pop()!))}`;
    expect((await send('DELETE', `${tagsPath}?tagKeys=a+b`)).status).toBe(200);
    expect(emulator.authorizations().find((a) => a.app === 'ASANA')?.tags.map((t) => t.key)).toEqual(['a b', '🔑'.repeat(128)]);
    expect((await send('DELETE', `${tagsPath}?tagKeys=a%20b`)).status).toBe(200);
    expect(emulator.authorizations().find((a) => a.app === 'ASANA')?.tags.map((t) => t.key)).toEqual(['🔑'.repeat(128)]);
  });

  test('a body sent to an operation with no body members is not read', async () => {
    const ingestion = emulator.putIngestion({ appBundleArn: emulator.authorizations()[0].appBundleArn, app: 'ASANA', tenantId: 't' });
    const result = await send('POST', `${bundlePath}/ingestions/${encodeURIComponent(ingestion.arn)}/start`, 'not an object');
    expect(result.status).toBe(200);
  });
});
