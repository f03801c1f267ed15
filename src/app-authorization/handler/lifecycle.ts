// The pure decisions of the AppAuthorization handler: what a CloudFormation event asks of
// AppFabric. No I/O here, so each rule is unit-testable on its own.
import { createHash } from 'node:crypto';
import { AppFabricServiceError } from '../../internal/appfabric-client';
import type { AppAuthorization, Tag, Tenant } from '../../internal/appfabric-client';
import { NetworkError } from '../../internal/http';
import { RetryDeadlineError, someAttemptOutcomeUnknown } from '../../internal/retry';
import { CREDENTIAL_VERSION_TAG, OWNER_LOGICAL_ID_TAG, OWNER_STACK_TAG } from '../properties';
import type { AppAuthorizationProperties } from '../properties';

/** What an Update event means for the authorization. */
export type UpdatePlan =
  /** Nothing AppFabric holds changed (e.g. only the wait timeout or the service token). */
  | { readonly kind: 'unchanged' }
  /**
   * A new authorization replaces the old one (CloudFormation deletes the old id afterwards).
   * The handler confirms both against the authorization as it is (needsReplacement, holdsKeyOf).
   */
  | { readonly kind: 'replace'; readonly reason: string; readonly removeOldFirst: boolean }
  /** The same authorization is changed in place. */
  | { readonly kind: 'in-place' };

/** Properties whose change needs a new authorization: AppFabric cannot change them in place. */
const REPLACING_PROPERTIES = ['AppBundleArn', 'App', 'AuthType'] as const;

export function planUpdate(oldProps: AppAuthorizationProperties, newProps: AppAuthorizationProperties): UpdatePlan {
  const replacing = REPLACING_PROPERTIES.filter((name) => oldProps[name] !== newProps[name]);
  if (replacing.length > 0) {
    // AppFabric keys an authorization by (app, tenant) within a bundle: a new one with the same
    // key conflicts with the old one, so the old one has to go first.
    const sameKey = oldProps.AppBundleArn === newProps.AppBundleArn && oldProps.App === newProps.App &&
      oldProps.TenantIdentifier === newProps.TenantIdentifier;
    return { kind: 'replace', reason: `${replacing.join(', ')} changed`, removeOldFirst: sameKey };
  }
  const effectiveChange = oldProps.TenantIdentifier !== newProps.TenantIdentifier ||
    oldProps.TenantDisplayName !== newProps.TenantDisplayName ||
    credentialReferenceChanged(oldProps, newProps) ||
    !sameTags(oldProps.Tags, newProps.Tags);
  return effectiveChange ? { kind: 'in-place' } : { kind: 'unchanged' };
}

/**
 * Whether the authorization as it is differs from the declared properties in something AppFabric
 * cannot change in place. A rollback Update names the original authorization with the original
 * properties: it differs from OldResourceProperties but not from itself.
 */
export function needsReplacement(actual: AppAuthorization, props: AppAuthorizationProperties): boolean {
  return actual.appBundleArn !== props.AppBundleArn || actual.app !== props.App || actual.authType !== props.AuthType;
}

/** Whether the authorization holds the (bundle, app, tenant) key the declared one needs. */
export function holdsKeyOf(actual: AppAuthorization, props: AppAuthorizationProperties): boolean {
  return actual.appBundleArn === props.AppBundleArn && actual.app === props.App && actual.tenant.tenantIdentifier === props.TenantIdentifier;
}

/** What to send to UpdateAppAuthorization, judged against the authorization as it actually is. */
export interface InPlaceChanges {
  readonly tenant?: Tenant;
  readonly credential: boolean;
}

/**
 * Compares the desired state with the actual one rather than trusting the old properties alone:
 * after a failed update or a replayed event AppFabric may already hold either side.
 * The credential cannot be read back (AppFabric never returns it), so it is sent whenever its
 * reference changed.
 */
export function planInPlaceChanges(actual: AppAuthorization, oldProps: AppAuthorizationProperties | undefined,
  newProps: AppAuthorizationProperties): InPlaceChanges {
  const desiredTenant = tenantOf(newProps);
  const tenantDiffers = actual.tenant.tenantIdentifier !== desiredTenant.tenantIdentifier ||
    actual.tenant.tenantDisplayName !== desiredTenant.tenantDisplayName;
  return {
    tenant: tenantDiffers ? desiredTenant : undefined,
    credential: oldProps === undefined || credentialReferenceChanged(oldProps, newProps),
  };
}

export function credentialReferenceChanged(a: AppAuthorizationProperties, b: AppAuthorizationProperties): boolean {
  return a.CredentialSecretArn !== b.CredentialSecretArn ||
    JSON.stringify(sortedEntries(a.CredentialFields)) !== JSON.stringify(sortedEntries(b.CredentialFields));
}

/** Tags to add or change, and keys to remove, to go from `current` to `desired`. */
export function tagChanges(current: Tag[] | undefined, desired: Tag[] | undefined): { set: Tag[]; remove: string[] } {
  const before = new Map((current ?? []).map((tag) => [tag.key, tag.value]));
  const after = new Map((desired ?? []).map((tag) => [tag.key, tag.value]));
  return {
    set: [...after].filter(([key, value]) => before.get(key) !== value).map(([key, value]) => ({ key, value })),
    remove: [...before.keys()].filter((key) => !after.has(key)),
  };
}

function sameTags(a: Tag[] | undefined, b: Tag[] | undefined): boolean {
  const changes = tagChanges(a, b);
  return changes.set.length === 0 && changes.remove.length === 0;
}

export function tenantOf(props: AppAuthorizationProperties): Tenant {
  return { tenantIdentifier: props.TenantIdentifier, tenantDisplayName: props.TenantDisplayName };
}

/**
 * The CreateAppAuthorization client token: a lowercase UUID derived from the stack, the logical
 * id and the request. CloudFormation redelivers a request with the same RequestId, so a retried
 * Create presents the same token and AppFabric returns the first authorization instead of making
 * a second one.
 */
export function clientTokenFor(stackId: string, logicalResourceId: string, requestId: string): string {
  const hex = createHash('sha256').update(`${stackId}\n${logicalResourceId}\n${requestId}`).digest('hex');
  // Shape it as a version 5-style UUID: xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx.
  const variant = (8 + (parseInt(hex[16], 16) % 4)).toString(16); // 8, 9, a or b
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// The ARN helpers live in the shared ARN module; re-exported for this folder's callers.
export { bundleArnOf, isAppAuthorizationArn } from '../../internal/arns';

function sortedEntries(record: object | undefined): Array<[string, unknown]> {
  return Object.entries(record ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

/**
 * Cleanup by what may have happened: whether a failed Create or replacement may have left an
 * authorization its client token made. True after any attempt whose outcome is unknown (a lost
 * response, a reset, a timeout, a 5xx, throttling), whatever the last error was: a 403 after a
 * lost response does not undo what the lost attempt did. Throttling means that call made nothing,
 * but an earlier delivery of the same event may have.
 */
export function mayHaveMadeSomething(error: unknown): boolean {
  if (someAttemptOutcomeUnknown(error)) {
    return true;
  }
  const cause = error instanceof RetryDeadlineError ? error.lastError : error;
  return cause instanceof NetworkError || (cause instanceof AppFabricServiceError && (cause.statusCode >= 500 || cause.statusCode === 429));
}

/** Who owns an authorization, as its ownership tags say. */
export interface Owner {
  readonly stackId: string;
  readonly logicalId: string;
}

/**
 * The tags that say which resource owns an authorization: the stack's id and the resource's
 * logical id (two tags, as a stack ARN and a logical id together can exceed a tag value's 256
 * characters). Never a secret.
 */
export function ownershipTags(owner: Owner): Tag[] {
  return [{ key: OWNER_STACK_TAG, value: owner.stackId }, { key: OWNER_LOGICAL_ID_TAG, value: owner.logicalId }];
}

/** The owner an authorization's tags name, if any. */
export function ownerOf(tags: readonly Tag[]): Owner | undefined {
  const stackId = tags.find((tag) => tag.key === OWNER_STACK_TAG)?.value;
  if (!stackId) {
    return undefined;
  }
  return { stackId, logicalId: tags.find((tag) => tag.key === OWNER_LOGICAL_ID_TAG)?.value ?? '' };
}

/**
 * Whether adopting an authorization with these tags would take it from another resource: any
 * owner other than this very resource (a redelivered or retried adoption finds its own tags).
 */
export function ownedByAnother(tags: readonly Tag[], self: Owner): Owner | undefined {
  const owner = ownerOf(tags);
  return owner && (owner.stackId !== self.stackId || owner.logicalId !== self.logicalId) ? owner : undefined;
}

/** The tags a new authorization is created with: the declared ones, ownership, and the credential's version. */
export function creationTags(props: AppAuthorizationProperties, owner: Owner, credentialVersion: string | undefined): Tag[] {
  return [...(props.Tags ?? []), ...libraryTags(owner, credentialVersion)];
}

/** The tags the library itself sets: ownership, and the secret version the credential came from. */
export function libraryTags(owner: Owner, credentialVersion: string | undefined): Tag[] {
  return [...ownershipTags(owner), ...(credentialVersion ? [{ key: CREDENTIAL_VERSION_TAG, value: credentialVersion }] : [])];
}

/** How to put tags back as they were: keys to remove (added) and values to set again (overwritten). */
export function tagRestoration(before: readonly Tag[], after: readonly Tag[]): { set: Tag[]; remove: string[] } {
  return tagChanges([...after], [...before]);
}
