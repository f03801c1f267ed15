// Throttling: a batch of concurrent Create events (distinct logical ids and tenants), as
// CloudFormation sends them for a stack with many authorizations, against an AppFabric emulator
// with a token-bucket rate limit. The emulator's 429s carry Retry-After in whole seconds (ceil).
import { EmulatedAws, createEvent, lambdaContext, loadBundledHandler } from './handler-environment';
import { median } from './stats';
import type { AppFabricEmulator } from '../test/emulators/appfabric-emulator';

export interface ThrottleResults {
  readonly events: number;
  readonly perSecond: number;
  readonly latencyMs: number;
  readonly succeeded: number;
  readonly failures: string[];
  readonly totalMs: number;
  /** events / perSecond. */
  readonly idealMs: number;
  /** The emulator's bucket starts full (burst = perSecond): the fastest any client could finish. */
  readonly bucketBoundMs: number;
  readonly ratioToIdeal: number;
  readonly appfabricRequests: number;
  readonly throttled429: number;
  readonly retryAfterValues: Record<string, number>;
  readonly maxAttemptsPerEvent: number;
  readonly medianCompletionMs: number;
  /** Sum of the waits the handler logged before its retries, over all events. */
  readonly totalRetryWaitMs: number;
  readonly retries: number;
}

export async function measureThrottledBatch(bundlePath: string, events: number, perSecond: number, latencyMs: number,
  log: (line: string) => void): Promise<ThrottleResults> {
  const aws = await EmulatedAws.start({ latencyMs, appFabricPerSecond: perSecond });
  const retryAfterValues = observeRetryAfter(aws.appfabric);
  const handlerLog: string[] = [];
  const { handler, restore } = loadBundledHandler(bundlePath, aws.handlerEnvironment(), handlerLog);
  try {
    const batch = Array.from({ length: events }, (_, i) => createEvent(aws.oauth2Properties(`batch-${i + 1}`), `Authorization${i + 1}`));
    const completions: number[] = [];
    const failures: string[] = [];
    const start = Date.now();
    const all = Promise.all(batch.map(async (event) => {
      try {
        await handler(event, lambdaContext());
        completions.push(Date.now() - start);
      } catch (error) {
        failures.push(`${event.LogicalResourceId}: ${(error as Error).message}`);
      }
    }));
    await withTimeout(all, 150_000, `the throttled batch did not finish within 150 s (${completions.length} of ${events} done)`);
    const totalMs = Date.now() - start;
    log(`throttling: ${events} concurrent Creates at ${perSecond}/s took ${totalMs} ms`);

    const creates = aws.appfabric.requests.filter((r) => r.operation === 'CreateAppAuthorization');
    const attemptsByToken = new Map<string, number>();
    for (const request of creates) {
      const token = String(request.requestBody?.clientToken);
      attemptsByToken.set(token, (attemptsByToken.get(token) ?? 0) + 1);
    }
    const throttled = aws.appfabric.requests.filter((r) => r.status === 429);
    const waits = handlerLog.map((line) => /retrying in (\d+) ms/.exec(line)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1]));
    return {
      events,
      perSecond,
      latencyMs,
      succeeded: completions.length,
      failures,
      totalMs,
      idealMs: (events / perSecond) * 1000,
      bucketBoundMs: (Math.max(0, events - perSecond) / perSecond) * 1000,
      ratioToIdeal: totalMs / ((events / perSecond) * 1000),
      appfabricRequests: aws.appfabric.requests.length,
      throttled429: throttled.length,
      retryAfterValues,
      maxAttemptsPerEvent: Math.max(...attemptsByToken.values()),
      medianCompletionMs: completions.length > 0 ? median(completions) : NaN,
      totalRetryWaitMs: waits.reduce((s, w) => s + w, 0),
      retries: waits.length,
    };
  } finally {
    restore();
    await aws.close();
  }
}

/**
 * Counts the Retry-After values (seconds) of the emulator's throttling answers. The request log
 * does not keep response headers, so this wraps the emulator's protected `throttled` method.
 */
function observeRetryAfter(emulator: AppFabricEmulator): Record<string, number> {
  const histogram: Record<string, number> = {};
  const target = emulator as unknown as { throttled(retryAfterSeconds: number): unknown };
  const original = target.throttled.bind(emulator);
  target.throttled = (retryAfterSeconds: number) => {
    histogram[`${retryAfterSeconds} s`] = (histogram[`${retryAfterSeconds} s`] ?? 0) + 1;
    return original(retryAfterSeconds);
  };
  return histogram;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
