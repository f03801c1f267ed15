// Per-event wall time and requests: the bundled handler, loaded in this process, serves each kind
// of CloudFormation event against the emulators with a fixed injected latency. Requests per event
// come from the emulators' request logs.
import {
  EmulatedAws, Handler, createEvent, deleteEvent, lambdaContext, loadBundledHandler, updateEvent,
} from './handler-environment';
import { groupCount, median } from './stats';
import type { AppAuthorizationEvent } from '../src/app-authorization/handler/events';
import type { AppAuthorizationProperties } from '../src/app-authorization/properties';

/** AppFabric operations that change state; the others read. */
export const APPFABRIC_WRITES = new Set([
  'CreateAppAuthorization', 'UpdateAppAuthorization', 'ConnectAppAuthorization', 'DeleteAppAuthorization', 'TagResource', 'UntagResource',
]);

export type EventKind =
  | 'oauth2 Create' | 'Update, properties unchanged' | 'Update in place: tenant display name' | 'Update in place: credential secret'
  | 'oauth2 Delete' | 'apiKey Create (connect, Connected at once)' | 'apiKey Delete';

export interface EventMeasurement {
  readonly kind: EventKind;
  readonly wallMs: number[];
  readonly medianWallMs: number;
  /** AppFabric requests by operation (the same in every run, else the largest count seen). */
  readonly appfabricRequests: Record<string, number>;
  readonly secretsManagerRequests: Record<string, number>;
  readonly appfabricWrites: number;
  readonly appfabricReads: number;
  /** Whether every run made the same requests. */
  readonly consistent: boolean;
}

export interface HandlerEventResults {
  readonly latencyMs: number;
  readonly runs: number;
  readonly events: EventMeasurement[];
}

interface Sample {
  readonly wallMs: number;
  readonly appfabric: Record<string, number>;
  readonly secrets: Record<string, number>;
}

export async function measureHandlerEvents(latencyMs: number, runs: number, log: (line: string) => void): Promise<HandlerEventResults> {
  const aws = await EmulatedAws.start({ latencyMs });
  const { handler, restore } = loadBundledHandler(aws, []);
  const samples = new Map<EventKind, Sample[]>();
  try {
    // Run 0 warms up this process (module loading, JIT, SDK client) and is not recorded.
    for (let run = 0; run <= runs; run++) {
      const record = (kind: EventKind, sample: Sample) => {
        if (run > 0) samples.set(kind, [...(samples.get(kind) ?? []), sample]);
      };
      await oauth2Lifecycle(aws, handler, `run${run}`, record);
      await apiKeyLifecycle(aws, handler, `run${run}`, record);
    }
  } finally {
    restore();
    await aws.close();
  }
  log(`handler events: ${runs} runs of each event at ${latencyMs} ms latency done`);
  return { latencyMs, runs, events: [...samples].map(([kind, kindSamples]) => summarize(kind, kindSamples)) };
}

type Recorder = (kind: EventKind, sample: Sample) => void;

async function oauth2Lifecycle(aws: EmulatedAws, handler: Handler, suffix: string, record: Recorder): Promise<void> {
  const logicalId = `Slack${suffix}`;
  const props = aws.oauth2Properties(`oauth-${suffix}`);
  const created = await timed(aws, handler, createEvent(props, logicalId));
  record('oauth2 Create', created.sample);
  const arn = created.physicalResourceId;

  record('Update, properties unchanged', (await timed(aws, handler, updateEvent(props, props, logicalId, arn))).sample);

  const renamed: AppAuthorizationProperties = { ...props, TenantDisplayName: `${props.TenantDisplayName} (renamed)` };
  record('Update in place: tenant display name', (await timed(aws, handler, updateEvent(renamed, props, logicalId, arn))).sample);

  const rotatedSecret = aws.oauth2Properties(`oauth-${suffix}-new-secret`).CredentialSecretArn;
  const newCredential: AppAuthorizationProperties = { ...renamed, CredentialSecretArn: rotatedSecret };
  record('Update in place: credential secret', (await timed(aws, handler, updateEvent(newCredential, renamed, logicalId, arn))).sample);

  record('oauth2 Delete', (await timed(aws, handler, deleteEvent(newCredential, logicalId, arn))).sample);
}

async function apiKeyLifecycle(aws: EmulatedAws, handler: Handler, suffix: string, record: Recorder): Promise<void> {
  const logicalId = `Asana${suffix}`;
  const props = aws.apiKeyProperties(`key-${suffix}`);
  const created = await timed(aws, handler, createEvent(props, logicalId));
  record('apiKey Create (connect, Connected at once)', created.sample);
  record('apiKey Delete', (await timed(aws, handler, deleteEvent(props, logicalId, created.physicalResourceId))).sample);
}

async function timed(aws: EmulatedAws, handler: Handler, event: AppAuthorizationEvent): Promise<{ sample: Sample; physicalResourceId: string }> {
  const mark = aws.requestMark();
  const start = process.hrtime.bigint();
  const response = await handler(event, lambdaContext());
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const requests = aws.requestsSince(mark);
  return {
    physicalResourceId: response.PhysicalResourceId,
    sample: {
      wallMs,
      appfabric: groupCount(requests.appfabric, (r) => r.operation),
      secrets: groupCount(requests.secrets, (r) => r.operation),
    },
  };
}

function summarize(kind: EventKind, samples: Sample[]): EventMeasurement {
  const signature = (s: Sample) => JSON.stringify([sortedEntries(s.appfabric), sortedEntries(s.secrets)]);
  const appfabricRequests = largestCounts(samples.map((s) => s.appfabric));
  const writes = Object.entries(appfabricRequests).filter(([op]) => APPFABRIC_WRITES.has(op)).reduce((n, [, c]) => n + c, 0);
  const all = Object.values(appfabricRequests).reduce((n, c) => n + c, 0);
  return {
    kind,
    wallMs: samples.map((s) => s.wallMs),
    medianWallMs: median(samples.map((s) => s.wallMs)),
    appfabricRequests,
    secretsManagerRequests: largestCounts(samples.map((s) => s.secrets)),
    appfabricWrites: writes,
    appfabricReads: all - writes,
    consistent: new Set(samples.map(signature)).size === 1,
  };
}

function largestCounts(counts: Array<Record<string, number>>): Record<string, number> {
  const largest: Record<string, number> = {};
  for (const entry of counts) {
    for (const [operation, count] of Object.entries(entry)) largest[operation] = Math.max(largest[operation] ?? 0, count);
  }
  return largest;
}

function sortedEntries(record: Record<string, number>): Array<[string, number]> {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
