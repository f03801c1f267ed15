import {
  bundleArnOf, clientTokenFor, isAppAuthorizationArn, planInPlaceChanges, planUpdate, tagChanges,
} from '../../src/app-authorization/handler/lifecycle';
import { AppAuthorizationProperties } from '../../src/app-authorization/properties';
import { AppAuthorization } from '../../src/internal/appfabric-client';

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
