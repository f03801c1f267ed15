// Brownfield: adopting an authorization made outside the stack (e.g. in the console).
import { HandlerHarness, cfnEvent, failureReason, handler, lambdaContext } from '../support/handler-harness';

let harness: HandlerHarness;
beforeEach(async () => { harness = await HandlerHarness.start(); });
afterEach(async () => { await harness.close(); });

function consoleMade(authType: 'oauth2' | 'apiKey' = 'oauth2') {
  return harness.appfabric.putAuthorization({
    appBundleArn: harness.bundleArn,
    app: 'SLACK',
    authType,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Made in the console' },
    credential: authType === 'oauth2' ? { oauth2Credential: { clientId: 'old-id', clientSecret: 'old-secret' } } : { apiKeyCredential: { apiKey: 'old' } },
  });
}

test('without the opt-in the Create fails naming the existing ARN and the opt-in', async () => {
  const existing = consoleMade();
  const reason = await failureReason(handler(cfnEvent('Create', harness.props()), lambdaContext()));
  expect(reason).toContain(existing.appAuthorizationArn);
  expect(reason).toContain('set adoptExisting: true on the AppAuthorization');
  expect(harness.appfabric.authorizations()[0].tenant.tenantDisplayName).toBe('Made in the console');
});

test('with the opt-in the Create takes it over, the next Update changes it, Delete removes it', async () => {
  const existing = consoleMade();
  const props = harness.props({ AdoptExisting: 'true', Tags: [{ key: 'managed-by', value: 'cdk' }] });
  const created = await handler(cfnEvent('Create', props), lambdaContext());
  expect(created.PhysicalResourceId).toBe(existing.appAuthorizationArn);
  let [stored] = harness.appfabric.authorizations();
  expect(stored.tenant.tenantDisplayName).toBe('Example Corp');
  expect(stored.credential).toEqual({ oauth2Credential: { clientId: 'slack-client-id', clientSecret: 'CANARY-oauth-secret-7Hq2Wx' } });
  expect(stored.tags).toEqual([{ key: 'managed-by', value: 'cdk' }]);
  expect(created.Data?.AuthUrl).toBe(stored.authUrl);

  const renamed = { ...props, TenantDisplayName: 'Example Corporation' };
  await handler(cfnEvent('Update', renamed, { oldProps: props, physicalResourceId: existing.appAuthorizationArn }), lambdaContext());
  [stored] = harness.appfabric.authorizations();
  expect(stored.tenant.tenantDisplayName).toBe('Example Corporation');

  await handler(cfnEvent('Delete', renamed, { physicalResourceId: existing.appAuthorizationArn }), lambdaContext());
  expect(harness.appfabric.authorizations()).toEqual([]);
});

test('an adopted apiKey authorization is connected with the declared key', async () => {
  consoleMade('apiKey');
  const props = harness.apiKeyProps('good-key', { App: 'SLACK', TenantIdentifier: 'examplecorp', AdoptExisting: 'true' });
  const created = await handler(cfnEvent('Create', props), lambdaContext());
  expect(created.Data?.Status).toBe('Connected');
  expect(harness.appfabric.authorizations()[0].credential).toEqual({ apiKeyCredential: { apiKey: 'good-key' } });
});

test('an adopted authorization whose new key is rejected is left in place, not deleted', async () => {
  const existing = consoleMade('apiKey');
  const props = harness.apiKeyProps('invalid-key', { App: 'SLACK', TenantIdentifier: 'examplecorp', AdoptExisting: 'true' });
  const reason = await failureReason(handler(cfnEvent('Create', props), lambdaContext()));
  expect(reason).toMatch(/could not connect: AppFabric reports ConnectionValidationFailed/);
  expect(harness.appfabric.authorizations().map((a) => a.appAuthorizationArn)).toEqual([existing.appAuthorizationArn]);
});

test('adoption cannot change the auth type, and says so', async () => {
  const existing = consoleMade('oauth2');
  const props = harness.apiKeyProps('good-key', { App: 'SLACK', TenantIdentifier: 'examplecorp', AdoptExisting: 'true' });
  const reason = await failureReason(handler(cfnEvent('Create', props), lambdaContext()));
  expect(reason).toBe(
    `Cannot adopt ${existing.appAuthorizationArn}: it is an oauth2 authorization and the SLACK authorization for tenant 'examplecorp' ` +
    'is declared as apiKey. AppFabric cannot change an authorization\'s auth type: declare oauth2, or delete the existing one first.');
});
