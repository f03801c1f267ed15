// The ARNs this library reads and writes, in one place: AppFabric bundles, authorizations and
// ingestions, and Secrets Manager secrets. Plain string work (no CDK), shared by the constructs,
// the handlers and the CLI. A parse either returns every part or says what is wrong without
// repeating the value, so callers can build a message that names their property and the fix.

/** The AppFabric resources addressed by ARN: a bundle, or a resource directly below one. */
export type AppFabricResourceKind = 'appbundle' | 'appauthorization' | 'ingestion';

/** `arn:<partition>:appfabric:<region>:<account>:appbundle/<id>[/<kind>/<id>]`, taken apart. */
export interface AppFabricArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly kind: AppFabricResourceKind;
  /** The bundle's id, e.g. `a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`. */
  readonly appBundleId: string;
  /** The bundle's ARN (the whole ARN for a bundle). */
  readonly appBundleArn: string;
  /** The authorization's or ingestion's id; undefined for a bundle. */
  readonly resourceId?: string;
  /** The ARN as parsed. */
  readonly arn: string;
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`, taken apart. */
export interface SecretArn {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The name as it appears in the ARN: with the random `-XXXXXX` suffix when the ARN is complete. */
  readonly secretName: string;
}

/** An ARN that is not what the caller needs; `problem` never repeats the value. */
export class ArnError extends Error {
  constructor(public readonly problem: string, public readonly example: string) {
    super(`${problem}. Pass an ARN like ${example}`);
    this.name = 'ArnError';
  }
}

const EXAMPLE_BUNDLE_ID = 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111';
const EXAMPLE_CHILD_IDS: Record<AppFabricResourceKind, string> = {
  appbundle: EXAMPLE_BUNDLE_ID,
  appauthorization: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE22222',
  ingestion: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE33333',
};

/** An example ARN of the kind, for messages. */
export function exampleAppFabricArn(kind: AppFabricResourceKind): string {
  const bundle = formatAppFabricArn({ partition: 'aws', region: 'us-east-1', account: '111122223333', appBundleId: EXAMPLE_BUNDLE_ID });
  return kind === 'appbundle' ? bundle : `${bundle}/${kind}/${EXAMPLE_CHILD_IDS[kind]}`;
}

export const EXAMPLE_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:appfabric/slack-AbCdEf';

/** Partitions: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, ... */
const PARTITION = /^aws(-[a-z]+)*$/;
/** Regions: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, us-isob-east-1, ... */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
/** AppFabric ids are UUIDs; letters, digits and dashes cover them and nothing that could widen a grant. */
const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/;
/** Secrets Manager names: letters, digits and / _ + = . @ - (1 to 512). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Whether a string has the shape of an AWS Region code (not whether the Region exists). */
export function isAwsRegion(value: string | undefined): value is string {
  return value !== undefined && REGION.test(value);
}

/** Whether a string holds an IAM wildcard: in a grant, `*` and `?` match other resources. */
export function hasWildcard(value: string): boolean {
  return /[*?]/.test(value);
}

/** Builds an AppFabric ARN from its parts (a bundle's without `kind`). */
export function formatAppFabricArn(parts: {
  partition: string;
  region: string;
  account: string;
  appBundleId: string;
  kind?: Exclude<AppFabricResourceKind, 'appbundle'>;
  resourceId?: string;
}): string {
  const bundle = `arn:${parts.partition}:appfabric:${parts.region}:${parts.account}:appbundle/${parts.appBundleId}`;
  return parts.kind ? `${bundle}/${parts.kind}/${parts.resourceId}` : bundle;
}

/** Parses an AppFabric ARN of the given kind; throws an `ArnError` saying what is wrong. */
export function parseAppFabricArn(value: string, kind: AppFabricResourceKind): AppFabricArn {
  const fail = (problem: string): never => {
    throw new ArnError(problem, exampleAppFabricArn(kind));
  };
  if (hasWildcard(value)) {
    fail(`is a pattern, not an AppFabric ${kind} ARN: '*' and '?' would reach other resources`);
  }
  const fields = value.split(':');
  if (fields.length !== 6 || fields[0] !== 'arn' || fields[2] !== 'appfabric') {
    fail(`is not an AppFabric ${kind} ARN`);
  }
  const [, partition, , region, account, resource] = fields;
  if (!PARTITION.test(partition)) {
    fail(`is not an AppFabric ${kind} ARN: its partition is not an AWS partition (aws, aws-cn, aws-us-gov, ...)`);
  }
  if (!REGION.test(region)) {
    fail(`is not an AppFabric ${kind} ARN: its Region is not an AWS Region code (e.g. us-east-1)`);
  }
  if (!ACCOUNT.test(account)) {
    fail(`is not an AppFabric ${kind} ARN: its account is not a 12-digit AWS account id`);
  }
  const path = resource.split('/');
  const shapeOk = path[0] === 'appbundle' && (kind === 'appbundle' ? path.length === 2 : path.length === 4 && path[2] === kind);
  if (!shapeOk || !RESOURCE_ID.test(path[1]) || (kind !== 'appbundle' && !RESOURCE_ID.test(path[3]))) {
    fail(`is not an AppFabric ${kind} ARN`);
  }
  const appBundleArn = formatAppFabricArn({ partition, region, account, appBundleId: path[1] });
  return { partition, region, account, kind, appBundleId: path[1], appBundleArn, resourceId: path[3], arn: value };
}

/** The parsed ARN, or undefined when the value is not an AppFabric ARN of the kind. */
export function tryParseAppFabricArn(value: string | undefined, kind: AppFabricResourceKind): AppFabricArn | undefined {
  if (value === undefined) {
    return undefined;
  }
  try {
    return parseAppFabricArn(value, kind);
  } catch (error) {
    if (error instanceof ArnError) {
      return undefined;
    }
    throw error;
  }
}

/**
 * Whether a physical id names an AppFabric authorization. Anything else names nothing there to
 * remove (the runtime answers the Delete of a failed Create before a handler sees it).
 */
export function isAppAuthorizationArn(value: string | undefined): value is string {
  return tryParseAppFabricArn(value, 'appauthorization') !== undefined;
}

/** The ARN of the bundle an authorization or ingestion ARN lives under. */
export function bundleArnOf(arn: string): string {
  const parsed = tryParseAppFabricArn(arn, 'appauthorization') ?? tryParseAppFabricArn(arn, 'ingestion');
  if (!parsed) {
    throw new ArnError('is not an AppFabric authorization or ingestion ARN', exampleAppFabricArn('appauthorization'));
  }
  return parsed.appBundleArn;
}

/** Parses a Secrets Manager secret ARN (complete or partial); throws an `ArnError` saying what is wrong. */
export function parseSecretArn(value: string): SecretArn {
  const fail = (problem: string): never => {
    throw new ArnError(problem, EXAMPLE_SECRET_ARN);
  };
  if (hasWildcard(value)) {
    fail('is a pattern, not a secret ARN: \'*\' and \'?\' would reach other secrets');
  }
  const fields = value.split(':');
  if (fields.length !== 7 || fields[0] !== 'arn' || fields[2] !== 'secretsmanager' || fields[5] !== 'secret') {
    fail('is not a Secrets Manager secret ARN');
  }
  const [, partition, , region, account, , secretName] = fields;
  if (!PARTITION.test(partition) || !REGION.test(region) || !ACCOUNT.test(account) || !SECRET_NAME.test(secretName)) {
    fail('is not a Secrets Manager secret ARN (partition, Region, 12-digit account, then secret:<name>)');
  }
  return { partition, region, account, secretName };
}
