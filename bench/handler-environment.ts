// The handler's world during the handler benchmarks: the local AppFabric and Secrets Manager
// emulators (real HTTP on 127.0.0.1), the environment variables that point the handler at them,
// CloudFormation events, and the function the synthesized template's ServiceToken names.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Template } from './synth';
import type { AppAuthorizationEvent, AppAuthorizationResponse } from '../src/app-authorization/handler/events';
import type { AppAuthorizationProperties } from '../src/app-authorization/properties';
import { AppFabricEmulator } from '../test/emulators/appfabric-emulator';
import type { RecordedRequest } from '../test/emulators/http-emulator';
import { SecretsManagerEmulator } from '../test/emulators/secrets-manager-emulator';
import { LambdaHandler, asCloudFormation } from '../test/support/cloudformation';

/** The function a custom resource's ServiceToken names, and its code in the cloud assembly. */
export interface ServiceTokenFunction {
  readonly logicalId: string;
  /** The bundled handler (index.js of the function's asset directory). */
  readonly bundlePath: string;
}

/**
 * Follows the ServiceToken of the template's first `resourceType` resource to its
 * AWS::Lambda::Function and that function's asset (asset metadata is on in the benchmark apps).
 */
export function serviceTokenFunction(template: Template, assemblyDir: string, resourceType: string): ServiceTokenFunction {
  const resources = template.Resources ?? {};
  const custom = Object.values(resources).find((r) => r.Type === resourceType);
  const token = custom?.Properties?.ServiceToken as { 'Fn::GetAtt'?: [string, string] } | undefined;
  const logicalId = token?.['Fn::GetAtt']?.[0];
  const fn = logicalId === undefined ? undefined : resources[logicalId];
  if (!logicalId || fn?.Type !== 'AWS::Lambda::Function' || token?.['Fn::GetAtt']?.[1] !== 'Arn') {
    throw new Error(`the ${resourceType} resource's ServiceToken is not the Arn of a Lambda function of the stack: ${JSON.stringify(token)}`);
  }
  const handler = String((fn.Properties ?? {}).Handler);
  const assetPath = fn.Metadata?.['aws:asset:path'];
  if (handler !== 'index.handler' || typeof assetPath !== 'string') {
    throw new Error(`function ${logicalId}: expected Handler index.handler and asset metadata, found ${handler} and ${String(assetPath)}`);
  }
  const bundlePath = path.join(assemblyDir, assetPath, 'index.js');
  if (!fs.existsSync(bundlePath)) throw new Error(`function ${logicalId}: ${bundlePath} does not exist`);
  return { logicalId, bundlePath };
}

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/AppFabricBench/5f3c2a10-0000-4000-8000-00000000bench';

export type Handler = (event: AppAuthorizationEvent, context?: { getRemainingTimeInMillis(): number }) => Promise<AppAuthorizationResponse>;

export interface EmulatorSettings {
  /** Fixed latency the emulators add to every request. */
  readonly latencyMs: number;
  /** AppFabric only: token-bucket rate limit. */
  readonly appFabricPerSecond?: number;
}

/**
 * The Lambda service's endpoint, as far as a handler could reach it: it counts every request (a
 * function that invokes another function, as a Provider framework does, calls Invoke here) and
 * answers 503.
 */
export class LambdaEndpoint {
  public static async start(): Promise<LambdaEndpoint> {
    const endpoint = new LambdaEndpoint();
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  public requests = 0;
  private readonly server = http.createServer((req, res) => {
    this.requests++;
    req.resume();
    req.on('end', () => res.writeHead(503).end());
  });

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export class EmulatedAws {
  public static async start(settings: EmulatorSettings): Promise<EmulatedAws> {
    const appfabric = await AppFabricEmulator.start();
    const secrets = await SecretsManagerEmulator.start();
    const lambda = await LambdaEndpoint.start();
    for (const emulator of [appfabric, secrets]) emulator.latencyMs = settings.latencyMs;
    if (settings.appFabricPerSecond !== undefined) appfabric.rateLimit = { perSecond: settings.appFabricPerSecond };
    return new EmulatedAws(appfabric, secrets, lambda);
  }

  public readonly bundleArn: string;

  private constructor(public readonly appfabric: AppFabricEmulator, public readonly secrets: SecretsManagerEmulator,
    public readonly lambda: LambdaEndpoint) {
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
      AWS_ENDPOINT_URL_LAMBDA: this.lambda.endpoint,
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
      // Default field names, left out as the construct leaves them out.
      CredentialFields: {},
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
      CredentialFields: {},
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
    await Promise.all([this.appfabric.close(), this.secrets.close(), this.lambda.close()]);
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
 * Loads a bundled handler into this process with the emulators' environment. The handler's
 * console.log lines (CloudWatch Logs, in Lambda) go to `logLines` instead of the terminal while
 * it runs. `invoked` is called at every invocation of the function. Returns the handler as the
 * tests call it (CloudFormation's stand-in delivers each event and reads the answer PUT to its
 * ResponseURL) and a function that restores the environment and console.
 */
export function loadBundledHandler(bundlePath: string, env: Record<string, string>, logLines: string[],
  invoked: () => void = () => undefined): { handler: Handler; restore: () => void } {
  const changed = [...Object.keys(env), 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_PROFILE'];
  const saved = new Map(changed.map((name) => [name, process.env[name]]));
  const savedLog = console.log;
  for (const name of changed) delete process.env[name];
  Object.assign(process.env, env);
  console.log = (...args: unknown[]) => { logLines.push(args.map(String).join(' ')); };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundled = require(bundlePath) as { handler: LambdaHandler<AppAuthorizationEvent> };
  const counted: LambdaHandler<AppAuthorizationEvent> = (event, context) => {
    invoked();
    return bundled.handler(event, context);
  };
  return {
    handler: asCloudFormation(counted) as Handler,
    restore: () => {
      console.log = savedLog;
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}
