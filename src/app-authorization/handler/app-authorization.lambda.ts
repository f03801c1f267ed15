// onEvent entry of Custom::AppFabricAppAuthorization (bundled by projen into assets/).
import { AppAuthorizationEvent, AppAuthorizationResponse, onEvent } from './events';
import { AppFabricClient } from '../../internal/appfabric-client';
import { HandlerContext, deadlineFrom } from '../../internal/cfn-events';
import { SecretReader } from '../../internal/secrets';

export async function handler(event: AppAuthorizationEvent, context?: HandlerContext): Promise<AppAuthorizationResponse> {
  const deadline = deadlineFrom(context);
  const log = (line: string) => console.log(line);
  const appfabric = new AppFabricClient({ deadline: () => deadline, log });
  try {
    return await onEvent(event, { appfabric, secrets: new SecretReader(), log, deadline });
  } catch (error) {
    // The message becomes the CloudFormation failure reason; it never carries a secret value.
    const message = error instanceof Error ? error.message : String(error);
    console.log(`FAILED ${event.RequestType} ${event.LogicalResourceId}: ${message}`);
    throw new Error(message);
  }
}
