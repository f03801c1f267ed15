// CloudFormation's side of a custom resource, as the tests, the rehearsal and the chaos suite
// need it: deliver an event to a handler function with a ResponseURL pointing at a local HTTP
// server (127.0.0.1 only), and read the answer the handler PUTs there.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CustomResourceEvent, CustomResourceResponse, CustomResourceResult, LambdaContext } from '../../src/internal/custom-resource';

/** A handler function as Lambda invokes it. */
export type LambdaHandler<E> = (event: E, context: LambdaContext) => Promise<unknown>;

/** One PUT the endpoint received. */
export interface ReceivedAnswer {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly bytes: number;
  readonly body: CustomResourceResponse;
}

export interface ResponseEndpointOptions {
  /** The first this many PUTs are answered with HTTP 500 (S3 having a bad moment). @default 0 */
  readonly failFirst?: number;
}

/** The presigned S3 URL's stand-in: records every PUT. */
export class ResponseEndpoint {
  public static async start(options: ResponseEndpointOptions = {}): Promise<ResponseEndpoint> {
    const endpoint = new ResponseEndpoint(options.failFirst ?? 0);
    await new Promise<void>((resolve) => endpoint.server.listen(0, '127.0.0.1', resolve));
    return endpoint;
  }

  public readonly answers: ReceivedAnswer[] = [];
  /** PUTs refused so far. */
  public refused = 0;
  private readonly server: http.Server;

  private constructor(private failuresLeft: number) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method !== 'PUT') {
          res.writeHead(405).end();
          return;
        }
        if (this.failuresLeft > 0) {
          this.failuresLeft--;
          this.refused++;
          res.writeHead(500).end();
          return;
        }
        const raw = Buffer.concat(chunks);
        this.answers.push({ path: req.url ?? '', contentType: req.headers['content-type'], bytes: raw.length, body: JSON.parse(raw.toString('utf8')) });
        res.writeHead(200).end();
      });
    });
  }

  /** The ResponseURL for one event. */
  public urlFor(requestId: string): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/cloudformation-answers/${encodeURIComponent(requestId)}?X-Amz-Signature=stand-in`;
  }

  /** The answers received for one event. */
  public answersFor(requestId: string): ReceivedAnswer[] {
    return this.answers.filter((answer) => answer.path.startsWith(`/cloudformation-answers/${encodeURIComponent(requestId)}?`));
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A Lambda context whose time runs out `remainingMs` from now. */
export function lambdaContext(remainingMs = 5 * 60_000): LambdaContext {
  const end = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => end - Date.now(), logStreamName: '2025/01/01/[$LATEST]standin' };
}

/** What CloudFormation learned from one delivery. */
export interface Delivery {
  /** The answer CloudFormation acts on; undefined when none arrived (it would wait until ServiceTimeout). */
  readonly answer?: CustomResourceResponse;
  /** Every PUT received for the event. */
  readonly answers: ReceivedAnswer[];
  /** Set when the invocation itself failed (Lambda reports an error). */
  readonly invocationError?: string;
}

/**
 * Delivers one event to a handler with a ResponseURL on `endpoint` (or on one started for this
 * delivery) and returns what CloudFormation would learn.
 */
export async function deliver<E extends Omit<CustomResourceEvent<unknown>, 'ResponseURL'>>(handler: LambdaHandler<E>, event: E,
  context: LambdaContext = lambdaContext(), endpoint?: ResponseEndpoint): Promise<Delivery> {
  const own = endpoint ?? await ResponseEndpoint.start();
  try {
    const delivered = { ...event, ResponseURL: own.urlFor(event.RequestId) };
    let invocationError: string | undefined;
    try {
      await handler(delivered, context);
    } catch (error) {
      invocationError = error instanceof Error ? error.message : String(error);
    }
    const answers = own.answersFor(event.RequestId);
    return { answer: answers[0]?.body, answers, invocationError };
  } finally {
    if (!endpoint) {
      await own.close();
    }
  }
}

/**
 * A handler as the tests call it: the event's answer as a result on SUCCESS, a rejection with
 * CloudFormation's failure reason on FAILED (and when no answer arrived).
 */
export function asCloudFormation<E extends Omit<CustomResourceEvent<unknown>, 'ResponseURL'>, D = Record<string, any>>(handler: LambdaHandler<E>):
(event: E, context?: LambdaContext) => Promise<CustomResourceResult<D>> {
  return async (event, context) => {
    const delivery = await deliver(handler, event, context);
    return resultOf(delivery) as CustomResourceResult<D>;
  };
}

/** The SUCCESS answer's physical id and Data; throws the reason of anything else. */
export function resultOf(delivery: Delivery): CustomResourceResult<Record<string, any>> {
  const answer = delivery.answer;
  if (!answer) {
    throw new Error(`no answer reached CloudFormation${delivery.invocationError ? ` (the invocation failed: ${delivery.invocationError})` : ''}`);
  }
  if (delivery.answers.length > 1) {
    throw new Error(`the handler answered ${delivery.answers.length} times: ${delivery.answers.map((a) => a.body.Status).join(', ')}`);
  }
  if (answer.Status !== 'SUCCESS') {
    throw Object.assign(new Error(answer.Reason ?? ''), { physicalResourceId: answer.PhysicalResourceId });
  }
  return { PhysicalResourceId: answer.PhysicalResourceId, Data: answer.Data };
}
