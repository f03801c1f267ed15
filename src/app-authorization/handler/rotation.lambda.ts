// Entry of the rotation follower: invoked by an EventBridge rule on Secrets Manager's
// `Secret Label Updated` event for an authorization's secret (bundled by projen into assets/).
// A thrown error fails the invocation: Lambda retries it, then sends the event to the follower's
// dead-letter queue, whose alarm makes the failed follow visible.
import { RotationOutcome, followRotation } from './rotation';
import { AppFabricClient } from '../../internal/appfabric-client';
import { LambdaContext, deadlinesFrom, log, messageOf } from '../../internal/custom-resource';
import { scrub } from '../../internal/scrub';
import { SecretReader } from '../../internal/secrets';
import { RotationEvent } from '../properties';

export async function handler(event: RotationEvent, context: LambdaContext): Promise<RotationOutcome> {
  const { deadline } = deadlinesFrom(context);
  try {
    const appfabric = new AppFabricClient({ deadline: () => deadline, log });
    return await followRotation(event, { appfabric, secrets: new SecretReader({ deadline: () => deadline, log }), log, deadline });
  } catch (error) {
    log(`FAILED to follow the rotation of ${event.authorization.CredentialSecretArn} for ${event.authorization.AppAuthorizationArn}: ${messageOf(error)}`);
    // Lambda writes a thrown error to the log itself: throw only the scrubbed message.
    throw new Error(scrub(messageOf(error)));
  }
}
