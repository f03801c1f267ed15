// Create, Update and Delete of a TPP OAuth application: the I/O around lifecycle.ts.
import { TppApi, TppApplication, TppError, describeTppFailure } from './tpp-client';
import { CustomResourceEvent, CustomResourceResult } from '../../internal/custom-resource';
import { DeployError } from '../../internal/errors';
import { RetryDeadlineError } from '../../internal/retry';
import { TppOAuthApplicationData, TppOAuthApplicationProperties } from '../properties';
import { changedFields, createInput, desiredApplication, isOwnPhysicalId, physicalIdFor, planUpdate } from './lifecycle';

export interface Dependencies {
  /** A TPP client for one resource's server, CA and token secret (one per event: it holds the token). */
  readonly tppFor: (props: TppOAuthApplicationProperties) => TppApi;
  readonly log: (line: string) => void;
}

export type TppOAuthApplicationEvent = CustomResourceEvent<TppOAuthApplicationProperties>;
export type TppOAuthApplicationResponse = CustomResourceResult<TppOAuthApplicationData>;

export async function onEvent(event: TppOAuthApplicationEvent, deps: Dependencies): Promise<TppOAuthApplicationResponse> {
  deps.log(`${event.RequestType} ${event.LogicalResourceId} (physical id ${event.PhysicalResourceId ?? 'none yet'})`);
  switch (event.RequestType) {
    case 'Create':
      return ensure(event.ResourceProperties, deps);
    case 'Update': {
      const plan = planUpdate(event.OldResourceProperties!, event.ResourceProperties);
      deps.log(`update plan: ${plan.kind}${plan.kind === 'replace' ? ` (${plan.reason}; CloudFormation removes the old one unless it is retained)` : ''}`);
      return ensure(event.ResourceProperties, deps);
    }
    case 'Delete':
      return remove(event, deps);
  }
}

/**
 * Brings the application to the declared state, whatever TPP holds: an existing application with
 * the ID is adopted and updated, a missing one is created. Deciding from TPP's actual state makes
 * a replayed event, a rollback and a retried Create converge to the same result.
 */
async function ensure(props: TppOAuthApplicationProperties, deps: Dependencies): Promise<TppOAuthApplicationResponse> {
  const tpp = deps.tppFor(props);
  const existing = await findApplication(tpp, props, deps);
  if (existing) {
    deps.log(`application '${props.ApplicationId}' exists in TPP: bringing it to the declared state`);
    return converge(tpp, existing, props, deps);
  }
  let made: TppApplication | undefined;
  try {
    made = await tpp.createApplication(createInput(props));
  } catch (error) {
    if (!(error instanceof TppError && error.isApplicationFailure)) {
      throw describeFailure(error, props);
    }
    // A create whose answer was lost and then retried, or another deploy, may have made it.
    const afterwards = await findApplication(tpp, props, deps);
    if (!afterwards) {
      throw describeFailure(error, props);
    }
    deps.log(`CreateApplication failed (${describeTppFailure(error)}), but the application exists now: bringing it to the declared state`);
    return converge(tpp, afterwards, props, deps);
  }
  deps.log(`created application '${props.ApplicationId}'`);
  return respond(props, made);
}

async function converge(tpp: TppApi, actual: TppApplication, props: TppOAuthApplicationProperties,
  deps: Dependencies): Promise<TppOAuthApplicationResponse> {
  const changed = changedFields(actual, props);
  if (changed.length === 0) {
    deps.log(`application '${props.ApplicationId}' already has the declared state: no update`);
    return respond(props, actual);
  }
  const desired = desiredApplication(actual, props);
  try {
    await tpp.updateApplication(desired);
  } catch (error) {
    throw describeFailure(error, props);
  }
  deps.log(`updated application '${props.ApplicationId}': ${changed.join(', ')} (everything else sent back as TPP held it)`);
  return respond(props, desired);
}

async function remove(event: TppOAuthApplicationEvent, deps: Dependencies): Promise<TppOAuthApplicationResponse> {
  const physicalId = event.PhysicalResourceId!;
  const props = event.ResourceProperties;
  if (!isOwnPhysicalId(physicalId, props)) {
    deps.log(`nothing to delete: ${physicalId} is not an application of this resource (a Create that failed)`);
    return { PhysicalResourceId: physicalId };
  }
  const tpp = deps.tppFor(props);
  try {
    await tpp.deleteApplication(props.ApplicationId);
    deps.log(`deleted application '${props.ApplicationId}'`);
  } catch (error) {
    if (!(error instanceof TppError && error.isApplicationFailure)) {
      throw describeFailure(error, props);
    }
    // TPP does not document how it reports a missing application: ask for it. Gone is success.
    if (await findApplication(tpp, props, deps)) {
      throw describeFailure(error, props);
    }
    deps.log(`application '${props.ApplicationId}' was already gone`);
  }
  return { PhysicalResourceId: physicalId };
}

/** The application, or undefined when TPP answers GetApplication with a failure about it (not about the caller). */
async function findApplication(tpp: TppApi, props: TppOAuthApplicationProperties, deps: Dependencies): Promise<TppApplication | undefined> {
  try {
    return await tpp.getApplication(props.ApplicationId);
  } catch (error) {
    if (error instanceof TppError && error.isApplicationFailure) {
      deps.log(`GetApplication found no application '${props.ApplicationId}' (${describeTppFailure(error)})`);
      return undefined;
    }
    throw describeFailure(error, props);
  }
}

/** A failure reason naming the application, the server and the fix; TPP's error and description kept. */
function describeFailure(error: unknown, props: TppOAuthApplicationProperties): Error {
  if (error instanceof DeployError) {
    return error;
  }
  const cause = error instanceof RetryDeadlineError ? error.lastError : error;
  const message = error instanceof Error ? error.message : String(error);
  const where = `application '${props.ApplicationId}' on ${props.ServerUrl}`;
  if (!(cause instanceof TppError)) {
    return new Error(`${message} (${where})`);
  }
  return new DeployError(`${message} (${where}).${hintFor(cause, props)}`);
}

function hintFor(error: TppError, props: TppOAuthApplicationProperties): string {
  const secret = `secret ${props.TokenSecretArn}`;
  switch (error.error) {
    case 'insufficient_scope':
      return ` The token in ${secret} lacks the admin scope that every /vedsdk/oauth call needs: obtain a token with scope 'admin' ` +
        '(POST /vedauth/authorize/oauth) and store it in the secret.';
    case 'insufficient_rights':
      return ` The account the token in ${secret} belongs to lacks the OAuth role: CreateApplication needs Admin; ` +
        'Update needs Admin, App Owner or App Maintainer; Delete needs Admin or App Owner. Grant the role in TPP, or use another account\'s token.';
    case 'invalid_token':
      return ` TPP rejected the access token in ${secret} even after renewing it: store a new token pair from POST /vedauth/authorize/oauth.`;
    case 'invalid_request':
      return ' Check the declared fields (scope within maximumScope, validities in seconds) against the TPP server\'s rules.';
    default:
      return '';
  }
}

function respond(props: TppOAuthApplicationProperties, application: TppApplication | undefined): TppOAuthApplicationResponse {
  return {
    PhysicalResourceId: physicalIdFor(props),
    Data: {
      ApplicationId: typeof application?.ID === 'string' ? application.ID : props.ApplicationId,
      Name: typeof application?.Name === 'string' ? application.Name : props.Name,
    },
  };
}
