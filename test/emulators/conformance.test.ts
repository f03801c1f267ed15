import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { APPFABRIC_ROUTES, AppFabricEmulator, AppFabricRoute } from './appfabric-emulator';
import { APPFABRIC_ROUTES as CLIENT_ROUTES, CreateAppAuthorizationInput } from '../../src/internal/appfabric-client';

/**
 * Conformance of the AppFabric emulator with the official service model (appfabric-model.json,
 * see appfabric-model.ORIGIN.md): its route table, and the JSON it actually sends over HTTP.
 */

interface ShapeRef {
  shape?: string;
  type?: string;
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  union?: boolean;
  timestampFormat?: string;
  location?: string;
  locationName?: string;
}

interface ModelOperation {
  http: { method?: string; requestUri: string; responseCode?: number };
  input?: ShapeRef;
  output?: ShapeRef;
}

interface ServiceModel {
  metadata: { protocol: string; signingName: string };
  operations: Record<string, ModelOperation>;
  shapes: Record<string, ShapeRef>;
}

const model: ServiceModel = JSON.parse(readFileSync(path.join(__dirname, 'appfabric-model.json'), 'utf8'));

/** The operations the library's handler calls, plus the bundle operations its tests use. */
const REQUIRED_OPERATIONS = [
  'CreateAppBundle', 'GetAppBundle', 'ListAppBundles', 'DeleteAppBundle',
  'CreateAppAuthorization', 'GetAppAuthorization', 'UpdateAppAuthorization',
  'ConnectAppAuthorization', 'DeleteAppAuthorization', 'ListAppAuthorizations',
  'TagResource', 'UntagResource', 'ListTagsForResource',
  'GetIngestion', 'StartIngestion', 'StopIngestion',
];

function modelOperation(name: string): ModelOperation {
  const operation = model.operations[name];
  if (!operation) throw new Error(`${name} is not in the model`);
  return operation;
}

/** A shape reference with `shape` resolved (the min model shares shapes by reference). */
function resolve(ref: ShapeRef): ShapeRef {
  if (!ref.shape) return ref;
  const { shape, ...rest } = ref;
  return { ...resolve(model.shapes[shape]), ...rest };
}

/** Input member names of an operation at one location (undefined = the JSON body). */
function inputMembers(operation: ModelOperation, location: string | undefined): string[] {
  const members = Object.entries(operation.input?.members ?? {});
  return members.filter(([, ref]) => ref.location === location).map(([name, ref]) => ref.locationName ?? name).sort();
}

function uriLabels(uri: string): string[] {
  return [...uri.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
}

/** Where a JSON value departs from a model shape: unknown or missing members, wrong types, bad unions. */
function shapeProblems(ref: ShapeRef, value: unknown, at: string): string[] {
  const shape = resolve(ref);
  switch (shape.type ?? 'string') {
    case 'structure': return structureProblems(shape, value, at);
    case 'list':
      if (!Array.isArray(value)) return [`${at}: expected a list`];
      return value.flatMap((item, i) => shapeProblems(shape.member!, item, `${at}[${i}]`));
    case 'timestamp':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
        ? [] : [`${at}: expected an ISO-8601 timestamp string`];
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : [`${at}: expected an integer`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean`];
    default:
      return typeof value === 'string' ? [] : [`${at}: expected a string`];
  }
}

function structureProblems(shape: ShapeRef, value: unknown, at: string): string[] {
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
    expect(model.metadata).toMatchObject({ protocol: 'rest-json', signingName: 'appfabric' });
  });

  test('the shape checker finds unknown members, missing required members, wrong types and bad unions', () => {
    const output = modelOperation('GetAppAuthorization').output!;
    expect(shapeProblems(output, { appAuthorization: { appAuthorizationArn: 'a', extra: 1, createdAt: 'yesterday' } }, '$')).toEqual(expect.arrayContaining([
      '$.appAuthorization.extra: not a member in the model',
      '$.appAuthorization.app: required by the model but missing',
      '$.appAuthorization.createdAt: expected an ISO-8601 timestamp string',
    ]));
    const credential = modelOperation('CreateAppAuthorization').input!.members!.credential;
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
      expect(uriLabels(route.uri)).toEqual(inputMembers(operation, 'uri'));
      expect([...route.queryParameters].sort()).toEqual(inputMembers(operation, 'querystring'));
      expect([...route.bodyMembers].sort()).toEqual(inputMembers(operation, undefined));
      expect(inputMembers(operation, 'header')).toEqual([]);
    });

    test('response members match the model output', () => {
      expect([...route.responseMembers].sort()).toEqual(Object.keys(operation.output?.members ?? {}).sort());
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
    if (Object.keys(modelOp.output?.members ?? {}).length === 0) {
      expect(output).toBeUndefined();
    } else {
      expect(shapeProblems(modelOp.output!, output, operation)).toEqual([]);
    }
    return output;
  }

  test('a full lifecycle answers with the model\'s output shapes', async () => {
    const bundle = await expectConformingCall('CreateAppBundle', 'POST', '/appbundles', { customerManagedKeyIdentifier: 'key-1' });
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
    await expectConformingCall('StartIngestion', 'POST', `${ingestionPath}/start`, {});
    await expectConformingCall('StopIngestion', 'POST', `${ingestionPath}/stop`, {});
    await expectConformingCall('GetIngestion', 'GET', ingestionPath);

    await expectConformingCall('DeleteAppAuthorization', 'DELETE', oauth2Path);
    await expectConformingCall('DeleteAppAuthorization', 'DELETE', apiKeyPath);
    await expectConformingCall('DeleteAppBundle', 'DELETE', bundlePath);

    const served = new Set(emulator.requests.map((r) => r.operation));
    expect([...served].sort()).toEqual([...REQUIRED_OPERATIONS].sort());
  });
});

describe('client', () => {
  // The library's own AppFabric client (src/internal/appfabric-client.ts) against the model:
  // every operation it calls travels with the model's method, URI and success code.
  test.each(Object.entries(CLIENT_ROUTES))('%s: method, URI and success code as in the model', (name, clientRoute) => {
    const http = modelOperation(name).http;
    expect({ method: clientRoute.method, uri: clientRoute.uri, successCode: clientRoute.successCode })
      .toEqual({ method: http.method ?? 'POST', uri: http.requestUri, successCode: http.responseCode ?? 200 });
  });

  test('the member names the client sends are input members of the model', () => {
    const create = inputMembers(modelOperation('CreateAppAuthorization'), undefined);
    const sample: CreateAppAuthorizationInput = {
      appBundleIdentifier: 'b',
      app: 'SLACK',
      authType: 'oauth2',
      tenant: { tenantIdentifier: 't', tenantDisplayName: 'T' },
      credential: { oauth2Credential: { clientId: 'i', clientSecret: 's' } },
      clientToken: 'c',
      tags: [{ key: 'k', value: 'v' }],
    };
    const { appBundleIdentifier: _uriLabel, ...body } = sample;
    expect(create).toEqual(expect.arrayContaining(Object.keys(body)));
    expect(inputMembers(modelOperation('UpdateAppAuthorization'), undefined)).toEqual(['credential', 'tenant']);
    expect(inputMembers(modelOperation('ConnectAppAuthorization'), undefined)).toEqual(['authRequest']);
    expect(inputMembers(modelOperation('ListAppAuthorizations'), 'querystring')).toEqual(['maxResults', 'nextToken']);
    expect(inputMembers(modelOperation('UntagResource'), 'querystring')).toEqual(['tagKeys']);
  });

  test('the emulator serves every operation the client calls, the same way', () => {
    for (const [name, clientRoute] of Object.entries(CLIENT_ROUTES)) {
      const served = APPFABRIC_ROUTES.find((r) => r.operation === name);
      expect({ name, method: served?.method, uri: served?.uri, successCode: served?.successCode })
        .toEqual({ name, method: clientRoute.method, uri: clientRoute.uri, successCode: clientRoute.successCode });
    }
  });
});
