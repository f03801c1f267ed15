// The ingestion state handler against the AppFabric emulator over HTTP.
import { stateChange } from '../../src/ingestion/handler/ingestion-state';
import { handler as ingestionStateFunction } from '../../src/ingestion/handler/ingestion-state.lambda';
import { IngestionStateProperties } from '../../src/ingestion/properties';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';
import { asCloudFormation } from '../support/cloudformation';
import { useEmulatorEnvironment } from '../support/emulator-environment';
import { customResourceEvent, lambdaContext } from '../support/handler-harness';

const handler = asCloudFormation(ingestionStateFunction);

let emulator: AppFabricEmulator;
let restoreEnvironment: () => void;
beforeEach(async () => {
  emulator = await AppFabricEmulator.start();
  restoreEnvironment = useEmulatorEnvironment({ appfabric: emulator.endpoint });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(async () => {
  jest.restoreAllMocks();
  restoreEnvironment();
  await emulator.close();
});

function event(requestType: 'Create' | 'Update' | 'Delete', props: IngestionStateProperties) {
  return customResourceEvent({ type: 'Custom::AppFabricIngestionState', stackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/S/1', logicalResourceId: 'LogsState' },
    requestType, props, { physicalResourceId: requestType === 'Create' ? undefined : `${props.IngestionArn}/state` });
}

function ingestion(state: 'enabled' | 'disabled') {
  const appBundleArn = emulator.createAppBundle();
  const made = emulator.putIngestion({ appBundleArn, app: 'ASANA', tenantId: '1200', state });
  return { AppBundleArn: appBundleArn, IngestionArn: made.arn };
}

test('an ingestion created disabled is started: it delivers after the deploy', async () => {
  const props = { ...ingestion('disabled'), Enabled: 'true' };
  const response = await handler(event('Create', props), lambdaContext());
  expect(response.Data).toEqual({ State: 'enabled' });
  expect(emulator.ingestionState(props.IngestionArn)?.state).toBe('enabled');
  expect(emulator.requests.map((r) => r.operation)).toEqual(['GetIngestion', 'StartIngestion']);
});

test('an ingestion already enabled is left alone (one read)', async () => {
  const props = { ...ingestion('enabled'), Enabled: 'true' };
  await handler(event('Create', props), lambdaContext());
  expect(emulator.requests.map((r) => r.operation)).toEqual(['GetIngestion']);
});

test('enabled: false stops it, and a later update starts it again', async () => {
  const stopped = { ...ingestion('enabled'), Enabled: 'false' };
  expect((await handler(event('Create', stopped), lambdaContext())).Data).toEqual({ State: 'disabled' });
  expect(emulator.ingestionState(stopped.IngestionArn)?.state).toBe('disabled');
  await handler(event('Update', { ...stopped, Enabled: 'true' }), lambdaContext());
  expect(emulator.ingestionState(stopped.IngestionArn)?.state).toBe('enabled');
});

test('Delete calls nothing: the ingestion goes with its own resource', async () => {
  const props = { ...ingestion('enabled'), Enabled: 'true' };
  await handler(event('Delete', props), lambdaContext());
  expect(emulator.count()).toBe(0);
});

test('stateChange', () => {
  expect([stateChange('enabled', true), stateChange('disabled', true), stateChange('enabled', false), stateChange('disabled', false)])
    .toEqual([undefined, 'start', 'stop', undefined]);
});
