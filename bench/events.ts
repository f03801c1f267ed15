// Per CloudFormation event: the Lambda invocations it costs, the requests the handler makes and
// its wall time. The function the template's ServiceToken names is loaded in this process and
// CloudFormation's stand-in delivers each event to it, reading the answer PUT to the ResponseURL.
// Invocations are counted as they happen: the stand-in's calls of the function, plus every
// request to the Lambda service's endpoint (where a function invoking another one would go).
import { EmulatedAws, createEvent, deleteEvent, lambdaContext, loadBundledHandler, updateEvent } from './handler-environment';
import { groupCount, median } from './stats';
import type { AppAuthorizationEvent } from '../src/app-authorization/handler/events';
import type { AppAuthorizationProperties } from '../src/app-authorization/properties';

export type EventKind =
  | 'oauth2 Create' | 'Update, properties unchanged' | 'Update in place: tenant display name' | 'Update in place: credential secret'
  | 'oauth2 Delete' | 'apiKey Create (connected at once)' | 'apiKey Delete';

export interface EventMeasurement {
  readonly kind: EventKind;
  readonly medianWallMs: number;
  /** Lambda invocations per event (the largest count seen). */
  readonly invocations: number;
  /** AppFabric requests by operation (the largest count seen). */
  readonly appfabricRequests: Record<string, number>;
  readonly secretsManagerRequests: Record<string, number>;
  /** Whether every run made the same invocations and requests. */
  readonly consistent: boolean;
}

export interface EventResults {
  readonly latencyMs: number;
  readonly runs: number;
  readonly events: EventMeasurement[];
}

interface Sample {
  readonly wallMs: number;
  readonly invocations: number;
  readonly appfabric: Record<string, number>;
  readonly secrets: Record<string, number>;
}

export async function measureEvents(bundlePath: string, latencyMs: number, runs: number, log: (line: string) => void): Promise<EventResults> {
  const aws = await EmulatedAws.start({ latencyMs });
  let invocations = 0;
  const { handler, restore } = loadBundledHandler(bundlePath, aws.handlerEnvironment(), [], () => { invocations++; });
  const samples = new Map<EventKind, Sample[]>();
  const deliver = async (event: AppAuthorizationEvent): Promise<{ sample: Sample; physicalResourceId: string }> => {
    const mark = aws.requestMark();
    const invocationsBefore = invocations + aws.lambda.requests;
    const start = process.hrtime.bigint();
    const result = await handler(event, lambdaContext());
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const requests = aws.requestsSince(mark);
    return {
      physicalResourceId: result.PhysicalResourceId,
      sample: {
        wallMs,
        invocations: invocations + aws.lambda.requests - invocationsBefore,
        appfabric: groupCount(requests.appfabric, (r) => r.operation),
        secrets: groupCount(requests.secrets, (r) => r.operation),
      },
    };
  };
  try {
    // Run 0 warms up this process (module loading, JIT) and is not recorded.
    for (let run = 0; run <= runs; run++) {
      const record = (kind: EventKind, sample: Sample) => {
        if (run > 0) samples.set(kind, [...(samples.get(kind) ?? []), sample]);
      };
      await oauth2Lifecycle(aws, deliver, `run${run}`, record);
      await apiKeyLifecycle(aws, deliver, `run${run}`, record);
    }
  } finally {
    restore();
    await aws.close();
  }
  log(`events: ${runs} runs of each event at ${latencyMs} ms latency done`);
  return { latencyMs, runs, events: [...samples].map(([kind, kindSamples]) => summarize(kind, kindSamples)) };
}

type Deliver = (event: AppAuthorizationEvent) => Promise<{ sample: Sample; physicalResourceId: string }>;
type Recorder = (kind: EventKind, sample: Sample) => void;

async function oauth2Lifecycle(aws: EmulatedAws, deliver: Deliver, suffix: string, record: Recorder): Promise<void> {
  const logicalId = `Slack${suffix}`;
  const props = aws.oauth2Properties(`oauth-${suffix}`);
  const created = await deliver(createEvent(props, logicalId));
  record('oauth2 Create', created.sample);
  const arn = created.physicalResourceId;
  record('Update, properties unchanged', (await deliver(updateEvent(props, props, logicalId, arn))).sample);
  const renamed: AppAuthorizationProperties = { ...props, TenantDisplayName: `${props.TenantDisplayName} (renamed)` };
  record('Update in place: tenant display name', (await deliver(updateEvent(renamed, props, logicalId, arn))).sample);
  const newCredential: AppAuthorizationProperties = { ...renamed, CredentialSecretArn: aws.oauth2Properties(`oauth-${suffix}-new`).CredentialSecretArn };
  record('Update in place: credential secret', (await deliver(updateEvent(newCredential, renamed, logicalId, arn))).sample);
  record('oauth2 Delete', (await deliver(deleteEvent(newCredential, logicalId, arn))).sample);
}

async function apiKeyLifecycle(aws: EmulatedAws, deliver: Deliver, suffix: string, record: Recorder): Promise<void> {
  const logicalId = `Asana${suffix}`;
  const props = aws.apiKeyProperties(`key-${suffix}`);
  const created = await deliver(createEvent(props, logicalId));
  record('apiKey Create (connected at once)', created.sample);
  record('apiKey Delete', (await deliver(deleteEvent(props, logicalId, created.physicalResourceId))).sample);
}

function summarize(kind: EventKind, samples: Sample[]): EventMeasurement {
  const signature = (s: Sample) => JSON.stringify([s.invocations, sortedEntries(s.appfabric), sortedEntries(s.secrets)]);
  return {
    kind,
    medianWallMs: median(samples.map((s) => s.wallMs)),
    invocations: Math.max(...samples.map((s) => s.invocations)),
    appfabricRequests: largestCounts(samples.map((s) => s.appfabric)),
    secretsManagerRequests: largestCounts(samples.map((s) => s.secrets)),
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

/** "1× CreateAppAuthorization, 1× ConnectAppAuthorization", or "none". */
export function describeRequests(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([operation, count]) => `${count}× ${operation}`).join(', ');
}
