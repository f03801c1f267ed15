import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The Regions AppFabric is offered in (AWS general reference). */
export const APPFABRIC_REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];

/**
 * Fails at synth when the stack's Region is known and AppFabric is not offered there.
 * An environment-agnostic stack (Region unresolved) is checked by CloudFormation at deploy.
 */
export function assertAppFabricRegion(scope: IConstruct): void {
  const region = Stack.of(scope).region;
  if (!Token.isUnresolved(region) && !APPFABRIC_REGIONS.includes(region)) {
    throw new Error(
      `${scope.node.path}: AWS AppFabric is not available in Region '${region}' (stack ${Stack.of(scope).stackName}). ` +
      `Deploy this stack to one of ${APPFABRIC_REGIONS.join(', ')} (set env.region on the stack).`,
    );
  }
}

/** The parts of an AppFabric ARN this library reads. */
export interface ParsedAppFabricArn {
  readonly region?: string;
  readonly account?: string;
  /** The id of the bundle, e.g. `a1b2c3d4-...`. */
  readonly appBundleId: string;
  /** The bundle's ARN (the whole ARN for a bundle). */
  readonly appBundleArn: string;
}

/** AppFabric resources addressed by ARN: a bundle, or a resource directly below one. */
export type AppFabricArnKind = 'appbundle' | 'appauthorization' | 'ingestion';

const EXAMPLE_ID = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';

/**
 * Parses `arn:<partition>:appfabric:<region>:<account>:appbundle/<id>[/<kind>/<id>]`, failing with
 * a message that names the property, the value and the expected shape. Tokens are accepted as is.
 */
export function parseAppFabricArn(value: string, property: string, kind: AppFabricArnKind): ParsedAppFabricArn | undefined {
  if (Token.isUnresolved(value)) {
    return undefined;
  }
  const bundleExample = `arn:aws:appfabric:us-east-1:111122223333:appbundle/${EXAMPLE_ID}`;
  const childId = EXAMPLE_ID.replace('11111', kind === 'ingestion' ? '33333' : '22222');
  const example = kind === 'appbundle' ? bundleExample : `${bundleExample}/${kind}/${childId}`;
  const fail = (): never => {
    throw new Error(`${property}: '${value}' is not an AppFabric ${kind} ARN. Pass an ARN like ${example}.`);
  };
  let parts;
  try {
    parts = Arn.split(value, ArnFormat.SLASH_RESOURCE_NAME);
  } catch {
    return fail();
  }
  const path = (parts.resourceName ?? '').split('/');
  const shapeOk = parts.service === 'appfabric' && parts.resource === 'appbundle' && path[0].length > 0 &&
    (kind === 'appbundle' ? path.length === 1 : path.length === 3 && path[1] === kind && path[2].length > 0);
  if (!shapeOk) {
    fail();
  }
  const appBundleArn = kind === 'appbundle' ? value : value.slice(0, value.indexOf(`/${kind}/`));
  return { region: parts.region || undefined, account: parts.account || undefined, appBundleId: path[0], appBundleArn };
}

/** AppFabric quotas per account and Region (AWS general reference; none adjustable). */
export const APPFABRIC_QUOTAS = { AppBundle: 1, AppAuthorization: 50 };

const quotaCounts = new WeakMap<IConstruct, Map<string, number>>();

/**
 * Counts a resource the app creates against AppFabric's quota for its stack's account and
 * Region, failing at synth on the one too many. Environment-agnostic stacks are not counted:
 * their account and Region are only known at deploy. Resources made outside this app count
 * towards the quota too, which synth cannot see.
 */
export function countTowardsQuota(scope: IConstruct, kind: keyof typeof APPFABRIC_QUOTAS): void {
  const stack = Stack.of(scope);
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    return;
  }
  const counts = quotaCounts.get(scope.node.root) ?? new Map<string, number>();
  quotaCounts.set(scope.node.root, counts);
  const key = `${kind} ${stack.account} ${stack.region}`;
  const count = (counts.get(key) ?? 0) + 1;
  counts.set(key, count);
  const limit = APPFABRIC_QUOTAS[kind];
  if (count > limit) {
    const fix = kind === 'AppBundle'
      ? 'Create the bundle in one stack and import it elsewhere with AppBundle.fromAppBundleArn() or AppBundle.fromAppBundleParameter().'
      : 'Remove authorizations, or spread them over accounts or Regions.';
    throw new Error(
      `${scope.node.path}: this app creates ${count} ${kind}s in account ${stack.account}, Region ${stack.region}; ` +
      `AppFabric allows ${limit} per account and Region (a quota that cannot be raised). ${fix}`,
    );
  }
}
