// The pure rules of the TPP handler and the scope grammar.
import { changedFields, createInput, declaredFields, desiredApplication, isOwnPhysicalId, isWhatCreateMakes, planUpdate } from '../../src/venafi-tpp/handler/lifecycle';
import { secretWithRefreshedTokens, tokensFromSecret } from '../../src/venafi-tpp/handler/token-secret';
import { TppApplication } from '../../src/venafi-tpp/handler/tpp-client';
import { TppOAuthApplicationProperties } from '../../src/venafi-tpp/properties';
import { normalizeScope, parseScope, scopeSyntaxProblem, uncoveredScopes } from '../../src/venafi-tpp/scope';

const PROPS: TppOAuthApplicationProperties = {
  ServerUrl: 'https://tpp.example.com',
  TokenSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:tpp/admin-token-AbCdEf',
  ApplicationId: 'cert-bot',
  Name: 'Certificate bot',
  Vendor: 'Example Corp',
  Scope: 'certificate:manage,revoke',
  MaximumScope: 'certificate:manage,revoke;configuration',
};

const ACTUAL: TppApplication = {
  ID: 'cert-bot',
  Name: 'Certificate bot',
  Vendor: 'Example Corp',
  Description: 'by hand',
  Url: 'https://bots.example.com',
  Scope: 'certificate:revoke,manage',
  MaximumScope: 'configuration;certificate:manage,revoke',
  AccessValidity: 7200,
  Renewable: true,
  Owner: 'local:{jane}',
};

describe('scope grammar', () => {
  test.each(['admin', 'certificate:manage,revoke;configuration', 'admin:grantrights,viewlogs;configuration;security', 'ssh:approve,manage'])('%s is valid', (scope) => {
    expect(scopeSyntaxProblem(scope)).toBeUndefined();
  });

  test.each([
    ['', 'it is empty'],
    [';', 'it has an empty scope between or after `;`'],
    ['a:b:c', "'a:b:c' has more than one ':'"],
    ['certificate:', "'certificate:' has an empty restriction (after ':' or between commas)"],
    ['certificate:manage,manage', "restriction 'manage' appears twice in 'certificate:manage,manage'"],
    ['1cert', "'1cert' is not a scope name (letters, digits, '_' and '-', starting with a letter)"],
  ])('%j: %s', (scope, problem) => {
    expect(scopeSyntaxProblem(scope)).toBe(problem);
  });

  test('parse, normalize, cover', () => {
    expect(parseScope('certificate:manage,revoke;configuration')).toEqual([
      { name: 'certificate', restrictions: ['manage', 'revoke'] }, { name: 'configuration', restrictions: [] },
    ]);
    expect(normalizeScope('configuration;certificate:revoke,manage')).toBe('certificate:manage,revoke;configuration');
    expect(uncoveredScopes('certificate:manage,revoke;ssh;configuration', 'certificate:manage;configuration:manage')).toEqual(['certificate:manage,revoke', 'ssh']);
    expect(uncoveredScopes('configuration', 'configuration:manage')).toEqual([]);
  });
});

describe('lifecycle', () => {
  test('only an applicationId change replaces', () => {
    expect(planUpdate(PROPS, { ...PROPS, ApplicationId: 'cert-bot-2' })).toEqual({ kind: 'replace', reason: "applicationId changed from 'cert-bot' to 'cert-bot-2'" });
    expect(planUpdate(PROPS, { ...PROPS, ServerUrl: 'https://tpp2.example.com', Name: 'x' })).toEqual({ kind: 'converge' });
  });

  test('the physical id is the application ID; the failed-create marker is not ours', () => {
    expect(isOwnPhysicalId('cert-bot', PROPS)).toBe(true);
    expect(isOwnPhysicalId('Cert-Bot', PROPS)).toBe(false);
    expect(isOwnPhysicalId('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', PROPS)).toBe(false);
  });

  test('declared fields in TPP types; undeclared ones absent', () => {
    expect(declaredFields({ ...PROPS, AccessValidity: '3600', Renewable: 'false' })).toEqual({
      Name: 'Certificate bot',
      Vendor: 'Example Corp',
      Scope: 'certificate:manage,revoke',
      MaximumScope: 'certificate:manage,revoke;configuration',
      AccessValidity: 3600,
      Renewable: false,
    });
    expect(createInput(PROPS)).toMatchObject({ ApplicationId: 'cert-bot', Description: '', Url: '' });
  });

  test('the desired application keeps everything undeclared, unknown fields included', () => {
    expect(desiredApplication(ACTUAL, { ...PROPS, Scope: 'certificate:manage' })).toEqual({ ...ACTUAL, Scope: 'certificate:manage', MaximumScope: PROPS.MaximumScope });
  });

  test('changes are judged against TPP, scopes in canonical order', () => {
    expect(changedFields(ACTUAL, PROPS)).toEqual([]);
    expect(changedFields(ACTUAL, { ...PROPS, AccessValidity: '7200', Renewable: 'true', Description: 'by hand' })).toEqual([]);
    expect(changedFields(ACTUAL, { ...PROPS, Name: 'New', GrantValidity: '60', Renewable: 'false' })).toEqual(['Name', 'GrantValidity', 'Renewable']);
  });
});

describe('token secret', () => {
  test('a refreshed pair keeps the other fields and updates expiry fields only where present', () => {
    const refreshed = { accessToken: 'new-a', refreshToken: 'new-r', expires: 200, refreshUntil: 300 };
    expect(secretWithRefreshedTokens({ access_token: 'a', refresh_token: 'r', client_id: 'c', expires: 100, note: 'x' }, refreshed))
      .toEqual({ access_token: 'new-a', refresh_token: 'new-r', client_id: 'c', expires: 200, note: 'x' });
  });

  test('reads the optional fields leniently', () => {
    expect(tokensFromSecret('arn', { access_token: 'a', refresh_token: '', client_id: 7 })).toEqual({ accessToken: 'a', refreshToken: undefined, clientId: undefined });
  });
});

describe('isWhatCreateMakes', () => {
  const base = {
    ServerUrl: 'https://tpp.example.com',
    TokenSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:t-AbCdEf',
    ApplicationId: 'cert-bot',
    Name: 'Bot',
    Vendor: 'Example',
    Scope: 'certificate',
    MaximumScope: 'certificate',
  };
  const made = { ID: 'cert-bot', Name: 'Bot', Vendor: 'Example', Description: '', Url: '', Scope: 'certificate', MaximumScope: 'certificate' };

  test('an application identical to what the create sends is this resource\'s; any difference makes it someone else\'s', () => {
    expect(isWhatCreateMakes(made, base)).toBe(true);
    expect(isWhatCreateMakes({ ...made, Name: 'Other' }, base)).toBe(false);
    expect(isWhatCreateMakes({ ...made, Description: 'made by hand' }, base)).toBe(false);
    expect(isWhatCreateMakes({ ...made, Url: 'https://x.example.com' }, base)).toBe(false);
  });
});
