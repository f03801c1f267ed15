// One function per stack and network placement, invoked by CloudFormation directly, however many TPP applications
// the stack holds: applications without a VPC share one; those in a VPC share one per
// (VPC, subnets, security groups), since a Lambda function has exactly one placement.
import { createHash } from 'node:crypto';
import { Duration, Stack, aws_ec2 as ec2, aws_iam as iam, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { grantSecretKey, handlerFunction, secretGrantArn, serviceTimeoutFor, stackSingleton } from '../handler-function';
import { acknowledgeWildcardResource } from '../nag';
import { TppOauthApplicationFunction } from './handler/tpp-oauth-application-function';

/** How long the handler may run: a few TPP and Secrets Manager calls, with retries. */
const HANDLER_TIMEOUT = Duration.minutes(3);

/** Where the handler runs: outside any VPC, or in one (for a TPP server on a private network). */
export interface TppHandlerPlacement {
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

const PROVIDER_ID = 'cdk-appfabric.TppOAuthApplicationProvider';

export class TppOAuthApplicationProvider extends Construct {
  /** The stack's provider for this placement, created on first use. */
  public static of(scope: Construct, placement: TppHandlerPlacement = {}): TppOAuthApplicationProvider {
    const id = placement.vpc ? `${PROVIDER_ID}.${placementKey(Stack.of(scope), placement)}` : PROVIDER_ID;
    return stackSingleton(scope, id, (stack, uniqueId) => new TppOAuthApplicationProvider(stack, uniqueId, placement));
  }

  /** The handler function's ARN: CloudFormation invokes it directly. */
  public readonly serviceToken: string;
  /** How long CloudFormation waits for the handler's answer. */
  public readonly serviceTimeout = serviceTimeoutFor(HANDLER_TIMEOUT);
  public readonly handler: TppOauthApplicationFunction;
  private readonly role: iam.Role;
  private readonly grantedSecrets = new Set<secretsmanager.ISecret>();

  private constructor(scope: Construct, id: string, placement: TppHandlerPlacement) {
    super(scope, id);
    // An inline role: its own log group, the token secrets as applications add them, and (in a
    // VPC) the network interfaces Lambda needs. No AWSLambdaBasicExecutionRole.
    const { fn, role } = handlerFunction(this, 'Handler', TppOauthApplicationFunction, {
      description: 'cdk-appfabric: creates, updates and deletes Venafi TPP OAuth applications',
      timeout: HANDLER_TIMEOUT,
      answersCloudFormation: true,
      vpc: placement.vpc,
      vpcSubnets: placement.vpc ? placement.vpcSubnets : undefined,
      securityGroups: placement.vpc ? placement.securityGroups : undefined,
    });
    this.handler = fn;
    this.role = role;
    this.serviceToken = fn.functionArn;
    if (placement.vpc) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }));
      acknowledgeWildcardResource(this.role, '*',
        'Lambda creates and removes the function\'s network interfaces in the VPC with these EC2 actions (those of AWSLambdaVPCAccessExecutionRole); EC2 does not scope them to resources known before the ENI exists.');
    }
  }

  /**
   * Lets the handler read the token secret and store a refreshed pair in it (GetSecretValue and
   * PutSecretValue on that secret only), with its KMS key if it has one.
   */
  public grantTokenSecret(secret: secretsmanager.ISecret): void {
    if (this.grantedSecrets.has(secret)) {
      return;
    }
    this.grantedSecrets.add(secret);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
      resources: [secretGrantArn(secret)],
    }));
    if (secret.encryptionKey) {
      // Decrypt to read; GenerateDataKey to store a new version.
      grantSecretKey(this.role, secret.encryptionKey, { write: true });
    }
  }
}

/**
 * A short, stable key for a placement: the VPC's and security groups' construct addresses and the
 * selected subnets as the template names them.
 */
function placementKey(stack: Stack, placement: TppHandlerPlacement): string {
  const vpc = placement.vpc!;
  const subnets = stack.resolve(vpc.selectSubnets(placement.vpcSubnets).subnetIds);
  const groups = (placement.securityGroups ?? []).map((group: IConstruct) => group.node.addr).sort();
  return createHash('sha256').update(JSON.stringify([vpc.node.addr, subnets, groups])).digest('hex').slice(0, 12);
}
