// The custom resource runtime, driven as CloudFormation drives it: an event whose ResponseURL
// points at a local HTTP server, and the answer read from what was PUT there.
import { randomUUID } from 'node:crypto';
import {
  CREATE_FAILED_PHYSICAL_ID, CustomResourceEvent, CustomResourceResult, MAX_RESPONSE_BYTES, customResourceHandler,
} from '../../src/internal/custom-resource';
import { forgetSecretsForTesting, rememberSecret } from '../../src/internal/scrub';
import { ResponseEndpoint, deliver, lambdaContext } from '../support/cloudformation';

const CANARY = 'CANARY-runtime-secret-0123456789';

function event(requestType: 'Create' | 'Update' | 'Delete', physicalResourceId?: string): CustomResourceEvent<{ Name: string }> {
  return {
    RequestType: requestType,
    RequestId: randomUUID(),
    StackId: 'arn:aws:cloudformation:us-east-1:111122223333:stack/RuntimeTest/5f3c2a10-0000-4000-8000-000000000003',
    LogicalResourceId: 'Thing1A2B3C4D',
    ResourceType: 'Custom::Thing',
    ResponseURL: '',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { Name: 'thing' },
  };
}

let logs: string[];
let logSpy: jest.SpyInstance;
beforeEach(() => {
  logs = [];
  logSpy = jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { logs.push(args.map(String).join(' ')); });
});
afterEach(() => {
  logSpy.mockRestore();
  forgetSecretsForTesting();
});

describe('the answer', () => {
  test('SUCCESS carries the physical id and Data, PUT with an empty content type', async () => {
    const handler = customResourceHandler(async () => ({ PhysicalResourceId: 'thing-1', Data: { Url: 'https://example.com' } }));
    const delivery = await deliver(handler, event('Create'));
    expect(delivery.answers).toHaveLength(1);
    expect(delivery.answers[0].contentType).toBe('');
    expect(delivery.answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'thing-1', Data: { Url: 'https://example.com' }, LogicalResourceId: 'Thing1A2B3C4D' });
  });

  test('anything thrown is answered FAILED with its message; a failed Create gets the marker id', async () => {
    const handler = customResourceHandler(async () => {
      throw new TypeError('the declared thing is not possible. Declare another.');
    });
    const created = await deliver(handler, event('Create'));
    expect(created.answer).toMatchObject({ Status: 'FAILED', Reason: 'the declared thing is not possible. Declare another.', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID });
    const updated = await deliver(handler, event('Update', 'thing-1'));
    expect(updated.answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'thing-1' });
  });

  test("the Delete of a failed Create's marker is answered SUCCESS without running the handler", async () => {
    const onEvent = jest.fn(async (): Promise<CustomResourceResult<never>> => ({ PhysicalResourceId: 'never' }));
    const delivery = await deliver(customResourceHandler(onEvent), event('Delete', CREATE_FAILED_PHYSICAL_ID));
    expect(delivery.answer).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID });
    expect(onEvent).not.toHaveBeenCalled();
  });

  test('is retried when the ResponseURL fails', async () => {
    const endpoint = await ResponseEndpoint.start({ failFirst: 2 });
    try {
      const delivery = await deliver(customResourceHandler(async () => ({ PhysicalResourceId: 'thing-1' })), event('Create'), lambdaContext(), endpoint);
      expect(endpoint.refused).toBe(2);
      expect(delivery.answers).toHaveLength(1);
      expect(delivery.answer?.Status).toBe('SUCCESS');
      expect(logs.filter((line) => /^answer attempt \d failed: HTTP 500/.test(line.replace(/ to 127\.0\.0\.1:\d+/, '')))).toHaveLength(2);
      // The presigned URL's query (its signature) never reaches the log.
      expect(logs.join('\n')).not.toContain('X-Amz-Signature');
    } finally {
      await endpoint.close();
    }
  });

  test('a reason too long for CloudFormation is cut so that the whole body fits, and says so', async () => {
    const long = `first words ${'é'.repeat(5_000)} last words`;
    const delivery = await deliver(customResourceHandler(async () => {
      throw new Error(long);
    }), event('Update', 'thing-1'));
    expect(delivery.answers[0].bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(delivery.answers[0].bytes).toBeGreaterThan(MAX_RESPONSE_BYTES - 100);
    expect(delivery.answer?.Reason).toMatch(/^first words é+ \[reason cut to fit CloudFormation's 4096-byte response limit\]$/);
  });

  test('Data too large to deliver fails the event instead of losing the answer', async () => {
    const delivery = await deliver(customResourceHandler(async () => ({ PhysicalResourceId: 'thing-1', Data: { Big: 'x'.repeat(5_000) } })), event('Create'));
    expect(delivery.answers[0].bytes).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(delivery.answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID });
    expect(delivery.answer?.Reason).toMatch(/Data is \d+ bytes; CloudFormation accepts at most 4096 bytes/);
  });
});

describe('secrets', () => {
  test('are scrubbed from the reason, Data, the physical id and every log line', async () => {
    rememberSecret(CANARY);
    const handler = customResourceHandler(async (): Promise<CustomResourceResult<unknown>> => {
      throw new Error(`AppFabric said: Value '${CANARY}' at 'credential.apiKey' failed (${encodeURIComponent(CANARY)})`);
    });
    const failed = await deliver(handler, event('Create'));
    const succeeded = await deliver(customResourceHandler(async () => ({ PhysicalResourceId: `id-${CANARY}`, Data: { Nested: { Echo: CANARY } } })), event('Create'));
    const everything = JSON.stringify([failed.answers, succeeded.answers, logs]);
    expect(everything).not.toContain('CANARY-runtime');
    expect(failed.answer?.Reason).toMatch(/^AppFabric said: Value '\*\*\*' at 'credential.apiKey' failed/);
  });
});

describe('time', () => {
  test('a handler that hangs is answered FAILED before the Lambda timeout, saying why', async () => {
    const started = Date.now();
    const remainingMs = 4_500;
    const handler = customResourceHandler(() => new Promise<CustomResourceResult<never>>(() => undefined));
    const delivery = await deliver(handler, event('Update', 'thing-1'), lambdaContext(remainingMs));
    expect(Date.now() - started).toBeLessThan(remainingMs);
    expect(delivery.answer).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'thing-1' });
    expect(delivery.answer?.Reason).toMatch(/^Update of Thing1A2B3C4D did not finish within \d+ s: it was stopped to answer CloudFormation before the Lambda timeout\. /);
  });

  test('the handler gets deadlines that leave time to clean up and to answer', async () => {
    let seen: { deadline: number; cleanupDeadline: number } | undefined;
    const before = Date.now();
    await deliver(customResourceHandler(async (_event, deadlines) => {
      seen = deadlines;
      return { PhysicalResourceId: 'thing-1' };
    }), event('Create'), lambdaContext(60_000));
    expect(seen!.deadline).toBeLessThanOrEqual(before + 60_000 - 10_000 + 50);
    expect(seen!.cleanupDeadline).toBeGreaterThan(seen!.deadline);
    expect(seen!.cleanupDeadline).toBeLessThanOrEqual(before + 60_000 - 5_000 + 50);
  });
});
