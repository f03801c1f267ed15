// Create, Update and Delete of an AppFabric authorization: the I/O around lifecycle.ts.
import {
  AppAuthorization, AppFabricApi, AppFabricServiceError, CreateAppAuthorizationInput, Credential, Tag, isAppFabricError,
} from '../../internal/appfabric-client';
import { CustomResourceEvent, CustomResourceResult } from '../../internal/custom-resource';
import { DeployError } from '../../internal/errors';
import { NetworkError } from '../../internal/http';
import { listAllAppAuthorizations } from '../../internal/list-app-authorizations';
import { errorMessage, sleep, someAttemptOutcomeUnknown, withOutcomeOf } from '../../internal/retry';
import { SecretReader } from '../../internal/secrets';
import { AppAuthorizationData, AppAuthorizationProperties, OWNER_LOGICAL_ID_TAG, OWNER_STACK_TAG } from '../properties';
import {
  Owner, bundleArnOf, clientTokenFor, creationTags, holdsKeyOf, isAppAuthorizationArn, libraryTags, mayHaveMadeSomething, needsReplacement,
  ownedByAnother, planInPlaceChanges, planUpdate, tagChanges, tagRestoration, tenantOf,
} from './lifecycle';

export interface Dependencies {
  readonly appfabric: AppFabricApi;
  readonly secrets: SecretReader;
  readonly log: (line: string) => void;
  /** Epoch milliseconds by which the event must be answered. */
  readonly deadline: number;
  /**
   * Removing what a failing event made may run until this later time, into part of the report
   * margin: the event's own deadline has often passed by then. @default deadline
   */
  readonly cleanupDeadline?: number;
  /** The AppFabric client for that cleanup, bound by `cleanupDeadline`. @default appfabric */
  readonly cleanup?: AppFabricApi;
  /**
   * The secret reader for that cleanup, bound by `cleanupDeadline` (it reads the credential again to
   * present the same CreateAppAuthorization request). @default secrets
   */
  readonly cleanupSecrets?: SecretReader;
}

export type AppAuthorizationEvent = CustomResourceEvent<AppAuthorizationProperties>;
export type AppAuthorizationResponse = CustomResourceResult<AppAuthorizationData>;

export async function onEvent(event: AppAuthorizationEvent, deps: Dependencies): Promise<AppAuthorizationResponse> {
  deps.log(`${event.RequestType} ${event.LogicalResourceId} (physical id ${event.PhysicalResourceId ?? 'none yet'})`);
  switch (event.RequestType) {
    case 'Create':
      return removingLeftoversOnFailure(event, deps, () => create(event, event.ResourceProperties, deps));
    case 'Update':
      return update(event, deps);
    case 'Delete':
      return remove(event, deps);
  }
}

async function create(event: AppAuthorizationEvent, props: AppAuthorizationProperties, deps: Dependencies): Promise<AppAuthorizationResponse> {
  const credential = await readCredential(props, deps);
  let authorization: AppAuthorization;
  try {
    authorization = await deps.appfabric.createAppAuthorization(createInput(event, props, credential, deps));
  } catch (error) {
    if (isAppFabricError(error, 'ConflictException') && props.AdoptExisting === 'true') {
      return adopt(event, error, props, credential, deps);
    }
    throw withOutcomeOf(describeCreateFailure(error, props), error);
  }
  deps.log(`created ${authorization.appAuthorizationArn} (${authorization.status})`);
  try {
    authorization = await connectIfApiKey(authorization, props, deps);
  } catch (error) {
    // A failed Create gets no Delete: remove it here (if this fails, the cleanup around every
    // Create tries again through the client token).
    try {
      await deleteQuietly(authorization.appAuthorizationArn, cleanupDeps(deps));
    } catch (cleanupError) {
      deps.log(`could not remove ${authorization.appAuthorizationArn} at once: ${errorMessage(cleanupError)}`);
    }
    throw error;
  }
  return respond(authorization);
}

/**
 * The CreateAppAuthorization request of an event: its client token is derived from the RequestId;
 * its tags name the owner and the secret version the credential was read from.
 */
function createInput(event: AppAuthorizationEvent, props: AppAuthorizationProperties, credential: Credential,
  deps: Dependencies): CreateAppAuthorizationInput {
  return {
    appBundleIdentifier: props.AppBundleArn,
    app: props.App,
    authType: props.AuthType as AppAuthorization['authType'],
    tenant: tenantOf(props),
    credential,
    clientToken: clientTokenFor(event.StackId, event.LogicalResourceId, event.RequestId),
    tags: creationTags(props, ownerOfEvent(event), deps.secrets.versionIdOf(props.CredentialSecretArn)),
  };
}

/** The resource an event is about, as ownership tags name it. */
function ownerOfEvent(event: AppAuthorizationEvent): Owner {
  return { stackId: event.StackId, logicalId: event.LogicalResourceId };
}

/**
 * Runs a Create or a replacement; when it fails, removes what this event's client token made,
 * whatever the last error was. CloudFormation will not know that authorization, and a failed
 * Create gets no Delete. Something may have been made after any attempt whose outcome is unknown
 * (a lost response, a reset, a timeout, a 5xx, throttling): in this delivery (mayHaveMadeSomething
 * says so), or in an earlier delivery of the same event, which no delivery can rule out. The check
 * costs one ListAppAuthorizations when nothing holds the app and tenant.
 */
async function removingLeftoversOnFailure<T>(event: AppAuthorizationEvent, deps: Dependencies, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const why = mayHaveMadeSomething(error) ? 'an attempt of this delivery had no definite answer' : 'an earlier delivery may have made one';
    deps.log(`${event.RequestType} failed: removing what its client token made, if anything (${why})`);
    await removeWhatTokenMade(event, event.ResourceProperties, cleanupDeps(deps));
    throw error;
  }
}

/**
 * Takes over the authorization that already holds (app, tenant) in the bundle: brings its tenant
 * and credential to the declared state, tags it as this resource's, and keeps its ARN. Everything
 * that can refuse (ownership, auth type, the secret) is checked before anything is written. It
 * existed before this stack, so a failure leaves it in place, puts back what AppFabric lets us put
 * back (display name, tags) and says what it could not.
 */
async function adopt(event: AppAuthorizationEvent, conflict: AppFabricServiceError, props: AppAuthorizationProperties, credential: Credential,
  deps: Dependencies): Promise<AppAuthorizationResponse> {
  const arn = isAppAuthorizationArn(conflict.resourceId) ? conflict.resourceId : await findByAppAndTenant(props, deps);
  const existing = await deps.appfabric.getAppAuthorization(props.AppBundleArn, arn);
  const tagsBefore = await deps.appfabric.listTagsForResource(arn);
  const self = ownerOfEvent(event);
  const owner = ownedByAnother(tagsBefore, self);
  if (owner) {
    throw new DeployError(
      `Cannot adopt ${arn} for ${describe(props)}: it belongs to stack ${owner.stackId} (resource ${owner.logicalId}), as its tags ` +
      `${OWNER_STACK_TAG} and ${OWNER_LOGICAL_ID_TAG} say. Nothing was changed. To move it to this stack: in that stack set ` +
      `removalPolicy RETAIN on ${owner.logicalId}, deploy, remove it from that stack and deploy again; then remove the two tags ` +
      `(aws appfabric untag-resource --resource-arn ${arn} --tag-keys ${OWNER_STACK_TAG} ${OWNER_LOGICAL_ID_TAG}) and deploy this stack again.`,
    );
  }
  if (existing.authType !== props.AuthType) {
    throw new DeployError(
      `Cannot adopt ${arn}: it is an ${existing.authType} authorization and ${describe(props)} is declared as ${props.AuthType}. ` +
      `AppFabric cannot change an authorization's auth type: declare ${existing.authType}, or delete the existing one first. Nothing was changed.`,
    );
  }
  deps.log(`adopting ${arn}, the existing authorization for ${props.App} and tenant '${props.TenantIdentifier}' (${existing.status})`);
  const declaredTags = [...(props.Tags ?? []), ...libraryTags(self, deps.secrets.versionIdOf(props.CredentialSecretArn))];
  const tagsToSet = declaredTags.filter((tag) => tagsBefore.find((held) => held.key === tag.key)?.value !== tag.value);
  const changes = planInPlaceChanges(existing, undefined, props);
  const progress: AdoptionProgress = { tagsWritten: false, tenantWritten: false, credentialWritten: false };
  try {
    // Ownership first: a second stack adopting at the same time then finds it taken.
    if (tagsToSet.length > 0) {
      await written(deps.appfabric.tagResource(arn, tagsToSet), () => { progress.tagsWritten = true; });
    }
    let authorization = await written(deps.appfabric.updateAppAuthorization(props.AppBundleArn, arn, { tenant: changes.tenant, credential }), () => {
      progress.tenantWritten = changes.tenant !== undefined;
      progress.credentialWritten = true;
    });
    authorization = await connectIfApiKey(authorization, props, deps);
    return respond(authorization);
  } catch (error) {
    throw withOutcomeOf(await restoreAfterFailedAdoption(arn, existing, tagsBefore, progress, error, props, deps), error);
  }
}

/** What a failed adoption had written (or may have: a write whose outcome is unknown counts). */
interface AdoptionProgress {
  tagsWritten: boolean;
  tenantWritten: boolean;
  credentialWritten: boolean;
}

/** Runs a write and notes it as done when it succeeded or may have (its outcome is unknown). */
async function written<T>(write: Promise<T>, note: () => void): Promise<T> {
  try {
    const result = await write;
    note();
    return result;
  } catch (error) {
    if (mayHaveMadeSomething(error)) {
      note();
    }
    throw error;
  }
}

/**
 * Puts an authorization whose adoption failed back as it was where AppFabric allows (its tenant
 * display name and tags), and returns the failure reason: what failed, what was restored, what
 * could not be (the credential: AppFabric never returns one, so the previous one is unknown) and
 * the state it is in now.
 */
async function restoreAfterFailedAdoption(arn: string, before: AppAuthorization, tagsBefore: Tag[], progress: AdoptionProgress,
  failure: unknown, props: AppAuthorizationProperties, deps: Dependencies): Promise<DeployError> {
  const restore = cleanupDeps(deps);
  const restored: string[] = [];
  const notRestored: string[] = [];
  if (progress.tenantWritten) {
    try {
      await restore.appfabric.updateAppAuthorization(props.AppBundleArn, arn, { tenant: before.tenant });
      restored.push(`its tenant display name '${before.tenant.tenantDisplayName}'`);
    } catch (error) {
      notRestored.push(`its tenant display name '${before.tenant.tenantDisplayName}' (${errorMessage(error)})`);
    }
  }
  if (progress.tagsWritten) {
    try {
      const back = tagRestoration(tagsBefore, await restore.appfabric.listTagsForResource(arn));
      if (back.remove.length > 0) {
        await restore.appfabric.untagResource(arn, back.remove);
      }
      if (back.set.length > 0) {
        await restore.appfabric.tagResource(arn, back.set);
      }
      restored.push('its tags (no ownership tag: no stack owns it)');
    } catch (error) {
      notRestored.push(`its tags (${errorMessage(error)}): remove ${OWNER_STACK_TAG} and ${OWNER_LOGICAL_ID_TAG} by hand before adopting it from another stack`);
    }
  }
  let now = before;
  try {
    now = await restore.appfabric.getAppAuthorization(props.AppBundleArn, arn);
  } catch {
    // The state stays unknown; the reason says what was last known.
  }
  const credentialMayHaveChanged = progress.credentialWritten;
  const parts = [`Adopting ${arn} (${describe(props)}) failed: ${errorMessage(failure).replace(/\.$/, '')}.`];
  if (!progress.tagsWritten && !progress.tenantWritten && !credentialMayHaveChanged) {
    parts.push('Nothing was changed.');
  } else {
    if (restored.length > 0) {
      parts.push(`Restored: ${restored.join(' and ')}.`);
    }
    if (credentialMayHaveChanged) {
      const updateSettled = !someAttemptOutcomeUnknown(failure) || now.updatedAt !== before.updatedAt;
      notRestored.unshift(`its credential, which ${updateSettled ? 'now comes' : 'may now come'} from secret ${props.CredentialSecretArn} ` +
        '(AppFabric never returns a credential, so the one it held before cannot be put back)');
    }
    if (notRestored.length > 0) {
      parts.push(`Not restored: ${notRestored.join('; ')}.`);
    }
  }
  parts.push(`It is ${now.status} now${now.status !== before.status ? ` (it was ${before.status})` : ''}, still in AppFabric, and no stack owns it.`);
  if (credentialMayHaveChanged) {
    parts.push(props.AuthType === 'apiKey'
      ? `Put a key AppFabric accepts in secret ${props.CredentialSecretArn} and deploy again, or reconnect it with its old key in the AppFabric console.`
      : 'Fix the cause and deploy again; an administrator must approve it again (open the AuthUrl, then connect).');
  }
  return new DeployError(parts.join(' '));
}

async function findByAppAndTenant(props: AppAuthorizationProperties, deps: Dependencies): Promise<string> {
  const holder = await holderOf(props, deps);
  if (holder) {
    return holder;
  }
  throw new DeployError(`AppFabric reported a conflict for ${describe(props)}, but the bundle lists no such authorization. Deploy again.`);
}

/** The ARN of the authorization that holds (app, tenant) in the bundle, if any. */
async function holderOf(props: AppAuthorizationProperties, deps: Dependencies): Promise<string | undefined> {
  const items = await listAllAppAuthorizations(deps.appfabric, props.AppBundleArn);
  return items.find((item) => item.app === props.App && item.tenant.tenantIdentifier === props.TenantIdentifier)?.appAuthorizationArn;
}

async function update(event: AppAuthorizationEvent, deps: Dependencies): Promise<AppAuthorizationResponse> {
  const oldProps = event.OldResourceProperties!;
  const props = event.ResourceProperties;
  const physicalId = event.PhysicalResourceId;
  if (!isAppAuthorizationArn(physicalId)) {
    deps.log(`physical id ${physicalId} is not an authorization: creating one`);
    return removingLeftoversOnFailure(event, deps, () => create(event, props, deps));
  }
  const plan = planUpdate(oldProps, props);
  deps.log(`update plan: ${plan.kind}${plan.kind === 'replace' ? ` (${plan.reason})` : ''}`);
  if (plan.kind === 'replace') {
    const replacement = await removingLeftoversOnFailure(event, deps, () => replace(event, physicalId, deps));
    if (replacement) {
      return replacement;
    }
  }

  const actual = await getIfExists(physicalId, deps);
  if (!actual) {
    deps.log(`${physicalId} no longer exists: creating a new authorization`);
    return removingLeftoversOnFailure(event, deps, () => create(event, props, deps));
  }
  if (plan.kind === 'unchanged') {
    // Nothing to change. The read above is what keeps Fn::GetAtt (AuthUrl, Status) answering.
    return respond(actual);
  }

  const changes = planInPlaceChanges(actual, oldProps, props);
  let authorization = actual;
  if (changes.tenant || changes.credential) {
    const credential = changes.credential ? await readCredential(props, deps) : undefined;
    authorization = await deps.appfabric.updateAppAuthorization(bundleArnOf(physicalId), physicalId, { tenant: changes.tenant, credential });
    deps.log(`updated ${physicalId}: ${[changes.tenant && 'tenant', changes.credential && 'credential'].filter(Boolean).join(' and ')} (now ${authorization.status})`);
    if (props.AuthType === 'oauth2' && actual.status === 'Connected' && authorization.status !== 'Connected') {
      deps.log(`WARNING: ${props.App} for tenant '${props.TenantIdentifier}' is back to ${authorization.status}: ` +
        'an administrator must open the AuthUrl output again and approve, then connect');
    }
  }
  // Also when nothing was sent: an earlier delivery of this event may have made the change (which
  // sends an apiKey authorization back to PendingConnect) and been cut off before connecting.
  authorization = await connectIfApiKey(authorization, props, deps);
  const tags = tagChanges(oldProps.Tags, props.Tags);
  if (tags.set.length > 0 || changes.credential) {
    // With a new credential, also the secret version it came from (the rotation follower then
    // knows an event for that version is already applied); ownership rides along in the same call.
    const version = changes.credential ? deps.secrets.versionIdOf(props.CredentialSecretArn) : undefined;
    await deps.appfabric.tagResource(physicalId, [...tags.set, ...libraryTags(ownerOfEvent(event), version)]);
  }
  if (tags.remove.length > 0) {
    await deps.appfabric.untagResource(physicalId, tags.remove);
  }
  return respond(authorization);
}

/**
 * A new authorization for what AppFabric cannot change in place (CloudFormation deletes the old
 * id afterwards), decided against the authorization as it is. Answers undefined when that already
 * is what the properties declare: a rollback Update names the original authorization with the
 * original properties, which differ from OldResourceProperties but not from it.
 */
async function replace(event: AppAuthorizationEvent, physicalId: string, deps: Dependencies): Promise<AppAuthorizationResponse | undefined> {
  const props = event.ResourceProperties;
  const actual = await getIfExists(physicalId, deps);
  if (actual && !needsReplacement(actual, props)) {
    deps.log(`${physicalId} already is the declared ${props.App} ${props.AuthType} authorization: updating it in place`);
    return undefined;
  }
  if (actual && holdsKeyOf(actual, props)) {
    // AppFabric allows one authorization per (app, tenant): the old one has to go first. Read the
    // new credential before that, so an unreadable secret fails the update without removing it.
    await readCredential(props, deps);
    deps.log(`removing ${physicalId} first: the new authorization has the same app and tenant`);
    await deleteQuietly(physicalId, deps);
  }
  return create(event, props, deps);
}

async function getIfExists(appAuthorizationArn: string, deps: Dependencies): Promise<AppAuthorization | undefined> {
  try {
    return await deps.appfabric.getAppAuthorization(bundleArnOf(appAuthorizationArn), appAuthorizationArn);
  } catch (error) {
    if (isAppFabricError(error, 'ResourceNotFoundException')) {
      return undefined;
    }
    throw error;
  }
}

async function remove(event: AppAuthorizationEvent, deps: Dependencies): Promise<AppAuthorizationResponse> {
  const physicalId = event.PhysicalResourceId!;
  if (isAppAuthorizationArn(physicalId)) {
    await deleteQuietly(physicalId, deps);
  } else {
    deps.log(`nothing to delete: ${physicalId} is not an authorization (a Create that failed)`);
  }
  return { PhysicalResourceId: physicalId };
}

/**
 * apiKey authorizations can be verified now: connect (no auth request), then wait, bounded, for
 * Connected. oauth2 ones wait for an administrator's consent and are returned as they are.
 */
export async function connectIfApiKey(authorization: AppAuthorization, props: AppAuthorizationProperties,
  deps: Dependencies): Promise<AppAuthorization> {
  if (props.AuthType !== 'apiKey' || authorization.status === 'Connected') {
    return authorization;
  }
  const bundleArn = bundleArnOf(authorization.appAuthorizationArn);
  const summary = await deps.appfabric.connectAppAuthorization(bundleArn, authorization.appAuthorizationArn);
  let status = summary.status;
  let current: AppAuthorization = { ...authorization, status, updatedAt: summary.updatedAt };
  const timeoutMs = Number(props.ConnectTimeoutSeconds ?? '120') * 1000;
  const connectedAt = Date.now();
  const waitUntil = Math.min(connectedAt + timeoutMs, deps.deadline);
  for (let poll = 0; status === 'PendingConnect'; poll++) {
    const pause = Math.min(500 * 2 ** poll, 5_000);
    if (Date.now() + pause > waitUntil) {
      throw stillPending(props, timeoutMs, deps.deadline < connectedAt + timeoutMs ? Date.now() - connectedAt : undefined);
    }
    await sleep(pause);
    current = await deps.appfabric.getAppAuthorization(bundleArn, authorization.appAuthorizationArn);
    status = current.status;
  }
  if (status !== 'Connected') {
    throw new DeployError(
      `${describe(props)} could not connect: AppFabric reports ${status}. ${props.App} rejected the API key read from ` +
      `secret ${props.CredentialSecretArn} (field '${props.CredentialFields.ApiKey ?? 'apiKey'}'). ` +
      `Check that the key is current, belongs to tenant '${props.TenantIdentifier}' and has the access AppFabric needs, then deploy again.`,
    );
  }
  deps.log(`${authorization.appAuthorizationArn} is Connected`);
  return current;
}

/** `waitedMs` is set when the Lambda's time, not connectTimeout, ended the wait. */
function stillPending(props: AppAuthorizationProperties, timeoutMs: number, waitedMs: number | undefined): DeployError {
  if (waitedMs === undefined) {
    return new DeployError(
      `${describe(props)} is still PendingConnect ${Math.round(timeoutMs / 1000)} seconds after connecting. ` +
      'AppFabric has not finished checking the API key: deploy again, or raise connectTimeout.',
    );
  }
  return new DeployError(
    `${describe(props)} is still PendingConnect ${Math.round(waitedMs / 1000)} seconds after connecting, and the handler's time ` +
    `is up (connectTimeout is ${Math.round(timeoutMs / 1000)} seconds). AppFabric has not finished checking the API key: deploy again.`,
  );
}

export async function readCredential(props: AppAuthorizationProperties, deps: Dependencies): Promise<Credential> {
  const fields = props.CredentialFields;
  if (props.AuthType === 'apiKey') {
    const field = fields.ApiKey ?? 'apiKey';
    const purpose = `the API key of ${describe(props)}`;
    const values = await beforeDeadline(deps.secrets.readFields(props.CredentialSecretArn, [field], purpose), props, purpose, deps);
    return { apiKeyCredential: { apiKey: values[field] } };
  }
  const clientIdField = fields.ClientId ?? 'clientId';
  const clientSecretField = fields.ClientSecret ?? 'clientSecret';
  const purpose = `the OAuth client of ${describe(props)}`;
  // The client id is public by design (it is in every AuthUrl): only the client secret is scrubbed.
  const read = deps.secrets.readFields(props.CredentialSecretArn, [clientIdField, clientSecretField], purpose, [clientIdField]);
  const values = await beforeDeadline(read, props, purpose, deps);
  return { oauth2Credential: { clientId: values[clientIdField], clientSecret: values[clientSecretField] } };
}

/**
 * The Secrets Manager SDK call has no deadline of its own: stop waiting for it at the event's
 * deadline, so the handler still answers CloudFormation instead of running into the Lambda timeout.
 */
async function beforeDeadline<T>(read: Promise<T>, props: AppAuthorizationProperties, purpose: string, deps: Dependencies): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const waitMs = Math.max(0, deps.deadline - Date.now());
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new NetworkError(
      `Secrets Manager did not return secret ${props.CredentialSecretArn} (${purpose}) within ${waitMs} ms, before the Lambda timeout. ` +
      'Check that Secrets Manager is reachable from the handler (VPC endpoint, NAT), then deploy again.', 'ETIMEDOUT')), waitMs);
  });
  try {
    return await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function deleteQuietly(appAuthorizationArn: string, deps: Dependencies): Promise<void> {
  try {
    await deps.appfabric.deleteAppAuthorization(bundleArnOf(appAuthorizationArn), appAuthorizationArn);
    deps.log(`deleted ${appAuthorizationArn}`);
  } catch (error) {
    if (!isAppFabricError(error, 'ResourceNotFoundException')) {
      throw error;
    }
    deps.log(`${appAuthorizationArn} was already gone`);
  }
}

/**
 * Removes the authorization this event's client token made, if one exists. Only when something
 * holds (app, tenant) does it ask: the same token then returns what it made, and any other holder
 * answers ConflictException, so nothing new is ever created here and nothing else is removed.
 */
async function removeWhatTokenMade(event: AppAuthorizationEvent, props: AppAuthorizationProperties, deps: Dependencies): Promise<void> {
  // Retried once on any error: a refusal here (a permission still propagating) would leave an
  // authorization nobody knows, and the check is safe to repeat.
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      if (!(await holderOf(props, deps))) {
        return;
      }
      const made = await deps.appfabric.createAppAuthorization(createInput(event, props, await readCredential(props, deps), deps));
      deps.log(`the failed ${event.RequestType} had made ${made.appAuthorizationArn}: removing it`);
      await deleteQuietly(made.appAuthorizationArn, deps);
      return;
    } catch (error) {
      if (isAppFabricError(error, 'ConflictException')) {
        return; // Another authorization holds the app and tenant; the token made nothing.
      }
      deps.log(`could not confirm that the failed ${event.RequestType} left nothing behind${attempt === 1 ? ' (trying once more)' : ''}: ${errorMessage(error)}`);
    }
  }
}

/** The dependencies for removing what a failing event made: the cleanup client and deadline. */
function cleanupDeps(deps: Dependencies): Dependencies {
  return {
    ...deps,
    appfabric: deps.cleanup ?? deps.appfabric,
    secrets: deps.cleanupSecrets ?? deps.secrets,
    deadline: deps.cleanupDeadline ?? deps.deadline,
  };
}

function describeCreateFailure(error: unknown, props: AppAuthorizationProperties): Error {
  if (isAppFabricError(error, 'ConflictException')) {
    return new DeployError(
      `An authorization for ${props.App} and tenant '${props.TenantIdentifier}' already exists in bundle ${props.AppBundleArn}` +
      `${error.resourceId ? `: ${error.resourceId}` : ''}. AppFabric allows one per app and tenant. To manage the existing one ` +
      'from this stack, set adoptExisting: true on the AppAuthorization; otherwise delete it first.',
    );
  }
  if (isAppFabricError(error, 'ServiceQuotaExceededException')) {
    return new DeployError(`Cannot create ${describe(props)}: the account has reached AppFabric's quota of 50 authorizations in this Region. Remove one first.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function describe(props: AppAuthorizationProperties): string {
  return `the ${props.App} authorization for tenant '${props.TenantIdentifier}'`;
}

function respond(authorization: AppAuthorization): AppAuthorizationResponse {
  return {
    PhysicalResourceId: authorization.appAuthorizationArn,
    Data: {
      AppAuthorizationArn: authorization.appAuthorizationArn,
      AuthUrl: authorization.authUrl ?? '',
      Status: authorization.status,
      AuthType: authorization.authType,
      Persona: authorization.persona ?? 'admin',
    },
  };
}
