// Create, Update and Delete of an AppFabric authorization: the I/O around lifecycle.ts.
import {
  AppAuthorization, AppFabricApi, AppFabricServiceError, CreateAppAuthorizationInput, Credential, isAppFabricError,
} from '../../internal/appfabric-client';
import { OnEventRequest, OnEventResponse } from '../../internal/cfn-events';
import { DeployError } from '../../internal/errors';
import { NetworkError } from '../../internal/http';
import { RetryDeadlineError, errorMessage, sleep } from '../../internal/retry';
import { SecretReader } from '../../internal/secrets';
import { AppAuthorizationData, AppAuthorizationProperties } from '../properties';
import {
  bundleArnOf, clientTokenFor, holdsKeyOf, isAppAuthorizationArn, needsReplacement, planInPlaceChanges, planUpdate, tagChanges, tenantOf,
} from './lifecycle';

export interface Dependencies {
  readonly appfabric: AppFabricApi;
  readonly secrets: SecretReader;
  readonly log: (line: string) => void;
  /** Epoch milliseconds by which the event must be answered. */
  readonly deadline: number;
  /**
   * For removing what a failing event made: a client whose retries may run past `deadline` into
   * part of the report margin. @default appfabric
   */
  readonly cleanup?: AppFabricApi;
}

export type AppAuthorizationEvent = OnEventRequest<AppAuthorizationProperties>;
export type AppAuthorizationResponse = OnEventResponse<AppAuthorizationData>;

export async function onEvent(event: AppAuthorizationEvent, deps: Dependencies): Promise<AppAuthorizationResponse> {
  deps.log(`${event.RequestType} ${event.LogicalResourceId} (physical id ${event.PhysicalResourceId ?? 'none yet'})`);
  switch (event.RequestType) {
    case 'Create':
      return create(event, event.ResourceProperties, deps);
    case 'Update':
      return update(event, deps);
    case 'Delete':
      return remove(event, deps);
  }
}

async function create(event: AppAuthorizationEvent, props: AppAuthorizationProperties, deps: Dependencies): Promise<AppAuthorizationResponse> {
  const credential = await readCredential(props, deps);
  const clientToken = clientTokenFor(event.StackId, event.LogicalResourceId, event.RequestId);
  const input: CreateAppAuthorizationInput = {
    appBundleIdentifier: props.AppBundleArn,
    app: props.App,
    authType: props.AuthType as AppAuthorization['authType'],
    tenant: tenantOf(props),
    credential,
    clientToken,
    tags: props.Tags && props.Tags.length > 0 ? props.Tags : undefined,
  };
  let authorization: AppAuthorization;
  try {
    authorization = await deps.appfabric.createAppAuthorization(input);
  } catch (error) {
    if (isAppFabricError(error, 'ConflictException') && props.AdoptExisting === 'true') {
      return adopt(error, props, credential, deps);
    }
    if (outcomeUnknown(error)) {
      // The create may have landed with its response lost. The same token returns what it made
      // (or makes it now), so the failed Create can remove it instead of leaving an orphan.
      await removeWhatTokenMade(input, deps);
    }
    throw describeCreateFailure(error, props);
  }
  deps.log(`created ${authorization.appAuthorizationArn} (${authorization.status})`);
  try {
    authorization = await connectIfApiKey(authorization, props, deps);
  } catch (error) {
    // A failed Create gets no Delete from the Provider framework: clean up here.
    await deleteQuietly(authorization.appAuthorizationArn, deps, cleanupClient(deps));
    throw error;
  }
  return respond(authorization);
}

/**
 * Takes over the authorization that already holds (app, tenant) in the bundle: brings its tenant
 * and credential to the declared state and keeps its ARN. It existed before this stack, so a
 * failure here leaves it in place rather than deleting it.
 */
async function adopt(conflict: AppFabricServiceError, props: AppAuthorizationProperties, credential: Credential,
  deps: Dependencies): Promise<AppAuthorizationResponse> {
  const arn = isAppAuthorizationArn(conflict.resourceId) ? conflict.resourceId : await findByAppAndTenant(props, deps);
  const existing = await deps.appfabric.getAppAuthorization(props.AppBundleArn, arn);
  if (existing.authType !== props.AuthType) {
    throw new DeployError(
      `Cannot adopt ${arn}: it is an ${existing.authType} authorization and ${describe(props)} is declared as ${props.AuthType}. ` +
      `AppFabric cannot change an authorization's auth type: declare ${existing.authType}, or delete the existing one first.`,
    );
  }
  deps.log(`adopting ${arn}, the existing authorization for ${props.App} and tenant '${props.TenantIdentifier}'`);
  let authorization = await deps.appfabric.updateAppAuthorization(props.AppBundleArn, arn, { tenant: tenantOf(props), credential });
  if (props.Tags && props.Tags.length > 0) {
    await deps.appfabric.tagResource(arn, props.Tags);
  }
  authorization = await connectIfApiKey(authorization, props, deps);
  return respond(authorization);
}

async function findByAppAndTenant(props: AppAuthorizationProperties, deps: Dependencies): Promise<string> {
  let nextToken: string | undefined;
  do {
    const page = await deps.appfabric.listAppAuthorizations(props.AppBundleArn, nextToken);
    const match = page.items.find((item) => item.app === props.App && item.tenant.tenantIdentifier === props.TenantIdentifier);
    if (match) {
      return match.appAuthorizationArn;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  throw new DeployError(`AppFabric reported a conflict for ${describe(props)}, but the bundle lists no such authorization. Deploy again.`);
}

async function update(event: AppAuthorizationEvent, deps: Dependencies): Promise<AppAuthorizationResponse> {
  const oldProps = event.OldResourceProperties!;
  const props = event.ResourceProperties;
  const physicalId = event.PhysicalResourceId;
  if (!isAppAuthorizationArn(physicalId)) {
    deps.log(`physical id ${physicalId} is not an authorization: creating one`);
    return create(event, props, deps);
  }
  const plan = planUpdate(oldProps, props);
  deps.log(`update plan: ${plan.kind}${plan.kind === 'replace' ? ` (${plan.reason})` : ''}`);
  // Decided against the authorization as it is: a rollback or a replayed event may name one that
  // is gone, or one that already is what the new properties declare.
  const actual = await getIfExists(physicalId, deps);
  if (!actual) {
    deps.log(`${physicalId} no longer exists: creating a new authorization`);
    return create(event, props, deps);
  }
  if (plan.kind === 'replace') {
    if (needsReplacement(actual, props)) {
      return replace(event, actual, deps);
    }
    deps.log(`${physicalId} already is the declared ${props.App} ${props.AuthType} authorization: no replacement needed`);
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
    authorization = await connectIfApiKey(authorization, props, deps);
  }
  const tags = tagChanges(oldProps.Tags, props.Tags);
  if (tags.set.length > 0) {
    await deps.appfabric.tagResource(physicalId, tags.set);
  }
  if (tags.remove.length > 0) {
    await deps.appfabric.untagResource(physicalId, tags.remove);
  }
  return respond(authorization);
}

/** A new authorization for properties AppFabric cannot change in place; CloudFormation deletes the old id afterwards. */
async function replace(event: AppAuthorizationEvent, actual: AppAuthorization, deps: Dependencies): Promise<AppAuthorizationResponse> {
  const props = event.ResourceProperties;
  if (holdsKeyOf(actual, props)) {
    // AppFabric allows one authorization per (app, tenant): the old one has to go first. Read the
    // new credential before that, so an unreadable secret fails the update without removing it.
    await readCredential(props, deps);
    deps.log(`removing ${actual.appAuthorizationArn} first: the new authorization has the same app and tenant`);
    await deleteQuietly(actual.appAuthorizationArn, deps);
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
  const waitUntil = Math.min(Date.now() + timeoutMs, deps.deadline);
  for (let poll = 0; status === 'PendingConnect'; poll++) {
    const pause = Math.min(500 * 2 ** poll, 5_000);
    if (Date.now() + pause > waitUntil) {
      throw new DeployError(
        `${describe(props)} is still PendingConnect ${Math.round(timeoutMs / 1000)} seconds after connecting. ` +
        'AppFabric has not finished checking the API key: deploy again, or raise connectTimeout.',
      );
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

export async function readCredential(props: AppAuthorizationProperties, deps: Dependencies): Promise<Credential> {
  const fields = props.CredentialFields;
  if (props.AuthType === 'apiKey') {
    const field = fields.ApiKey ?? 'apiKey';
    const values = await deps.secrets.readFields(props.CredentialSecretArn, [field], `the API key of ${describe(props)}`);
    return { apiKeyCredential: { apiKey: values[field] } };
  }
  const clientIdField = fields.ClientId ?? 'clientId';
  const clientSecretField = fields.ClientSecret ?? 'clientSecret';
  const values = await deps.secrets.readFields(props.CredentialSecretArn, [clientIdField, clientSecretField],
    `the OAuth client of ${describe(props)}`);
  return { oauth2Credential: { clientId: values[clientIdField], clientSecret: values[clientSecretField] } };
}

async function deleteQuietly(appAuthorizationArn: string, deps: Dependencies, appfabric = deps.appfabric): Promise<void> {
  try {
    await appfabric.deleteAppAuthorization(bundleArnOf(appAuthorizationArn), appAuthorizationArn);
    deps.log(`deleted ${appAuthorizationArn}`);
  } catch (error) {
    if (!isAppFabricError(error, 'ResourceNotFoundException')) {
      throw error;
    }
    deps.log(`${appAuthorizationArn} was already gone`);
  }
}

async function removeWhatTokenMade(input: CreateAppAuthorizationInput, deps: Dependencies): Promise<void> {
  try {
    const made = await cleanupClient(deps).createAppAuthorization(input);
    await deleteQuietly(made.appAuthorizationArn, deps, cleanupClient(deps));
  } catch (error) {
    deps.log(`could not confirm that the failed create left nothing behind: ${errorMessage(error)}`);
  }
}

function cleanupClient(deps: Dependencies): AppFabricApi {
  return deps.cleanup ?? deps.appfabric;
}

function outcomeUnknown(error: unknown): boolean {
  const cause = error instanceof RetryDeadlineError ? error.lastError : error;
  return cause instanceof NetworkError || (cause instanceof AppFabricServiceError && cause.statusCode >= 500);
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
