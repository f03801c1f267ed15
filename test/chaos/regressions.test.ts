// What the chaos suite found, each as a plain event sequence against the emulators. The seed that
// first showed it is named in each describe block (`test/chaos/run.ts --seeds 1 --from <seed>`).
import { ChaosLink } from './chaos-link';
import { AppAuthorizationEvent } from '../../src/app-authorization/handler/events';
import { HandlerHarness, cfnEvent, failureReason, handler, lambdaContext } from '../support/handler-harness';

/** 12 s of Lambda time: the handler keeps 10 s to report, so it has about 2 s of its own. */
const SHORT_LAMBDA_MS = 12_000;

let harness: HandlerHarness;
afterEach(async () => { await harness.close(); });

function authorizations() {
  return harness.appfabric.authorizations(harness.bundleArn)
    .map((a) => ({ arn: a.appAuthorizationArn, app: a.app, authType: a.authType, status: a.status }));
}

/** The rollback CloudFormation sends after a failed Update: property sets swapped, the original physical id. */
function rollbackOf(failed: AppAuthorizationEvent): AppAuthorizationEvent {
  return cfnEvent('Update', failed.OldResourceProperties!, { oldProps: failed.ResourceProperties, physicalResourceId: failed.PhysicalResourceId });
}

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await promise;
  return { value, ms: Date.now() - started };
}

describe('seed 1: a Create whose answer comes back after the deadline', () => {
  test('removes the authorization AppFabric made, using part of the report margin', async () => {
    harness = await HandlerHarness.start();
    const link = await ChaosLink.start(harness.appfabric.endpoint);
    process.env.AWS_ENDPOINT_URL_APPFABRIC = link.endpoint;
    try {
      // AppFabric creates the authorization at once, but its answer is held past the Lambda's time.
      link.holdResponses({ operation: 'CreateAppAuthorization', holdMs: SHORT_LAMBDA_MS + 1_000, times: 1 });
      const { value: reason, ms } = await timed(failureReason(handler(cfnEvent('Create', harness.props()), lambdaContext(SHORT_LAMBDA_MS))));

      expect(reason).toMatch(/^no response from 127\.0\.0\.1:\d+ within \d+ ms \(gave up after 1 attempt: no time left before the Lambda timeout\)$/);
      expect(ms).toBeLessThan(SHORT_LAMBDA_MS);
      // The failed Create's Delete (for its marker id) is answered without work: nothing else would remove it.
      expect(authorizations()).toEqual([]);
      expect(harness.logs.join('\n')).toMatch(/the failed Create had made .*: removing it/);
    } finally {
      await link.close();
    }
  });
});

describe('seed 7: the rollback of a failed app change', () => {
  test('keeps the original authorization instead of re-creating it and conflicting with it', async () => {
    harness = await HandlerHarness.start();
    const slack = harness.props();
    const { PhysicalResourceId: original } = await handler(cfnEvent('Create', slack), lambdaContext());
    const brokenSecret = harness.secrets.putSecret('appfabric/zoom', JSON.stringify({ clientId: 'zoom', misnamed: 'CANARY-zoom' }));
    const toZoom = cfnEvent('Update', { ...slack, App: 'ZOOM', CredentialSecretArn: brokenSecret }, { oldProps: slack, physicalResourceId: original });

    await failureReason(handler(toZoom, lambdaContext()));
    const rollback = await handler(rollbackOf(toZoom), lambdaContext());

    expect(rollback.PhysicalResourceId).toBe(original);
    expect(authorizations()).toEqual([{ arn: original, app: 'SLACK', authType: 'oauth2', status: 'PendingConnect' }]);
    expect(harness.appfabric.count('CreateAppAuthorization')).toBe(1);
  });
});

describe('seed 7: a replacement delivered twice, the second delivery failing', () => {
  test('the failing delivery removes what the first one made (CloudFormation acts on the second answer)', async () => {
    harness = await HandlerHarness.start();
    const slack = harness.props();
    const { PhysicalResourceId: original } = await handler(cfnEvent('Create', slack), lambdaContext());
    const toZoom = cfnEvent('Update', { ...slack, App: 'ZOOM' }, { oldProps: slack, physicalResourceId: original });
    const first = await handler(toZoom, lambdaContext());
    expect(authorizations().map((a) => a.app).sort()).toEqual(['SLACK', 'ZOOM']);

    // The same event again (its first answer was lost); this time AppFabric throttles the create
    // until the handler's time is up. Throttling says this call made nothing, not that no earlier delivery did.
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'throttle', times: 3, retryAfterSeconds: 1 });
    const reason = await failureReason(handler(toZoom, lambdaContext(SHORT_LAMBDA_MS)));
    expect(reason).toMatch(/ThrottlingException.*gave up after \d attempts: no time left before the Lambda timeout/);
    expect(authorizations().map((a) => a.arn)).toEqual([original]);
    expect(harness.logs.join('\n')).toContain(`the failed Update had made ${first.PhysicalResourceId}: removing it`);

    const rollback = await handler(rollbackOf(toZoom), lambdaContext());
    expect(rollback.PhysicalResourceId).toBe(original);
  });

  test('a failing Create that finds (app, tenant) held by another authorization leaves that one alone', async () => {
    harness = await HandlerHarness.start();
    const existing = harness.appfabric.putAuthorization({
      appBundleArn: harness.bundleArn, app: 'SLACK', authType: 'oauth2', tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Console-made' },
    });
    const link = await ChaosLink.start(harness.appfabric.endpoint);
    process.env.AWS_ENDPOINT_URL_APPFABRIC = link.endpoint;
    try {
      // AppFabric's answer (a conflict) never reaches the handler in time: the outcome is unknown to it.
      link.holdResponses({ operation: 'CreateAppAuthorization', holdMs: SHORT_LAMBDA_MS + 1_000, times: 1 });
      await failureReason(handler(cfnEvent('Create', harness.props()), lambdaContext(SHORT_LAMBDA_MS)));
      expect(authorizations().map((a) => a.arn)).toEqual([existing.appAuthorizationArn]);
      expect(harness.appfabric.count('DeleteAppAuthorization')).toBe(0);
    } finally {
      await link.close();
    }
  });
});

describe('orphan: a lost response followed by a definite error (issue 16)', () => {
  test.each([
    ['403 AccessDeniedException', 403, 'AccessDeniedException'],
    ['400 ValidationException', 400, 'ValidationException'],
  ])('a Create whose first CreateAppAuthorization took effect, then got %s, removes what it made', async (_name, status, errorType) => {
    harness = await HandlerHarness.start();
    // The first attempt creates the authorization but its answer is lost; the retry is refused.
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'dropResponse' });
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'reject', status, errorType });
    const reason = await failureReason(handler(cfnEvent('Create', harness.props()), lambdaContext()));

    expect(reason).toContain(`${errorType} (HTTP ${status})`);
    expect(authorizations()).toEqual([]);
    expect(harness.logs.join('\n')).toMatch(/the failed Create had made .*: removing it/);
  });

  test('a replacement whose create is lost then refused leaves only the original', async () => {
    harness = await HandlerHarness.start();
    const slack = harness.props();
    const { PhysicalResourceId: original } = await handler(cfnEvent('Create', slack), lambdaContext());
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'dropResponse' });
    harness.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'reject', status: 403, errorType: 'AccessDeniedException' });
    await failureReason(handler(cfnEvent('Update', { ...slack, App: 'ZOOM' }, { oldProps: slack, physicalResourceId: original }), lambdaContext()));
    expect(authorizations().map((a) => a.arn)).toEqual([original]);
  });
});

describe('widened generator, seed 26: a failed Create whose removal of what it made is refused once', () => {
  test('tries again through the client token and leaves nothing', async () => {
    harness = await HandlerHarness.start();
    harness.appfabric.injectFault({ operation: 'DeleteAppAuthorization', kind: 'reject', status: 400, errorType: 'ValidationException' });
    const reason = await failureReason(handler(cfnEvent('Create', harness.apiKeyProps('invalid-key')), lambdaContext()));
    expect(reason).toMatch(/could not connect: AppFabric reports ConnectionValidationFailed/);
    expect(authorizations()).toEqual([]);
  });
});

describe('widened generator, seed 19: a replacement delivered twice, the second delivery refused before it creates anything', () => {
  test('removes what the first delivery made, so the rollback can restore the original app and tenant', async () => {
    harness = await HandlerHarness.start();
    const slack = harness.props();
    const { PhysicalResourceId: original } = await handler(cfnEvent('Create', slack), lambdaContext());
    const toApiKey = cfnEvent('Update', { ...harness.apiKeyProps('good-key', { App: 'SLACK', TenantIdentifier: 'examplecorp' }) },
      { oldProps: slack, physicalResourceId: original });
    const first = await handler(toApiKey, lambdaContext());
    expect(authorizations()).toEqual([{ arn: first.PhysicalResourceId, app: 'SLACK', authType: 'apiKey', status: 'Connected' }]);

    // The same event again (the first answer was lost); this time its first call is refused.
    harness.appfabric.injectFault({ operation: 'GetAppAuthorization', kind: 'reject', status: 403, errorType: 'AccessDeniedException' });
    expect(await failureReason(handler(toApiKey, lambdaContext()))).toMatch(/AccessDeniedException \(HTTP 403\)/);
    expect(authorizations()).toEqual([]);
    expect(harness.logs.join('\n')).toContain(`the failed Update had made ${first.PhysicalResourceId}: removing it`);

    const rollback = await handler(rollbackOf(toApiKey), lambdaContext());
    expect(authorizations()).toEqual([{ arn: rollback.PhysicalResourceId, app: 'SLACK', authType: 'oauth2', status: 'PendingConnect' }]);
  });
});

describe('widened generator, seed 455: the cleanup\'s ListAppAuthorizations answer held past the Lambda time', () => {
  test('a short attempt gives up on it and asks again, and what the earlier delivery made is removed', async () => {
    harness = await HandlerHarness.start();
    const slack = harness.props();
    const { PhysicalResourceId: original } = await handler(cfnEvent('Create', slack), lambdaContext());
    const toZoom = cfnEvent('Update', { ...slack, App: 'ZOOM' }, { oldProps: slack, physicalResourceId: original });
    const first = await handler(toZoom, lambdaContext());
    const link = await ChaosLink.start(harness.appfabric.endpoint);
    process.env.AWS_ENDPOINT_URL_APPFABRIC = link.endpoint;
    try {
      harness.appfabric.injectFault({ operation: 'GetAppAuthorization', kind: 'reject', status: 400, errorType: 'ValidationException' });
      link.holdResponses({ operation: 'ListAppAuthorizations', holdMs: SHORT_LAMBDA_MS + 4_000, times: 1 });
      await failureReason(handler(toZoom, lambdaContext(SHORT_LAMBDA_MS + 3_000)));
      expect(authorizations().map((a) => a.arn)).toEqual([original]);
      expect(harness.logs.join('\n')).toContain(`the failed Update had made ${first.PhysicalResourceId}: removing it`);
    } finally {
      await link.close();
    }
  });
});

describe('widened generator, seed 688: a redelivered Create whose secret read outlasts the Lambda time', () => {
  test('reads the secret again within the cleanup\'s time and removes what the earlier delivery made', async () => {
    harness = await HandlerHarness.start();
    const create = cfnEvent('Create', harness.props());
    await handler(create, lambdaContext());
    expect(authorizations()).toHaveLength(1);
    harness.secrets.injectFault({ operation: 'GetSecretValue', kind: 'delay', delayMs: SHORT_LAMBDA_MS + 4_000 });
    expect(await failureReason(handler(create, lambdaContext(SHORT_LAMBDA_MS)))).toMatch(/^Secrets Manager did not return secret/);
    expect(authorizations()).toEqual([]);
  });
});

describe('seed 18: an in-place apiKey update delivered twice', () => {
  test('connects on the second delivery even though the first one already made the change', async () => {
    harness = await HandlerHarness.start();
    const asana = harness.apiKeyProps('good-key');
    const { PhysicalResourceId: arn } = await handler(cfnEvent('Create', asana), lambdaContext());
    const renamed = cfnEvent('Update', { ...asana, TenantDisplayName: 'Renamed' }, { oldProps: asana, physicalResourceId: arn });

    // First delivery: the rename lands (AppFabric sends the authorization back to PendingConnect),
    // then connecting is throttled until the handler's time is up.
    harness.appfabric.injectFault({ operation: 'ConnectAppAuthorization', kind: 'throttle', times: 3, retryAfterSeconds: 1 });
    await failureReason(handler(renamed, lambdaContext(SHORT_LAMBDA_MS)));
    expect(authorizations()[0].status).toBe('PendingConnect');

    const second = await handler(renamed, lambdaContext());
    expect(second.Data?.Status).toBe('Connected');
    expect(authorizations()).toEqual([{ arn, app: 'ASANA', authType: 'apiKey', status: 'Connected' }]);
  });
});

describe('seeds 89 and 93: a secret read that hangs', () => {
  test('fails at the deadline with the secret named, instead of running into the Lambda timeout', async () => {
    harness = await HandlerHarness.start();
    harness.secrets.injectFault({ operation: 'GetSecretValue', kind: 'delay', delayMs: SHORT_LAMBDA_MS + 4_000 });
    const props = harness.props();
    const { value: reason, ms } = await timed(failureReason(handler(cfnEvent('Create', props), lambdaContext(SHORT_LAMBDA_MS))));

    expect(ms).toBeLessThan(SHORT_LAMBDA_MS);
    expect(reason).toMatch(new RegExp(`^Secrets Manager did not return secret ${escape(props.CredentialSecretArn)} \\(the OAuth client of the SLACK ` +
      "authorization for tenant 'examplecorp'\\) within \\d+ ms, before the Lambda timeout\\. Check that Secrets Manager is reachable"));
    expect(`${reason}\n${harness.logs.join('\n')}`).not.toContain('CANARY');
    expect(authorizations()).toEqual([]);
  });
});

describe('seed 4 (quick profile): an apiKey connect cut short by the Lambda time', () => {
  test("says the handler's time ran out rather than blaming connectTimeout", async () => {
    harness = await HandlerHarness.start({ connectPendingReads: 3 });
    const reason = await failureReason(handler(cfnEvent('Create', harness.apiKeyProps('good-key')), lambdaContext(SHORT_LAMBDA_MS)));
    expect(reason).toMatch(/^the ASANA authorization for tenant '1200000000000000' is still PendingConnect [12] seconds after connecting, and the handler's time is up \(connectTimeout is 10 seconds\)\. AppFabric has not finished checking the API key: deploy again\.$/);
    expect(authorizations()).toEqual([]);
  });
});

describe('replacements that keep app and tenant (the old authorization has to go first)', () => {
  test('an unreadable new secret fails the update before the old authorization is removed', async () => {
    harness = await HandlerHarness.start();
    const slack = harness.props();
    const { PhysicalResourceId: original } = await handler(cfnEvent('Create', slack), lambdaContext());
    const broken = harness.secrets.putSecret('appfabric/slack-key', JSON.stringify({ misnamed: 'CANARY-key' }));
    const toApiKey = cfnEvent('Update', { ...slack, AuthType: 'apiKey', CredentialSecretArn: broken, CredentialFields: { ApiKey: 'apiKey' } },
      { oldProps: slack, physicalResourceId: original });

    expect(await failureReason(handler(toApiKey, lambdaContext()))).toMatch(/has no non-empty string field 'apiKey'/);
    expect(authorizations().map((a) => a.arn)).toEqual([original]);
    expect((await handler(rollbackOf(toApiKey), lambdaContext())).PhysicalResourceId).toBe(original);
  });

  test('known limit: a key AppFabric rejects is found only after the old one is gone, so the rollback answers a new physical id', async () => {
    harness = await HandlerHarness.start();
    const slack = harness.props();
    const { PhysicalResourceId: original } = await handler(cfnEvent('Create', slack), lambdaContext());
    const rejected = harness.secrets.putSecret('appfabric/slack-key', JSON.stringify({ apiKey: 'invalid-CANARY-key' }));
    const toApiKey = cfnEvent('Update', { ...slack, AuthType: 'apiKey', CredentialSecretArn: rejected, CredentialFields: { ApiKey: 'apiKey' } },
      { oldProps: slack, physicalResourceId: original });

    expect(await failureReason(handler(toApiKey, lambdaContext()))).toMatch(/could not connect: AppFabric reports ConnectionValidationFailed/);
    expect(authorizations()).toEqual([]);
    const rollback = await handler(rollbackOf(toApiKey), lambdaContext());
    expect(rollback.PhysicalResourceId).not.toBe(original);
    // CloudFormation accepts the new id and deletes the original one in the rollback's cleanup.
    await handler(cfnEvent('Delete', slack, { physicalResourceId: original }), lambdaContext());
    expect(authorizations()).toEqual([{ arn: rollback.PhysicalResourceId, app: 'SLACK', authType: 'oauth2', status: 'PendingConnect' }]);
    expect(harness.logs.join('\n')).not.toContain('CANARY');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
