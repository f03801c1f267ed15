// Entry of Custom::AppFabricIngestionState (bundled by projen into assets/).
import { IngestionStateEvent, onEvent } from './ingestion-state';
import { AppFabricClient } from '../../internal/appfabric-client';
import { customResourceHandler, log } from '../../internal/custom-resource';

export const handler = customResourceHandler((event: IngestionStateEvent, { deadline }) => onEvent(event, {
  appfabric: new AppFabricClient({ deadline: () => deadline, log }),
  log,
}));
