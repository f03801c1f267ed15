// The pure decisions of the TppOAuthApplication handler: what a CloudFormation event asks of TPP.
// No I/O here, so each rule is unit-testable on its own.
import { TppError } from './tpp-client';
import type { CreateApplicationInput, TppApplication } from './tpp-client';
import { NetworkError } from '../../internal/http';
import { RetryDeadlineError, someAttemptOutcomeUnknown } from '../../internal/retry';
import type { TppOAuthApplicationProperties } from '../properties';
import { normalizeScope } from '../scope';

/** What an Update event means for the application. */
export type UpdatePlan =
  /** A different application: CloudFormation deletes the old one afterwards (unless RETAIN). */
  | { readonly kind: 'replace'; readonly reason: string }
  /** The same application, brought to the declared state. */
  | { readonly kind: 'converge' };

/**
 * Only the application ID names a different application. A new serverUrl or token secret is a
 * new way to reach the same application (a renamed host, a rotated admin token), so it converges
 * in place: on a server that lacks the application it is created there.
 */
export function planUpdate(oldProps: TppOAuthApplicationProperties, newProps: TppOAuthApplicationProperties): UpdatePlan {
  return oldProps.ApplicationId !== newProps.ApplicationId
    ? { kind: 'replace', reason: `applicationId changed from '${oldProps.ApplicationId}' to '${newProps.ApplicationId}'` }
    : { kind: 'converge' };
}

/** The physical id: the application ID itself (unique and case-sensitive in TPP). */
export function physicalIdFor(props: TppOAuthApplicationProperties): string {
  return props.ApplicationId;
}

/**
 * Whether a Delete's physical id names this resource's application. The runtime's marker for a
 * failed Create (or anything else) does not, and has nothing to remove.
 */
export function isOwnPhysicalId(physicalResourceId: string | undefined, props: TppOAuthApplicationProperties): boolean {
  return !!physicalResourceId && physicalResourceId === physicalIdFor(props);
}

/** The fields this resource declares, in TPP's names and types; undeclared optional ones are absent. */
export function declaredFields(props: TppOAuthApplicationProperties): Partial<TppApplication> {
  return withoutUndefined({
    Name: props.Name,
    Vendor: props.Vendor,
    Description: props.Description,
    Url: props.Url,
    Scope: props.Scope,
    MaximumScope: props.MaximumScope,
    AccessValidity: optionalNumber(props.AccessValidity),
    GrantValidity: optionalNumber(props.GrantValidity),
    Renewable: optionalBoolean(props.Renewable),
  });
}

/** CreateApplication's request. Description and Url are always sent (empty when undeclared). */
export function createInput(props: TppOAuthApplicationProperties): CreateApplicationInput {
  const declared = declaredFields(props);
  return {
    ApplicationId: props.ApplicationId,
    Name: props.Name,
    Vendor: props.Vendor,
    Description: props.Description ?? '',
    Url: props.Url ?? '',
    Scope: props.Scope,
    MaximumScope: props.MaximumScope,
    AccessValidity: declared.AccessValidity,
    GrantValidity: declared.GrantValidity,
    Renewable: declared.Renewable,
  };
}

/**
 * The complete structure for UpdateApplication: the application as TPP holds it, with the declared
 * fields laid over it. UpdateApplication replaces the whole configuration, so everything this
 * resource does not declare (including fields this library does not know) is sent back unchanged.
 * A prop removed from the construct therefore leaves TPP's value as it is.
 */
export function desiredApplication(actual: TppApplication, props: TppOAuthApplicationProperties): TppApplication {
  return { ...actual, ...declaredFields(props), ID: actual.ID };
}

/** The declared fields whose value in TPP differs (scopes compared in canonical order). */
export function changedFields(actual: TppApplication, props: TppOAuthApplicationProperties): string[] {
  const declared = declaredFields(props);
  return Object.entries(declared)
    .filter(([field, value]) => !sameValue(field, actual[field], value))
    .map(([field]) => field);
}

function sameValue(field: string, actual: unknown, declared: unknown): boolean {
  switch (field) {
    case 'Scope':
    case 'MaximumScope':
      return normalizeScope(String(actual ?? '')) === normalizeScope(String(declared));
    case 'AccessValidity':
    case 'GrantValidity':
      return actual !== undefined && actual !== null && Number(actual) === declared;
    case 'Renewable':
      return (actual === true || actual === 'true') === declared;
    default:
      return String(actual ?? '') === declared;
  }
}

function optionalNumber(value: string | undefined): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}

function optionalBoolean(value: string | undefined): boolean | undefined {
  return value === undefined || value === '' ? undefined : value === 'true';
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/**
 * Cleanup by what may have happened: whether a failed CreateApplication may have made the
 * application after all. True after any attempt whose outcome is unknown (a lost response, a
 * reset, a timeout, a 5xx, throttling), whatever the last error was (a 403 after a lost response).
 */
export function mayHaveMadeApplication(error: unknown): boolean {
  if (someAttemptOutcomeUnknown(error)) {
    return true;
  }
  const cause = error instanceof RetryDeadlineError ? error.lastError : error;
  return (cause instanceof NetworkError) || (cause instanceof TppError && (cause.status === 429 || cause.status >= 500));
}

/**
 * Whether an existing application is exactly what this resource's CreateApplication makes. TPP has
 * no client token: a redelivered Create finds what its earlier delivery made, and can tell it from
 * someone else's application only by its content. Such an application is taken without the opt-in
 * (nothing in it changes); any other needs adoptExisting.
 */
export function isWhatCreateMakes(actual: TppApplication, props: TppOAuthApplicationProperties): boolean {
  const input = createInput(props);
  return changedFields(actual, props).length === 0 && String(actual.Description ?? '') === input.Description && String(actual.Url ?? '') === input.Url;
}
