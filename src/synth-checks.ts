import { Duration, ResourceEnvironment, Stack, TagManager, Token, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  AppFabricArn, AppFabricResourceKind, ArnError, exampleAppFabricArn, hasWildcard, parseAppFabricArn as parseArn, parseSecretArn,
} from './internal/arns';

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

/**
 * Parses an AppFabric ARN a user passed (see internal/arns.ts), failing with a message that names
 * the property, the value and the expected shape. A token is checked for wildcards in its literal
 * parts only; the rest is CloudFormation's to resolve.
 */
export function parseAppFabricArn(value: string, property: string, kind: AppFabricResourceKind): AppFabricArn | undefined {
  if (Token.isUnresolved(value)) {
    if (hasWildcard(value)) {
      throw new Error(`${property}: the ARN contains '*' or '?': a grant on it would reach other AppFabric resources. ` +
        `Pass the ARN of one ${kind}, like ${exampleAppFabricArn(kind)}.`);
    }
    return undefined;
  }
  try {
    return parseArn(value, kind);
  } catch (error) {
    if (error instanceof ArnError) {
      throw new Error(`${property}: '${value}' ${error.problem}. Pass an ARN like ${error.example}.`);
    }
    throw error;
  }
}

/**
 * Fails at synth when a resource the construct uses is in another account or Region than the
 * construct's stack (when both are known). `fix` says what to do instead.
 */
export function checkSameEnvironment(scope: IConstruct, description: string, resource: { env: ResourceEnvironment },
  fix: (what: 'account' | 'Region', here: string) => string): void {
  const stack = Stack.of(scope);
  for (const [what, here, there] of [
    ['account', stack.account, resource.env.account],
    ['Region', stack.region, resource.env.region],
  ] as const) {
    if (!Token.isUnresolved(here) && !Token.isUnresolved(there) && here !== there) {
      throw new Error(`${scope.node.path}: ${description} is in ${what} ${there} but this stack deploys to ${what} ${here}. ${fix(what, here)}`);
    }
  }
}

/**
 * A secret the library's handler will read: no wildcard in its name or ARN (the grant would cover
 * every secret it matches), a well-formed ARN when known, and in the stack's account and Region
 * (the handler calls Secrets Manager in its own Region, with its own account's role).
 */
export function checkSecretReference(scope: IConstruct, property: string, secret: secretsmanager.ISecret): void {
  const fail = (message: string): never => {
    throw new Error(`${scope.node.path}: ${property} ${message}`);
  };
  const names = [secret.secretArn, secret.secretName, secret.secretFullArn ?? ''];
  if (names.some(hasWildcard)) {
    fail('names its secret with \'*\' or \'?\': the handler\'s role would be allowed to read every secret the pattern matches. ' +
      'Import the one secret by its exact name (Secret.fromSecretNameV2) or its complete ARN (Secret.fromSecretCompleteArn).');
  }
  if (!Token.isUnresolved(secret.secretArn)) {
    try {
      parseSecretArn(secret.secretArn);
    } catch (error) {
      if (error instanceof ArnError) {
        fail(`has an ARN that ${error.problem}. Import the secret with Secret.fromSecretCompleteArn(), passing an ARN like ${error.example}.`);
      }
      throw error;
    }
  }
  checkSameEnvironment(scope, property, secret, (what, here) => what === 'Region'
    ? `The handler reads secrets from Secrets Manager in its own Region: replicate the secret to ${here} and reference the replica, or deploy this stack to the secret's Region.`
    : `The handler reads secrets with its own account's role: store the secret in account ${here}.`);
}

/** AppFabric's tag rules (every resource type): at most 50, keys 1-128, values 0-256, no `aws:` keys. */
export const TAG_LIMITS = { count: 50, keyLength: 128, valueLength: 256 };

/**
 * Checks a resource's tags as they will be deployed: run as a construct validation, so tags added
 * with `Tags.of(scope).add()` (an aspect) are counted too. Values are not quoted.
 */
export function validateTagsAtSynth(scope: IConstruct, tags: TagManager, libraryTags: readonly string[] = []): void {
  scope.node.addValidation({
    validate: () => {
      const errors: string[] = [];
      const values = tags.tagValues();
      const keys = Object.keys(values);
      const fix = 'Tags come from the tags property and from Tags.of(...).add() on this construct or its scopes; ' +
        'exclude this resource type there with { excludeResourceTypes: [...] } if the tag is meant for other resources.';
      // The handler adds `libraryTags` of its own at deploy time: they count towards AppFabric's limit.
      const room = TAG_LIMITS.count - libraryTags.length;
      if (keys.length > room) {
        const own = libraryTags.length > 0 ? ` besides the ${libraryTags.length} the library adds (${libraryTags.join(', ')})` : '';
        errors.push(`tags: ${keys.length} tags after Tags.of() aspects; AppFabric accepts at most ${room} per resource${own}. ${fix}`);
      }
      for (const key of keys) {
        if (Token.isUnresolved(key)) {
          continue;
        }
        if (key.length < 1 || key.length > TAG_LIMITS.keyLength) {
          errors.push(`tags: the key '${key.slice(0, 40)}${key.length > 40 ? '…' : ''}' is ${key.length} characters; AppFabric accepts 1 to ${TAG_LIMITS.keyLength}. Shorten it. ${fix}`);
        }
        if (key.toLowerCase().startsWith('aws:')) {
          errors.push(`tags: the key '${key}' starts with 'aws:', which AWS reserves for its own tags. Rename it. ${fix}`);
        }
        const value = values[key];
        if (!Token.isUnresolved(value) && value.length > TAG_LIMITS.valueLength) {
          errors.push(`tags: the value of '${key}' is ${value.length} characters; AppFabric accepts at most ${TAG_LIMITS.valueLength}. Shorten it. ${fix}`);
        }
      }
      return errors;
    },
  });
}

/**
 * A text property AppFabric matches exactly (tenant identifiers, display names): not blank, no
 * control characters, within its length. The message describes the problem without the value.
 */
export function checkText(scope: IConstruct, property: string, value: string, maxLength: number, fix: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  const problem = textProblem(value, maxLength);
  if (problem) {
    throw new Error(`${scope.node.path}: ${property} ${problem}. ${fix}`);
  }
}

/** What is wrong with a text value, or undefined: blank, a control character, or its length. */
export function textProblem(value: string, maxLength: number): string | undefined {
  if (value.trim().length === 0) {
    return value.length === 0 ? 'is empty' : 'is only whitespace';
  }
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(value);
  if (control) {
    return `contains a control character (U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} at position ${control.index + 1})`;
  }
  if (value.length > maxLength) {
    return `is ${value.length} characters; AppFabric accepts 1 to ${maxLength}`;
  }
  return undefined;
}

/**
 * A duration sent as whole seconds: fails naming the property when it is not a whole number of
 * seconds or out of range (Duration.toSeconds() would fail without saying which property).
 */
export function checkWholeSeconds(scope: IConstruct, property: string, value: Duration | undefined, min: number, max: number, fix: string): void {
  if (!value || value.isUnresolved()) {
    return;
  }
  const millis = value.toMilliseconds();
  if (millis % 1000 !== 0) {
    throw new Error(`${scope.node.path}: ${property} ${value.toHumanString()} is not a whole number of seconds. ${fix}`);
  }
  if (millis / 1000 < min || millis / 1000 > max) {
    throw new Error(`${scope.node.path}: ${property} ${value.toHumanString()} is out of range. ${fix}`);
  }
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
