// Follows a rotated secret: sends the current credential to AppFabric and, for apiKey, connects
// and verifies it. It acts only for the exact secret it follows (the event's full ARN against the
// one Secrets Manager returns with the value). Safe under duplicate and out-of-order events: it
// always applies the secret's *current* version and records that version in a tag (as Create and
// in-place Updates do), so an event whose version is already applied (or older) changes nothing.
import { Dependencies, connectIfApiKey, readCredential } from './events';
import { bundleArnOf } from './lifecycle';
import { CREDENTIAL_VERSION_TAG, RotationEvent } from '../properties';

export type RotationOutcome = 'updated' | 'unchanged' | 'pending-consent' | 'another-secret';

export async function followRotation(event: RotationEvent, deps: Dependencies): Promise<RotationOutcome> {
  const props = event.authorization;
  const arn = props.AppAuthorizationArn;
  const credential = await readCredential(props, deps);
  const followed = deps.secrets.fullArnOf(props.CredentialSecretArn) ?? props.CredentialSecretArn;
  if (!isEventFor(event, followed)) {
    deps.log(`the event is about ${event.secretArn}, not ${followed} (the secret ${arn} follows): nothing to do`);
    return 'another-secret';
  }
  const tags = await deps.appfabric.listTagsForResource(arn);
  const applied = tags.find((tag) => tag.key === CREDENTIAL_VERSION_TAG)?.value;
  const current = deps.secrets.versionIdOf(props.CredentialSecretArn);
  deps.log(`rotation of ${props.CredentialSecretArn} announced version ${event.versionId ?? '?'}; current ${current}, applied ${applied ?? 'none recorded'}`);
  if (current !== undefined && current === applied) {
    deps.log(`${arn} already has version ${current}: nothing to do`);
    return 'unchanged';
  }
  let authorization = await deps.appfabric.updateAppAuthorization(bundleArnOf(arn), arn, { credential });
  authorization = await connectIfApiKey(authorization, props, deps);
  if (current !== undefined) {
    await deps.appfabric.tagResource(arn, [{ key: CREDENTIAL_VERSION_TAG, value: current }]);
  }
  if (authorization.status !== 'Connected') {
    // OAuth: a new client credential needs a new approval. The monitor's alarm reports it.
    deps.log(`WARNING: ${props.App} for tenant '${props.TenantIdentifier}' is ${authorization.status} after the new credential: ` +
      'an administrator must open the AuthUrl and connect again');
    return 'pending-consent';
  }
  deps.log(`${arn} now uses version ${current} and is Connected`);
  return 'updated';
}

/** Whether the event names exactly the followed secret (full ARNs, suffix included). */
export function isEventFor(event: RotationEvent, followedFullArn: string): boolean {
  return event.secretArn === undefined || event.secretArn === followedFullArn;
}
