// Runs the AppAuthorization handler as CloudFormation does (the answer PUT to a local
// ResponseURL), against the local AppFabric and Secrets Manager emulators over real HTTP.
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { asCloudFormation } from './cloudformation';
import { useEmulatorEnvironment } from './emulator-environment';
import { handler as appAuthorizationFunction } from '../../src/app-authorization/handler/app-authorization.lambda';
import { AppAuthorizationEvent } from '../../src/app-authorization/handler/events';
import { AppAuthorizationData, AppAuthorizationProperties } from '../../src/app-authorization/properties';
import { CustomResourceEvent } from '../../src/internal/custom-resource';
import { forgetSecretsForTesting } from '../../src/internal/scrub';
import { AppFabricEmulator, AppFabricEmulatorOptions } from '../emulators/appfabric-emulator';
import { SecretsManagerEmulator } from '../emulators/secrets-manager-emulator';

export { lambdaContext } from './cloudformation';

/** The AppAuthorization function, invoked as CloudFormation does: its answer, or a rejection with its failure reason. */
export const handler = asCloudFormation<AppAuthorizationEvent, AppAuthorizationData>(appAuthorizationFunction);

export const STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/AppFabricTest/5f3c2a10-0000-4000-8000-000000000001';

/** The bundled handler, exactly as it ships in the npm package (`npm test` bundles first). */
export const BUNDLED_HANDLER_DIR = path.join(__dirname, '..', '..', 'assets', 'app-authorization', 'handler', 'app-authorization.lambda');

export class HandlerHarness {
  public static async start(options: AppFabricEmulatorOptions = {}): Promise<HandlerHarness> {
    // A new harness is a new Lambda container: it remembers no secret value of an earlier test.
    forgetSecretsForTesting();
    const appfabric = await AppFabricEmulator.start(options);
    const secrets = await SecretsManagerEmulator.start();
    return new HandlerHarness(appfabric, secrets);
  }

  public readonly bundleArn: string;
  /** Everything the handler printed (CloudWatch Logs, in Lambda). */
  public readonly logs: string[] = [];
  private readonly restoreEnvironment: () => void;
  private readonly logSpy: jest.SpyInstance;

  private constructor(public readonly appfabric: AppFabricEmulator, public readonly secrets: SecretsManagerEmulator) {
    this.bundleArn = appfabric.createAppBundle();
    this.restoreEnvironment = useEmulatorEnvironment({ appfabric: appfabric.endpoint, secretsManager: secrets.endpoint });
    this.logSpy = captureHandlerLogs(this.logs);
  }

  public async close(): Promise<void> {
    this.logSpy.mockRestore();
    this.restoreEnvironment();
    await Promise.all([this.appfabric.close(), this.secrets.close()]);
  }

  /** Properties of an authorization in this harness's bundle. */
  public props(overrides: Partial<AppAuthorizationProperties> = {}): AppAuthorizationProperties {
    return {
      AppBundleArn: this.bundleArn,
      App: 'SLACK',
      AuthType: 'oauth2',
      TenantIdentifier: 'examplecorp',
      TenantDisplayName: 'Example Corp',
      CredentialSecretArn: this.secrets.putSecret('appfabric/slack', JSON.stringify({ clientId: 'slack-client-id', clientSecret: 'CANARY-oauth-secret-7Hq2Wx' })),
      CredentialFields: { ClientId: 'clientId', ClientSecret: 'clientSecret' },
      ...overrides,
    };
  }

  /** An apiKey authorization's properties, with the key stored in a secret. */
  public apiKeyProps(apiKey: string, overrides: Partial<AppAuthorizationProperties> = {}): AppAuthorizationProperties {
    return this.props({
      App: 'ASANA',
      AuthType: 'apiKey',
      TenantIdentifier: '1200000000000000',
      TenantDisplayName: 'Example Corp Asana',
      CredentialSecretArn: this.secrets.putSecret('appfabric/asana', JSON.stringify({ apiKey })),
      CredentialFields: { ApiKey: 'apiKey' },
      ConnectTimeoutSeconds: '10',
      ...overrides,
    });
  }
}

/** Collects what handlers print (CloudWatch Logs, in Lambda) into `lines`. */
export function captureHandlerLogs(lines: string[]): jest.SpyInstance {
  return jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
}

export interface EventOptions<P = AppAuthorizationProperties> {
  readonly requestId?: string;
  readonly physicalResourceId?: string;
  readonly oldProps?: P;
  readonly logicalResourceId?: string;
}

/** A CloudFormation custom resource event (the stand-in in cloudformation.ts sets its ResponseURL when it delivers it). */
export function customResourceEvent<P extends object>(resource: { type: string; stackId: string; logicalResourceId: string },
  requestType: 'Create' | 'Update' | 'Delete', props: P, options: EventOptions<P> = {}): CustomResourceEvent<P> {
  return {
    ResponseURL: '',
    RequestType: requestType,
    RequestId: options.requestId ?? randomUUID(),
    StackId: resource.stackId,
    LogicalResourceId: options.logicalResourceId ?? resource.logicalResourceId,
    ResourceType: resource.type,
    PhysicalResourceId: options.physicalResourceId,
    ResourceProperties: props,
    OldResourceProperties: options.oldProps,
  };
}

export function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', props: AppAuthorizationProperties, options: EventOptions = {}): AppAuthorizationEvent {
  return customResourceEvent({ type: 'Custom::AppFabricAppAuthorization', stackId: STACK_ID, logicalResourceId: 'SlackAuthorization1A2B3C4D' },
    requestType, props, options);
}

/** Runs an event and returns the failure reason CloudFormation received. */
export async function failureReason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the event to fail, but it succeeded');
}
