import {
  bundleArnOf, clientTokenFor, creationTags, isAppAuthorizationArn, mayHaveMadeSomething, ownedByAnother, ownerOf, planInPlaceChanges, planUpdate,
  tagChanges, tagRestoration,
} from '../../src/app-authorization/handler/lifecycle';
import { AppAuthorizationProperties, CREDENTIAL_VERSION_TAG, OWNER_LOGICAL_ID_TAG, OWNER_STACK_TAG } from '../../src/app-authorization/properties';
import { AppAuthorization, AppFabricServiceError } from '../../src/internal/appfabric-client';
import { NetworkError } from '../../src/internal/http';
import { RetryDeadlineError, withRetry } from '../../src/internal/retry';

const BUNDLE = 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111';
const AUTH = `${BUNDLE}/appauthorization/b1b2c3d4-5678-90ab-cdef-222222222222`;

const props: AppAuthorizationProperties = {
  AppBundleArn: BUNDLE,
  App: 'SLACK',
  AuthType: 'oauth2',
  TenantIdentifier: 'examplecorp',
  TenantDisplayName: 'Example Corp',
  CredentialSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:slack-AbCdEf',
  CredentialFields: { ClientId: 'clientId', ClientSecret: 'clientSecret' },
};

describe('planUpdate', () => {
  test('identical properties change nothing', () => {
    expect(planUpdate(props, { ...props })).toEqual({ kind: 'unchanged' });
  });

  test('a new connect timeout alone changes nothing AppFabric holds', () => {
    expect(planUpdate({ ...props, ConnectTimeoutSeconds: '120' }, { ...props, ConnectTimeoutSeconds: '60' })).toEqual({ kind: 'unchanged' });
  });

  test.each([
    ['tenant display name', { TenantDisplayName: 'Renamed' }],
    ['tenant identifier', { TenantIdentifier: 'othercorp' }],
    ['credential secret', { CredentialSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:other-XyZabc' }],
    ['credential field', { CredentialFields: { ClientId: 'id', ClientSecret: 'clientSecret' } }],
    ['tags', { Tags: [{ key: 'team', value: 'sec' }] }],
  ])('a %s change is made in place', (_name, change) => {
    expect(planUpdate(props, { ...props, ...change })).toEqual({ kind: 'in-place' });
  });

  test('field order in CredentialFields is not a change', () => {
    expect(planUpdate(props, { ...props, CredentialFields: { ClientSecret: 'clientSecret', ClientId: 'clientId' } })).toEqual({ kind: 'unchanged' });
  });

  test('an app change replaces without removing first (the key differs)', () => {
    expect(planUpdate(props, { ...props, App: 'ZOOM' })).toEqual({ kind: 'replace', reason: 'App changed', removeOldFirst: false });
  });

  test('an auth type change keeping app and tenant removes the old one first', () => {
    expect(planUpdate(props, { ...props, AuthType: 'apiKey' })).toEqual({ kind: 'replace', reason: 'AuthType changed', removeOldFirst: true });
  });

  test('an auth type change with a new tenant does not need to remove first', () => {
    expect(planUpdate(props, { ...props, AuthType: 'apiKey', TenantIdentifier: 'new' }))
      .toEqual({ kind: 'replace', reason: 'AuthType changed', removeOldFirst: false });
  });

  test('a bundle change replaces; the old bundle holds the old one, so no conflict', () => {
    expect(planUpdate(props, { ...props, AppBundleArn: `${BUNDLE.slice(0, -1)}2` }))
      .toEqual({ kind: 'replace', reason: 'AppBundleArn changed', removeOldFirst: false });
  });
});

describe('planInPlaceChanges', () => {
  const actual: AppAuthorization = {
    appAuthorizationArn: AUTH,
    appBundleArn: BUNDLE,
    app: 'SLACK',
    authType: 'oauth2',
    status: 'Connected',
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    createdAt: '',
    updatedAt: '',
  };

  test('sends the tenant only when the actual one differs', () => {
    const renamed = { ...props, TenantDisplayName: 'Renamed' };
    expect(planInPlaceChanges(actual, props, renamed)).toEqual({
      tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Renamed' }, credential: false,
    });
    // A replayed event: AppFabric already holds the new tenant.
    const alreadyRenamed = { ...actual, tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Renamed' } };
    expect(planInPlaceChanges(alreadyRenamed, props, renamed)).toEqual({ tenant: undefined, credential: false });
  });

  test('rollback (properties swapped) restores the tenant AppFabric actually holds', () => {
    const failedNew = { ...props, TenantDisplayName: 'Renamed' };
    const renamedActual = { ...actual, tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Renamed' } };
    expect(planInPlaceChanges(renamedActual, failedNew, props).tenant).toEqual({ tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' });
  });

  test('sends the credential when its reference changed', () => {
    const moved = { ...props, CredentialSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:new-AbCdEf' };
    expect(planInPlaceChanges(actual, props, moved)).toEqual({ tenant: undefined, credential: true });
  });
});

describe('clientTokenFor', () => {
  const stackId = 'arn:aws:cloudformation:us-east-1:111122223333:stack/App/1';

  test('is a lowercase UUID AppFabric accepts', () => {
    expect(clientTokenFor(stackId, 'Slack', 'req-1')).toMatch(/^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/);
  });

  test('is the same for a redelivered request and differs for another request, resource or stack', () => {
    const token = clientTokenFor(stackId, 'Slack', 'req-1');
    expect(clientTokenFor(stackId, 'Slack', 'req-1')).toBe(token);
    expect(clientTokenFor(stackId, 'Slack', 'req-2')).not.toBe(token);
    expect(clientTokenFor(stackId, 'Okta', 'req-1')).not.toBe(token);
    expect(clientTokenFor(`${stackId}x`, 'Slack', 'req-1')).not.toBe(token);
  });
});

describe('tagChanges', () => {
  test('sets new and changed tags, removes dropped keys', () => {
    expect(tagChanges([{ key: 'a', value: '1' }, { key: 'b', value: '2' }], [{ key: 'a', value: '1' }, { key: 'b', value: '3' }, { key: 'c', value: '4' }]))
      .toEqual({ set: [{ key: 'b', value: '3' }, { key: 'c', value: '4' }], remove: [] });
    expect(tagChanges([{ key: 'a', value: '1' }], undefined)).toEqual({ set: [], remove: ['a'] });
  });
});

describe('physical ids', () => {
  test('recognises authorization ARNs and nothing else', () => {
    expect(isAppAuthorizationArn(AUTH)).toBe(true);
    expect(isAppAuthorizationArn('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED')).toBe(false);
    expect(isAppAuthorizationArn(BUNDLE)).toBe(false);
    expect(isAppAuthorizationArn(undefined)).toBe(false);
    expect(bundleArnOf(AUTH)).toBe(BUNDLE);
  });
});

describe('mayHaveMadeSomething (cleanup by what may have happened)', () => {
  const serviceError = (status: number, type: string) => new AppFabricServiceError('CreateAppAuthorization', type, status, 'no');

  /** The error withRetry throws when the attempts fail with `errors` in turn. */
  async function afterAttempts(...errors: Error[]): Promise<unknown> {
    let call = 0;
    try {
      await withRetry(async () => { throw errors[Math.min(call++, errors.length - 1)]; }, {
        deadline: Date.now() + 60_000,
        maxAttempts: errors.length,
        baseDelayMs: 1,
        maxDelayMs: 1,
        retryable: (error) => (error instanceof NetworkError || (error as AppFabricServiceError).statusCode >= 429 ? {} : undefined),
      });
    } catch (error) {
      return error;
    }
    throw new Error('expected a failure');
  }

  test.each([
    ['a lost response, then 403', [new NetworkError('socket hang up', 'ECONNRESET'), serviceError(403, 'AccessDeniedException')]],
    ['a lost response, then 400', [new NetworkError('socket hang up', 'ECONNRESET'), serviceError(400, 'ValidationException')]],
    ['a 500, then 409', [serviceError(500, 'InternalServerException'), serviceError(409, 'ConflictException')]],
    ['throttling, then 402 quota', [serviceError(429, 'ThrottlingException'), serviceError(402, 'ServiceQuotaExceededException')]],
  ])('after %s: yes, whatever the last error', async (_name, errors) => {
    expect(mayHaveMadeSomething(await afterAttempts(...errors))).toBe(true);
  });

  test('a transient last error (network, 5xx, 429, the deadline after one): yes', () => {
    expect(mayHaveMadeSomething(new NetworkError('timeout', 'ETIMEDOUT'))).toBe(true);
    expect(mayHaveMadeSomething(serviceError(503, 'ServiceUnavailable'))).toBe(true);
    expect(mayHaveMadeSomething(serviceError(429, 'ThrottlingException'))).toBe(true);
    expect(mayHaveMadeSomething(new RetryDeadlineError(serviceError(429, 'ThrottlingException'), 3))).toBe(true);
  });

  test('only definite answers: no', async () => {
    expect(mayHaveMadeSomething(await afterAttempts(serviceError(403, 'AccessDeniedException')))).toBe(false);
    expect(mayHaveMadeSomething(serviceError(400, 'ValidationException'))).toBe(false);
    expect(mayHaveMadeSomething(new Error('the secret has no field'))).toBe(false);
  });
});

describe('ownership', () => {
  const self = { stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/A/1', logicalId: 'Slack' };
  const owned = (stackId: string, logicalId: string) => [{ key: OWNER_STACK_TAG, value: stackId }, { key: OWNER_LOGICAL_ID_TAG, value: logicalId }];

  test('a new authorization carries the declared tags, the owner and the credential version', () => {
    expect(creationTags({ ...props, Tags: [{ key: 'team', value: 'it' }] }, self, 'v1')).toEqual([
      { key: 'team', value: 'it' }, ...owned(self.stackId, 'Slack'), { key: CREDENTIAL_VERSION_TAG, value: 'v1' },
    ]);
    expect(creationTags(props, self, undefined)).toEqual(owned(self.stackId, 'Slack'));
  });

  test('another stack, or another resource of the same stack, owns it; the resource itself and no tags do not', () => {
    expect(ownedByAnother(owned('arn:aws:cloudformation:us-east-1:111122223333:stack/B/2', 'Slack'), self)?.stackId).toMatch(/stack\/B/);
    expect(ownedByAnother(owned(self.stackId, 'Other'), self)).toEqual({ stackId: self.stackId, logicalId: 'Other' });
    expect(ownedByAnother(owned(self.stackId, 'Slack'), self)).toBeUndefined();
    expect(ownedByAnother([{ key: 'team', value: 'it' }], self)).toBeUndefined();
    expect(ownerOf([])).toBeUndefined();
  });

  test('tags are restored by removing added keys and setting overwritten values back', () => {
    const before = [{ key: 'team', value: 'it' }, { key: 'managed-by', value: 'console' }];
    const after = [{ key: 'team', value: 'it' }, { key: 'managed-by', value: 'cdk' }, ...owned(self.stackId, 'Slack')];
    expect(tagRestoration(before, after)).toEqual({ set: [{ key: 'managed-by', value: 'console' }], remove: [OWNER_STACK_TAG, OWNER_LOGICAL_ID_TAG] });
  });
});
