// `cdk-appfabric connect|status` against the AppFabric emulator over HTTP.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommandContext, StackResource, appFabricEndpoint, findAuthorizationArn, parseCommand, resolveRegion, run } from '../../src/cli/commands';
import { main, sdkRegion } from '../../src/cli/main';
import { AppFabricClient } from '../../src/internal/appfabric-client';
import { CREATE_FAILED_PHYSICAL_ID } from '../../src/internal/custom-resource';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';
import { useEmulatorEnvironment } from '../support/emulator-environment';

const CLI = path.join(__dirname, '..', '..', 'assets', 'cli', 'main', 'cdk-appfabric.js');

let emulator: AppFabricEmulator;
let bundleArn: string;
let out: string[];
let err: string[];
let restoreEnvironment: () => void;

beforeEach(async () => {
  emulator = await AppFabricEmulator.start();
  bundleArn = emulator.createAppBundle();
  out = [];
  err = [];
  restoreEnvironment = useEmulatorEnvironment({ appfabric: emulator.endpoint });
  jest.spyOn(console, 'log').mockImplementation((line) => { out.push(String(line)); });
  jest.spyOn(console, 'error').mockImplementation((line) => { err.push(String(line)); });
});
afterEach(async () => {
  jest.restoreAllMocks();
  restoreEnvironment();
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

  test('resolves the authorization through the stack\'s resources by construct id (physical id = ARN)', async () => {
    const auth = slackAuthorization();
    const resources: StackResource[] = [
      { LogicalResourceId: 'Slack3C1B2A90', PhysicalResourceId: auth.appAuthorizationArn, ResourceType: 'Custom::AppFabricAppAuthorization', ResourceStatus: 'CREATE_COMPLETE' },
      { LogicalResourceId: 'TeamOkta0A1B2C3D', PhysicalResourceId: `${bundleArn}/appauthorization/other`, ResourceType: 'Custom::AppFabricAppAuthorization', ResourceStatus: 'CREATE_COMPLETE' },
      { LogicalResourceId: 'SlackSecretE1F2A3B4', PhysicalResourceId: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x', ResourceType: 'AWS::SecretsManager::Secret' },
    ];
    const asked: string[] = [];
    const ctx: CommandContext = {
      appfabric: new AppFabricClient(),
      region: 'us-east-1',
      stackResources: async (name) => { asked.push(name); return resources; },
      io: { out: (line) => out.push(line), err: (line) => err.push(line) },
    };
    const code = emulator.issueOAuthCode(auth.appAuthorizationArn);
    expect(await run(parseCommand(['connect', '--stack', 'App', '--id', 'Slack', '--code', code]), ctx)).toBe(0);
    expect(asked).toEqual(['App']);
    expect(emulator.authorizations()[0].status).toBe('Connected');
    expect(findAuthorizationArn(resources, 'App', 'Okta')).toBe(`${bundleArn}/appauthorization/other`);
    expect(findAuthorizationArn(resources, 'App', 'Team/Okta')).toBe(`${bundleArn}/appauthorization/other`);
    expect(findAuthorizationArn(resources, 'App', 'Slack3C1B2A90')).toBe(auth.appAuthorizationArn);
  });

  test('bad arguments exit 2 with usage', async () => {
    expect(await main(['connect', '--arn', 'arn:aws:s3:::bucket', '--code', 'x'])).toBe(2);
    expect(err[0]).toMatch(/--arn 'arn:aws:s3:::bucket' is not an AppFabric appauthorization ARN/);
    expect(await main(['status', '--bundle', 'arn:aws:appfabric:us-east-1:111122223333:appbundle/*'])).toBe(2);
    expect(err[err.length - 1]).toContain("--bundle 'arn:aws:appfabric:us-east-1:111122223333:appbundle/*' is a pattern, not an AppFabric appbundle ARN");
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
  const type = 'Custom::AppFabricAppAuthorization';
  test('names the authorizations the stack has when the id is unknown', () => {
    expect(() => findAuthorizationArn([{ LogicalResourceId: 'Okta1A2B3C4D', PhysicalResourceId: 'x', ResourceType: type }], 'App', 'Slack'))
      .toThrow("stack App has no AppFabric authorization for construct id 'Slack'; its authorizations are (logical ids): Okta1A2B3C4D");
  });

  test('a resource whose physical id is not an authorization ARN (a failed create) is named, not used', () => {
    expect(() => findAuthorizationArn([{
      LogicalResourceId: 'Slack1A2B3C4D',
      PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID,
      ResourceType: type,
      ResourceStatus: 'CREATE_FAILED',
    }], 'App', 'Slack'))
      .toThrow('the authorization Slack1A2B3C4D in stack App has no AppFabric ARN as its physical id (status CREATE_FAILED): deploy the stack successfully first.');
  });

  test('an id that matches two authorizations asks for the logical id', () => {
    const resources = ['ASlack1A2B3C4D', 'BSlack5E6F7A8B'].map((id) => ({ LogicalResourceId: id, PhysicalResourceId: 'x', ResourceType: type }));
    expect(() => findAuthorizationArn(resources, 'App', 'Slack')).toThrow("construct id 'Slack' matches several authorizations in stack App: ASlack1A2B3C4D, BSlack5E6F7A8B.");
  });
});

describe('Region, endpoint and credentials', () => {
  test('the Region comes from --region, then the ARN, then the SDK chain with profiles', async () => {
    const noChain = async () => { throw new Error('the chain must not be asked'); };
    expect(await resolveRegion(parseCommand(['status', '--bundle', bundleArn, '--region', 'us-east-1']), noChain)).toBe('us-east-1');
    const dublin = 'arn:aws:appfabric:eu-west-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111';
    expect(await resolveRegion(parseCommand(['status', '--bundle', dublin]), noChain)).toBe('eu-west-1');

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-appfabric-cli-'));
    fs.writeFileSync(path.join(dir, 'config'), '[profile dublin]\nregion = eu-west-1\n');
    delete process.env.AWS_REGION;
    Object.assign(process.env, { AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_PROFILE: 'dublin' });
    expect(await resolveRegion(parseCommand(['connect', '--stack', 'App', '--id', 'Slack', '--code', 'c']), sdkRegion)).toBe('eu-west-1');
    fs.rmSync(dir, { recursive: true });
  });

  test('--region that differs from the ARN\'s Region is refused', async () => {
    expect(await main(['status', '--bundle', bundleArn, '--region', 'eu-west-1'])).toBe(2);
    expect(err[0]).toContain('--region eu-west-1 differs from the Region of the ARN (us-east-1)');
  });

  test('AWS endpoints only, unless an endpoint override says otherwise', () => {
    expect(appFabricEndpoint('eu-west-1', {})).toBe('https://appfabric.eu-west-1.amazonaws.com');
    expect(appFabricEndpoint('cn-north-1', {})).toBe('https://appfabric.cn-north-1.amazonaws.com.cn');
    expect(appFabricEndpoint('us-east-1', { AWS_ENDPOINT_URL_APPFABRIC: 'http://127.0.0.1:9' })).toBe('http://127.0.0.1:9');
    expect(() => appFabricEndpoint('x@evil.example/#', {})).toThrow('the Region does not make an AWS endpoint host; nothing was sent.');
  });

  test('a hostile Region never reaches a host outside AWS: refused before any connection', async () => {
    const connections: number[] = [];
    // Counts connections; answers any request with a non-retryable AppFabric error.
    const server = net.createServer((socket) => {
      connections.push(Date.now());
      socket.once('data', () => socket.end('HTTP/1.1 403 Forbidden\r\nx-amzn-errortype: AccessDeniedException\r\n' +
        'content-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const hostile = `x@127.0.0.1:${port}/#`;
    try {
      delete process.env.AWS_ENDPOINT_URL_APPFABRIC;
      // As the argument, and from the environment (the SDK chain).
      expect(await main(['status', '--bundle', bundleArn.replace('us-east-1', hostile)])).toBe(2);
      expect(await main(['connect', '--arn', `${bundleArn}/appauthorization/a1`, '--code', 'c', '--region', hostile])).toBe(2);
      process.env.AWS_REGION = hostile;
      expect(await main(['connect', '--stack', 'App', '--id', 'Slack', '--code', 'c'])).toBe(2);
      expect(err.join('\n')).toContain('the Region from the AWS environment (AWS_REGION or the profile) is not an AWS Region code');
      expect(connections).toHaveLength(0);

      // The counter works: an explicit override sends the request there.
      process.env.AWS_REGION = 'us-east-1';
      process.env.AWS_ENDPOINT_URL_APPFABRIC = `http://127.0.0.1:${port}`;
      expect(await main(['status', '--bundle', bundleArn])).toBe(1);
      expect(connections.length).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('no credentials: a message saying how to provide them, and nothing sent', async () => {
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
      delete process.env[name];
    }
    Object.assign(process.env, { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_EC2_METADATA_DISABLED: 'true' });
    expect(await main(['status', '--bundle', bundleArn])).toBe(1);
    expect(err.join('\n')).toContain('no AWS credentials found. Provide them the standard AWS way: AWS_PROFILE');
    expect(emulator.requests).toHaveLength(0);
  });

  test('--version prints the package version', async () => {
    expect(await main(['--version'])).toBe(0);
    expect(out).toEqual([JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version]);
  });

  test('an AppFabric error that echoes the OAuth code does not print it', async () => {
    const auth = slackAuthorization();
    const code = 'CANARY-oauth-code-0123456789';
    expect(await main(['connect', '--arn', auth.appAuthorizationArn, '--code', code])).toBe(1);
    expect(err.join('\n')).not.toContain(code.slice(0, 12));
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
