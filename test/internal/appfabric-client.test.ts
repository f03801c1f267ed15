import { createHash } from 'node:crypto';
import { AppFabricClient, APPFABRIC_ROUTES, AppFabricOperation, Credential, Tag } from '../../src/internal/appfabric-client';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';
import { inputLayout, modelOperation, shapeOf, validateInput } from '../emulators/appfabric-service-model';
import { RecordedRequest } from '../emulators/http-emulator';
import { referenceAuthorization } from '../support/reference-signer';

/**
 * The client's wire, held to the official model: every operation the client calls, with edge-case
 * inputs (spaces, `+`, `*`, `~`, `/`, `:`, unicode in tag keys, tokens and tenants; ARNs in paths),
 * is sent to the emulator over HTTP and the request as received is compared with what the model
 * and restJson1 prescribe: the request line byte for byte (labels and query RFC 3986-encoded,
 * query keys sorted as AWS's serializers send them), the headers (content type only with a body,
 * the payload hash, a signature that AWS's own signer reproduces from the request as sent) and
 * the body (the model's body members only, each valid per the model; none where none is modeled).
 */

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake', sessionToken: 'session+token/==' };
const REGION = 'us-east-1';

/** RFC 3986 section 2: everything but the unreserved characters is percent-encoded, byte by byte (UTF-8). */
function rfc3986(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** One call as the model sees it: the operation and its input members (labels, query and body members by name). */
interface ModelCall {
  readonly operation: AppFabricOperation;
  readonly input: Record<string, unknown>;
}

/** The request target the model prescribes for a call (restJson1: labels and query values RFC 3986-encoded, query keys sorted). */
function expectedTarget(call: ModelCall): string {
  const operation = modelOperation(call.operation);
  const layout = inputLayout(operation);
  const path = operation.http.requestUri.replace(/\{(\w+)\}/g, (_m, label: string) => rfc3986(String(call.input[label])));
  const pairs = Object.entries(layout.query)
    .filter(([member]) => call.input[member] !== undefined)
    .sort(([, a], [, b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([member, name]) => ([] as unknown[]).concat(call.input[member]).map((value) => `${rfc3986(name)}=${rfc3986(String(value))}`));
  return pairs.length > 0 ? `${path}?${pairs.join('&')}` : path;
}

/** The JSON body the model prescribes, or undefined when the operation has no body members. */
function expectedBody(call: ModelCall): Record<string, unknown> | undefined {
  const layout = inputLayout(modelOperation(call.operation));
  if (layout.body.length === 0) return undefined;
  return Object.fromEntries(layout.body.filter((name) => call.input[name] !== undefined).map((name) => [name, call.input[name]]));
}

/** Every way a recorded request departs from the model's prescription for the call. */
async function departures(call: ModelCall, request: RecordedRequest): Promise<string[]> {
  const problems: string[] = [];
  const operation = modelOperation(call.operation);
  const method = operation.http.method ?? 'POST';
  const target = expectedTarget(call);
  if (request.method !== method || request.path !== target) {
    problems.push(`request line: sent ${request.method} ${request.path}, the model prescribes ${method} ${target}`);
  }
  const body = expectedBody(call);
  const contentType = request.headers['content-type'];
  if (body === undefined) {
    if (request.rawBody !== '') problems.push(`body: sent ${request.rawBody.length} bytes where the model has no body members`);
    if (contentType !== undefined) problems.push(`content-type: sent '${contentType}' without a modeled body`);
  } else {
    if (contentType !== 'application/json') problems.push(`content-type: sent '${contentType}', expected application/json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(request.rawBody);
    } catch {
      parsed = undefined;
    }
    if (JSON.stringify(sortKeys(parsed)) !== JSON.stringify(sortKeys(body))) {
      problems.push(`body: sent ${request.rawBody}, expected the members ${JSON.stringify(body)}`);
    }
    const invalid = validateInput(operation, { labels: {}, query: new Map(), body: (parsed ?? {}) as Record<string, unknown> }).problems
      .filter((p) => !inputLayout(operation).labels.includes(p.name) && !Object.keys(inputLayout(operation).query).includes(p.name));
    if (invalid.length > 0) problems.push(`body: invalid per the model: ${invalid.map((p) => `${p.name}: ${p.message}`).join('; ')}`);
  }
  const payloadHash = createHash('sha256').update(request.rawBody, 'utf8').digest('hex');
  if (request.headers['x-amz-content-sha256'] !== payloadHash) problems.push('x-amz-content-sha256 is not the hash of the body as sent');
  const reference = await referenceAuthorization(
    { method: request.method, target: request.path, headers: request.headers, body: request.rawBody }, 'appfabric', REGION, CREDENTIALS);
  if (request.headers.authorization !== reference) problems.push('signature: AWS\'s signer, given the request as sent, computes another one');
  return problems;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** Tag keys and values with every character class a URL treats specially. */
const EDGE_KEYS = ['Cost Center', 'Cost+Center', 'star*key', 'tilde~key', 'path/key', 'colon:key', "bang!'()", 'ünïcødé 🔑', 'amp&eq=', '%41 literal'];
const EDGE_TAGS: Tag[] = EDGE_KEYS.map((key, i) => ({ key, value: i % 2 === 0 ? `${key} value +*~/:` : '' }));
const EDGE_TOKEN = 'tok en+/=*~:ü';
const TENANT = { tenantIdentifier: 'tenant +*~/:ü', tenantDisplayName: 'Tenant (display) & name' };
const REDIRECT_URI = `https://us-east-1.console.aws.amazon.com/appfabric/oauth2?state=a&x=(1)*'${'y'.repeat(900)}`;

describe('the client\'s requests, held to the model', () => {
  let emulator: AppFabricEmulator;
  let client: AppFabricClient;

  beforeAll(async () => {
    emulator = await AppFabricEmulator.start();
  });

  beforeEach(() => {
    const deadline = () => Date.now() + 2_000;
    client = new AppFabricClient({ region: REGION, endpoint: emulator.endpoint, credentials: async () => CREDENTIALS, deadline });
  });

  afterAll(async () => {
    await emulator.close();
  });

  /** Runs one client call (its outcome is not the point) and returns the request it sent. */
  async function sent(action: () => Promise<unknown>): Promise<RecordedRequest> {
    const before = emulator.requests.length;
    await action().catch(() => undefined);
    expect(emulator.requests.length).toBe(before + 1);
    return emulator.requests[before];
  }

  test('every operation the client calls, with edge-case inputs, travels exactly as the model prescribes', async () => {
    const bundleArn = emulator.createAppBundle();
    const bundleId = bundleArn.slice(bundleArn.lastIndexOf('/') + 1);
    const apiKey: Credential = { apiKeyCredential: { apiKey: 'key +/=*~:ü' } };
    const oauth2: Credential = { oauth2Credential: { clientId: 'id +/:', clientSecret: 'secret+/=*~' } };
    const clientToken = '0a1b2c3d-0a1b-4c2d-8e3f-0a1b2c3d4e5f';
    const ingestion = emulator.putIngestion({ appBundleArn: bundleArn, app: 'ASANA', tenantId: TENANT.tenantIdentifier });

    const calls: Array<[ModelCall, () => Promise<unknown>]> = [];
    const walk = async (call: ModelCall, action: () => Promise<unknown>) => {
      calls.push([call, action]);
      return { call, request: await sent(action) };
    };

    const created = await walk(
      { operation: 'CreateAppAuthorization', input: { appBundleIdentifier: bundleArn, app: 'ASANA', authType: 'apiKey', tenant: TENANT, credential: apiKey, clientToken, tags: EDGE_TAGS } },
      () => client.createAppAuthorization({ appBundleIdentifier: bundleArn, app: 'ASANA', authType: 'apiKey', tenant: TENANT, credential: apiKey, clientToken, tags: EDGE_TAGS }));
    const arn = emulator.authorizations(bundleArn)[0].appAuthorizationArn;
    const oauthArn = emulator.putAuthorization({ appBundleArn: bundleArn, app: 'SLACK', authType: 'oauth2', tenant: TENANT }).appAuthorizationArn;
    const code = emulator.issueOAuthCode(oauthArn);
    const walked = [
      created,
      await walk({ operation: 'GetAppAuthorization', input: { appBundleIdentifier: bundleArn, appAuthorizationIdentifier: arn } },
        () => client.getAppAuthorization(bundleArn, arn)),
      await walk({ operation: 'GetAppAuthorization', input: { appBundleIdentifier: bundleId, appAuthorizationIdentifier: arn.slice(arn.lastIndexOf('/') + 1) } },
        () => client.getAppAuthorization(bundleId, arn.slice(arn.lastIndexOf('/') + 1))),
      await walk({ operation: 'UpdateAppAuthorization', input: { appBundleIdentifier: bundleArn, appAuthorizationIdentifier: arn, tenant: TENANT, credential: apiKey } },
        () => client.updateAppAuthorization(bundleArn, arn, { tenant: TENANT, credential: apiKey })),
      await walk({ operation: 'UpdateAppAuthorization', input: { appBundleIdentifier: bundleArn, appAuthorizationIdentifier: oauthArn, credential: oauth2 } },
        () => client.updateAppAuthorization(bundleArn, oauthArn, { credential: oauth2 })),
      await walk({ operation: 'ConnectAppAuthorization', input: { appBundleIdentifier: bundleArn, appAuthorizationIdentifier: arn } },
        () => client.connectAppAuthorization(bundleArn, arn)),
      await walk({ operation: 'ConnectAppAuthorization', input: { appBundleIdentifier: bundleArn, appAuthorizationIdentifier: oauthArn, authRequest: { redirectUri: REDIRECT_URI, code } } },
        () => client.connectAppAuthorization(bundleArn, oauthArn, { redirectUri: REDIRECT_URI, code })),
      await walk({ operation: 'ListAppAuthorizations', input: { appBundleIdentifier: bundleArn, maxResults: 100 } },
        () => client.listAppAuthorizations(bundleArn)),
      await walk({ operation: 'ListAppAuthorizations', input: { appBundleIdentifier: bundleArn, maxResults: 100, nextToken: EDGE_TOKEN } },
        () => client.listAppAuthorizations(bundleArn, EDGE_TOKEN)),
      await walk({ operation: 'TagResource', input: { resourceArn: arn, tags: EDGE_TAGS.slice(0, 3) } },
        () => client.tagResource(arn, EDGE_TAGS.slice(0, 3))),
      await walk({ operation: 'ListTagsForResource', input: { resourceArn: arn } }, () => client.listTagsForResource(arn)),
      await walk({ operation: 'UntagResource', input: { resourceArn: arn, tagKeys: EDGE_KEYS.filter((k) => k !== 'Cost+Center') } },
        () => client.untagResource(arn, EDGE_KEYS.filter((k) => k !== 'Cost+Center'))),
      await walk({ operation: 'GetIngestion', input: { appBundleIdentifier: bundleArn, ingestionIdentifier: ingestion.arn } },
        () => client.getIngestionState(bundleArn, ingestion.arn)),
      await walk({ operation: 'StartIngestion', input: { appBundleIdentifier: bundleArn, ingestionIdentifier: ingestion.arn } },
        () => client.startIngestion(bundleArn, ingestion.arn)),
      await walk({ operation: 'StopIngestion', input: { appBundleIdentifier: bundleArn, ingestionIdentifier: ingestion.arn } },
        () => client.stopIngestion(bundleArn, ingestion.arn)),
      await walk({ operation: 'DeleteAppAuthorization', input: { appBundleIdentifier: bundleArn, appAuthorizationIdentifier: oauthArn } },
        () => client.deleteAppAuthorization(bundleArn, oauthArn)),
    ];

    expect(new Set(walked.map((w) => w.call.operation))).toEqual(new Set(Object.keys(APPFABRIC_ROUTES)));
    const report: string[] = [];
    for (const { call, request } of walked) {
      for (const problem of await departures(call, request)) report.push(`${call.operation}: ${problem}`);
    }
    expect(report).toEqual([]);

    // What the requests did: the key with a space was removed, the one with a literal plus kept.
    expect(emulator.authorizations(bundleArn).find((a) => a.appAuthorizationArn === arn)?.tags).toEqual([EDGE_TAGS[1]]);
    expect(emulator.requests.filter((r) => r.status >= 400 && r.operation !== 'ListAppAuthorizations').map((r) => `${r.operation} ${r.status}`)).toEqual([]);
  });

  test('the departure check catches a query sent with `+` for a space, a body where none is modeled and a wrong signature', async () => {
    const bundleArn = emulator.createAppBundle();
    const arn = emulator.putAuthorization({ appBundleArn: bundleArn, app: 'ASANA', authType: 'apiKey', tenant: TENANT }).appAuthorizationArn;
    const request = await sent(() => client.untagResource(arn, ['Cost Center']));
    const call: ModelCall = { operation: 'UntagResource', input: { resourceArn: arn, tagKeys: ['Cost Center'] } };
    expect(await departures(call, request)).toEqual([]);
    expect(await departures(call, { ...request, path: request.path.replace('%20', '+') })).toEqual([
      expect.stringMatching(/^request line: sent DELETE .*tagKeys=Cost\+Center, the model prescribes DELETE .*tagKeys=Cost%20Center$/),
      expect.stringMatching(/^signature:/),
    ]);
    const start: ModelCall = { operation: 'StartIngestion', input: { appBundleIdentifier: bundleArn, ingestionIdentifier: 'x' } };
    const withBody = { ...request, method: 'POST', path: expectedTarget(start), rawBody: '{}', headers: { ...request.headers, 'content-type': 'application/json' } };
    expect(await departures(start, withBody)).toEqual(expect.arrayContaining([
      'body: sent 2 bytes where the model has no body members',
      'content-type: sent \'application/json\' without a modeled body',
    ]));
  });

  test('every route the client knows has the model\'s method, URI and success code, and a body exactly when the model has body members', () => {
    for (const [name, route] of Object.entries(APPFABRIC_ROUTES)) {
      const operation = modelOperation(name);
      expect({ name, method: route.method, uri: route.uri, successCode: route.successCode, jsonBody: route.jsonBody }).toEqual({
        name,
        method: operation.http.method ?? 'POST',
        uri: operation.http.requestUri,
        successCode: operation.http.responseCode ?? 200,
        jsonBody: inputLayout(operation).body.length > 0,
      });
      expect(shapeOf(operation.input).members).toBeDefined();
    }
  });
});
