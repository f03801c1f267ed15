// onEvent entry of Custom::AppFabricIngestionState (bundled by projen into assets/).
import { IngestionStateEvent, onEvent } from './ingestion-state';
import { AppFabricClient } from '../../internal/appfabric-client';
import { HandlerContext, deadlineFrom } from '../../internal/cfn-events';

export async function handler(event: IngestionStateEvent, context?: HandlerContext) {
  const deadline = deadlineFrom(context, 60_000);
  const log = (line: string) => console.log(line);
  try {
    return await onEvent(event, new AppFabricClient({ deadline: () => deadline, log }), log);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.log(`FAILED ${event.RequestType} ${event.LogicalResourceId}: ${message}`);
    throw new Error(message);
  }
}
