// The properties every seed must keep. Each check returns the violations it found, as sentences.
import { Believed, CompletedDelete, shortId } from './cloudformation';
import { DeliveryRecord } from './world';
import { AppAuthorizationProperties, OWNER_STACK_TAG } from '../../src/app-authorization/properties';
import type { StoredAppAuthorization } from '../emulators/appfabric-emulator';

/** AppFabric allows one authorization per (app, tenant) in a bundle. */
export function atMostOnePerAppAndTenant(actual: StoredAppAuthorization[]): string[] {
  const seen = new Map<string, string>();
  const violations: string[] = [];
  for (const authorization of actual) {
    const key = `${authorization.app}/${authorization.tenant.tenantIdentifier}`;
    const other = seen.get(key);
    if (other) violations.push(`two authorizations for ${key}: ${shortId(other)} and ${shortId(authorization.appAuthorizationArn)}`);
    seen.set(key, authorization.appAuthorizationArn);
  }
  return violations;
}

/** After a completed Delete nothing of it remains: not its id, and, if it left the stack, nothing for its (app, tenant). */
export function nothingLeftAfterDelete(actual: StoredAppAuthorization[], deletes: CompletedDelete[], believed: Map<string, Believed>): string[] {
  const believedIds = new Set([...believed.values()].map((b) => b.physicalId));
  const violations: string[] = [];
  for (const completed of deletes) {
    if (believedIds.has(completed.physicalId)) continue; // a rollback went back to it
    if (actual.some((a) => a.appAuthorizationArn === completed.physicalId)) {
      violations.push(`${shortId(completed.physicalId)} (${completed.logicalId}) still exists after its Delete completed`);
    }
    if (!completed.leftStack) continue;
    const leftover = actual.find((a) => a.app === completed.props.App && a.tenant.tenantIdentifier === completed.props.TenantIdentifier &&
      !believedIds.has(a.appAuthorizationArn));
    if (leftover) {
      violations.push(`${completed.logicalId} was deleted, but ${shortId(leftover.appAuthorizationArn)} still holds ${completed.props.App}/${completed.props.TenantIdentifier}`);
    }
  }
  return violations;
}

/**
 * The emulator holds exactly what CloudFormation believes: every believed physical id exists with
 * the believed app, auth type, tenant and credential (apiKey ones Connected), and nothing else exists.
 */
export function actualMatchesBelieved(actual: StoredAppAuthorization[], believed: Map<string, Believed>,
  secretJson: (arn: string) => Record<string, string>, foreign: ReadonlySet<string> = new Set()): string[] {
  const violations: string[] = [];
  const believedIds = new Set<string>();
  for (const [logicalId, expected] of believed) {
    believedIds.add(expected.physicalId);
    const found = actual.find((a) => a.appAuthorizationArn === expected.physicalId);
    if (!found) {
      violations.push(`CloudFormation believes ${logicalId} is ${shortId(expected.physicalId)}, which does not exist`);
      continue;
    }
    violations.push(...differences(logicalId, found, expected.props, secretJson(expected.props.CredentialSecretArn)));
  }
  for (const orphan of actual.filter((a) => !believedIds.has(a.appAuthorizationArn) && !foreign.has(a.appAuthorizationArn))) {
    violations.push(`orphan ${shortId(orphan.appAuthorizationArn)} (${orphan.app}/${orphan.authType} ${orphan.tenant.tenantIdentifier}): CloudFormation does not know it`);
  }
  return violations;
}

function differences(logicalId: string, found: StoredAppAuthorization, props: AppAuthorizationProperties, secret: Record<string, string>): string[] {
  const problems: string[] = [];
  const expect = (what: string, actualValue: unknown, expectedValue: unknown) => {
    if (JSON.stringify(actualValue) !== JSON.stringify(expectedValue)) {
      problems.push(`${logicalId} (${shortId(found.appAuthorizationArn)}) has ${what} ${JSON.stringify(actualValue)}, CloudFormation believes ${JSON.stringify(expectedValue)}`);
    }
  };
  expect('app', found.app, props.App);
  expect('auth type', found.authType, props.AuthType);
  expect('tenant', found.tenant, { tenantIdentifier: props.TenantIdentifier, tenantDisplayName: props.TenantDisplayName });
  if (!sameCredential(found.credential, expectedCredential(props, secret))) {
    problems.push(`${logicalId} (${shortId(found.appAuthorizationArn)}) does not hold the credential from ${props.CredentialSecretArn.replace(/^.*:secret:/, '')}`);
  }
  if (props.AuthType === 'apiKey') expect('status', found.status, 'Connected');
  return problems;
}

function expectedCredential(props: AppAuthorizationProperties, secret: Record<string, string>): unknown {
  const fields = props.CredentialFields;
  if (props.AuthType === 'apiKey') return { apiKeyCredential: { apiKey: secret[fields.ApiKey ?? 'apiKey'] } };
  return { oauth2Credential: { clientId: secret[fields.ClientId ?? 'clientId'], clientSecret: secret[fields.ClientSecret ?? 'clientSecret'] } };
}

/** Compared without printing either side: both hold secret values. */
function sameCredential(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Nothing the stack does not own was changed: an authorization that existed before the stack and
 * that CloudFormation never came to believe in (never adopted) still exists with its tenant and
 * tags as planted. One that another stack owns keeps its credential and status too (adoption is
 * refused before any write); a console-made one may have lost its credential to a failed adoption
 * (AppFabric never returns a credential, so it cannot be put back; the failure reason says so).
 */
export function nothingForeignChanged(actual: StoredAppAuthorization[], planted: StoredAppAuthorization[],
  everBelieved: ReadonlySet<string>): string[] {
  const violations: string[] = [];
  for (const before of planted) {
    if (everBelieved.has(before.appAuthorizationArn)) continue; // adopted: the stack owned it from then on
    const now = actual.find((a) => a.appAuthorizationArn === before.appAuthorizationArn);
    const owned = before.tags.some((tag) => tag.key === OWNER_STACK_TAG);
    const what = `${owned ? "another stack's" : 'the console-made'} ${shortId(before.appAuthorizationArn)} (${before.app}/${before.tenant.tenantIdentifier})`;
    if (!now) {
      violations.push(`${what} was deleted, though the stack never owned it`);
      continue;
    }
    const compare = (name: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b)) violations.push(`${what} changed its ${name}: ${JSON.stringify(b)} -> ${JSON.stringify(a)}`);
    };
    compare('tenant', now.tenant, before.tenant);
    compare('tags', [...now.tags].sort(byKey), [...before.tags].sort(byKey));
    if (owned) {
      if (!sameCredential(now.credential, before.credential)) violations.push(`${what} changed its credential`);
      compare('status', now.status, before.status);
    }
  }
  return violations;
}

function byKey(a: { key: string }, b: { key: string }): number {
  return a.key.localeCompare(b.key);
}

const STACK_FRAME = /^\s*at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;

/**
 * A delivery CloudFormation heard from: a failure reason is non-empty, carries no stack trace and
 * no secret; nothing the handler printed carries a secret; it answered within its Lambda time.
 */
export function deliveryWasClean(delivery: DeliveryRecord): string[] {
  const violations: string[] = [];
  if (/CANARY/.test(delivery.logs.join('\n'))) violations.push(`${delivery.label}: a secret value (CANARY) appears in the handler's log`);
  if (delivery.killedAfter) return violations; // killed: no answer, no time to keep
  if (!delivery.ok) violations.push(...reasonProblems(delivery.label, delivery.reason ?? ''), ...overstatedWait(delivery));
  if (delivery.elapsedMs > delivery.remainingMs) {
    violations.push(`${delivery.label}: took ${delivery.elapsedMs} ms with ${delivery.remainingMs} ms of Lambda time`);
  }
  return violations;
}

/** A reason that says how long the handler waited must not claim more than the delivery took (1 s of rounding allowed). */
function overstatedWait(delivery: DeliveryRecord): string[] {
  const claim = /(\d+) seconds? after/.exec(delivery.reason ?? '');
  if (!claim || Number(claim[1]) * 1000 <= delivery.elapsedMs + 1000) return [];
  return [`${delivery.label}: the failure reason claims a wait of ${claim[1]} s, but the delivery took ${delivery.elapsedMs} ms: ${delivery.reason}`];
}

function reasonProblems(label: string, reason: string): string[] {
  const problems: string[] = [];
  if (reason.trim() === '') problems.push(`${label}: failed with an empty reason`);
  if (STACK_FRAME.test(reason)) problems.push(`${label}: the failure reason carries a stack trace`);
  if (/CANARY/.test(reason)) problems.push(`${label}: a secret value (CANARY) appears in the failure reason`);
  if (/\[object Object\]|undefined|^Error$/.test(reason)) problems.push(`${label}: the failure reason is not readable: ${reason}`);
  return problems;
}
