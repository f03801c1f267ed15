// The handler's world during the handler benchmarks: the local AppFabric and Secrets Manager
// emulators (test/emulators, real HTTP on 127.0.0.1), the environment variables that point the
// handler at them, CloudFormation events, and the bundled handler as it ships.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { REPO_ROOT } from './compiled-library';
import type { AppAuthorizationEvent, AppAuthorizationResponse } from '../src/app-authorization/handler/events';
import type { AppAuthorizationProperties } from '../src/app-authorization/properties';
import { AppFabricEmulator } from '../test/emulators/appfabric-emulator';
import type { RecordedRequest } from '../test/emulators/http-emulator';
import { SecretsManagerEmulator } from '../test/emulators/secrets-manager-emulator';
import { LambdaHandler, asCloudFormation } from '../test/support/cloudformation';

/** The handler bundle exactly as it ships (built by `npx projen bundle`, the bench task's first step). */
export const HANDLER_BUNDLE = path.join(REPO_ROOT, 'assets', 'app-authorization', 'handler', 'app-authorization.lambda', 'index.js');

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/AppFabricBench/5f3c2a10-0000-4000-8000-00000000bench';

export type Handler = (event: AppAuthorizationEvent, context?: { getRemainingTimeInMillis(): number }) => Promise<AppAuthorizationResponse>;

export interface EmulatorSettings {
  /** Fixed latency the emulators add to every request. */
  readonly latencyMs: number;
  /** AppFabric only: token-bucket rate limit. */
  readonly appFabricPerSecond?: number;
}

export class EmulatedAws {
  public static async start(settings: EmulatorSettings): Promise<EmulatedAws> {
    const appfabric = await AppFabricEmulator.start();
    const secrets = await SecretsManagerEmulator.start();
    for (const emulator of [appfabric, secrets]) emulator.latencyMs = settings.latencyMs;
    if (settings.appFabricPerSecond !== undefined) appfabric.rateLimit = { perSecond: settings.appFabricPerSecond };
    return new EmulatedAws(appfabric, secrets);
  }

  public readonly bundleArn: string;

  private constructor(public readonly appfabric: AppFabricEmulator, public readonly secrets: SecretsManagerEmulator) {
    this.bundleArn = appfabric.createAppBundle();
  }

  /** The variables a Lambda would have, with the endpoints overridden to the emulators. */
  public handlerEnvironment(): Record<string, string> {
    return {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
      AWS_ENDPOINT_URL_APPFABRIC: this.appfabric.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: this.secrets.endpoint,
    };
  }

  /** A full process environment for a child: this process's, minus AWS settings that would interfere. */
  public childEnvironment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...this.handlerEnvironment() };
    for (const name of ['AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_PROFILE']) delete env[name];
    return env;
  }

  /** oauth2 properties for tenant `tenant`, its credential in a secret of its own. */
  public oauth2Properties(tenant: string): AppAuthorizationProperties {
    return {
      AppBundleArn: this.bundleArn,
      App: 'SLACK',
      AuthType: 'oauth2',
      TenantIdentifier: tenant,
      TenantDisplayName: `Tenant ${tenant}`,
      CredentialSecretArn: this.secrets.putSecret(`appfabric/${tenant}`, JSON.stringify({ clientId: `id-${tenant}`, clientSecret: `secret-${tenant}` })),
      CredentialFields: { ClientId: 'clientId', ClientSecret: 'clientSecret' },
    };
  }

  /** apiKey properties (the emulator connects a key that does not start with 'invalid' at once). */
  public apiKeyProperties(tenant: string): AppAuthorizationProperties {
    return {
      AppBundleArn: this.bundleArn,
      App: 'ASANA',
      AuthType: 'apiKey',
      TenantIdentifier: tenant,
      TenantDisplayName: `Tenant ${tenant}`,
      CredentialSecretArn: this.secrets.putSecret(`appfabric/${tenant}-key`, JSON.stringify({ apiKey: `key-${tenant}` })),
      CredentialFields: { ApiKey: 'apiKey' },
      ConnectTimeoutSeconds: '120',
    };
  }

  /** Requests both emulators received from `since` (an index pair from requestMark()) on. */
  public requestsSince(mark: RequestMark): { appfabric: RecordedRequest[]; secrets: RecordedRequest[] } {
    return { appfabric: this.appfabric.requests.slice(mark.appfabric), secrets: this.secrets.requests.slice(mark.secrets) };
  }

  public requestMark(): RequestMark {
    return { appfabric: this.appfabric.requests.length, secrets: this.secrets.requests.length };
  }

  public async close(): Promise<void> {
    await Promise.all([this.appfabric.close(), this.secrets.close()]);
  }
}

export interface RequestMark {
  readonly appfabric: number;
  readonly secrets: number;
}

export function createEvent(props: AppAuthorizationProperties, logicalResourceId: string): AppAuthorizationEvent {
  return baseEvent('Create', props, logicalResourceId);
}

export function updateEvent(props: AppAuthorizationProperties, oldProps: AppAuthorizationProperties, logicalResourceId: string,
  physicalResourceId: string): AppAuthorizationEvent {
  return { ...baseEvent('Update', props, logicalResourceId), PhysicalResourceId: physicalResourceId, OldResourceProperties: oldProps };
}

export function deleteEvent(props: AppAuthorizationProperties, logicalResourceId: string, physicalResourceId: string): AppAuthorizationEvent {
  return { ...baseEvent('Delete', props, logicalResourceId), PhysicalResourceId: physicalResourceId };
}

function baseEvent(requestType: AppAuthorizationEvent['RequestType'], props: AppAuthorizationProperties, logicalResourceId: string): AppAuthorizationEvent {
  return {
    RequestType: requestType,
    RequestId: randomUUID(),
    StackId: STACK_ID,
    LogicalResourceId: logicalResourceId,
    ResourceType: 'Custom::AppFabricAppAuthorization',
    // Set to a local answer endpoint on delivery (test/support/cloudformation.ts).
    ResponseURL: '',
    ResourceProperties: props,
  };
}

/** A Lambda context with the construct's 5-minute timeout. */
export function lambdaContext(timeoutMs = 5 * 60_000): { getRemainingTimeInMillis(): number } {
  const end = Date.now() + timeoutMs;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}

/**
 * Loads the bundled handler into this process with the emulators' environment. The handler's
 * console.log lines (CloudWatch Logs, in Lambda) go to `logLines` instead of the terminal while
 * it runs. Returns the handler and a function that restores the environment and console.
 */
export function loadBundledHandler(aws: EmulatedAws, logLines: string[]): { handler: Handler; restore: () => void } {
  const changed = [...Object.keys(aws.handlerEnvironment()), 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_PROFILE'];
  const saved = new Map(changed.map((name) => [name, process.env[name]]));
  const savedLog = console.log;
  for (const name of changed) delete process.env[name];
  Object.assign(process.env, aws.handlerEnvironment());
  console.log = (...args: unknown[]) => { logLines.push(args.map(String).join(' ')); };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundled = require(HANDLER_BUNDLE) as { handler: LambdaHandler<AppAuthorizationEvent> };
  // Invoked as CloudFormation does: one invocation per event, the answer PUT to a local ResponseURL.
  const handler = asCloudFormation(bundled.handler) as Handler;
  return {
    handler,
    restore: () => {
      console.log = savedLog;
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
