// What CloudFormation does with each deployed change when it invokes the handler's function
// directly, and what it believes afterwards: the physical id and properties per logical
// resource. One change touches one resource per stack operation.
//  - Create fails: the handler answers the CREATE_FAILED marker id; the rollback sends a Delete
//    for that id, which the runtime answers without work.
//  - Update succeeds with a new physical id: the old id is deleted in the cleanup phase.
//  - Update fails: the rollback Update carries the property sets swapped and the original physical
//    id. A rollback that answers a new physical id is accepted, and the original id deleted in the
//    rollback's cleanup. A failed rollback is continued (ContinueUpdateRollback) once more.
//  - Delete fails: the operator retries it.
// Retries by the operator (a continued rollback, a repeated delete) get no faults: if those fail,
// the stack is stuck, which is a finding.
import { randomUUID } from 'node:crypto';
import { DeliveryPlan, EventKind, NO_FAULTS, StepIntent } from './scenario';
import { EventOutcome } from './world';
import { AppAuthorizationEvent } from '../../src/app-authorization/handler/events';
import { AppAuthorizationProperties } from '../../src/app-authorization/properties';
import { CREATE_FAILED_PHYSICAL_ID } from '../../src/internal/custom-resource';

export interface Believed {
  readonly physicalId: string;
  readonly props: AppAuthorizationProperties;
}

/** A Delete CloudFormation saw complete: nothing of it may remain. */
export interface CompletedDelete {
  readonly logicalId: string;
  readonly physicalId: string;
  /** The logical resource left the stack (not a cleanup of a replaced id). */
  readonly leftStack: boolean;
  readonly props: AppAuthorizationProperties;
}

export interface StepReport {
  readonly completedDeletes: CompletedDelete[];
  /** The stack got stuck: an operator retry without faults still failed. */
  readonly stuck: string[];
  readonly rolledBack: boolean;
}

export interface CloudFormationPorts {
  readonly stackId: string;
  /** Delivers one event and returns what CloudFormation learns. */
  deliver(event: AppAuthorizationEvent, plan: DeliveryPlan, label: string): Promise<EventOutcome>;
  /** The delivery plan (faults) for an event CloudFormation is about to send. */
  planFor(event: AppAuthorizationEvent): DeliveryPlan;
  /** A line for the seed's transcript. */
  note(line: string): void;
}

const OPERATOR_RETRY: DeliveryPlan = { mode: 'once', schedules: [NO_FAULTS] };
/** The rollback Delete of a failed Create: answered by the runtime without work, so no faults are drawn for it. */
const MARKER_DELETE: DeliveryPlan = { mode: 'once', schedules: [NO_FAULTS] };

/** How often CloudFormation took each path (for the run's statistics). */
export interface CloudFormationCounts {
  failedCreates: number;
  replacements: number;
  rollbacks: number;
  rollbacksToNewPhysicalId: number;
  operatorRetries: number;
}

export class CloudFormationModel {
  public readonly believed = new Map<string, Believed>();
  public readonly counts: CloudFormationCounts = { failedCreates: 0, replacements: 0, rollbacks: 0, rollbacksToNewPhysicalId: 0, operatorRetries: 0 };
  private eventCount = 0;

  constructor(private readonly ports: CloudFormationPorts) {}

  public async apply(intent: StepIntent): Promise<StepReport> {
    const report: MutableReport = { completedDeletes: [], stuck: [], rolledBack: false };
    switch (intent.kind) {
      case 'create':
        await this.create(intent.logicalId, intent.props, report);
        break;
      case 'update':
        await this.update(intent.logicalId, intent.props, report);
        break;
      case 'delete':
        await this.remove(intent.logicalId, report);
        break;
    }
    return report;
  }

  /** Deletes every resource still in the stack (stack deletion). */
  public async deleteStack(): Promise<StepReport> {
    const report: MutableReport = { completedDeletes: [], stuck: [], rolledBack: false };
    for (const logicalId of [...this.believed.keys()]) await this.remove(logicalId, report);
    return report;
  }

  private async create(logicalId: string, props: AppAuthorizationProperties, report: MutableReport): Promise<void> {
    const outcome = await this.send(this.event('Create', logicalId, props), 'Create');
    if (outcome.ok) {
      this.believed.set(logicalId, { physicalId: outcome.physicalId, props });
      return;
    }
    this.counts.failedCreates++;
    if (outcome.physicalId === undefined) {
      report.stuck.push(`the Create of ${logicalId} got no answer: CloudFormation would wait until ServiceTimeout`);
      return;
    }
    this.ports.note(`  CloudFormation rolls back: it deletes ${outcome.physicalId}`);
    const rollback = await this.send(this.event('Delete', logicalId, props, undefined, outcome.physicalId), 'rollback Delete', MARKER_DELETE);
    if (!rollback.ok) report.stuck.push(`the rollback Delete of the failed Create of ${logicalId} failed: ${rollback.reason}`);
    else if (outcome.physicalId !== CREATE_FAILED_PHYSICAL_ID) report.stuck.push(`the failed Create of ${logicalId} answered physical id ${outcome.physicalId}, not the marker`);
  }

  private async update(logicalId: string, props: AppAuthorizationProperties, report: MutableReport): Promise<void> {
    const current = this.require(logicalId);
    const outcome = await this.send(this.event('Update', logicalId, props, current.props, current.physicalId), 'Update');
    if (outcome.ok) {
      this.believed.set(logicalId, { physicalId: outcome.physicalId, props });
      if (outcome.physicalId !== current.physicalId) {
        this.counts.replacements++;
        await this.cleanUp(logicalId, current.physicalId, current.props, report);
      }
      return;
    }
    report.rolledBack = true;
    this.counts.rollbacks++;
    const rollback = () => this.event('Update', logicalId, current.props, props, current.physicalId);
    let rolledBack = await this.send(rollback(), 'rollback Update');
    if (!rolledBack.ok) rolledBack = await this.send(rollback(), 'rollback Update (ContinueUpdateRollback)', OPERATOR_RETRY);
    if (!rolledBack.ok) {
      report.stuck.push(`the rollback Update of ${logicalId} failed even without faults: ${rolledBack.reason}`);
      return;
    }
    this.believed.set(logicalId, { physicalId: rolledBack.physicalId, props: current.props });
    if (rolledBack.physicalId !== current.physicalId) {
      this.counts.rollbacksToNewPhysicalId++;
      this.ports.note(`  the rollback answered a new physical id: CloudFormation accepts it and deletes ${current.physicalId} in cleanup`);
      await this.cleanUp(logicalId, current.physicalId, props, report);
    }
  }

  private async remove(logicalId: string, report: MutableReport): Promise<void> {
    const current = this.require(logicalId);
    if (await this.deleteWithRetry(logicalId, current.physicalId, current.props, report)) {
      this.believed.delete(logicalId);
      report.completedDeletes.push({ logicalId, physicalId: current.physicalId, leftStack: true, props: current.props });
    }
  }

  /** The cleanup phase's Delete of a physical id CloudFormation no longer uses. */
  private async cleanUp(logicalId: string, physicalId: string, props: AppAuthorizationProperties, report: MutableReport): Promise<void> {
    if (await this.deleteWithRetry(logicalId, physicalId, props, report)) {
      report.completedDeletes.push({ logicalId, physicalId, leftStack: false, props });
    }
  }

  private async deleteWithRetry(logicalId: string, physicalId: string, props: AppAuthorizationProperties, report: MutableReport): Promise<boolean> {
    const remove = () => this.event('Delete', logicalId, props, undefined, physicalId);
    let outcome = await this.send(remove(), 'Delete');
    if (!outcome.ok) outcome = await this.send(remove(), 'Delete (operator retry)', OPERATOR_RETRY);
    if (!outcome.ok) report.stuck.push(`the Delete of ${physicalId} (${logicalId}) failed even without faults: ${outcome.reason}`);
    return outcome.ok;
  }

  /** Sends an event with the faults drawn for it, or with the given plan. */
  private async send(event: AppAuthorizationEvent, what: string, plan = this.ports.planFor(event)): Promise<EventOutcome> {
    if (plan === OPERATOR_RETRY) this.counts.operatorRetries++;
    const label = `#${this.eventCount} ${what} ${event.LogicalResourceId}`;
    this.ports.note(`${label} physical=${shortId(event.PhysicalResourceId)} ${describeChange(event)} ${describePlan(plan)}`);
    const outcome = await this.ports.deliver(event, plan, label);
    this.ports.note(outcome.ok ? `  -> SUCCESS physical=${shortId(outcome.physicalId)}` : `  -> FAILED: ${outcome.reason}`);
    return outcome;
  }

  private event(kind: EventKind, logicalId: string, props: AppAuthorizationProperties, oldProps?: AppAuthorizationProperties,
    physicalId?: string): AppAuthorizationEvent {
    this.eventCount++;
    return {
      RequestType: kind,
      RequestId: randomUUID(),
      // The stand-in CloudFormation sets it on delivery.
      ResponseURL: '',
      StackId: this.ports.stackId,
      LogicalResourceId: logicalId,
      ResourceType: 'Custom::AppFabricAppAuthorization',
      PhysicalResourceId: physicalId,
      ResourceProperties: props,
      OldResourceProperties: oldProps,
    };
  }

  private require(logicalId: string): Believed {
    const current = this.believed.get(logicalId);
    if (!current) throw new Error(`${logicalId} is not in the stack`);
    return current;
  }
}

type MutableReport = { completedDeletes: CompletedDelete[]; stuck: string[]; rolledBack: boolean };

/** The authorization's UUID, enough to follow it through a transcript. */
export function shortId(physicalId: string | undefined): string {
  if (!physicalId) return 'none';
  return physicalId.includes('/appauthorization/') ? physicalId.slice(physicalId.lastIndexOf('/') + 1, physicalId.lastIndexOf('/') + 9) : physicalId;
}

export function describeProps(props: AppAuthorizationProperties): string {
  return `${props.App}/${props.AuthType} '${props.TenantDisplayName}' secret=${props.CredentialSecretArn.replace(/^.*:secret:/, '')}`;
}

function describeChange(event: AppAuthorizationEvent): string {
  const now = describeProps(event.ResourceProperties);
  return event.OldResourceProperties ? `[${describeProps(event.OldResourceProperties)} => ${now}]` : `[${now}]`;
}

function describePlan(plan: DeliveryPlan): string {
  const schedules = plan.schedules.map((schedule) => {
    const faults = [
      ...schedule.appfabric.map((f) => `${f.kind}${f.retryAfterSeconds !== undefined ? `(RA ${f.retryAfterSeconds})` : ''}${f.delayMs ? `(${f.delayMs}ms)` : ''}` +
        `@${f.operation ?? 'any'}x${f.times ?? 1}`),
      ...schedule.secrets.map((f) => `sm:${f.kind}${f.delayMs ? `(${f.delayMs}ms)` : ''}x${f.times ?? 1}`),
      ...schedule.held.map((h) => `held(${h.holdMs}ms)@${h.operation ?? 'any'}`),
    ];
    return `{${schedule.remainingMs / 1000}s${schedule.killAfter ? ` kill@${schedule.killAfter}` : ''}${faults.length ? ` ${faults.join(' ')}` : ''}}`;
  });
  return `${plan.mode} ${schedules.join(' ')}`;
}
