// What a seed draws: the stack's authorizations and the changes a user deploys to them (step
// intents), and for every delivery of every event the faults the emulators will inject.
// CloudFormation's own reactions (rollbacks, cleanup deletes) are derived in cloudformation.ts.
import { Random } from './prng';
import { AppAuthorizationEvent } from '../../src/app-authorization/handler/events';
import { planUpdate } from '../../src/app-authorization/handler/lifecycle';
import { AppAuthorizationProperties } from '../../src/app-authorization/properties';
import type { Fault } from '../emulators/http-emulator';

export type AuthType = 'oauth2' | 'apiKey';

/** A secret as planted: `missingField` lacks the field the properties name; `invalidKey` holds a key AppFabric rejects. */
export type SecretQuality = 'valid' | 'missingField' | 'invalidKey';

export interface SecretSpec {
  readonly authType: AuthType;
  readonly quality: SecretQuality;
  /** Whether the JSON uses the default field names (clientId/clientSecret, apiKey) or custom ones. */
  readonly customFields: boolean;
}

/** Plants a secret and returns its ARN and the field names the properties should point at. */
export type PlantSecret = (spec: SecretSpec) => { arn: string; fields: AppAuthorizationProperties['CredentialFields'] };

export type UpdateChange = 'renameTenant' | 'newSecret' | 'renameAndNewSecret' | 'changeApp' | 'changeAuthType' | 'noEffectiveChange';

export type StepIntent =
  | { readonly kind: 'create'; readonly logicalId: string; readonly props: AppAuthorizationProperties; readonly expectFailure: boolean }
  | { readonly kind: 'update'; readonly logicalId: string; readonly change: UpdateChange; readonly props: AppAuthorizationProperties; readonly expectFailure: boolean }
  | { readonly kind: 'delete'; readonly logicalId: string };

export const APPS = ['SLACK', 'ZOOM', 'ASANA', 'OKTA', 'JIRA'] as const;

/** The shape of one seed's lifecycle. */
export interface LifecycleShape {
  readonly logicalIds: string[];
  readonly steps: number;
  /** The emulator's `connectPendingReads`: how long an apiKey connect stays PendingConnect. */
  readonly connectPendingReads: number;
  /** Authorizations that exist before the stack: made in the console, or owned by another stack. */
  readonly foreign: ForeignAuthorization[];
}

/** An authorization the stack was not told to own, holding the (app, tenant) a logical resource may declare. */
export interface ForeignAuthorization {
  readonly app: string;
  readonly authType: AuthType;
  readonly tenantIdentifier: string;
  /** Set: another stack's ownership tags. Unset: made in the console (adoptable with the opt-in). */
  readonly ownerStackId?: string;
  readonly status: 'PendingConnect' | 'Connected';
}

export const OTHER_STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/SomeoneElse/00000000-0000-4000-8000-0000000000ff';

export function drawLifecycleShape(random: Random): LifecycleShape {
  const resources = random.int(1, 3);
  const logicalIds = Array.from({ length: resources }, (_, i) => `Authorization${i + 1}`);
  const foreign: ForeignAuthorization[] = [];
  for (const logicalId of logicalIds) {
    if (!random.chance(0.3)) continue;
    foreign.push({
      app: random.pick(APPS),
      authType: random.chance(0.5) ? 'oauth2' : 'apiKey',
      tenantIdentifier: tenantIdentifierOf(logicalId),
      ownerStackId: random.chance(0.5) ? OTHER_STACK_ID : undefined,
      status: random.chance(0.5) ? 'Connected' : 'PendingConnect',
    });
  }
  return {
    logicalIds,
    steps: random.int(4, 10),
    connectPendingReads: random.pick([0, 0, 0, 0, 1, 2]),
    foreign,
  };
}

/** The tenant of a logical resource: distinct per resource, so two resources never share (app, tenant). */
export function tenantIdentifierOf(logicalId: string): string {
  return `tenant-${logicalId.toLowerCase()}`;
}

/**
 * The next change a user deploys to `logicalId`, given what CloudFormation believes about it
 * (undefined: not in the stack).
 */
export function drawStepIntent(random: Random, logicalId: string, current: AppAuthorizationProperties | undefined,
  bundleArn: string, plant: PlantSecret): StepIntent {
  if (!current) {
    const authType: AuthType = random.chance(0.5) ? 'oauth2' : 'apiKey';
    const quality = drawQuality(random, authType, 0.15);
    const secret = plant({ authType, quality, customFields: random.chance(0.3) });
    const props: AppAuthorizationProperties = {
      AppBundleArn: bundleArn,
      App: random.pick(APPS),
      AuthType: authType,
      TenantIdentifier: tenantIdentifierOf(logicalId),
      TenantDisplayName: `${logicalId} tenant v1`,
      CredentialSecretArn: secret.arn,
      CredentialFields: secret.fields,
      ConnectTimeoutSeconds: '10',
      AdoptExisting: random.chance(0.5) ? 'true' : undefined,
    };
    return { kind: 'create', logicalId, props, expectFailure: quality !== 'valid' };
  }
  if (random.chance(0.15)) return { kind: 'delete', logicalId };
  const change = random.weighted<UpdateChange>({
    renameTenant: 3, newSecret: 3, renameAndNewSecret: 2, changeApp: 2, changeAuthType: 2, noEffectiveChange: 1,
  });
  return drawUpdate(random, logicalId, current, change, plant);
}

function drawUpdate(random: Random, logicalId: string, current: AppAuthorizationProperties, change: UpdateChange,
  plant: PlantSecret): StepIntent {
  let props: AppAuthorizationProperties = { ...current };
  let quality: SecretQuality = 'valid';
  if (change === 'renameTenant' || change === 'renameAndNewSecret') {
    props = { ...props, TenantDisplayName: nextDisplayName(current.TenantDisplayName) };
  }
  if (change === 'changeApp') {
    props = { ...props, App: random.pick(APPS.filter((app) => app !== current.App)) };
  }
  if (change === 'noEffectiveChange') {
    props = { ...props, ConnectTimeoutSeconds: current.ConnectTimeoutSeconds === '10' ? '20' : '10' };
  }
  const authType: AuthType = change === 'changeAuthType' ? otherAuthType(current.AuthType as AuthType) : current.AuthType as AuthType;
  if (change === 'newSecret' || change === 'renameAndNewSecret' || change === 'changeAuthType' || (change === 'changeApp' && random.chance(0.3))) {
    quality = drawQuality(random, authType, 0.3);
    const secret = plant({ authType, quality, customFields: random.chance(0.3) });
    props = { ...props, AuthType: authType, CredentialSecretArn: secret.arn, CredentialFields: secret.fields };
  }
  return { kind: 'update', logicalId, change, props, expectFailure: quality !== 'valid' };
}

function drawQuality(random: Random, authType: AuthType, failureRate: number): SecretQuality {
  if (!random.chance(failureRate)) return 'valid';
  return authType === 'apiKey' && random.chance(0.5) ? 'invalidKey' : 'missingField';
}

function otherAuthType(authType: AuthType): AuthType {
  return authType === 'oauth2' ? 'apiKey' : 'oauth2';
}

function nextDisplayName(name: string): string {
  const match = /^(.*) v(\d+)$/.exec(name);
  return match ? `${match[1]} v${Number(match[2]) + 1}` : `${name} v2`;
}

// ---- deliveries and faults ----

/** A hold on AppFabric's response after it performed the call (see chaos-link.ts). */
export interface HeldResponse {
  readonly operation?: string;
  readonly holdMs: number;
  readonly times: number;
}

/** Everything injected for one delivery of an event. */
export interface FaultSchedule {
  /** What the Lambda context reports as remaining when the handler starts. */
  readonly remainingMs: number;
  readonly appfabric: Fault[];
  readonly secrets: Fault[];
  readonly held: HeldResponse[];
  /** Kill the invocation when the response to this operation is lost (a dropResponse is injected for it). */
  readonly killAfter?: string;
}

/**
 * How CloudFormation delivers one event: once; twice with the same RequestId (the second
 * delivery's answer is the one that counts); or killed after AppFabric accepted a call, then
 * delivered again.
 */
export interface DeliveryPlan {
  readonly mode: 'once' | 'replayed' | 'killed';
  readonly schedules: FaultSchedule[];
}

export const NO_FAULTS: FaultSchedule = { remainingMs: 300_000, appfabric: [], secrets: [], held: [] };

export type EventKind = 'Create' | 'Update' | 'Delete';

/** Every operation the handler may call for an event (cleanup and adoption included). */
const OPERATIONS_BY_EVENT: Record<EventKind, string[]> = {
  Create: ['CreateAppAuthorization', 'ConnectAppAuthorization', 'GetAppAuthorization', 'ListAppAuthorizations', 'ListTagsForResource',
    'TagResource', 'UntagResource', 'UpdateAppAuthorization', 'DeleteAppAuthorization'],
  Update: ['GetAppAuthorization', 'UpdateAppAuthorization', 'CreateAppAuthorization', 'DeleteAppAuthorization', 'ConnectAppAuthorization',
    'ListAppAuthorizations', 'ListTagsForResource', 'TagResource', 'UntagResource'],
  Delete: ['DeleteAppAuthorization'],
};

/** Definite refusals AppFabric may answer with (a permission flake, a validation, the quota). */
const REFUSALS = [
  { status: 403, errorType: 'AccessDeniedException' },
  { status: 400, errorType: 'ValidationException' },
  { status: 402, errorType: 'ServiceQuotaExceededException' },
] as const;

/** The writes an event will probably make: where a kill hurts most. */
export function likelyWrites(event: AppAuthorizationEvent): string[] {
  const props = event.ResourceProperties;
  const connect = props.AuthType === 'apiKey' ? ['ConnectAppAuthorization'] : [];
  if (event.RequestType === 'Delete') return ['DeleteAppAuthorization'];
  if (event.RequestType === 'Create') return ['CreateAppAuthorization', ...connect];
  const plan = planUpdate(event.OldResourceProperties!, props);
  if (plan.kind === 'unchanged') return [];
  if (plan.kind === 'in-place') return ['UpdateAppAuthorization', ...connect];
  return [...(plan.removeOldFirst ? ['DeleteAppAuthorization'] : []), 'CreateAppAuthorization', ...connect];
}

/** A short Lambda context: the handler keeps a 10 s margin, so it has 2 to 5 s of its own. */
const SHORT_REMAINING_MS = [12_000, 13_000, 14_000, 15_000];
const FULL_REMAINING_MS = 300_000;

export interface FaultProfile {
  /** Include faults that cost whole seconds: Retry-After 1, responses held past the deadline, secrets delayed past the Lambda's time. */
  readonly slowFaults: boolean;
  /** Let apiKey connects stay PendingConnect for a while (the handler then polls for seconds). */
  readonly slowConnects: boolean;
}

export function drawDeliveryPlan(random: Random, event: AppAuthorizationEvent, profile: FaultProfile): DeliveryPlan {
  const eventKind = event.RequestType;
  const writes = likelyWrites(event);
  let mode = random.weighted({ once: 8, replayed: 1, killed: 1 });
  if (mode === 'killed' && writes.length === 0) mode = 'replayed';
  if (mode === 'once') return { mode, schedules: [drawFaultSchedule(random, eventKind, profile)] };
  if (mode === 'replayed') return { mode, schedules: [drawFaultSchedule(random, eventKind, profile), drawFaultSchedule(random, eventKind, profile)] };
  const killed = drawFaultSchedule(random, eventKind, profile, random.pick(writes));
  return { mode, schedules: [killed, drawFaultSchedule(random, eventKind, profile)] };
}

export function drawFaultSchedule(random: Random, eventKind: EventKind, profile: FaultProfile, killAfter?: string): FaultSchedule {
  let remainingMs = random.chance(0.4) ? random.pick(SHORT_REMAINING_MS) : FULL_REMAINING_MS;
  const appfabric: Fault[] = [];
  const secrets: Fault[] = [];
  const held: HeldResponse[] = [];
  const count = random.weighted({ 0: 4, 1: 3, 2: 2, 3: 1 });
  for (let i = 0; i < Number(count); i++) {
    if (random.chance(0.2)) {
      secrets.push(drawSecretsFault(random, profile));
      continue;
    }
    const operation = random.chance(0.2) ? undefined : random.pick(OPERATIONS_BY_EVENT[eventKind]);
    const kind = random.weighted({
      throttle: 6,
      internal: 3,
      reset: killAfter ? 0 : 3,
      delay: 3,
      dropResponse: 3,
      heldPastDeadline: profile.slowFaults ? 1 : 0,
      reject: 2,
      lostThenRefused: 3,
    });
    if (kind === 'lostThenRefused') {
      // An attempt that took effect but whose answer was lost, then a definite refusal of the retry,
      // optionally with transient failures between them.
      const target = operation ?? random.pick(OPERATIONS_BY_EVENT[eventKind]);
      appfabric.push({ operation: target, kind: random.chance(0.7) ? 'dropResponse' : 'reset', times: 1 });
      if (random.chance(0.3)) appfabric.push({ operation: target, kind: random.pick(['throttle', 'internal'] as const), times: 1, retryAfterSeconds: 0 });
      appfabric.push({ operation: target, kind: 'reject', times: 1, ...random.pick(REFUSALS) });
      continue;
    }
    if (kind === 'heldPastDeadline') {
      remainingMs = remainingMs === FULL_REMAINING_MS ? random.pick(SHORT_REMAINING_MS) : remainingMs;
      // Past the Lambda's remaining time: only the handler's own deadline ends the wait.
      held.push({ operation, holdMs: remainingMs + random.int(0, 2_000), times: 1 });
      continue;
    }
    appfabric.push(drawAppFabricFault(random, kind, operation, profile));
  }
  if (killAfter) appfabric.unshift({ operation: killAfter, kind: 'dropResponse', times: 1 });
  if (remainingMs === FULL_REMAINING_MS && secrets.some((fault) => (fault.delayMs ?? 0) > 1_000)) {
    remainingMs = random.pick(SHORT_REMAINING_MS);
  }
  return { remainingMs, appfabric, secrets, held, killAfter };
}

function drawAppFabricFault(random: Random, kind: Fault['kind'], operation: string | undefined, profile: FaultProfile): Fault {
  const times = random.weighted({ 1: 7, 2: 2, 3: 1 });
  switch (kind) {
    case 'throttle':
      return { operation, kind, times: Number(times), retryAfterSeconds: profile.slowFaults && random.chance(0.25) ? 1 : 0 };
    case 'internal':
      return { operation, kind, times: Number(times), retryAfterSeconds: random.chance(0.3) ? 0 : undefined };
    case 'delay':
      return { operation, kind, times: 1, delayMs: random.int(20, 300) };
    case 'reject':
      return { operation, kind, times: 1, ...random.pick(REFUSALS) };
    default:
      return { operation, kind, times: kind === 'dropResponse' ? 1 : Number(times) };
  }
}

function drawSecretsFault(random: Random, profile: FaultProfile): Fault {
  const operation = 'GetSecretValue';
  // The SDK backs off from throttling by half a second and more: a slow fault.
  const kind = random.weighted({
    throttle: profile.slowFaults ? 3 : 0,
    internal: 2,
    reset: 2,
    delay: 2,
    dropResponse: 1,
    delayPastLambdaTime: profile.slowFaults ? 0.15 : 0,
    reject: 0.5,
  });
  if (kind === 'reject') return { operation, kind, times: 1, status: 400, errorType: 'AccessDeniedException' };
  if (kind === 'delayPastLambdaTime') {
    // Longer than any Lambda time this suite gives (see SHORT_REMAINING_MS): only a deadline on
    // the secret read keeps the event inside its time. The 5-minute context never gets one.
    return { operation, kind: 'delay', times: 1, delayMs: 16_000 };
  }
  if (kind === 'delay') return { operation, kind, times: 1, delayMs: random.int(20, 300) };
  if (kind === 'throttle') return { operation, kind, times: random.int(1, 2), retryAfterSeconds: 0 };
  return { operation, kind, times: kind === 'dropResponse' ? 1 : random.int(1, 2) };
}
