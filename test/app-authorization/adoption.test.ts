// Brownfield: adopting an authorization made outside the stack (e.g. in the console).
import { OWNER_LOGICAL_ID_TAG, OWNER_STACK_TAG } from '../../src/app-authorization/properties';
import { HandlerHarness, STACK_ID, cfnEvent, failureReason, handler, lambdaContext } from '../support/handler-harness';

const OTHER_STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/OtherApp/7a1b2c3d-0000-4000-8000-000000000002';

let harness: HandlerHarness;
beforeEach(async () => { harness = await HandlerHarness.start(); });
afterEach(async () => { await harness.close(); });

function consoleMade(authType: 'oauth2' | 'apiKey' = 'oauth2', extra: { status?: 'Connected'; tags?: Array<{ key: string; value: string }> } = {}) {
  return harness.appfabric.putAuthorization({
    appBundleArn: harness.bundleArn,
    app: 'SLACK',
    authType,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Made in the console' },
    credential: authType === 'oauth2' ? { oauth2Credential: { clientId: 'old-id', clientSecret: 'old-secret' } } : { apiKeyCredential: { apiKey: 'old' } },
    ...extra,
  });
}

/** The parts of an authorization adoption may touch, for comparing before and after. */
function snapshotOf(arn: string) {
  const stored = harness.appfabric.authorizations().find((a) => a.appAuthorizationArn === arn)!;
  return { tenant: stored.tenant, tags: stored.tags, credential: stored.credential, status: stored.status, authType: stored.authType };
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
  expect(stored.tags).toEqual(expect.arrayContaining([
    { key: 'managed-by', value: 'cdk' }, { key: OWNER_STACK_TAG, value: STACK_ID }, { key: OWNER_LOGICAL_ID_TAG, value: 'SlackAuthorization1A2B3C4D' },
  ]));
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

test('a failed adoption restores the display name and tags, and says what it could not restore and the state now', async () => {
  const existing = consoleMade('apiKey', { status: 'Connected', tags: [{ key: 'team', value: 'it' }, { key: 'managed-by', value: 'console' }] });
  const props = harness.apiKeyProps('invalid-key', {
    App: 'SLACK', TenantIdentifier: 'examplecorp', AdoptExisting: 'true', Tags: [{ key: 'managed-by', value: 'cdk' }],
  });
  const reason = await failureReason(handler(cfnEvent('Create', props), lambdaContext()));

  const arn = existing.appAuthorizationArn;
  expect(reason).toBe(`Adopting ${arn} (the SLACK authorization for tenant 'examplecorp') failed: the SLACK authorization for tenant 'examplecorp' ` +
    `could not connect: AppFabric reports ConnectionValidationFailed. SLACK rejected the API key read from secret ${props.CredentialSecretArn} ` +
    "(field 'apiKey'). Check that the key is current, belongs to tenant 'examplecorp' and has the access AppFabric needs, then deploy again. " +
    "Restored: its tenant display name 'Made in the console' and its tags (no ownership tag: no stack owns it). " +
    `Not restored: its credential, which now comes from secret ${props.CredentialSecretArn} (AppFabric never returns a credential, so the one ` +
    'it held before cannot be put back). It is ConnectionValidationFailed now (it was Connected), still in AppFabric, and no stack owns it. ' +
    `Put a key AppFabric accepts in secret ${props.CredentialSecretArn} and deploy again, or reconnect it with its old key in the AppFabric console.`);
  const after = snapshotOf(arn);
  expect(after.tenant).toEqual({ tenantIdentifier: 'examplecorp', tenantDisplayName: 'Made in the console' });
  expect(after.tags).toEqual(expect.arrayContaining([{ key: 'team', value: 'it' }, { key: 'managed-by', value: 'console' }]));
  expect(after.tags).toHaveLength(2);
  expect(harness.appfabric.authorizations().map((a) => a.appAuthorizationArn)).toEqual([arn]);
  expect(harness.appfabric.count('DeleteAppAuthorization')).toBe(0);
});

test('a second stack cannot adopt an authorization another stack owns; nothing of it changes', async () => {
  const props = harness.props();
  const { PhysicalResourceId: arn } = await handler(cfnEvent('Create', props), lambdaContext());
  const before = snapshotOf(arn);
  const otherSecret = harness.secrets.putSecret('other/slack', JSON.stringify({ clientId: 'other-id', clientSecret: 'CANARY-other' }));
  const otherStack = {
    ...cfnEvent('Create', { ...props, TenantDisplayName: 'Taken over', CredentialSecretArn: otherSecret, AdoptExisting: 'true' }),
    StackId: OTHER_STACK_ID,
  };

  const reason = await failureReason(handler(otherStack, lambdaContext()));

  expect(reason).toBe(`Cannot adopt ${arn} for the SLACK authorization for tenant 'examplecorp': it belongs to stack ${STACK_ID} ` +
    `(resource SlackAuthorization1A2B3C4D), as its tags ${OWNER_STACK_TAG} and ${OWNER_LOGICAL_ID_TAG} say. Nothing was changed. ` +
    'To move it to this stack: in that stack set removalPolicy RETAIN on SlackAuthorization1A2B3C4D, deploy, remove it from that stack and ' +
    `deploy again; then remove the two tags (aws appfabric untag-resource --resource-arn ${arn} --tag-keys ${OWNER_STACK_TAG} ` +
    `${OWNER_LOGICAL_ID_TAG}) and deploy this stack again.`);
  expect(snapshotOf(arn)).toEqual(before);
  expect(harness.appfabric.count('UpdateAppAuthorization') + harness.appfabric.count('TagResource') + harness.appfabric.count('DeleteAppAuthorization')).toBe(0);
});

test('the same resource adopting again (a redelivered Create) finds its own tags and goes ahead', async () => {
  const existing = consoleMade();
  const props = harness.props({ AdoptExisting: 'true' });
  const event = cfnEvent('Create', props);
  await handler(event, lambdaContext());
  const again = await handler(event, lambdaContext());
  expect(again.PhysicalResourceId).toBe(existing.appAuthorizationArn);
});

test('adoption cannot change the auth type, and says so', async () => {
  const existing = consoleMade('oauth2');
  const props = harness.apiKeyProps('good-key', { App: 'SLACK', TenantIdentifier: 'examplecorp', AdoptExisting: 'true' });
  const reason = await failureReason(handler(cfnEvent('Create', props), lambdaContext()));
  expect(reason).toBe(
    `Cannot adopt ${existing.appAuthorizationArn}: it is an oauth2 authorization and the SLACK authorization for tenant 'examplecorp' ` +
    'is declared as apiKey. AppFabric cannot change an authorization\'s auth type: declare oauth2, or delete the existing one first. Nothing was changed.');
});
