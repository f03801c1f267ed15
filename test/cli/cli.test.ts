// `cdk-appfabric connect|status` against the AppFabric emulator over HTTP.
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CommandContext, StackResource, findAuthorizationArn, parseCommand, run } from '../../src/cli/commands';
import { main } from '../../src/cli/main';
import { AppFabricClient } from '../../src/internal/appfabric-client';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';

const CLI = path.join(__dirname, '..', '..', 'assets', 'cli', 'main', 'cdk-appfabric.js');

let emulator: AppFabricEmulator;
let bundleArn: string;
let out: string[];
let err: string[];
const savedEnv = { ...process.env };

beforeEach(async () => {
  emulator = await AppFabricEmulator.start();
  bundleArn = emulator.createAppBundle();
  out = [];
  err = [];
  Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL_APPFABRIC: emulator.endpoint });
  jest.spyOn(console, 'log').mockImplementation((line) => { out.push(String(line)); });
  jest.spyOn(console, 'error').mockImplementation((line) => { err.push(String(line)); });
});
afterEach(async () => {
  jest.restoreAllMocks();
  process.env = { ...savedEnv };
  await emulator.close();
});

function slackAuthorization() {
  return emulator.putAuthorization({
    appBundleArn: bundleArn,
    app: 'SLACK',
    authType: 'oauth2',
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    credential: { oauth2Credential: { clientId: 'id', clientSecret: 'secret' } },
  });
}

describe('connect', () => {
  test('connects an OAuth authorization with the code and the console redirect URI', async () => {
    const auth = slackAuthorization();
    const code = emulator.issueOAuthCode(auth.appAuthorizationArn);
    expect(await main(['connect', '--arn', auth.appAuthorizationArn, '--code', code])).toBe(0);
    expect(out).toEqual(['SLACK (tenant examplecorp): Connected']);
    expect(emulator.authorizations()[0].status).toBe('Connected');
    const connect = emulator.requests.find((r) => r.operation === 'ConnectAppAuthorization')!;
    expect(connect.requestBody).toEqual({ authRequest: { redirectUri: 'https://us-east-1.console.aws.amazon.com/appfabric/oauth2', code } });
  });

  test('an expired code: a clear error and exit 1', async () => {
    const auth = slackAuthorization();
    const code = emulator.issueOAuthCode(auth.appAuthorizationArn, { expired: true });
    expect(await main(['connect', '--arn', auth.appAuthorizationArn, '--code', code])).toBe(1);
    expect(err.join('\n')).toMatch(/AppFabric rejected the code for .*OAuth codes are single-use and expire within minutes. Open the AuthUrl again/s);
    expect(emulator.authorizations()[0].status).toBe('PendingConnect');
  });

  test('a reused code on a connected authorization reports Connected (a retried connect)', async () => {
    const auth = slackAuthorization();
    const code = emulator.issueOAuthCode(auth.appAuthorizationArn);
    expect(await main(['connect', '--arn', auth.appAuthorizationArn, '--code', code])).toBe(0);
    expect(await main(['connect', '--arn', auth.appAuthorizationArn, '--code', code])).toBe(0);
    expect(out[1]).toBe('SLACK (tenant examplecorp): Connected');
  });

  test('a reused code on an authorization that is not connected fails with exit 1', async () => {
    const first = slackAuthorization();
    const code = emulator.issueOAuthCode(first.appAuthorizationArn);
    await main(['connect', '--arn', first.appAuthorizationArn, '--code', code]);
    emulator.setStatus(first.appAuthorizationArn, 'TokenAutoRotationFailed');
    expect(await main(['connect', '--arn', first.appAuthorizationArn, '--code', code])).toBe(1);
  });

  test('resolves the authorization from the stack resources by construct id (the physical id is the ARN)', async () => {
    const auth = slackAuthorization();
    const resources: StackResource[] = [
      { LogicalResourceId: 'SlackHandlerRole1A2B3C4D', PhysicalResourceId: 'role', ResourceType: 'AWS::IAM::Role' },
      { LogicalResourceId: 'Slack738A1058', PhysicalResourceId: auth.appAuthorizationArn, ResourceType: 'Custom::AppFabricAppAuthorization' },
      { LogicalResourceId: 'OtherSlack12345678', PhysicalResourceId: 'other', ResourceType: 'Custom::AppFabricAppAuthorization' },
    ];
    const ctx: CommandContext = {
      appfabric: new AppFabricClient(),
      region: 'us-east-1',
      stackResources: async () => resources,
      io: { out: (line) => out.push(line), err: (line) => err.push(line) },
    };
    const code = emulator.issueOAuthCode(auth.appAuthorizationArn);
    expect(await run(parseCommand(['connect', '--stack', 'App', '--id', 'Slack', '--code', code]), ctx)).toBe(0);
    expect(emulator.authorizations()[0].status).toBe('Connected');
  });

  test('bad arguments exit 2 with usage', async () => {
    expect(await main(['connect', '--arn', 'arn:aws:s3:::bucket', '--code', 'x'])).toBe(2);
    expect(err[0]).toMatch(/--arn 'arn:aws:s3:::bucket' is not an AppFabric authorization ARN/);
    expect(await main(['connect', '--arn', `${bundleArn}/appauthorization/x`])).toBe(2);
    expect(await main(['frobnicate'])).toBe(2);
  });
});

describe('status', () => {
  test('lists every authorization of the bundle with its status', async () => {
    const slack = slackAuthorization();
    emulator.putAuthorization({ appBundleArn: bundleArn, app: 'ASANA', authType: 'apiKey', tenant: { tenantIdentifier: '1200', tenantDisplayName: 'A' } });
    emulator.setStatus(slack.appAuthorizationArn, 'Connected');
    expect(await main(['status', '--bundle', bundleArn])).toBe(0);
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^APP\s+TENANT\s+STATUS\s+ARN$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 3)).sort()).toEqual([
      ['ASANA', '1200', 'PendingConnect'], ['SLACK', 'examplecorp', 'Connected'],
    ]);
  });
});

describe('findAuthorizationArn', () => {
  test('names the authorizations the stack has when the id is unknown', () => {
    expect(() => findAuthorizationArn([{ LogicalResourceId: 'OktaAEAF4CA7', PhysicalResourceId: 'x', ResourceType: 'Custom::AppFabricAppAuthorization' }], 'App', 'Slack'))
      .toThrow("stack App has no AppFabric authorization for construct id 'Slack'; it has: OktaAEAF4CA7. Pass --arn <authorization ARN> instead.");
  });
});

describe('the packaged command', () => {
  test('runs from the bundle with --help and exit 0', () => {
    const result = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('cdk-appfabric connect');
  });

  test('connects through the bundled command, exit code 0', () => {
    const auth = slackAuthorization();
    const code = emulator.issueOAuthCode(auth.appAuthorizationArn);
    // spawnSync blocks this process, so the emulator (in this process) could not answer: use async spawn.
    return new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'connect', '--arn', auth.appAuthorizationArn, '--code', code], { env: process.env });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => { stdout += chunk; });
      child.on('close', (exitCode) => {
        try {
          expect(exitCode).toBe(0);
          expect(stdout.trim()).toBe('SLACK (tenant examplecorp): Connected');
          resolve();
        } catch (error) { reject(error); }
      });
    });
  });
});
