// Entry of the rotation follower: invoked by an EventBridge rule on Secrets Manager's
// `Secret Label Updated` event for an authorization's secret (bundled by projen into assets/).
import { AppFabricClient } from '../../internal/appfabric-client';
import { HandlerContext, deadlineFrom } from '../../internal/cfn-events';
import { SecretReader } from '../../internal/secrets';
import { RotationEvent } from '../properties';
import { RotationOutcome, followRotation } from './rotation';

export async function handler(event: RotationEvent, context?: HandlerContext): Promise<RotationOutcome> {
  const deadline = deadlineFrom(context);
  const log = (line: string) => console.log(line);
  const appfabric = new AppFabricClient({ deadline: () => deadline, log });
  return followRotation(event, { appfabric, secrets: new SecretReader(), log, deadline });
}
