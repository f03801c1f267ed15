// Brings an ingestion to the declared state: StartIngestion or StopIngestion when it is not
// there yet. CloudFormation creates and deletes the ingestion itself (AWS::AppFabric::Ingestion);
// no document states the state right after creation, so it is read rather than assumed.
import { AppFabricApi } from '../../internal/appfabric-client';
import { CustomResourceEvent, CustomResourceResult } from '../../internal/custom-resource';
import { IngestionStateData, IngestionStateProperties } from '../properties';

export type IngestionStateEvent = CustomResourceEvent<IngestionStateProperties>;

export interface Dependencies {
  readonly appfabric: AppFabricApi;
  readonly log: (line: string) => void;
}

/** The call that brings `current` to `enabled`, if any. Pure. */
export function stateChange(current: string, enabled: boolean): 'start' | 'stop' | undefined {
  if (enabled) {
    return current === 'enabled' ? undefined : 'start';
  }
  return current === 'disabled' ? undefined : 'stop';
}

export async function onEvent(event: IngestionStateEvent, deps: Dependencies): Promise<CustomResourceResult<IngestionStateData>> {
  const { appfabric, log } = deps;
  const props = event.ResourceProperties;
  const physicalResourceId = `${props.IngestionArn}/state`;
  if (event.RequestType === 'Delete') {
    // The ingestion goes with its own resource; its state needs no cleanup.
    return { PhysicalResourceId: event.PhysicalResourceId ?? physicalResourceId };
  }
  const current = await appfabric.getIngestionState(props.AppBundleArn, props.IngestionArn);
  const change = stateChange(current, props.Enabled === 'true');
  if (change === 'start') {
    await appfabric.startIngestion(props.AppBundleArn, props.IngestionArn);
  } else if (change === 'stop') {
    await appfabric.stopIngestion(props.AppBundleArn, props.IngestionArn);
  }
  const state = change ? (change === 'start' ? 'enabled' : 'disabled') : current;
  log(`${props.IngestionArn}: ${current}${change ? ` -> ${state}` : ' (as declared)'}`);
  return { PhysicalResourceId: physicalResourceId, Data: { State: state } };
}
