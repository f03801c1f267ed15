// Create, Update and Delete of a TPP OAuth application: the I/O around lifecycle.ts.
import { TppApi, TppApplication, TppError, describeTppFailure } from './tpp-client';
import { CustomResourceEvent, CustomResourceResult } from '../../internal/custom-resource';
import { DeployError } from '../../internal/errors';
import { RetryDeadlineError, errorMessage, someAttemptOutcomeUnknown, withOutcomeOf } from '../../internal/retry';
import { TppOAuthApplicationData, TppOAuthApplicationProperties } from '../properties';
import {
  changedFields, createInput, desiredApplication, isOwnPhysicalId, isWhatCreateMakes, mayHaveMadeApplication, physicalIdFor, planUpdate,
} from './lifecycle';

export interface Dependencies {
  /** A TPP client for one resource's server, CA and token secret (one per event: it holds the token). */
  readonly tppFor: (props: TppOAuthApplicationProperties) => TppApi;
  readonly log: (line: string) => void;
  /**
   * A TPP client for removing what a failing Create made, allowed to run past the event's own
   * deadline into part of the report margin. @default tppFor
   */
  readonly cleanupTppFor?: (props: TppOAuthApplicationProperties) => TppApi;
}

export type TppOAuthApplicationEvent = CustomResourceEvent<TppOAuthApplicationProperties>;
export type TppOAuthApplicationResponse = CustomResourceResult<TppOAuthApplicationData>;

export async function onEvent(event: TppOAuthApplicationEvent, deps: Dependencies): Promise<TppOAuthApplicationResponse> {
  deps.log(`${event.RequestType} ${event.LogicalResourceId} (physical id ${event.PhysicalResourceId ?? 'none yet'})`);
  switch (event.RequestType) {
    case 'Create':
      return ensure(event.ResourceProperties, deps, { own: false });
    case 'Update': {
      const plan = planUpdate(event.OldResourceProperties!, event.ResourceProperties);
      deps.log(`update plan: ${plan.kind}${plan.kind === 'replace' ? ` (${plan.reason}; CloudFormation removes the old one unless it is retained)` : ''}`);
      // The application the physical id names is this resource's own (a rollback names it too);
      // any other existing one is taken only with the opt-in.
      return ensure(event.ResourceProperties, deps, { own: isOwnPhysicalId(event.PhysicalResourceId, event.ResourceProperties) });
    }
    case 'Delete':
      return remove(event, deps);
  }
}

/**
 * Brings the application to the declared state, deciding from what TPP holds: a missing one is
 * created; an existing one is this resource's own (`mayTake`: an Update of it) or is taken over
 * only with adoptExisting. Deciding from TPP's actual state makes a replayed event, a rollback and
 * a retried Create converge to the same result.
 */
async function ensure(props: TppOAuthApplicationProperties, deps: Dependencies, target: { own: boolean }): Promise<TppOAuthApplicationResponse> {
  const mayTake = target.own || props.AdoptExisting === 'true';
  const tpp = deps.tppFor(props);
  let existing: TppApplication | undefined;
  try {
    existing = await findApplication(tpp, props, deps);
  } catch (error) {
    if (!target.own) {
      await removeWhatEarlierCreateMade(props, deps);
    }
    throw error;
  }
  if (existing) {
    const madeByUs = target.own || isWhatCreateMakes(existing, props);
    if (!madeByUs && !mayTake) {
      throw alreadyExists(props);
    }
    deps.log(`application '${props.ApplicationId}' exists in TPP: bringing it to the declared state${madeByUs ? '' : ' (adopting it)'}`);
    return madeByUs ? converge(tpp, existing, props, deps) : adopt(tpp, existing, props, deps);
  }
  let made: TppApplication | undefined;
  try {
    made = await tpp.createApplication(createInput(props));
  } catch (error) {
    if (error instanceof TppError && error.isApplicationFailure) {
      // TPP refused the create. If it exists now, an attempt whose answer was lost made it (then
      // it is this resource's), or someone else did since the read above (then only with the opt-in).
      let afterwards: TppApplication | undefined;
      try {
        afterwards = await findApplication(tpp, props, deps);
      } catch (readError) {
        if (mayHaveMadeApplication(error)) {
          await removeWhatCreateMade(props, deps);
        }
        throw readError;
      }
      if (!afterwards) {
        throw describeFailure(error, props);
      }
      if (!someAttemptOutcomeUnknown(error) && !mayTake) {
        throw alreadyExists(props);
      }
      deps.log(`CreateApplication failed (${describeTppFailure(error)}), but the application exists now: bringing it to the declared state`);
      return converge(tpp, afterwards, props, deps);
    }
    if (mayHaveMadeApplication(error)) {
      // It did not exist when this delivery started: whatever holds the ID now, an attempt of
      // ours made it, and CloudFormation will not know it (a failed Create gets no Delete).
      await removeWhatCreateMade(props, deps);
    }
    throw withOutcomeOf(describeFailure(error, props), error);
  }
  deps.log(`created application '${props.ApplicationId}'`);
  return respond(props, made);
}

function alreadyExists(props: TppOAuthApplicationProperties): DeployError {
  return new DeployError(
    `TPP at ${props.ServerUrl} already has an application with applicationId '${props.ApplicationId}'. Nothing was changed. ` +
    'To manage it from this stack, set adoptExisting: true on the TppOAuthApplication (its removalPolicy then applies to it: DESTROY ' +
    'deletes it with the stack); otherwise choose another applicationId, or delete the existing application in TPP first.',
  );
}

/**
 * Removes the application a failed create may have made; says in the log when it cannot tell.
 */
async function removeWhatCreateMade(props: TppOAuthApplicationProperties, deps: Dependencies): Promise<void> {
  const tpp = (deps.cleanupTppFor ?? deps.tppFor)(props);
  await twice(`could not confirm that the failed create left no application '${props.ApplicationId}'`, deps, async () => {
    if (await findApplication(tpp, props, deps)) {
      deps.log(`the failed CreateApplication had made '${props.ApplicationId}': removing it`);
      await tpp.deleteApplication(props.ApplicationId);
    }
  });
}

/**
 * Takes over an application made elsewhere (adoptExisting). TPP returns the whole application, so
 * a failed adoption can be undone completely: what it held is sent back when the update may have
 * taken effect, and the reason says whether that worked.
 */
async function adopt(tpp: TppApi, before: TppApplication, props: TppOAuthApplicationProperties,
  deps: Dependencies): Promise<TppOAuthApplicationResponse> {
  try {
    return await converge(tpp, before, props, deps);
  } catch (error) {
    if (!mayHaveMadeApplication(error)) {
      throw error;
    }
    const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    let outcome: string;
    try {
      await (deps.cleanupTppFor ?? deps.tppFor)(props).updateApplication(before);
      outcome = 'The update may have taken effect, so the application was restored as it was before this deploy; nothing else changed.';
    } catch (restoreError) {
      outcome = `The update may have taken effect, and restoring the application as it was failed too (${errorMessage(restoreError)}): ` +
        `check '${props.ApplicationId}' in TPP.`;
    }
    deps.log(`adopting '${props.ApplicationId}' failed. ${outcome}`);
    throw withOutcomeOf(new DeployError(`${message}. Adopting '${props.ApplicationId}' failed. ${outcome}`), error);
  }
}

/**
 * A failed Create or replacement without the opt-in: an application identical to what this create
 * makes can only be this event's (an earlier delivery made it: TPP has no client token, and an
 * identical one made by anyone else would have been taken as this resource's anyway). Remove it,
 * as CloudFormation will not know it. With adoptExisting an earlier delivery may have adopted it,
 * so it is left alone.
 */
async function removeWhatEarlierCreateMade(props: TppOAuthApplicationProperties, deps: Dependencies): Promise<void> {
  if (props.AdoptExisting === 'true') {
    return;
  }
  // Within the event's own time: when the read failed for lack of it, this one would too.
  const tpp = deps.tppFor(props);
  await twice(`could not confirm that the failed event left no application '${props.ApplicationId}'`, deps, async () => {
    const found = await findApplication(tpp, props, deps);
    if (found && isWhatCreateMakes(found, props)) {
      deps.log(`an earlier delivery of this event had made '${props.ApplicationId}': removing it`);
      await tpp.deleteApplication(props.ApplicationId);
    }
  });
}

/**
 * Runs a cleanup, and once more on any error: a refusal there (a role still propagating) would
 * leave an application nobody knows, and each step is safe to repeat. Logs what it could not do.
 */
async function twice(problem: string, deps: Dependencies, cleanup: () => Promise<void>): Promise<void> {
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      return await cleanup();
    } catch (error) {
      deps.log(`${problem}${attempt === 1 ? ' (trying once more)' : ''}: ${errorMessage(error)}`);
    }
  }
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
    return withOutcomeOf(new Error(`${message} (${where})`), error);
  }
  return withOutcomeOf(new DeployError(`${message} (${where}).${hintFor(cause, props)}`), error);
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
