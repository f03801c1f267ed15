// One handler and one Provider per stack for the state of its ingestions.
import { Duration, aws_iam as iam } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from '../nag';
import { handlerRoleAndLogs, providerFramework, stackSingleton } from '../provider-framework';
import { IngestionStateFunction } from './handler/ingestion-state-function';

export class IngestionStateProvider extends Construct {
  /** The stack's provider, created on first use. */
  public static of(scope: Construct): IngestionStateProvider {
    return stackSingleton(scope, 'cdk-appfabric.IngestionStateProvider', (stack, id) => new IngestionStateProvider(stack, id));
  }

  public readonly serviceToken: string;
  private readonly role: iam.Role;
  private readonly grantedBundles = new Set<string>();

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const { role, logGroup } = handlerRoleAndLogs(this);
    this.role = role;
    const handler = new IngestionStateFunction(this, 'Handler', {
      description: 'cdk-appfabric: starts or stops AppFabric ingestions as declared',
      role,
      logGroup,
      timeout: Duration.minutes(2),
      memorySize: 256,
    });
    this.serviceToken = providerFramework(this, handler);
  }

  /** Lets the handler read, start and stop the ingestions of one bundle. */
  public grantBundle(appBundleArn: string): void {
    if (this.grantedBundles.has(appBundleArn)) {
      return;
    }
    this.grantedBundles.add(appBundleArn);
    const ingestions = `${appBundleArn}/ingestion/*`;
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['appfabric:GetIngestion', 'appfabric:StartIngestion', 'appfabric:StopIngestion'],
      // Authorized on the ingestion and the bundle.
      resources: [appBundleArn, ingestions],
    }));
    acknowledgeWildcardResource(this.role, ingestions,
      'Ingestion ids are assigned by AppFabric; the wildcard covers ingestions inside this one bundle only.');
  }
}
