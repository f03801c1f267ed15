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
}

/**
 * Parses `arn:<partition>:appfabric:<region>:<account>:appbundle/<id>[/...]`, failing with a
 * message that names the property, the value and the expected shape. Tokens are accepted as is.
 */
export function parseAppFabricArn(value: string, property: string, resource: 'appbundle' | 'appauthorization'): ParsedAppFabricArn | undefined {
  if (Token.isUnresolved(value)) {
    return undefined;
  }
  const example = resource === 'appbundle'
    ? 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'
    : 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111/appauthorization/a1b2c3d4-5678-90ab-cdef-EXAMPLE22222';
  const fail = (): never => {
    throw new Error(`${property}: '${value}' is not an AppFabric ${resource} ARN. Pass an ARN like ${example}.`);
  };
  let parts;
  try {
    parts = Arn.split(value, ArnFormat.SLASH_RESOURCE_NAME);
  } catch {
    return fail();
  }
  const path = (parts.resourceName ?? '').split('/');
  const shapeOk = parts.service === 'appfabric' && parts.resource === 'appbundle' && path[0].length > 0 &&
    (resource === 'appbundle' ? path.length === 1 : path.length === 3 && path[1] === 'appauthorization' && path[2].length > 0);
  if (!shapeOk) {
    fail();
  }
  return { region: parts.region || undefined, account: parts.account || undefined, appBundleId: path[0] };
}
