// One seed's world: the AppFabric and Secrets Manager emulators on 127.0.0.1, the chaos link in
// front of AppFabric, the planted secrets, and the real handler invoked as CloudFormation does
// (its answer read from the ResponseURL), with its console output captured and its wall time
// measured.
import { ChaosLink } from './chaos-link';
import { DeliveryPlan, FaultSchedule, SecretSpec } from './scenario';
import { handler } from '../../src/app-authorization/handler/app-authorization.lambda';
import { AppAuthorizationEvent, AppAuthorizationResponse } from '../../src/app-authorization/handler/events';
import { AppAuthorizationProperties } from '../../src/app-authorization/properties';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';
import { SecretsManagerEmulator } from '../emulators/secrets-manager-emulator';
import { ResponseEndpoint, deliver as deliverToFunction, lambdaContext } from '../support/cloudformation';

/** One delivery of an event to the handler, as observed. */
export interface DeliveryRecord {
  readonly label: string;
  readonly ok: boolean;
  readonly response?: AppAuthorizationResponse;
  /** The failure reason CloudFormation received. */
  readonly reason?: string;
  /** The physical id a FAILED answer carried. */
  readonly failedPhysicalId?: string;
  /** Set when the invocation was killed after AppFabric accepted this operation: CloudFormation got no answer. */
  readonly killedAfter?: string;
  readonly elapsedMs: number;
  readonly remainingMs: number;
  /** Everything the handler printed during the delivery. */
  readonly logs: string[];
  readonly schedule: FaultSchedule;
}

/** What CloudFormation learns from an event: the last delivery's answer. */
export type EventOutcome = { readonly ok: true; readonly physicalId: string }
| { readonly ok: false; readonly reason: string; readonly physicalId?: string };

const ENVIRONMENT = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_APPFABRIC', 'AWS_ENDPOINT_URL_SECRETS_MANAGER'] as const;


export class ChaosWorld {
  public static async start(options: { seed: number; connectPendingReads: number }): Promise<ChaosWorld> {
    const appfabric = await AppFabricEmulator.start({ connectPendingReads: options.connectPendingReads });
    const secrets = await SecretsManagerEmulator.start();
    const link = await ChaosLink.start(appfabric.endpoint);
    const responses = await ResponseEndpoint.start();
    return new ChaosWorld(options.seed, appfabric, secrets, link, responses);
  }

  public readonly bundleArn: string;
  public readonly deliveries: DeliveryRecord[] = [];
  /** The canary planted in every secret value. */
  public readonly canary: string;
  private readonly secretContents = new Map<string, Record<string, string>>();
  private readonly savedEnv: Partial<Record<(typeof ENVIRONMENT)[number], string>> = {};
  private secretCount = 0;
  private looked = 0;

  private constructor(public readonly seed: number, public readonly appfabric: AppFabricEmulator,
    public readonly secrets: SecretsManagerEmulator, public readonly link: ChaosLink, private readonly responses: ResponseEndpoint) {
    this.canary = `CANARY-${seed}`;
    this.bundleArn = appfabric.createAppBundle();
    for (const name of ENVIRONMENT) this.savedEnv[name] = process.env[name];
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'chaos-secret-access-key',
      AWS_ENDPOINT_URL_APPFABRIC: link.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_ENDPOINT_URL;
  }

  public async close(): Promise<void> {
    for (const name of ENVIRONMENT) {
      if (this.savedEnv[name] === undefined) delete process.env[name];
      else process.env[name] = this.savedEnv[name];
    }
    await Promise.all([this.link.close(), this.appfabric.close(), this.secrets.close(), this.responses.close()]);
  }

  /** Plants a secret whose every value carries the canary; returns its ARN and the fields to name. */
  public plantSecret(spec: SecretSpec): { arn: string; fields: AppAuthorizationProperties['CredentialFields'] } {
    const n = ++this.secretCount;
    const json: Record<string, string> = { note: `${this.canary} do not log` };
    const missing = (field: string) => (spec.quality === 'missingField' ? 'misnamed' : field);
    let fields: AppAuthorizationProperties['CredentialFields'];
    if (spec.authType === 'apiKey') {
      const keyField = spec.customFields ? 'token' : 'apiKey';
      json[missing(keyField)] = spec.quality === 'invalidKey' ? `invalid-${this.canary}-${n}` : `key-${this.canary}-${n}`;
      fields = { ApiKey: keyField };
    } else {
      const [idField, secretField] = spec.customFields ? ['id', 'secret'] : ['clientId', 'clientSecret'];
      json[idField] = `client-${this.seed}-${n}`;
      json[missing(secretField)] = `${this.canary}-${n}`;
      fields = { ClientId: idField, ClientSecret: secretField };
    }
    const arn = this.secrets.putSecret(`chaos/${this.seed}/secret-${n}`, JSON.stringify(json));
    this.secretContents.set(arn, json);
    return { arn, fields };
  }

  /** The JSON planted in a secret. */
  public secretJson(arn: string): Record<string, string> {
    const json = this.secretContents.get(arn);
    if (!json) throw new Error(`no secret planted as ${arn}`);
    return json;
  }

  /** The deliveries made since the last call. */
  public deliveriesSinceLastLook(): DeliveryRecord[] {
    const fresh = this.deliveries.slice(this.looked);
    this.looked = this.deliveries.length;
    return fresh;
  }

  /** Delivers an event as the plan says; CloudFormation acts on the last delivery's answer. */
  public async deliver(event: AppAuthorizationEvent, plan: DeliveryPlan, label: string): Promise<EventOutcome> {
    let last: DeliveryRecord | undefined;
    for (const [index, schedule] of plan.schedules.entries()) {
      const deliveryLabel = plan.schedules.length > 1 ? `${label} (delivery ${index + 1}/${plan.schedules.length})` : label;
      last = await this.deliverOnce(event, schedule, deliveryLabel);
    }
    if (!last) throw new Error('a delivery plan without deliveries');
    return last.ok ? { ok: true, physicalId: last.response!.PhysicalResourceId } : { ok: false, reason: last.reason ?? '', physicalId: last.failedPhysicalId };
  }

  private async deliverOnce(event: AppAuthorizationEvent, schedule: FaultSchedule, label: string): Promise<DeliveryRecord> {
    this.inject(schedule);
    const logs: string[] = [];
    const started = Date.now();
    const result = await captureConsole(logs, () => this.invoke(event, schedule.remainingMs));
    const elapsedMs = Date.now() - started;
    const killedAfter = this.link.killed;
    this.clearFaults();
    await this.settleDelayedRequests(schedule);
    const record: DeliveryRecord = {
      label,
      ok: result.ok,
      response: result.response,
      reason: result.reason,
      failedPhysicalId: result.physicalId,
      killedAfter,
      elapsedMs,
      remainingMs: schedule.remainingMs,
      logs,
      schedule,
    };
    this.deliveries.push(record);
    return record;
  }

  /**
   * A delayed request the handler stopped waiting for still lands in the emulator afterwards:
   * wait for it, so the next step and the invariants see the state it leaves.
   */
  private async settleDelayedRequests(schedule: FaultSchedule): Promise<void> {
    const longestDelay = Math.max(0, ...schedule.appfabric.filter((fault) => fault.kind === 'delay').map((fault) => fault.delayMs ?? 0));
    const landsBy = Math.max(0, ...this.appfabric.requests.filter((r) => r.status === 0).map((r) => r.at + longestDelay + 20));
    if (landsBy > Date.now()) await sleep(landsBy - Date.now());
  }

  /** One invocation of the function, as CloudFormation makes it; the answer it PUT. */
  private async invoke(event: AppAuthorizationEvent, remainingMs: number): Promise<InvocationResult> {
    // A redelivered event has the same RequestId: only this delivery's answers count.
    const earlier = this.responses.answersFor(event.RequestId).length;
    const delivery = await deliverToFunction(handler, event, lambdaContext(remainingMs), this.responses);
    const answers = delivery.answers.slice(earlier);
    const answer = answers[0]?.body;
    if (!answer) {
      return { ok: false, reason: `no answer (${delivery.invocationError ?? 'the function returned without answering'})` };
    }
    if (answers.length > 1) {
      return { ok: false, reason: `answered ${answers.length} times` };
    }
    if (answer.Status === 'SUCCESS') {
      return { ok: true, response: { PhysicalResourceId: answer.PhysicalResourceId, Data: answer.Data as unknown as AppAuthorizationResponse['Data'] } };
    }
    return { ok: false, reason: answer.Reason ?? '', physicalId: answer.PhysicalResourceId };
  }

  private inject(schedule: FaultSchedule): void {
    for (const fault of schedule.appfabric) this.appfabric.injectFault(fault);
    for (const fault of schedule.secrets) this.secrets.injectFault(fault);
    for (const hold of schedule.held) this.link.holdResponses(hold);
    if (schedule.killAfter) this.link.armKill();
  }

  private clearFaults(): void {
    this.appfabric.clearFaults();
    this.secrets.clearFaults();
    this.link.reset();
  }
}

type InvocationResult = { ok: true; response: AppAuthorizationResponse; reason?: undefined; physicalId?: undefined }
| { ok: false; reason: string; physicalId?: string; response?: undefined };

/** Runs `action` with console output going to `lines` (the handler's CloudWatch Logs). */
async function captureConsole<T>(lines: string[], action: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error };
  const capture = (...args: unknown[]) => { lines.push(args.map(String).join(' ')); };
  Object.assign(console, { log: capture, info: capture, warn: capture, error: capture });
  try {
    return await action();
  } finally {
    Object.assign(console, saved);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
