// One function per stack for the state of its ingestions, invoked by CloudFormation directly.
import { Duration, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { IAppBundle } from '../app-bundle';
import { handlerFunction, serviceTimeoutFor, stackSingleton } from '../handler-function';
import { IngestionStateFunction } from './handler/ingestion-state-function';

/** How long the handler may run: a read and a start or stop, with retries. */
const HANDLER_TIMEOUT = Duration.minutes(2);

export class IngestionStateProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: Construct): IngestionStateProvider {
    return stackSingleton(scope, 'cdk-appfabric.IngestionStateProvider', (stack, id) => new IngestionStateProvider(stack, id));
  }

  /** The handler function's ARN: CloudFormation invokes it directly. */
  public readonly serviceToken: string;
  /** How long CloudFormation waits for the handler's answer. */
  public readonly serviceTimeout = serviceTimeoutFor(HANDLER_TIMEOUT);
  private readonly role: iam.Role;
  private readonly grantedBundles = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const { fn, role } = handlerFunction(this, 'Handler', IngestionStateFunction, {
      description: 'cdk-appfabric: starts or stops AppFabric ingestions as declared',
      timeout: HANDLER_TIMEOUT,
      answersCloudFormation: true,
    });
    this.role = role;
    this.serviceToken = fn.functionArn;
  }

  /** Lets the handler read, start and stop the ingestions of one bundle. */
  public grantBundle(appBundle: IAppBundle): void {
    if (!this.grantedBundles.has(appBundle.appBundleArn)) {
      this.grantedBundles.add(appBundle.appBundleArn);
      appBundle.grantStartStopIngestions(this.role);
    }
  }
}
