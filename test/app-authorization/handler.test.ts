// The AppAuthorization handler, driven through the local emulators over real HTTP.
import { CREDENTIAL_VERSION_TAG, OWNER_LOGICAL_ID_TAG, OWNER_STACK_TAG } from '../../src/app-authorization/properties';
import { CREATE_FAILED_PHYSICAL_ID } from '../../src/internal/custom-resource';
import { HandlerHarness, cfnEvent, failureReason, handler, lambdaContext } from '../support/handler-harness';

const WRITES = ['CreateAppAuthorization', 'UpdateAppAuthorization', 'ConnectAppAuthorization', 'DeleteAppAuthorization', 'TagResource', 'UntagResource'];

let harness: HandlerHarness;
beforeEach(async () => { harness = await HandlerHarness.start(); });
afterEach(async () => { await harness.close(); });

function writes(): number {
  return WRITES.reduce((sum, op) => sum + harness.appfabric.count(op), 0);
}

/** Secret values planted by the tests: none may appear in logs, Data or failure reasons. */
function expectNoCanary(...texts: unknown[]) {
  const all = [...harness.logs, ...texts.map((t) => JSON.stringify(t))].join('\n');
  expect(all).not.toContain('CANARY');
}

describe('Create', () => {
  test('oauth2: one CreateAppAuthorization, the credential read from the secret, AuthUrl in Data', async () => {
    const props = harness.props();
    const response = await handler(cfnEvent('Create', props), lambdaContext());

    const [stored] = harness.appfabric.authorizations(harness.bundleArn);
    expect(response.PhysicalResourceId).toBe(stored.appAuthorizationArn);
    expect(response.Data).toEqual({
      AppAuthorizationArn: stored.appAuthorizationArn, AuthUrl: stored.authUrl, Status: 'PendingConnect', AuthType: 'oauth2', Persona: 'admin',
    });
    expect(stored.authUrl).toMatch(/^https:\/\//);
    expect(stored.credential).toEqual({ oauth2Credential: { clientId: 'slack-client-id', clientSecret: 'CANARY-oauth-secret-7Hq2Wx' } });
    expect(stored.tenant).toEqual({ tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' });
    expect(harness.appfabric.count()).toBe(1);
    expect(harness.appfabric.requests[0].signedService).toBe('appfabric');
    expectNoCanary(response);
  });

  test('a Create redelivered with the same RequestId yields the same single authorization', async () => {
    const props = harness.props();
    const event = cfnEvent('Create', props);
    const first = await handler(event, lambdaContext());
    const second = await handler(event, lambdaContext());
    expect(second.PhysicalResourceId).toBe(first.PhysicalResourceId);
    expect(harness.appfabric.authorizations()).toHaveLength(1);
  });

  test('a lost response is retried with the same client token: one authorization', async () => {
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'dropResponse' });
    const response = await handler(cfnEvent('Create', harness.props()), lambdaContext());
    expect(harness.appfabric.count('CreateAppAuthorization')).toBe(2);
    expect(harness.appfabric.authorizations()).toHaveLength(1);
    expect(response.PhysicalResourceId).toBe(harness.appfabric.authorizations()[0].appAuthorizationArn);
  });

  test('tags are passed to AppFabric, with the ownership tags and the credential\'s secret version', async () => {
    const props = harness.props({ Tags: [{ key: 'team', value: 'security' }] });
    const event = cfnEvent('Create', props);
    await handler(event, lambdaContext());
    expect(harness.appfabric.authorizations()[0].tags).toEqual([
      { key: 'team', value: 'security' },
      { key: OWNER_STACK_TAG, value: event.StackId },
      { key: OWNER_LOGICAL_ID_TAG, value: event.LogicalResourceId },
      { key: CREDENTIAL_VERSION_TAG, value: harness.secrets.versionId(props.CredentialSecretArn) },
    ]);
  });

  test('an existing authorization for the same app and tenant fails with its ARN', async () => {
    const existing = harness.appfabric.putAuthorization({
      appBundleArn: harness.bundleArn,
      app: 'SLACK',
      authType: 'oauth2',
      tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Console-made' },
    });
    const reason = await failureReason(handler(cfnEvent('Create', harness.props()), lambdaContext()));
    expect(reason).toContain(`An authorization for SLACK and tenant 'examplecorp' already exists in bundle ${harness.bundleArn}: ${existing.appAuthorizationArn}`);
    expect(harness.appfabric.authorizations()).toHaveLength(1);
  });
});

describe('secrets', () => {
  test('a secret missing its field names the secret and the field, never a value', async () => {
    const arn = harness.secrets.putSecret('appfabric/slack-partial', JSON.stringify({ clientId: 'id', secret: 'CANARY-misnamed-secret' }));
    const reason = await failureReason(handler(cfnEvent('Create', harness.props({ CredentialSecretArn: arn })), lambdaContext()));
    expect(reason).toBe(
      `Secret ${arn} has no non-empty string field 'clientSecret' (the OAuth client of the SLACK authorization for tenant 'examplecorp'). ` +
      "Fields present: 'clientId', 'secret'. Add 'clientSecret' to the secret's JSON, or name the field that holds it in the credential's options.",
    );
    expectNoCanary(reason);
    // Nothing is sent; the failed Create only checks that no earlier delivery of it left anything.
    expect(harness.appfabric.requests.map((r) => r.operation)).toEqual(['ListAppAuthorizations']);
  });

  test('a secret that is not JSON says so, without the value', async () => {
    const arn = harness.secrets.putSecret('appfabric/plain', 'CANARY-plain-text-key');
    const reason = await failureReason(handler(cfnEvent('Create', harness.apiKeyProps('x', { CredentialSecretArn: arn })), lambdaContext()));
    expect(reason).toBe(`Secret ${arn} (the API key of the ASANA authorization for tenant '1200000000000000') is not a JSON object. Store a JSON object like {"apiKey": "..."}.`);
    expectNoCanary(reason);
  });

  test('a secret that does not exist is named with the fix', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:appfabric/missing-AbCdEf';
    const reason = await failureReason(handler(cfnEvent('Create', harness.props({ CredentialSecretArn: arn })), lambdaContext()));
    expect(reason).toContain(`Could not read secret ${arn} (the OAuth client of the SLACK authorization for tenant 'examplecorp'): ` +
      'ResourceNotFoundException: Secrets Manager can\'t find the specified secret. ');
    expect(reason).toContain('create it, or point the credential at the right secret');
  });
});

describe('Update', () => {
  async function created(props = harness.props()) {
    const response = await handler(cfnEvent('Create', props), lambdaContext());
    harness.appfabric.requests.length = 0;
    return { props, arn: response.PhysicalResourceId };
  }

  test('a tenant display name change is made in place', async () => {
    const { props, arn } = await created();
    const renamed = { ...props, TenantDisplayName: 'Example Corporation' };
    const response = await handler(cfnEvent('Update', renamed, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(response.PhysicalResourceId).toBe(arn);
    expect(harness.appfabric.authorizations()[0].tenant.tenantDisplayName).toBe('Example Corporation');
    expect(harness.appfabric.requests.map((r) => r.operation)).toEqual(['GetAppAuthorization', 'UpdateAppAuthorization']);
    expect(harness.appfabric.requests[1].requestBody).toEqual({ tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corporation' } });
  });

  test('a credential reference change sends the new credential', async () => {
    const { props, arn } = await created();
    const otherSecret = harness.secrets.putSecret('appfabric/slack-v2', JSON.stringify({ id: 'new-client', secret: 'CANARY-new-secret' }));
    const moved = { ...props, CredentialSecretArn: otherSecret, CredentialFields: { ClientId: 'id', ClientSecret: 'secret' } };
    await handler(cfnEvent('Update', moved, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(harness.appfabric.authorizations()[0].credential).toEqual({ oauth2Credential: { clientId: 'new-client', clientSecret: 'CANARY-new-secret' } });
    expectNoCanary();
  });

  test('a Connected oauth2 authorization sent back to PendingConnect is announced in the log', async () => {
    const { props, arn } = await created();
    harness.appfabric.setStatus(arn, 'Connected');
    const response = await handler(cfnEvent('Update', { ...props, TenantDisplayName: 'New' }, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(response.Data?.Status).toBe('PendingConnect');
    expect(harness.logs.join('\n')).toMatch(/WARNING: SLACK for tenant 'examplecorp' is back to PendingConnect/);
  });

  test('nothing effective changed: no write, one read to answer Fn::GetAtt', async () => {
    const { props, arn } = await created();
    const response = await handler(cfnEvent('Update', { ...props }, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(writes()).toBe(0);
    expect(harness.appfabric.count()).toBe(1);
    expect(response.Data?.AuthUrl).toBe(harness.appfabric.authorizations()[0].authUrl);
  });

  test('an app change replaces: a new ARN, the old one left for CloudFormation to delete', async () => {
    const { props, arn } = await created();
    const zoom = { ...props, App: 'ZOOM' };
    const response = await handler(cfnEvent('Update', zoom, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(response.PhysicalResourceId).not.toBe(arn);
    expect(harness.appfabric.authorizations().map((a) => a.app).sort()).toEqual(['SLACK', 'ZOOM']);
    await handler(cfnEvent('Delete', props, { physicalResourceId: arn }), lambdaContext());
    expect(harness.appfabric.authorizations().map((a) => a.app)).toEqual(['ZOOM']);
  });

  test('a replacement keeping app and tenant removes the old one first, and the later Delete of the old id succeeds', async () => {
    const { props, arn } = await created();
    const asApiKey = harness.apiKeyProps('good-key', { App: 'SLACK', TenantIdentifier: 'examplecorp' });
    const response = await handler(cfnEvent('Update', asApiKey, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(response.PhysicalResourceId).not.toBe(arn);
    expect(harness.appfabric.authorizations().map((a) => [a.appAuthorizationArn, a.authType, a.status]))
      .toEqual([[response.PhysicalResourceId, 'apiKey', 'Connected']]);
    await handler(cfnEvent('Delete', props, { physicalResourceId: arn }), lambdaContext());
    expect(harness.appfabric.authorizations()).toHaveLength(1);
  });

  test('an authorization deleted outside CloudFormation is created again', async () => {
    const { props, arn } = await created();
    await handler(cfnEvent('Delete', props, { physicalResourceId: arn }), lambdaContext());
    const response = await handler(cfnEvent('Update', { ...props, TenantDisplayName: 'New' }, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(response.PhysicalResourceId).not.toBe(arn);
    expect(harness.appfabric.authorizations()[0].tenant.tenantDisplayName).toBe('New');
  });

  test('a failed update followed by the rollback update leaves the original state', async () => {
    const { props, arn } = await created();
    const brokenSecret = harness.secrets.putSecret('appfabric/broken', '{}');
    const failing = { ...props, TenantDisplayName: 'Renamed', CredentialSecretArn: brokenSecret };
    await failureReason(handler(cfnEvent('Update', failing, { oldProps: props, physicalResourceId: arn }), lambdaContext()));
    // CloudFormation rolls back with the property sets swapped and the original physical id.
    const rollback = await handler(cfnEvent('Update', props, { oldProps: failing, physicalResourceId: arn }), lambdaContext());
    expect(rollback.PhysicalResourceId).toBe(arn);
    const [stored] = harness.appfabric.authorizations();
    expect(stored.tenant).toEqual({ tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' });
    expect(stored.credential.oauth2Credential.clientId).toBe('slack-client-id');
  });

  test('tag changes are applied with TagResource and UntagResource', async () => {
    const { props, arn } = await created(harness.props({ Tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }] }));
    await handler(cfnEvent('Update', { ...props, Tags: [{ key: 'a', value: '9' }] }, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(harness.appfabric.authorizations()[0].tags.filter((tag) => !tag.key.startsWith('cdk-appfabric:'))).toEqual([{ key: 'a', value: '9' }]);
  });
});

describe('Delete', () => {
  test('deletes once, and a repeated Delete succeeds', async () => {
    const props = harness.props();
    const { PhysicalResourceId: arn } = await handler(cfnEvent('Create', props), lambdaContext());
    await handler(cfnEvent('Delete', props, { physicalResourceId: arn }), lambdaContext());
    await handler(cfnEvent('Delete', props, { physicalResourceId: arn }), lambdaContext());
    expect(harness.appfabric.authorizations()).toHaveLength(0);
    expect(harness.appfabric.count('DeleteAppAuthorization')).toBe(2);
  });

  test("the Delete of a failed Create's marker id succeeds without calling AppFabric", async () => {
    const response = await handler(cfnEvent('Delete', harness.props(), { physicalResourceId: CREATE_FAILED_PHYSICAL_ID }), lambdaContext());
    expect(response.PhysicalResourceId).toBe(CREATE_FAILED_PHYSICAL_ID);
    expect(harness.appfabric.count()).toBe(0);
  });
});

describe('faults', () => {
  test('a throttling storm is ridden out, honouring Retry-After', async () => {
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'throttle', times: 4, retryAfterSeconds: 0 });
    const response = await handler(cfnEvent('Create', harness.props()), lambdaContext());
    expect(harness.appfabric.count('CreateAppAuthorization')).toBe(5);
    expect(harness.appfabric.authorizations()).toHaveLength(1);
    expect(response.Data?.Status).toBe('PendingConnect');
    expect(harness.logs.join('\n')).toMatch(/ThrottlingException.*retrying in \d+ ms/);
  });

  test('server errors and connection resets are retried', async () => {
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'internal' });
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'reset' });
    await handler(cfnEvent('Create', harness.props()), lambdaContext());
    expect(harness.appfabric.count('CreateAppAuthorization')).toBe(3);
    expect(harness.appfabric.authorizations()).toHaveLength(1);
  });

  test('client errors are not retried', async () => {
    const reason = await failureReason(handler(cfnEvent('Create', harness.props({ AuthType: 'bogus' })), lambdaContext()));
    expect(reason).toMatch(/ValidationException \(HTTP 400\)/);
    expect(harness.appfabric.count('CreateAppAuthorization')).toBe(1);
  });

  test('throttling that outlasts the Lambda fails in time with the cause', async () => {
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'throttle', times: Infinity, retryAfterSeconds: 1 });
    const started = Date.now();
    // 13 s left: the handler keeps a 10 s margin to report, so it has about 3 s to retry.
    const reason = await failureReason(handler(cfnEvent('Create', harness.props()), lambdaContext(13_000)));
    expect(Date.now() - started).toBeLessThan(13_000);
    expect(reason).toMatch(/ThrottlingException.*gave up after \d+ attempts: no time left before the Lambda timeout/);
  });
});
