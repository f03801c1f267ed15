// The TppOAuthApplication handler, driven through the local TPP emulator over HTTPS (trusting the
// test CA through the TrustedCaCertificate property) and the Secrets Manager emulator.
import * as path from 'node:path';
import { CREATE_FAILED_PHYSICAL_ID } from '../../src/internal/custom-resource';
import { send } from '../../src/internal/http';
import { TppEmulator } from '../emulators/tpp-emulator';
import { asCloudFormation } from '../support/cloudformation';
import { TestPki, TppHarness, failureReason, handler, lambdaContext, makeTestPki, tppEvent } from '../support/tpp-harness';

const WRITES = ['CreateApplication', 'UpdateApplication', 'DeleteApplication'];

let pki: TestPki;
let harness: TppHarness;
beforeAll(async () => { pki = await makeTestPki(); });
beforeEach(async () => { harness = await TppHarness.start(pki); });
afterEach(async () => { await harness.close(); });

function operations(): string[] {
  return harness.tpp.requests.map((r) => r.operation);
}

function writes(): number {
  return WRITES.reduce((sum, op) => sum + harness.tpp.count(op), 0);
}

/** No token value (planted or issued) in the handler's logs, responses or failure reasons. */
function expectNoTokens(values: string[], ...texts: unknown[]) {
  const all = [...harness.logs, ...texts.map((t) => JSON.stringify(t))].join('\n');
  for (const value of values) {
    expect(all).not.toContain(value);
  }
  expect(all).not.toContain('CANARY');
}

describe('Create', () => {
  test('a new application: GetApplication finds none, one CreateApplication over HTTPS with the bearer token', async () => {
    const { arn, tokens } = harness.tokenSecret();
    const props = harness.props({ TokenSecretArn: arn, Description: 'Renews web certificates', AccessValidity: '3600', Renewable: 'true' });
    const response = await handler(tppEvent('Create', props), lambdaContext());

    expect(response).toEqual({ PhysicalResourceId: 'cert-bot', Data: { ApplicationId: 'cert-bot', Name: 'Certificate bot' } });
    expect(harness.tpp.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(operations()).toEqual(['GetApplication', 'CreateApplication']);
    expect(harness.tpp.requests[1].requestBody).toEqual({
      ApplicationId: 'cert-bot',
      Name: 'Certificate bot',
      Vendor: 'Example Corp',
      Description: 'Renews web certificates',
      Url: '',
      Scope: 'certificate:manage,revoke',
      MaximumScope: 'certificate:manage,revoke;configuration',
      AccessValidity: 3600,
      Renewable: true,
    });
    expect(harness.tpp.application('cert-bot')).toEqual({
      ID: 'cert-bot',
      Name: 'Certificate bot',
      Vendor: 'Example Corp',
      Description: 'Renews web certificates',
      Url: '',
      Scope: 'certificate:manage,revoke',
      MaximumScope: 'certificate:manage,revoke;configuration',
      AccessValidity: 3600,
      GrantValidity: undefined,
      Renewable: true,
    });
    expectNoTokens([tokens.access_token, tokens.refresh_token], response);
  });

  test('without adoptExisting, a Create that finds the application ID taken fails naming it, and changes nothing', async () => {
    harness.tpp.putApplication({ ID: 'cert-bot', Name: 'Made by hand', Vendor: 'Example Corp', Scope: 'certificate', MaximumScope: 'certificate' });
    const before = harness.tpp.application('cert-bot');
    const reason = await failureReason(handler(tppEvent('Create', harness.props()), lambdaContext()));
    expect(reason).toMatch(/^TPP at https:\/\/127\.0\.0\.1:\d+ already has an application with applicationId 'cert-bot'\. Nothing was changed\. To manage it from this stack, set adoptExisting: true on the TppOAuthApplication/);
    expect(harness.tpp.application('cert-bot')).toEqual(before);
    expect(writes()).toBe(0);
  });

  test('an existing application with the same ID is adopted with adoptExisting: brought to the declared state, its other fields kept', async () => {
    harness.tpp.putApplication({
      ID: 'cert-bot',
      Name: 'Old name',
      Vendor: 'Example Corp',
      Description: 'Made by hand',
      Url: 'https://bots.example.com',
      Scope: 'certificate',
      MaximumScope: 'certificate;configuration',
      GrantValidity: 86400,
      Renewable: true,
    });
    const response = await handler(tppEvent('Create', harness.props({ AdoptExisting: 'true' })), lambdaContext());

    expect(response.PhysicalResourceId).toBe('cert-bot');
    expect(operations()).toEqual(['GetApplication', 'UpdateApplication']);
    expect(harness.tpp.application('cert-bot')).toEqual({
      ID: 'cert-bot',
      Name: 'Certificate bot',
      Vendor: 'Example Corp',
      Description: 'Made by hand',
      Url: 'https://bots.example.com',
      Scope: 'certificate:manage,revoke',
      MaximumScope: 'certificate:manage,revoke;configuration',
      AccessValidity: undefined,
      GrantValidity: 86400,
      Renewable: true,
    });
    expect(harness.logs.join('\n')).toMatch(/exists in TPP: bringing it to the declared state/);
  });

  test('adopting an application that already has the declared state writes nothing', async () => {
    harness.tpp.putApplication({
      ID: 'cert-bot', Name: 'Certificate bot', Vendor: 'Example Corp', Scope: 'certificate:revoke,manage', MaximumScope: 'configuration;certificate:manage,revoke',
    });
    await handler(tppEvent('Create', harness.props({ AdoptExisting: 'true' })), lambdaContext());
    expect(writes()).toBe(0);
  });

  test.each([
    ['403 insufficient_scope', 403, 'insufficient_scope'],
    ['401 insufficient_rights', 401, 'insufficient_rights'],
  ])('orphan: a CreateApplication that took effect, lost its answer, then got %s, removes what it made', async (_name, status, errorType) => {
    harness.tpp.injectFault({ operation: 'CreateApplication', kind: 'dropResponse' });
    harness.tpp.injectFault({ operation: 'CreateApplication', kind: 'reject', status, errorType });
    const reason = await failureReason(handler(tppEvent('Create', harness.props()), lambdaContext()));
    expect(reason).toContain(`TPP CreateApplication failed: HTTP ${status} ${errorType}`);
    expect(harness.tpp.applicationIds()).toEqual([]);
    expect(harness.logs.join('\n')).toContain("the failed CreateApplication had made 'cert-bot': removing it");
  });

  test('a CreateApplication whose answer was lost is retried, and the "already exists" that follows converges', async () => {
    harness.tpp.injectFault({ operation: 'CreateApplication', kind: 'dropResponse' });
    const response = await handler(tppEvent('Create', harness.props()), lambdaContext());
    expect(response.PhysicalResourceId).toBe('cert-bot');
    expect(harness.tpp.count('CreateApplication')).toBe(2);
    expect(harness.tpp.applicationIds()).toEqual(['cert-bot']);
    expect(harness.tpp.application('cert-bot')?.Scope).toBe('certificate:manage,revoke');
  });
});

describe('Update', () => {
  async function created(props = harness.props()) {
    await handler(tppEvent('Create', props), lambdaContext());
    harness.tpp.requests.length = 0;
    return props;
  }

  test('an update preserves the fields the construct does not declare (UpdateApplication gets the complete structure)', async () => {
    const props = await created();
    // Changed in TPP's console after the deploy: fields the construct does not declare.
    harness.tpp.putApplication({
      ...harness.tpp.application('cert-bot')!, Description: 'Owned by the PKI team', Url: 'https://bots.example.com', AccessValidity: 7200, GrantValidity: 604800, Renewable: true,
    });
    const narrowed = { ...props, Scope: 'certificate:manage' };
    const response = await handler(tppEvent('Update', narrowed, { oldProps: props, physicalResourceId: 'cert-bot' }), lambdaContext());

    expect(response.PhysicalResourceId).toBe('cert-bot');
    expect(operations()).toEqual(['GetApplication', 'UpdateApplication']);
    expect(harness.tpp.requests[1].requestBody).toEqual({
      Application: {
        ID: 'cert-bot',
        Name: 'Certificate bot',
        Vendor: 'Example Corp',
        Description: 'Owned by the PKI team',
        Url: 'https://bots.example.com',
        Scope: 'certificate:manage',
        MaximumScope: 'certificate:manage,revoke;configuration',
        AccessValidity: 7200,
        GrantValidity: 604800,
        Renewable: true,
      },
    });
    expect(harness.tpp.application('cert-bot')).toMatchObject({
      Scope: 'certificate:manage', Description: 'Owned by the PKI team', Url: 'https://bots.example.com', AccessValidity: 7200, GrantValidity: 604800, Renewable: true,
    });
    expect(harness.logs.join('\n')).toMatch(/updated application 'cert-bot': Scope \(everything else sent back as TPP held it\)/);
  });

  test('declared optional fields are set; nothing changed means no UpdateApplication', async () => {
    const props = await created();
    const withValidity = { ...props, GrantValidity: '2592000', Url: 'https://bots.example.com' };
    await handler(tppEvent('Update', withValidity, { oldProps: props, physicalResourceId: 'cert-bot' }), lambdaContext());
    expect(harness.tpp.application('cert-bot')).toMatchObject({ GrantValidity: 2592000, Url: 'https://bots.example.com' });

    harness.tpp.requests.length = 0;
    await handler(tppEvent('Update', withValidity, { oldProps: withValidity, physicalResourceId: 'cert-bot' }), lambdaContext());
    expect(operations()).toEqual(['GetApplication']);
  });

  test('a new applicationId replaces: a new physical id, and the later Delete of the old id removes the old application', async () => {
    const props = await created();
    const renamed = { ...props, ApplicationId: 'cert-bot-2' };
    const response = await handler(tppEvent('Update', renamed, { oldProps: props, physicalResourceId: 'cert-bot' }), lambdaContext());
    expect(response.PhysicalResourceId).toBe('cert-bot-2');
    expect(harness.tpp.applicationIds().sort()).toEqual(['cert-bot', 'cert-bot-2']);
    // CloudFormation's clean-up (DESTROY) carries the old properties and the old physical id.
    await handler(tppEvent('Delete', props, { physicalResourceId: 'cert-bot' }), lambdaContext());
    expect(harness.tpp.applicationIds()).toEqual(['cert-bot-2']);
  });

  test('an application deleted outside CloudFormation is created again', async () => {
    const props = await created();
    await handler(tppEvent('Delete', props, { physicalResourceId: 'cert-bot' }), lambdaContext());
    const response = await handler(tppEvent('Update', { ...props, Name: 'Renamed' }, { oldProps: props, physicalResourceId: 'cert-bot' }), lambdaContext());
    expect(response.Data).toEqual({ ApplicationId: 'cert-bot', Name: 'Renamed' });
    expect(harness.tpp.application('cert-bot')?.Name).toBe('Renamed');
  });
});

describe('Delete', () => {
  test('deletes the application', async () => {
    const props = harness.props();
    await handler(tppEvent('Create', props), lambdaContext());
    const response = await handler(tppEvent('Delete', props, { physicalResourceId: 'cert-bot' }), lambdaContext());
    expect(response.PhysicalResourceId).toBe('cert-bot');
    expect(harness.tpp.applicationIds()).toEqual([]);
  });

  test.each(['http400', 'result'] as const)('a missing application is success (TPP reporting it as %s)', async (style) => {
    harness.tpp.missingApplication = style;
    const response = await handler(tppEvent('Delete', harness.props(), { physicalResourceId: 'cert-bot' }), lambdaContext());
    expect(response.PhysicalResourceId).toBe('cert-bot');
    expect(operations()).toEqual(['DeleteApplication', 'GetApplication']);
    expect(harness.logs.join('\n')).toMatch(/application 'cert-bot' was already gone/);
  });

  test("the Delete of a failed Create's marker id succeeds without calling TPP", async () => {
    const marker = CREATE_FAILED_PHYSICAL_ID;
    const response = await handler(tppEvent('Delete', harness.props(), { physicalResourceId: marker }), lambdaContext());
    expect(response.PhysicalResourceId).toBe(marker);
    expect(harness.tpp.count()).toBe(0);
  });

  test('a DeleteApplication that fails while the application still exists fails the delete', async () => {
    const props = harness.props();
    await handler(tppEvent('Create', props), lambdaContext());
    harness.tpp.scriptAnswer('DeleteApplication', { status: 200, body: { Result: 7, Success: false, Error_Description: 'The application has active grants.' } });
    const reason = await failureReason(handler(tppEvent('Delete', props, { physicalResourceId: 'cert-bot' }), lambdaContext()));
    expect(reason).toMatch(/^TPP DeleteApplication failed: HTTP 200 operation_failed: The application has active grants. \(Result 7\) \(application 'cert-bot' on https:/);
    expect(harness.tpp.applicationIds()).toEqual(['cert-bot']);
  });
});

describe('tokens', () => {
  test('an expired access token is refreshed once; the new pair is stored (other fields kept) before it is used', async () => {
    const { arn, tokens } = harness.tokenSecret({}, 'tpp/admin-token', { note: 'kept' });
    harness.tpp.expireAccessToken(tokens.access_token);
    const response = await handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext());

    expect(response.PhysicalResourceId).toBe('cert-bot');
    expect(harness.tpp.count('RefreshToken')).toBe(1);
    expect(operations()).toEqual(['GetApplication', 'RefreshToken', 'GetApplication', 'CreateApplication']);
    const stored = harness.secretJson(arn);
    expect(stored.access_token).not.toBe(tokens.access_token);
    expect(stored.refresh_token).not.toBe(tokens.refresh_token);
    expect(stored).toMatchObject({ note: 'kept', client_id: 'cdk-appfabric' });
    expect(stored.expires).toBeGreaterThanOrEqual(tokens.expires);
    // The retried call presented the stored token, and only after the store.
    const put = harness.secrets.requests.find((r) => r.operation === 'PutSecretValue')!;
    const retried = harness.tpp.requests[2];
    expect(put.at).toBeLessThanOrEqual(retried.at);
    expect(JSON.parse(put.requestBody.SecretString).access_token).toBe(stored.access_token);
    // The old refresh token is spent.
    expect(harness.tpp.requests[1].requestBody).toEqual({ client_id: 'cdk-appfabric', refresh_token: tokens.refresh_token });
    expectNoTokens([tokens.access_token, tokens.refresh_token, stored.access_token, stored.refresh_token], response);
  });

  test('the refreshed token serves the next event without another refresh', async () => {
    const { arn, tokens } = harness.tokenSecret();
    harness.tpp.expireAccessToken(tokens.access_token);
    const props = harness.props({ TokenSecretArn: arn });
    await handler(tppEvent('Create', props), lambdaContext());
    await handler(tppEvent('Update', { ...props, Name: 'Renamed' }, { oldProps: props, physicalResourceId: 'cert-bot' }), lambdaContext());
    expect(harness.tpp.count('RefreshToken')).toBe(1);
    expect(harness.tpp.application('cert-bot')?.Name).toBe('Renamed');
  });

  test('a pair refreshed elsewhere meanwhile (and stored in the secret) is used without another refresh', async () => {
    const { arn, tokens } = harness.tokenSecret();
    harness.tpp.injectFault({ operation: 'GetApplication', kind: 'delay', delayMs: 400 });
    const running = handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext());
    // While the first call is in flight, another deploy refreshes and stores the new pair.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fresh = await refreshOutOfBand(harness.tpp, tokens.client_id, tokens.refresh_token);
    harness.secrets.putSecret('tpp/admin-token', JSON.stringify({ ...tokens, ...fresh }));
    const response = await running;

    expect(response.PhysicalResourceId).toBe('cert-bot');
    expect(harness.tpp.count('RefreshToken')).toBe(1);
    expect(harness.secrets.count('PutSecretValue')).toBe(0);
    expect(harness.logs.join('\n')).toContain(`the secret ${arn} holds a newer access token than the one rejected: using it`);
  });

  test('a spent refresh token fails with invalid_grant and the fix, and nothing is stored', async () => {
    const { arn, tokens } = harness.tokenSecret();
    harness.tpp.expireAccessToken(tokens.access_token);
    // Someone else refreshed with it already, and did not store the result here.
    await refreshOutOfBand(harness.tpp, tokens.client_id, tokens.refresh_token);
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(reason).toContain(`TPP rejected the access token in the secret ${arn} (HTTP 401 invalid_token: The access token is invalid or revoked.)`);
    expect(reason).toContain('and TPP refused to refresh it: HTTP 400 invalid_grant: The refresh token is invalid, expired, revoked or already used.');
    expect(reason).toContain('obtain a new token pair (POST /vedauth/authorize/oauth)');
    expect(harness.secrets.count('PutSecretValue')).toBe(0);
    expectNoTokens([tokens.access_token, tokens.refresh_token], reason);
  });

  test('a rejected token without a refresh_token fails with the fix, without trying to refresh', async () => {
    const tokens = harness.tpp.issueToken();
    harness.tpp.expireAccessToken(tokens.access_token);
    const arn = harness.secrets.putSecret('tpp/access-only', JSON.stringify({ access_token: tokens.access_token }));
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(reason).toMatch(/invalid_token: The access token has expired.\), and it holds no refresh_token to renew it with/);
    expect(harness.tpp.count('RefreshToken')).toBe(0);
  });

  test('a refresh_token without client_id asks for client_id', async () => {
    const tokens = harness.tpp.issueToken();
    harness.tpp.expireAccessToken(tokens.access_token);
    const arn = harness.secrets.putSecret('tpp/no-client', JSON.stringify({ access_token: tokens.access_token, refresh_token: tokens.refresh_token }));
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(reason).toContain('It holds a refresh_token but no client_id, which TPP needs to refresh it. Add client_id');
    expect(harness.tpp.count('RefreshToken')).toBe(0);
  });

  test('a token without the admin scope fails with insufficient_scope in the reason', async () => {
    const { arn, tokens } = harness.tokenSecret({ scope: 'certificate:manage' });
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(reason).toContain('TPP GetApplication failed: HTTP 403 insufficient_scope: The access token does not have the admin scope required by this endpoint.');
    expect(reason).toContain(`The token in secret ${arn} lacks the admin scope`);
    expect(harness.tpp.count('RefreshToken')).toBe(0);
    expect(writes()).toBe(0);
    expectNoTokens([tokens.access_token, tokens.refresh_token], reason);
  });

  test('an account without the Admin role fails CreateApplication with insufficient_rights', async () => {
    const { arn } = harness.tokenSecret({ roles: ['Auditor'] });
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(reason).toContain('TPP CreateApplication failed: HTTP 401 insufficient_rights');
    expect(reason).toContain('CreateApplication needs Admin');
  });

  test('planted canary tokens appear in no log line and no reason, even when TPP echoes one', async () => {
    const arn = harness.secrets.putSecret('tpp/canary', JSON.stringify({
      access_token: 'CANARY-access-token', refresh_token: 'CANARY-refresh-token', client_id: 'cdk-appfabric',
    }));
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(reason).toContain('invalid_grant');

    harness.tpp.scriptAnswer('GetApplication', { status: 403, body: { Error: 'bad_thing', Error_Description: 'Token CANARY-access-token is not acceptable here' } });
    const echoed = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(echoed).toContain('HTTP 403 bad_thing: Token *** is not acceptable here');
    expectNoTokens([], reason, echoed);
  });

  test('a 16-character prefix and the base64 form of a token echoed by TPP are scrubbed too', async () => {
    const token = 'CANARY-prefix-and-base64-access-token';
    const arn = harness.secrets.putSecret('tpp/canary-forms', JSON.stringify({ access_token: token, client_id: 'cdk-appfabric' }));
    const echo = `prefix ${token.slice(0, 16)} base64 ${Buffer.from(token).toString('base64')}`;
    harness.tpp.scriptAnswer('GetApplication', { status: 403, body: { error: 'bad_thing', error_description: echo } });
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(reason).toContain('HTTP 403 bad_thing: prefix *** base64 ***');
    expect(reason).not.toContain(token.slice(0, 12));
    expect(reason).not.toContain(Buffer.from(token).toString('base64').slice(4, 16));
  });

  test('a secret without access_token names the fields present, never values', async () => {
    const arn = harness.secrets.putSecret('tpp/wrong', JSON.stringify({ token: 'CANARY-misnamed' }));
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TokenSecretArn: arn })), lambdaContext()));
    expect(reason).toContain(`Secret ${arn} has no non-empty string field 'access_token' (the TPP access token). Fields present: 'token'.`);
    expectNoTokens([], reason);
    expect(harness.tpp.count()).toBe(0);
  });
});

describe('TPP failures', () => {
  test('Success: false with HTTP 200 fails the deploy, with the Result', async () => {
    harness.tpp.putApplication({ ID: 'cert-bot', Name: 'Old', Vendor: 'Example Corp', Scope: 'certificate', MaximumScope: 'certificate' });
    harness.tpp.scriptAnswer('UpdateApplication', { status: 200, body: { Result: 3, Success: false, Error_Description: 'The application is locked.' } });
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ AdoptExisting: 'true' })), lambdaContext()));
    expect(reason).toMatch(/^TPP UpdateApplication failed: HTTP 200 operation_failed: The application is locked. \(Result 3\) \(application 'cert-bot' on https:\/\/127\.0\.0\.1:\d+\)\.$/);
    expect(harness.tpp.application('cert-bot')?.Name).toBe('Old');
  });

  test('Success: true with a non-zero Result is a failure too', async () => {
    harness.tpp.scriptAnswer('CreateApplication', { status: 200, body: { Result: 5, Success: true } });
    const reason = await failureReason(handler(tppEvent('Create', harness.props()), lambdaContext()));
    expect(reason).toMatch(/TPP CreateApplication failed: HTTP 200 operation_failed.*\(Result 5\)/);
  });

  test('a 400 invalid_request is not retried, and names error and error_description', async () => {
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ MaximumScope: 'certificate' })), lambdaContext()));
    expect(reason).toContain("TPP CreateApplication failed: HTTP 400 invalid_request: Scope 'certificate:manage,revoke' exceeds MaximumScope 'certificate'.");
    expect(reason).toContain('Check the declared fields');
    expect(harness.tpp.count('CreateApplication')).toBe(1);
  });

  test('throttling (honouring Retry-After), server errors and resets are retried', async () => {
    harness.tpp.injectFault({ operation: 'CreateApplication', kind: 'throttle', retryAfterSeconds: 0 });
    harness.tpp.injectFault({ operation: 'CreateApplication', kind: 'internal' });
    harness.tpp.injectFault({ operation: 'GetApplication', kind: 'reset' });
    await handler(tppEvent('Create', harness.props()), lambdaContext());
    expect(harness.tpp.count('GetApplication')).toBe(2);
    expect(harness.tpp.count('CreateApplication')).toBe(3);
    expect(harness.tpp.applicationIds()).toEqual(['cert-bot']);
    expect(harness.logs.join('\n')).toMatch(/TPP CreateApplication: attempt 1 failed \(TPP CreateApplication failed: HTTP 429 too_many_requests.*retrying in \d+ ms/);
  });

  test('server errors that outlast the Lambda fail in time with the cause', async () => {
    harness.tpp.injectFault({ operation: 'GetApplication', kind: 'internal', times: Infinity, retryAfterSeconds: 1 });
    const started = Date.now();
    const reason = await failureReason(handler(tppEvent('Create', harness.props()), lambdaContext(13_000)));
    expect(Date.now() - started).toBeLessThan(13_000);
    expect(reason).toMatch(/TPP GetApplication failed: HTTP 500 server_error.*gave up after \d+ attempts?: no time left before the Lambda timeout/);
  });

  test('a server with an untrusted certificate fails at once with a clear TLS message', async () => {
    const stranger = await TppEmulator.start({ tls: pki.untrustedServerTls });
    try {
      const reason = await failureReason(handler(tppEvent('Create', harness.props({ ServerUrl: stranger.endpoint })), lambdaContext()));
      expect(reason).toBe(
        `Could not verify the TLS certificate of TPP at ${stranger.endpoint} (UNABLE_TO_VERIFY_LEAF_SIGNATURE). ` +
        'The handler trusts the public root CAs and trustedCaCertificate. If TPP\'s certificate comes from an internal CA, pass that CA\'s certificate (PEM) ' +
        'as trustedCaCertificate; also check that the certificate names the host in serverUrl and has not expired.',
      );
      expect(stranger.count()).toBe(0);
    } finally {
      await stranger.close();
    }
  });

  test('without trustedCaCertificate, a certificate from the internal CA is not trusted', async () => {
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ TrustedCaCertificate: undefined })), lambdaContext()));
    expect(reason).toMatch(/^Could not verify the TLS certificate of TPP at https:\/\/127\.0\.0\.1:\d+ \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\. The handler trusts the public root CAs\. /);
  });

  test('an unreachable server fails with the VPC hint once the time is up', async () => {
    const closed = await TppEmulator.start({ tls: pki.serverTls });
    const endpoint = closed.endpoint;
    await closed.close();
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ ServerUrl: endpoint })), lambdaContext(11_500)));
    expect(reason).toMatch(/^Could not reach TPP at https:\/\/127\.0\.0\.1:\d+: request to 127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    expect(reason).toContain('place the handler in its VPC');
  });

  test('a plain http serverUrl is refused before any token is sent', async () => {
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ ServerUrl: 'http://127.0.0.1:1' })), lambdaContext()));
    expect(reason).toBe('serverUrl uses http, not https: the handler sends tokens to it. Pass an https:// URL.');
  });
});

describe('bundled handler', () => {
  test('the bundle in assets/ creates an application', async () => {
    // `npx projen bundle` (run by `npm test`) writes it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bundled = require(path.join(__dirname, '..', '..', 'assets', 'venafi-tpp', 'handler', 'tpp-oauth-application.lambda', 'index.js'));
    const response = await asCloudFormation(bundled.handler)(tppEvent('Create', harness.props()), lambdaContext());
    expect(response).toEqual({ PhysicalResourceId: 'cert-bot', Data: { ApplicationId: 'cert-bot', Name: 'Certificate bot' } });
  });
});

/** Spends a refresh token as another client would (over HTTPS, trusting the test CA); returns the new pair. */
async function refreshOutOfBand(tpp: TppEmulator, clientId: string, refreshToken: string): Promise<{ access_token: string; refresh_token: string }> {
  const response = await send({
    method: 'POST',
    url: new URL('/vedauth/authorize/token', tpp.endpoint),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: clientId, refresh_token: refreshToken }),
    timeoutMs: 5_000,
    ca: pki.caCertificate,
  });
  expect(response.status).toBe(200);
  const { access_token, refresh_token } = JSON.parse(response.body);
  return { access_token, refresh_token };
}

describe('chaos regressions (TPP has no client token and no tags)', () => {
  test('a redelivered Create takes what its earlier delivery made, without the opt-in', async () => {
    const create = tppEvent('Create', harness.props());
    await handler(create, lambdaContext());
    const again = await handler(create, lambdaContext());
    expect(again.PhysicalResourceId).toBe('cert-bot');
    expect(harness.tpp.count('CreateApplication')).toBe(1);
  });

  test('chaos seed 109: a create lost then refused, whose removal is refused once too, still leaves nothing', async () => {
    harness.tpp.injectFault({ operation: 'DeleteApplication', kind: 'reject', status: 401, errorType: 'insufficient_rights' });
    harness.tpp.injectFault({ operation: 'CreateApplication', kind: 'dropResponse' });
    harness.tpp.injectFault({ operation: 'CreateApplication', kind: 'reject', status: 403, errorType: 'insufficient_scope' });
    await failureReason(handler(tppEvent('Create', harness.props()), lambdaContext()));
    expect(harness.tpp.applicationIds()).toEqual([]);
  });

  test('an ID change delivered twice, the second delivery refused at its first read, removes what the first delivery made', async () => {
    const props = harness.props();
    await handler(tppEvent('Create', props), lambdaContext());
    const toNewId = tppEvent('Update', { ...props, ApplicationId: 'cert-bot-2' }, { oldProps: props, physicalResourceId: 'cert-bot' });
    await handler(toNewId, lambdaContext());
    harness.tpp.injectFault({ operation: 'GetApplication', kind: 'reject', status: 403, errorType: 'insufficient_scope' });
    await failureReason(handler(toNewId, lambdaContext()));
    expect(harness.tpp.applicationIds()).toEqual(['cert-bot']);
    expect(harness.logs.join('\n')).toContain("an earlier delivery of this event had made 'cert-bot-2': removing it");
  });

  test('chaos seed 416: a create lost, then "already exists", then the read refused, removes what the lost attempt made', async () => {
    harness.tpp.injectFault({ operation: 'CreateApplication', kind: 'dropResponse' });
    harness.tpp.injectFault({ operation: 'GetApplication', kind: 'delay', delayMs: 1 });
    harness.tpp.injectFault({ operation: 'GetApplication', kind: 'reject', status: 403, errorType: 'insufficient_scope' });
    await failureReason(handler(tppEvent('Create', harness.props()), lambdaContext()));
    expect(harness.tpp.applicationIds()).toEqual([]);
  });

  test('chaos seed 661: an ID change delivered twice, the second refused at its read and at the first removal, still removes it', async () => {
    const props = harness.props();
    await handler(tppEvent('Create', props), lambdaContext());
    const toNewId = tppEvent('Update', { ...props, ApplicationId: 'cert-bot-2' }, { oldProps: props, physicalResourceId: 'cert-bot' });
    await handler(toNewId, lambdaContext());
    harness.tpp.injectFault({ operation: 'GetApplication', kind: 'reject', status: 401, errorType: 'insufficient_rights' });
    harness.tpp.injectFault({ operation: 'DeleteApplication', kind: 'reject', status: 401, errorType: 'insufficient_rights' });
    await failureReason(handler(toNewId, lambdaContext()));
    expect(harness.tpp.applicationIds()).toEqual(['cert-bot']);
  });

  test('a failed adoption whose update took effect but was then refused sends the application back as it was', async () => {
    harness.tpp.putApplication({ ID: 'legacy-bot', Name: 'Made by hand', Vendor: 'Someone', Scope: 'certificate', MaximumScope: 'certificate' });
    const before = harness.tpp.application('legacy-bot');
    harness.tpp.injectFault({ operation: 'UpdateApplication', kind: 'dropResponse' });
    harness.tpp.injectFault({ operation: 'UpdateApplication', kind: 'reject', status: 403, errorType: 'insufficient_scope' });
    const reason = await failureReason(handler(tppEvent('Create', harness.props({ ApplicationId: 'legacy-bot', AdoptExisting: 'true' })), lambdaContext()));
    expect(reason).toMatch(/Adopting 'legacy-bot' failed\. The update may have taken effect, so the application was restored as it was before this deploy; nothing else changed\.$/);
    expect(harness.tpp.application('legacy-bot')).toEqual(before);
  });
});
