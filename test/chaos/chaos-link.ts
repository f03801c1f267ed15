// The network between the handler and the AppFabric emulator, for the two failures the emulator
// cannot stage by itself:
//  - a response held back after AppFabric performed the call (the emulator's `delay` waits
//    *before* performing it), so the handler gives up on a call that did happen;
//  - the handler killed right after AppFabric accepted a call: once a response is lost on the
//    way back (the emulator's `dropResponse`), every later request of that invocation is refused,
//    as if the Lambda had died there.
// It listens on 127.0.0.1 only and forwards plain HTTP.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { APPFABRIC_ROUTES, matchUri } from '../emulators/appfabric-emulator';

interface UpstreamAnswer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface ResponseHold {
  /** Operation whose responses are held, e.g. 'CreateAppAuthorization'; undefined = any. */
  readonly operation?: string;
  /** How long the response is held after AppFabric answered. */
  readonly holdMs: number;
  /** How many responses are held. */
  readonly times: number;
}

/** Answer given to a killed invocation's later requests: a client error, so the remains stop at once. */
const KILLED_RESPONSE: UpstreamAnswer = {
  status: 400,
  headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ValidationException' },
  body: JSON.stringify({ message: 'chaos: this invocation was killed; the request never left it' }),
};

export class ChaosLink {
  public static async start(upstream: string): Promise<ChaosLink> {
    const link = new ChaosLink(new URL(upstream));
    await link.listen();
    return link;
  }

  private readonly server: http.Server;
  private readonly holds: Array<ResponseHold & { remaining: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private baseUrl?: string;
  private killArmed = false;
  private killedAt?: string;
  /** Responses held so far (for the run's statistics). */
  public heldCount = 0;

  private constructor(private readonly upstream: URL) {
    this.server = http.createServer((req, res) => {
      void this.forward(req, res);
    });
  }

  public get endpoint(): string {
    if (!this.baseUrl) throw new Error('The chaos link has not been started');
    return this.baseUrl;
  }

  /** The operation whose response was lost when the invocation was killed, if it was. */
  public get killed(): string | undefined {
    return this.killedAt;
  }

  public holdResponses(hold: ResponseHold): void {
    this.holds.push({ ...hold, remaining: hold.times });
  }

  /** The next response lost on the way back kills the invocation. */
  public armKill(): void {
    this.killArmed = true;
  }

  /** Back to a plain pass-through for the next invocation. */
  public reset(): void {
    this.holds.length = 0;
    this.killArmed = false;
    this.killedAt = undefined;
  }

  public async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closing;
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.killedAt) {
      answer(res, KILLED_RESPONSE);
      return;
    }
    const operation = operationOf(req.method ?? 'GET', req.url ?? '/');
    const upstreamAnswer = await this.exchange(req, body);
    if (!upstreamAnswer) {
      if (this.killArmed) this.killedAt = operation;
      req.socket.destroy();
      return;
    }
    const holdMs = this.takeHold(operation);
    if (holdMs > 0) {
      this.heldCount++;
      await this.pause(holdMs);
    }
    if (!res.destroyed && !res.writableEnded) answer(res, upstreamAnswer);
  }

  /** One request to the emulator; undefined when the connection broke without an answer. */
  private exchange(req: http.IncomingMessage, body: Buffer): Promise<UpstreamAnswer | undefined> {
    return new Promise((resolve) => {
      const upstreamReq = http.request(new URL(req.url ?? '/', this.upstream), { method: req.method, headers: req.headers, agent: false }, (upstreamRes) => {
        const chunks: Buffer[] = [];
        upstreamRes.on('data', (chunk: Buffer) => chunks.push(chunk));
        upstreamRes.on('end', () => resolve({ status: upstreamRes.statusCode ?? 0, headers: upstreamRes.headers, body: Buffer.concat(chunks).toString('utf8') }));
        upstreamRes.on('error', () => resolve(undefined));
      });
      upstreamReq.on('error', () => resolve(undefined));
      upstreamReq.end(body);
    });
  }

  private takeHold(operation: string): number {
    const index = this.holds.findIndex((hold) => hold.operation === undefined || hold.operation === operation);
    if (index < 0) return 0;
    const hold = this.holds[index];
    hold.remaining -= 1;
    if (hold.remaining <= 0) this.holds.splice(index, 1);
    return hold.holdMs;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}

function operationOf(method: string, target: string): string {
  const pathname = new URL(target, 'http://127.0.0.1').pathname;
  return APPFABRIC_ROUTES.find((route) => route.method === method && matchUri(route.uri, pathname))?.operation ?? 'Unknown';
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of req) chunks.push(chunk as Buffer);
  } catch {
    // a client that went away: forward what arrived
  }
  return Buffer.concat(chunks);
}

function answer(res: http.ServerResponse, response: UpstreamAnswer): void {
  const headers = { ...response.headers };
  delete headers['transfer-encoding'];
  delete headers.connection;
  headers['content-length'] = String(Buffer.byteLength(response.body));
  try {
    res.writeHead(response.status, headers as http.OutgoingHttpHeaders);
    res.end(response.body);
  } catch {
    // the handler gave up on this request meanwhile
  }
}
