// onEvent entry of Custom::AppFabricAppAuthorization (bundled by projen into assets/).
import { AppAuthorizationEvent, AppAuthorizationResponse, onEvent } from './events';
import { AppFabricClient } from '../../internal/appfabric-client';
import { HandlerContext, REPORT_MARGIN_MS, deadlineFrom } from '../../internal/cfn-events';
import { SecretReader } from '../../internal/secrets';

export async function handler(event: AppAuthorizationEvent, context?: HandlerContext): Promise<AppAuthorizationResponse> {
  const deadline = deadlineFrom(context);
  // Removing what a failing event made may use half of the margin kept for reporting: the event's
  // own deadline has often passed by then (that is why it failed).
  const cleanupDeadline = Math.max(deadline, Date.now() + (context?.getRemainingTimeInMillis() ?? 5 * 60_000) - REPORT_MARGIN_MS / 2);
  const log = (line: string) => console.log(line);
  const appfabric = new AppFabricClient({ deadline: () => deadline, log });
  const cleanup = new AppFabricClient({ deadline: () => cleanupDeadline, log });
  try {
    return await onEvent(event, { appfabric, cleanup, secrets: new SecretReader(), log, deadline, cleanupDeadline });
  } catch (error) {
    // The message becomes the CloudFormation failure reason; it never carries a secret value.
    const message = error instanceof Error ? error.message : String(error);
    console.log(`FAILED ${event.RequestType} ${event.LogicalResourceId}: ${message}`);
    throw new Error(message);
  }
}
