// The custom resource runtime every handler of this library runs in. CloudFormation invokes the
// handler's function directly (the ServiceToken is its ARN) and waits for an answer PUT to the
// event's ResponseURL, as aws-cdk-lib's own CustomResourceProvider does. This module owns that
// answer: SUCCESS with the handler's physical id and Data, FAILED for anything thrown, FAILED
// before the Lambda's own timeout when the work hangs, the answer retried, its reason scrubbed
// and cut to fit CloudFormation's limit. It also owns the deadline and the one logger.
import * as http from 'node:http';
import * as https from 'node:https';
import { scrub, scrubDeep } from './scrub';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** A CloudFormation custom resource event, as delivered to the function. */
export interface CustomResourceEvent<P> {
  readonly RequestType: RequestType;
  readonly RequestId: string;
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  /** The presigned S3 URL the answer is PUT to. */
  readonly ResponseURL: string;
  readonly ServiceToken?: string;
  /** Set on Update and Delete. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: P & { readonly ServiceToken?: string; readonly ServiceTimeout?: string };
  /** Set on Update. */
  readonly OldResourceProperties?: P & { readonly ServiceToken?: string; readonly ServiceTimeout?: string };
}

/** What a handler's onEvent returns for an event it completed. */
export interface CustomResourceResult<D> {
  readonly PhysicalResourceId: string;
  readonly Data?: D;
}

/** The body PUT to the ResponseURL (CloudFormation's custom resource response object). */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly NoEcho?: boolean;
  readonly Data?: Record<string, unknown>;
}

/** The subset of the Lambda context the runtime uses. */
export interface LambdaContext {
  readonly logStreamName?: string;
  getRemainingTimeInMillis(): number;
}

/**
 * The physical id of a Create that failed. CloudFormation then rolls back and sends a Delete for
 * it, which is answered SUCCESS here without reaching the handler: nothing was made under it.
 */
export const CREATE_FAILED_PHYSICAL_ID = 'cdk-appfabric:CREATE_FAILED';

/** CloudFormation rejects a response body larger than this many bytes. */
export const MAX_RESPONSE_BYTES = 4096;

/** The work stops this long before the Lambda's timeout, leaving time to clean up and answer. */
export const REPORT_MARGIN_MS = 10_000;

/**
 * Kept for the answer itself: when the work has not finished this long before the Lambda's
 * timeout, FAILED is answered anyway (a crashed answer would hold the stack until ServiceTimeout).
 */
export const ANSWER_RESERVE_MS = 3_000;

/** Time limits of one invocation, as epoch milliseconds. */
export interface Deadlines {
  /** Retries and waits of the event's own work stop here. */
  readonly deadline: number;
  /**
   * Removing what a failing event made may run until here, into half of the report margin: the
   * event's own deadline has often passed by then (that is why it failed).
   */
  readonly cleanupDeadline: number;
}

/** The deadlines of an invocation with the given Lambda context. */
export function deadlinesFrom(context: LambdaContext, now = Date.now()): Deadlines {
  const remaining = context.getRemainingTimeInMillis();
  return {
    deadline: now + Math.max(1_000, remaining - REPORT_MARGIN_MS),
    cleanupDeadline: now + Math.max(1_000, remaining - REPORT_MARGIN_MS / 2),
  };
}

/**
 * The one way handler code logs: every line is scrubbed of remembered secret values, then
 * written to the function's log (CloudWatch Logs).
 */
export function log(line: string): void {
  console.log(scrub(line));
}

/** The text of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns an `onEvent` into the function's handler: it answers CloudFormation itself. */
export function customResourceHandler<P, D>(
  onEvent: (event: CustomResourceEvent<P>, deadlines: Deadlines) => Promise<CustomResourceResult<D>>,
): (event: CustomResourceEvent<P>, context: LambdaContext) => Promise<void> {
  return async (event, context) => {
    const started = Date.now();
    if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_PHYSICAL_ID) {
      log(`Delete ${event.LogicalResourceId}: its Create failed and made nothing to delete`);
      await answer(event, { Status: 'SUCCESS', PhysicalResourceId: CREATE_FAILED_PHYSICAL_ID }, context);
      return;
    }
    const outcome = await settleBefore(onEvent(event, deadlinesFrom(context, started)),
      started + context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS);
    let response: Pick<CustomResourceResponse, 'Status' | 'Reason' | 'PhysicalResourceId' | 'Data'>;
    if (outcome.kind === 'done') {
      response = { Status: 'SUCCESS', PhysicalResourceId: outcome.value.PhysicalResourceId, Data: outcome.value.Data as Record<string, unknown> | undefined };
    } else {
      const reason = outcome.kind === 'failed'
        ? messageOf(outcome.error)
        : `${event.RequestType} of ${event.LogicalResourceId} did not finish within ${Math.round((Date.now() - started) / 1000)} s: ` +
          'it was stopped to answer CloudFormation before the Lambda timeout. Deploy again; the function\'s log says what it was waiting for' +
          `${context.logStreamName ? ` (log stream ${context.logStreamName})` : ''}.`;
      log(`FAILED ${event.RequestType} ${event.LogicalResourceId}: ${reason}`);
      response = { Status: 'FAILED', Reason: reason, PhysicalResourceId: failedPhysicalId(event) };
    }
    await answer(event, response, context);
  };
}

/** A failed Create gets the marker; a failed Update or Delete keeps the id CloudFormation knows. */
function failedPhysicalId(event: CustomResourceEvent<unknown>): string {
  return event.RequestType === 'Create' ? CREATE_FAILED_PHYSICAL_ID : event.PhysicalResourceId ?? CREATE_FAILED_PHYSICAL_ID;
}

type Outcome<T> = { kind: 'done'; value: T } | { kind: 'failed'; error: unknown } | { kind: 'hung' };

/** The work's outcome, or `hung` when it has not settled by `until` (epoch ms). */
async function settleBefore<T>(work: Promise<T>, until: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hung' }), Math.max(0, until - Date.now()));
  });
  try {
    return await Promise.race([
      work.then((value): Outcome<T> => ({ kind: 'done', value }), (error): Outcome<T> => ({ kind: 'failed', error })),
      hung,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The body CloudFormation receives: scrubbed, and with the reason cut to fit its size limit. */
export function renderResponse(event: CustomResourceEvent<unknown>,
  response: Pick<CustomResourceResponse, 'Status' | 'Reason' | 'PhysicalResourceId' | 'Data'>): string {
  const body: CustomResourceResponse = {
    Status: response.Status,
    PhysicalResourceId: scrub(response.PhysicalResourceId),
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    ...(response.Data ? { Data: scrubDeep(response.Data) } : {}),
  };
  const rendered = JSON.stringify(response.Reason === undefined ? body : { ...body, Reason: scrub(response.Reason) });
  if (Buffer.byteLength(rendered) <= MAX_RESPONSE_BYTES) {
    return rendered;
  }
  if (body.Status === 'SUCCESS') {
    // Data that does not fit cannot be delivered: say so instead of losing the answer.
    return renderResponse(event, {
      Status: 'FAILED',
      PhysicalResourceId: event.RequestType === 'Create' ? CREATE_FAILED_PHYSICAL_ID : response.PhysicalResourceId,
      Reason: `The answer's Data is ${Buffer.byteLength(JSON.stringify(body.Data))} bytes; CloudFormation accepts at most ${MAX_RESPONSE_BYTES} bytes per response.`,
    });
  }
  return JSON.stringify({ ...body, Reason: fitReason(scrub(response.Reason ?? ''), body) });
}

/** The longest prefix of `reason` (marked as cut) with which the body stays within the limit. */
function fitReason(reason: string, body: CustomResourceResponse): string {
  const cut = (length: number) => `${reason.slice(0, length)} [reason cut to fit CloudFormation's ${MAX_RESPONSE_BYTES}-byte response limit]`;
  const fits = (length: number) => Buffer.byteLength(JSON.stringify({ ...body, Reason: cut(length) })) <= MAX_RESPONSE_BYTES;
  let low = 0;
  let high = reason.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return cut(low);
}

/** Attempts at delivering the answer, backing off between them. */
const ANSWER_ATTEMPTS = 5;

/** PUTs the answer to the ResponseURL, retried while the Lambda has time. */
async function answer(event: CustomResourceEvent<unknown>,
  response: Pick<CustomResourceResponse, 'Status' | 'Reason' | 'PhysicalResourceId' | 'Data'>, context: LambdaContext): Promise<void> {
  const body = renderResponse(event, response);
  const status = JSON.parse(body).Status;
  for (let attempt = 1; ; attempt++) {
    // Leave the last half second for the log line: no attempt may run into the Lambda timeout.
    const timeoutMs = Math.min(10_000, context.getRemainingTimeInMillis() - 500);
    try {
      await put(new URL(event.ResponseURL), body, Math.max(100, timeoutMs));
      log(`answered ${status} for ${event.RequestType} ${event.LogicalResourceId}`);
      return;
    } catch (error) {
      const pause = Math.min(200 * 2 ** (attempt - 1), 2_000);
      const outOfTime = context.getRemainingTimeInMillis() - pause < 1_000;
      // The URL is presigned: name only its host.
      log(`answer attempt ${attempt} to ${new URL(event.ResponseURL).host} failed: ${messageOf(error)}`);
      if (attempt >= ANSWER_ATTEMPTS || outOfTime) {
        throw new Error(`could not deliver the ${status} answer for ${event.RequestType} ${event.LogicalResourceId} after ${attempt} attempt(s)`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/**
 * One PUT of the answer. The content type is empty: the ResponseURL is a presigned S3 URL whose
 * signature covers an empty Content-Type.
 */
function put(url: URL, body: string, timeoutMs: number): Promise<void> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(url, {
      method: 'PUT',
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: timeoutMs,
    }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300
        ? resolve()
        : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no response within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ?? error.message)));
    request.end(body);
  });
}
