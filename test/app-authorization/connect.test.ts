// apiKey authorizations are connected and verified during the deploy; request counts per event.
import { CREATE_FAILED_PHYSICAL_ID } from '../../src/internal/custom-resource';
import { HandlerHarness, cfnEvent, failureReason, handler, lambdaContext } from '../support/handler-harness';

describe('apiKey connect at deploy', () => {
  let harness: HandlerHarness;
  afterEach(async () => { await harness.close(); });

  test('a good key reaches Connected within the Create: create + connect, no reads when connect answers Connected', async () => {
    harness = await HandlerHarness.start();
    const response = await handler(cfnEvent('Create', harness.apiKeyProps('good-key')), lambdaContext());
    expect(response.Data?.Status).toBe('Connected');
    expect(harness.appfabric.requests.map((r) => r.operation)).toEqual(['CreateAppAuthorization', 'ConnectAppAuthorization']);
    expect(harness.appfabric.requests[1].requestBody).toEqual({});
  });

  test('when AppFabric takes a while, the handler reads the status until Connected', async () => {
    harness = await HandlerHarness.start({ connectPendingReads: 2 });
    const response = await handler(cfnEvent('Create', harness.apiKeyProps('good-key')), lambdaContext());
    expect(response.Data?.Status).toBe('Connected');
    expect(harness.appfabric.requests.map((r) => r.operation)).toEqual([
      'CreateAppAuthorization', 'ConnectAppAuthorization', 'GetAppAuthorization', 'GetAppAuthorization', 'GetAppAuthorization',
    ]);
  });

  test('a rejected key fails the Create with the app, tenant, secret and field, and leaves nothing behind', async () => {
    harness = await HandlerHarness.start();
    const props = harness.apiKeyProps('invalid-CANARY-key');
    const reason = await failureReason(handler(cfnEvent('Create', props), lambdaContext()));
    expect(reason).toBe(
      "the ASANA authorization for tenant '1200000000000000' could not connect: AppFabric reports ConnectionValidationFailed. " +
      `ASANA rejected the API key read from secret ${props.CredentialSecretArn} (field 'apiKey'). ` +
      "Check that the key is current, belongs to tenant '1200000000000000' and has the access AppFabric needs, then deploy again.",
    );
    expect(harness.appfabric.authorizations()).toEqual([]);
    expect(harness.logs.join('\n')).not.toContain('CANARY');
    // The failed Create answered the marker id; the rollback's Delete of it does no work.
    await handler(cfnEvent('Delete', props, { physicalResourceId: CREATE_FAILED_PHYSICAL_ID }), lambdaContext());
    expect(harness.appfabric.count('DeleteAppAuthorization')).toBe(1);
  });

  test('a connect that stays pending past connectTimeout fails with the fix', async () => {
    harness = await HandlerHarness.start({ connectPendingReads: 1000 });
    const props = harness.apiKeyProps('good-key', { ConnectTimeoutSeconds: '2' });
    const reason = await failureReason(handler(cfnEvent('Create', props), lambdaContext()));
    expect(reason).toMatch(/still PendingConnect 2 seconds after connecting.*raise connectTimeout/);
    expect(harness.appfabric.authorizations()).toEqual([]);
  });

  test('a new key is sent and verified on update (the update returns it to PendingConnect)', async () => {
    harness = await HandlerHarness.start();
    const props = harness.apiKeyProps('good-key');
    const { PhysicalResourceId: arn } = await handler(cfnEvent('Create', props), lambdaContext());
    const rotated = { ...props, CredentialSecretArn: harness.secrets.putSecret('appfabric/asana-v2', JSON.stringify({ apiKey: 'good-key-2' })) };
    harness.appfabric.requests.length = 0;
    const response = await handler(cfnEvent('Update', rotated, { oldProps: props, physicalResourceId: arn }), lambdaContext());
    expect(response.Data?.Status).toBe('Connected');
    // TagResource records the secret version the new key came from (for the rotation follower).
    expect(harness.appfabric.requests.map((r) => r.operation)).toEqual(['GetAppAuthorization', 'UpdateAppAuthorization', 'ConnectAppAuthorization', 'TagResource']);
    expect(harness.appfabric.authorizations()[0].credential).toEqual({ apiKeyCredential: { apiKey: 'good-key-2' } });
  });

  test('AppFabric calls per event are the minimum', async () => {
    harness = await HandlerHarness.start();
    const counts: Record<string, number> = {};
    const measure = async (name: string, run: () => Promise<unknown>) => {
      const before = harness.appfabric.count();
      await run();
      counts[name] = harness.appfabric.count() - before;
    };
    const oauth = harness.props();
    let oauthArn = '';
    await measure('oauth2 create', async () => { oauthArn = (await handler(cfnEvent('Create', oauth), lambdaContext())).PhysicalResourceId; });
    await measure('apiKey create', () => handler(cfnEvent('Create', harness.apiKeyProps('good-key')), lambdaContext()));
    await measure('unchanged update', () => handler(cfnEvent('Update', { ...oauth, ConnectTimeoutSeconds: '60' }, { oldProps: oauth, physicalResourceId: oauthArn }), lambdaContext()));
    await measure('delete', () => handler(cfnEvent('Delete', oauth, { physicalResourceId: oauthArn }), lambdaContext()));
    // An unchanged update makes no write; its one read keeps Fn::GetAtt (AuthUrl, Status) answering.
    expect(counts).toEqual({ 'oauth2 create': 1, 'apiKey create': 2, 'unchanged update': 1, 'delete': 1 });
  });
});
