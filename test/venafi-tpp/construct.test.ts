import { App, CfnParameter, CfnResource, Duration, RemovalPolicy, Stack, Validations, aws_ec2 as ec2, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TppOAuthApplication, TppOAuthApplicationProps } from '../../src';
import { expectNagClean, nagStack, testSecret } from '../support/stacks';
import { FIXTURE_CA_CERTIFICATE } from '../support/test-pki';

const CA_PEM = FIXTURE_CA_CERTIFICATE;

function baseProps(stack: Stack, overrides: Partial<TppOAuthApplicationProps> = {}): TppOAuthApplicationProps {
  return {
    serverUrl: 'https://tpp.example.com',
    tokenSecret: overrides.tokenSecret ?? secretsmanager.Secret.fromSecretNameV2(stack, `Token${stack.node.children.length}`, 'tpp/admin-token'),
    applicationId: 'cert-bot',
    applicationName: 'Certificate bot',
    vendor: 'Example Corp',
    scope: 'certificate:manage,revoke',
    ...overrides,
  };
}

function stackWithTwoApplications() {
  const stack = nagStack();
  const key = new kms.Key(stack, 'TokenKey', { enableKeyRotation: true });
  const ownedSecret = testSecret(stack, 'AdminToken', { encryptionKey: key });
  const importedSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'ImportedToken', 'tpp/admin-token');
  const certBot = new TppOAuthApplication(stack, 'CertBot', {
    serverUrl: 'https://tpp.example.com',
    tokenSecret: ownedSecret,
    applicationId: 'cert-bot',
    applicationName: 'Certificate bot',
    vendor: 'Example Corp',
    description: 'Renews web server certificates',
    url: 'https://bots.example.com',
    scope: 'certificate:manage,revoke',
    maximumScope: 'certificate:manage,revoke;configuration',
    accessValidity: Duration.hours(1),
    grantValidity: Duration.days(30),
    renewable: true,
    trustedCaCertificate: CA_PEM,
  });
  const auditor = new TppOAuthApplication(stack, 'Auditor', {
    serverUrl: 'https://tpp.example.com',
    tokenSecret: importedSecret,
    applicationId: 'audit-reader',
    applicationName: 'Audit reader',
    vendor: 'Example Corp',
    scope: 'configuration',
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return { stack, key, ownedSecret, certBot, auditor };
}

/** A VPC fixture; its flow logs are not what these tests are about. */
function testVpc(stack: Stack, id: string): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, id, { maxAzs: 2, natGateways: 1 });
  Validations.of(vpc).acknowledge({ id: 'AwsSolutions::AwsSolutions-VPC7', reason: 'Test fixture: flow logs are out of scope.' });
  return vpc;
}

function handlerFunctions(template: Template): any[] {
  return Object.values(template.findResources('AWS::Lambda::Function'))
    .filter((fn: any) => String(fn.Properties.Description).includes('Venafi TPP'));
}

function handlerStatements(template: Template): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy: any) => /TppOAuthApplicationProvider.*HandlerRole/.test(JSON.stringify(policy.Properties.Roles)));
  return policies.flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
}

describe('TppOAuthApplication', () => {
  test('two applications share one handler and one provider; cdk-nag finds nothing', () => {
    const { stack } = stackWithTwoApplications();
    const template = expectNagClean(stack);
    template.resourceCountIs('Custom::VenafiTppOAuthApplication', 2);
    const handlers = handlerFunctions(template);
    expect(handlers).toHaveLength(1);
    expect(handlers[0].Properties.Runtime).toBe('nodejs24.x');
    expect(handlers[0].Properties.Timeout).toBe(180);
    expect(handlers[0].Properties.VpcConfig).toBeUndefined();
  });

  test('properties carry the declared fields and references only, as strings', () => {
    const { stack } = stackWithTwoApplications();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::VenafiTppOAuthApplication', {
      ServerUrl: 'https://tpp.example.com',
      TokenSecretArn: { Ref: Match.stringLikeRegexp('^AdminToken') },
      TrustedCaCertificate: CA_PEM,
      ApplicationId: 'cert-bot',
      Name: 'Certificate bot',
      Vendor: 'Example Corp',
      Description: 'Renews web server certificates',
      Url: 'https://bots.example.com',
      Scope: 'certificate:manage,revoke',
      MaximumScope: 'certificate:manage,revoke;configuration',
      AccessValidity: '3600',
      GrantValidity: '2592000',
      Renewable: 'true',
    });
    const auditor = Object.values(template.findResources('Custom::VenafiTppOAuthApplication'))
      .map((r: any) => r.Properties).find((p: any) => p.ApplicationId === 'audit-reader');
    // maximumScope defaults to scope; undeclared optional fields are absent (TPP keeps its values).
    expect(auditor.MaximumScope).toBe('configuration');
    for (const absent of ['Description', 'Url', 'AccessValidity', 'GrantValidity', 'Renewable', 'TrustedCaCertificate']) {
      expect(auditor).not.toHaveProperty(absent);
    }
  });

  test('removal policy: RETAIN by default (deletion and replacement), DESTROY on request', () => {
    const { stack } = stackWithTwoApplications();
    const resources = Object.values(Template.fromStack(stack).findResources('Custom::VenafiTppOAuthApplication'));
    const policies = resources.map((r: any) => [r.Properties.ApplicationId, r.DeletionPolicy, r.UpdateReplacePolicy]);
    expect(policies).toEqual(expect.arrayContaining([['cert-bot', 'Retain', 'Retain'], ['audit-reader', 'Delete', 'Delete']]));
  });

  test('attributes resolve to the custom resource', () => {
    const { stack, certBot } = stackWithTwoApplications();
    expect(stack.resolve(certBot.applicationId)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CertBot/), 'ApplicationId'] });
    expect(stack.resolve(certBot.applicationName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^CertBot/), 'Name'] });
    expect(certBot.serverUrl).toBe('https://tpp.example.com');
  });

  test('the handler may read and write exactly the token secrets (and use their key), nothing else in AWS', () => {
    const { stack } = stackWithTwoApplications();
    const statements = handlerStatements(Template.fromStack(stack));
    const actions = new Set(statements.flatMap((s) => [s.Action].flat()));
    const nonLogActions = [...actions].filter((action) => !String(action).startsWith('logs:'));
    expect(nonLogActions.sort()).toEqual([
      'kms:Decrypt', 'kms:GenerateDataKey', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue',
    ]);
    const secretStatements = statements.filter((s) => JSON.stringify(s.Action).includes('secretsmanager:'));
    expect(secretStatements).toHaveLength(2);
    expect(secretStatements[0].Action).toEqual(['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']);
    expect(secretStatements[0].Resource).toEqual({ Ref: expect.stringMatching(/^AdminToken/) });
    expect(JSON.stringify(secretStatements[1].Resource)).toContain(':secret:tpp/admin-token-??????');
    const kmsStatements = statements.filter((s) => JSON.stringify(s.Action).includes('kms:'));
    expect(kmsStatements).toHaveLength(1);
    expect(kmsStatements[0].Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TokenKey/), 'Arn'] });
    expect(kmsStatements[0].Condition).toEqual({ StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } });
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
  });

  test('applications sharing a token secret deploy one after another (a refresh token works once)', () => {
    const stack = nagStack();
    const secret = testSecret(stack, 'AdminToken');
    const apps = ['one', 'two', 'three'].map((id) => new TppOAuthApplication(stack, `App-${id}`, baseProps(stack, { tokenSecret: secret, applicationId: id })));
    // The same secret imported by name links too; another secret does not.
    const sameByName = new TppOAuthApplication(stack, 'SameByName', baseProps(stack, {
      applicationId: 'four', tokenSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Again', 'tpp/admin-token'),
    }));
    const sameByNameLater = new TppOAuthApplication(stack, 'SameByNameLater', baseProps(stack, {
      applicationId: 'five', tokenSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'AgainLater', 'tpp/admin-token'),
    }));
    const other = new TppOAuthApplication(stack, 'Other', baseProps(stack, {
      applicationId: 'other', tokenSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'OtherToken', 'tpp/other-token'),
    }));
    const template = Template.fromStack(stack).toJSON();
    const logicalId = (app: TppOAuthApplication) => stack.resolve((app.node.findChild('Resource').node.defaultChild as CfnResource).logicalId);
    expect(template.Resources[logicalId(apps[0])].DependsOn ?? []).toEqual([]);
    expect(template.Resources[logicalId(apps[1])].DependsOn).toEqual([logicalId(apps[0])]);
    expect(template.Resources[logicalId(apps[2])].DependsOn).toEqual([logicalId(apps[1])]);
    expect(template.Resources[logicalId(sameByName)].DependsOn ?? []).toEqual([]);
    expect(template.Resources[logicalId(sameByNameLater)].DependsOn).toEqual([logicalId(sameByName)]);
    expect(template.Resources[logicalId(other)].DependsOn ?? []).toEqual([]);
  });

  test('in a VPC: the handler is placed in it with ENI permissions, one provider per placement', () => {
    const stack = nagStack();
    const vpc = testVpc(stack, 'Vpc');
    const group = new ec2.SecurityGroup(stack, 'TppClients', { vpc, description: 'HTTPS to TPP' });
    new TppOAuthApplication(stack, 'Public', baseProps(stack, { applicationId: 'public' }));
    new TppOAuthApplication(stack, 'PrivateA', baseProps(stack, { applicationId: 'a', vpc, securityGroups: [group] }));
    new TppOAuthApplication(stack, 'PrivateB', baseProps(stack, { applicationId: 'b', vpc, securityGroups: [group] }));
    new TppOAuthApplication(stack, 'PrivateC', baseProps(stack, { applicationId: 'c', vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }));
    const template = expectNagClean(stack);

    const handlers = handlerFunctions(template);
    expect(handlers).toHaveLength(3);
    const inVpc = handlers.filter((fn) => fn.Properties.VpcConfig);
    expect(inVpc).toHaveLength(2);
    expect(JSON.stringify(inVpc.map((fn) => fn.Properties.VpcConfig.SecurityGroupIds))).toContain('TppClients');
    const statements = handlerStatements(template);
    const eni = statements.filter((s) => JSON.stringify(s.Action).includes('ec2:CreateNetworkInterface'));
    expect(eni).toHaveLength(2);
    expect(eni[0].Resource).toBe('*');
  });

  test('the handler outside a VPC has no EC2 permissions', () => {
    const { stack } = stackWithTwoApplications();
    expect(JSON.stringify(handlerStatements(Template.fromStack(stack)))).not.toContain('ec2:');
  });

  test('snapshot', () => {
    const { stack } = stackWithTwoApplications();
    expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
  });
});

describe('synth-time validation', () => {
  test.each<[string, Partial<TppOAuthApplicationProps>, string]>([
    ['http serverUrl', { serverUrl: 'http://tpp.example.com' },
      "TestStack/App: serverUrl uses http, not https. The handler sends a bearer token to it: pass an https:// URL, e.g. 'https://tpp.example.com'."],
    ['serverUrl not a URL', { serverUrl: 'tpp.example.com' },
      "TestStack/App: serverUrl is not a URL. Pass the TPP server's base URL, e.g. 'https://tpp.example.com'."],
    ['serverUrl with an API path', { serverUrl: 'https://tpp.example.com/vedsdk' },
      "TestStack/App: serverUrl includes an API path. Pass the server's base URL (e.g. 'https://tpp.example.com'); the handler adds /vedsdk and /vedauth itself."],
    ['serverUrl with a query', { serverUrl: 'https://tpp.example.com/?x=1' },
      'TestStack/App: serverUrl has a query string (?…).'],
    ['empty applicationId', { applicationId: '' },
      'TestStack/App: applicationId is empty. Pass a non-empty application ID (the OAuth client_id).'],
    ['applicationId with spaces around', { applicationId: ' cert-bot' },
      "TestStack/App: applicationId ' cert-bot' starts or ends with whitespace; TPP IDs are exact (case- and space-sensitive). Remove the whitespace."],
    ['empty vendor', { vendor: ' ' }, 'TestStack/App: vendor is empty. Pass a non-empty vendor.'],
    ['scope with an empty restriction', { scope: 'certificate:manage,' },
      "TestStack/App: scope 'certificate:manage,' is not a TPP scope string: 'certificate:manage,' has an empty restriction (after ':' or between commas). " +
      "Write scopes separated by ';', each optionally followed by ':' and comma-separated restrictions, e.g. 'certificate:manage,revoke;configuration'."],
    ['scope with a trailing ;', { scope: 'certificate;' },
      "TestStack/App: scope 'certificate;' is not a TPP scope string: it has an empty scope between or after `;`."],
    ['scope separated by commas', { scope: 'certificate,configuration' },
      "TestStack/App: scope 'certificate,configuration' is not a TPP scope string: 'certificate,configuration' is not a scope name"],
    ['scope with whitespace', { scope: 'certificate; configuration' },
      "TestStack/App: scope 'certificate; configuration' is not a TPP scope string: it contains whitespace."],
    ['a scope twice', { scope: 'certificate:manage;certificate:revoke' },
      "scope 'certificate' appears twice (list all its restrictions once, e.g. 'certificate:a,b')"],
    ['empty scope', { scope: '' }, "TestStack/App: scope '' is not a TPP scope string: it is empty."],
    ['maximumScope not covering a scope', { scope: 'certificate:manage;configuration', maximumScope: 'certificate:manage' },
      "TestStack/App: maximumScope 'certificate:manage' does not cover 'configuration' of scope 'certificate:manage;configuration'. " +
      'Every scope in scope must appear in maximumScope with at least the same restrictions: widen maximumScope, narrow scope, or leave maximumScope out (it defaults to scope).'],
    ['maximumScope lacking a restriction', { scope: 'certificate:manage,revoke', maximumScope: 'certificate:manage;configuration' },
      "does not cover 'certificate:manage,revoke' of scope 'certificate:manage,revoke'"],
    ['maximumScope with the bare scope', { scope: 'certificate:manage', maximumScope: 'certificate' },
      "does not cover 'certificate:manage'"],
    ['fractional seconds', { accessValidity: Duration.millis(1500) },
      'TestStack/App: accessValidity 1 second 500 millis is not a positive whole number of seconds (TPP takes seconds). Pass e.g. Duration.days(30) or Duration.seconds(3600).'],
    ['zero grant validity', { grantValidity: Duration.seconds(0) },
      'TestStack/App: grantValidity 0 seconds is not a positive whole number of seconds'],
    ['a private key as CA', { trustedCaCertificate: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----' },
      'TestStack/App: trustedCaCertificate contains a private key.'],
    ['not PEM', { trustedCaCertificate: 'MIIBszCCAVmgAwIBAgIU' },
      'TestStack/App: trustedCaCertificate is not a PEM certificate (20 characters, no BEGIN/END CERTIFICATE block).'],
    ['subnets without a VPC', { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } },
      'TestStack/App: vpcSubnets is set without vpc. Pass vpc as well, or leave vpcSubnets out.'],
  ])('%s', (_name, overrides, message) => {
    const stack = nagStack();
    expect(() => new TppOAuthApplication(stack, 'App', baseProps(stack, overrides))).toThrow(message);
  });

  test.each([
    ['certificate', 'certificate'],
    ['certificate', 'certificate:manage'],
    ['certificate:manage', 'certificate:revoke,manage;configuration'],
    ['admin:grantrights,viewlogs;configuration;security', 'security;configuration:manage;admin:viewlogs,grantrights,delete'],
  ])('maximumScope %s is covered by %s', (scope, maximumScope) => {
    const stack = nagStack();
    expect(() => new TppOAuthApplication(stack, 'App', baseProps(stack, { scope, maximumScope }))).not.toThrow();
  });

  test('tokens (e.g. from parameters) are not validated at synth', () => {
    const stack = nagStack();
    const serverUrl = new CfnParameter(stack, 'TppUrl').valueAsString;
    expect(() => new TppOAuthApplication(stack, 'App', baseProps(stack, { serverUrl }))).not.toThrow();
  });
});

describe('ownership', () => {
  test('two applications with the same server and application ID in one app are rejected at synth, naming both', () => {
    const stack = nagStack();
    new TppOAuthApplication(stack, 'CertBot', baseProps(stack));
    const other = new Stack(stack.node.root as App, 'OtherStack', { env: { account: stack.account, region: stack.region } });
    expect(() => new TppOAuthApplication(other, 'CertBotAgain', baseProps(other, { serverUrl: 'https://TPP.example.com/' }))).toThrow(
      "OtherStack/CertBotAgain: applicationId 'cert-bot' on https://TPP.example.com/ is already declared by TestStack/CertBot. " +
      'An application ID is unique on a TPP server, and two constructs would both manage (and delete) it. ' +
      'Keep one construct and pass it where the other is used, or give this one another applicationId.');
  });

  test('the same application ID on another server, or another ID on the same server, is fine', () => {
    const stack = nagStack();
    new TppOAuthApplication(stack, 'CertBot', baseProps(stack));
    new TppOAuthApplication(stack, 'OtherServer', baseProps(stack, { serverUrl: 'https://tpp2.example.com' }));
    new TppOAuthApplication(stack, 'OtherId', baseProps(stack, { applicationId: 'cert-bot-2' }));
  });

  test('adoptExisting: off by default, passed to the handler when set', () => {
    const stack = nagStack();
    new TppOAuthApplication(stack, 'CertBot', baseProps(stack));
    new TppOAuthApplication(stack, 'Adopted', baseProps(stack, { applicationId: 'legacy-bot', adoptExisting: true }));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::VenafiTppOAuthApplication', { ApplicationId: 'cert-bot', AdoptExisting: Match.absent() });
    template.hasResourceProperties('Custom::VenafiTppOAuthApplication', { ApplicationId: 'legacy-bot', AdoptExisting: 'true' });
  });
});
