// A deploy rehearsal: runs a synthesized cloud assembly's custom resources the way
// CloudFormation would (the function its ServiceToken names, the answer read from the
// ResponseURL), against the local emulators. Native resources get stand-in physical ids (an
// AppFabric bundle gets a real one in the AppFabric emulator).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ResolveContext, references, resolve } from './intrinsics';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';
import { LambdaHandler, deliver, lambdaContext, resultOf } from '../support/cloudformation';

type Json = Record<string, any>;
type Handler = (event: Json, context: ReturnType<typeof lambdaContext>) => Promise<{ PhysicalResourceId: string; Data?: Json }>;

export interface ResourceOutcome {
  readonly stack: string;
  readonly logicalId: string;
  /** The construct path below the stack (`Slack`, `AsanaLogs/State`), else the logical id. */
  readonly path: string;
  readonly type: string;
  readonly physicalId: string;
  /** Data.Status for custom resources that report one, else what happened. */
  readonly status: string;
  /** What happened: created, updated, replaced, deleted, retained, rolled back, CREATE_FAILED, ... */
  readonly action: string;
  /**
   * Who acted: the resource's handler (the library's bundled code), the stand-in (the rehearsal
   * playing CloudFormation and the AWS service), or nobody (`-`: a retained resource).
   */
  readonly by: 'handler' | 'stand-in' | '-';
  readonly data?: Json;
  readonly error?: string;
  /** Update: the properties whose value the update changed. */
  readonly changes?: PropertyChange[];
}

/** One property an Update changed (ServiceToken aside). */
export interface PropertyChange {
  readonly property: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface PassReport {
  readonly pass: 'Create' | 'Update' | 'Delete';
  readonly outcomes: ResourceOutcome[];
  /** Resolved stack outputs after the pass, per stack. */
  readonly outputs: Record<string, Record<string, unknown>>;
  /** The resource that failed, if the pass failed (after which it was rolled back). */
  readonly failure?: ResourceOutcome;
  /** Events sent while rolling back a failed pass. */
  readonly rollback: ResourceOutcome[];
}

interface StackState {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly stackId: string;
  readonly template: Json;
  readonly order: string[];
  readonly physicalIds: Map<string, string>;
  readonly data: Map<string, Json>;
  readonly properties: Map<string, Json>;
}

/** Changes the properties of a custom resource for the Update pass (undefined: leave it). */
export type Mutation = (type: string, properties: Json) => Json | undefined;

/**
 * Points resolved properties at the local world, e.g. a TPP server URL at the TPP emulator (the
 * rehearsal's equivalent of DNS). Applied to every event's properties.
 */
export type Localize = (type: string, properties: Json) => Json;

export class Rehearsal {
  public static load(assemblyDir: string, appfabric: AppFabricEmulator, localize: Localize = (_type, properties) => properties): Rehearsal {
    const manifest = JSON.parse(readFileSync(path.join(assemblyDir, 'manifest.json'), 'utf8'));
    const stacks: StackState[] = [];
    const assetPaths = new Map<string, string>();
    for (const artifact of Object.values<Json>(manifest.artifacts)) {
      if (artifact.type === 'cdk:asset-manifest') {
        const assets = JSON.parse(readFileSync(path.join(assemblyDir, artifact.properties.file), 'utf8'));
        for (const [hash, asset] of Object.entries<Json>(assets.files ?? {})) {
          assetPaths.set(hash, path.join(assemblyDir, asset.source.path));
        }
      }
    }
    for (const [name, artifact] of Object.entries<Json>(manifest.artifacts)) {
      if (artifact.type !== 'aws:cloudformation:stack') {
        continue;
      }
      const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment) ?? [];
      const template = JSON.parse(readFileSync(path.join(assemblyDir, artifact.properties.templateFile), 'utf8'));
      stacks.push({
        name,
        account,
        region,
        template,
        order: deploymentOrder(template),
        stackId: `arn:aws:cloudformation:${region}:${account}:stack/${name}/${randomUUID()}`,
        physicalIds: new Map(),
        data: new Map(),
        properties: new Map(),
      });
    }
    return new Rehearsal(assetPaths, appfabric, stacks, localize);
  }

  private constructor(private readonly assetPaths: Map<string, string>, private readonly appfabric: AppFabricEmulator,
    private readonly stacks: StackState[], private readonly localize: Localize) {}

  /** The stacks rehearsed, with their environments. */
  public stackEnvironments(): Array<{ name: string; account: string; region: string }> {
    return this.stacks.map(({ name, account, region }) => ({ name, account, region }));
  }

  /** The construct path of the resource whose physical id this is (undefined: none has it now). */
  public pathOf(physicalId: string): string | undefined {
    for (const stack of this.stacks) {
      for (const [logicalId, id] of stack.physicalIds) {
        if (id === physicalId) {
          return constructPath(stack.template.Resources[logicalId]) ?? logicalId;
        }
      }
    }
    return undefined;
  }

  public async create(): Promise<PassReport> {
    const outcomes: ResourceOutcome[] = [];
    for (const stack of this.stacks) {
      for (const logicalId of stack.order) {
        const resource = stack.template.Resources[logicalId];
        if (!isCustom(resource.Type)) {
          stack.physicalIds.set(logicalId, this.standIn(logicalId, resource.Type, this.resolve(stack, resource.Properties ?? {}) as Json));
          outcomes.push(this.outcome(stack, logicalId, 'created', 'stand-in'));
          continue;
        }
        const properties = this.localize(resource.Type, this.resolve(stack, resource.Properties ?? {}) as Json);
        const event = this.event(stack, logicalId, 'Create', properties);
        try {
          const response = await this.handlerFor(stack, resource)(event, this.context(stack, resource));
          this.record(stack, logicalId, properties, response);
          outcomes.push(this.outcome(stack, logicalId, 'created', 'handler'));
        } catch (error) {
          const failedId = (error as { physicalResourceId?: string }).physicalResourceId ?? '';
          const failure = { ...this.outcome(stack, logicalId, 'CREATE_FAILED', 'handler'), physicalId: failedId, error: (error as Error).message };
          // The rollback deletes the failed resource (under the id its answer gave) and the rest.
          stack.physicalIds.set(logicalId, failedId);
          stack.properties.set(logicalId, properties);
          const rollback = await this.deleteAll([[stack.name, logicalId] as [string, string],
            ...outcomes.map((o) => [o.stack, o.logicalId] as [string, string]).reverse()]);
          return { pass: 'Create', outcomes, outputs: {}, failure, rollback };
        }
      }
    }
    return { pass: 'Create', outcomes, outputs: this.outputs(), rollback: [] };
  }

  public async update(mutate: Mutation): Promise<PassReport> {
    const outcomes: ResourceOutcome[] = [];
    const updated: Array<{ stack: StackState; logicalId: string; old: Json; attempted: Json }> = [];
    for (const stack of this.stacks) {
      for (const logicalId of stack.order) {
        const resource = stack.template.Resources[logicalId];
        const old = stack.properties.get(logicalId);
        const changed = isCustom(resource.Type) && old
          ? mutate(resource.Type, this.localize(resource.Type, this.resolve(stack, resource.Properties ?? {}) as Json)) : undefined;
        if (!changed || !old) {
          continue;
        }
        updated.push({ stack, logicalId, old, attempted: changed });
        try {
          const response = await this.handlerFor(stack, resource)(this.event(stack, logicalId, 'Update', changed, old), this.context(stack, resource));
          const replaced = response.PhysicalResourceId !== stack.physicalIds.get(logicalId);
          const previous = stack.physicalIds.get(logicalId)!;
          this.record(stack, logicalId, changed, response);
          outcomes.push({ ...this.outcome(stack, logicalId, replaced ? 'replaced' : 'updated', 'handler'), changes: propertyChanges(old, changed) });
          if (replaced) {
            // CloudFormation deletes the replaced resource in the cleanup phase.
            await this.handlerFor(stack, resource)(this.event(stack, logicalId, 'Delete', old, undefined, previous), this.context(stack, resource));
          }
        } catch (error) {
          const failure = { ...this.outcome(stack, logicalId, 'UPDATE_FAILED', 'handler'), error: (error as Error).message };
          const rollback: ResourceOutcome[] = [];
          for (const step of updated.reverse()) {
            // Rollback: the same resources, property sets swapped, current physical ids.
            const rolledBack = step.stack.template.Resources[step.logicalId];
            const response = await this.handlerFor(step.stack, rolledBack)(
              this.event(step.stack, step.logicalId, 'Update', step.old, step.attempted), this.context(step.stack, rolledBack));
            this.record(step.stack, step.logicalId, step.old, response);
            rollback.push(this.outcome(step.stack, step.logicalId, 'rolled back', 'handler'));
          }
          return { pass: 'Update', outcomes, outputs: this.outputs(), failure, rollback };
        }
      }
    }
    return { pass: 'Update', outcomes, outputs: this.outputs(), rollback: [] };
  }

  public async delete(): Promise<PassReport> {
    const all = this.stacks.slice().reverse().flatMap((stack) => stack.order.slice().reverse()
      .filter((id) => stack.physicalIds.has(id)).map((id) => [stack.name, id] as [string, string]));
    try {
      return { pass: 'Delete', outcomes: await this.deleteAll(all), outputs: {}, rollback: [] };
    } catch (error) {
      const failure = (error as { outcome?: ResourceOutcome }).outcome;
      return { pass: 'Delete', outcomes: [], outputs: {}, failure, rollback: [] };
    }
  }

  private async deleteAll(resources: Array<[string, string]>): Promise<ResourceOutcome[]> {
    const outcomes: ResourceOutcome[] = [];
    for (const [stackName, logicalId] of resources) {
      const stack = this.stacks.find((s) => s.name === stackName)!;
      const resource = stack.template.Resources[logicalId];
      if (resource.DeletionPolicy === 'Retain') {
        // CloudFormation sends no Delete for a retained resource.
        outcomes.push({ ...this.outcome(stack, logicalId, 'retained', '-'), status: 'retained' });
        stack.physicalIds.delete(logicalId);
        continue;
      }
      if (isCustom(resource.Type)) {
        const event = this.event(stack, logicalId, 'Delete', stack.properties.get(logicalId) ?? {}, undefined, stack.physicalIds.get(logicalId));
        try {
          await this.handlerFor(stack, resource)(event, this.context(stack, resource));
        } catch (error) {
          throw Object.assign(new Error((error as Error).message), {
            outcome: { ...this.outcome(stack, logicalId, 'DELETE_FAILED', 'handler'), error: (error as Error).message },
          });
        }
      }
      outcomes.push({ ...this.outcome(stack, logicalId, 'deleted', isCustom(resource.Type) ? 'handler' : 'stand-in'), status: 'deleted' });
      stack.physicalIds.delete(logicalId);
    }
    return outcomes;
  }

  private record(stack: StackState, logicalId: string, properties: Json, response: { PhysicalResourceId: string; Data?: Json }): void {
    stack.physicalIds.set(logicalId, response.PhysicalResourceId);
    stack.data.set(logicalId, response.Data ?? {});
    stack.properties.set(logicalId, properties);
  }

  private outcome(stack: StackState, logicalId: string, what: string, by: ResourceOutcome['by']): ResourceOutcome {
    const data = stack.data.get(logicalId);
    const resource = stack.template.Resources[logicalId];
    return {
      stack: stack.name,
      logicalId,
      path: constructPath(resource) ?? logicalId,
      type: resource.Type,
      physicalId: stack.physicalIds.get(logicalId) ?? '',
      status: data?.Status ?? what,
      action: what,
      by,
      data,
    };
  }

  private event(stack: StackState, logicalId: string, requestType: string, properties: Json, oldProperties?: Json, physicalId?: string): Json {
    return {
      RequestType: requestType,
      RequestId: randomUUID(),
      StackId: stack.stackId,
      LogicalResourceId: logicalId,
      ResourceType: stack.template.Resources[logicalId].Type,
      ResourceProperties: properties,
      OldResourceProperties: oldProperties,
      PhysicalResourceId: physicalId ?? (requestType === 'Create' ? undefined : stack.physicalIds.get(logicalId)),
    };
  }

  /** The function the custom resource's service token names, invoked as CloudFormation does. */
  private handlerFor(stack: StackState, resource: Json): Handler {
    const handlerFunction = stack.template.Resources[getAttTarget(resource.Properties.ServiceToken)];
    const assetHash = String(handlerFunction.Properties.Code.S3Key).replace(/\.zip$/, '');
    const [file, exported] = String(handlerFunction.Properties.Handler).split('.');
    const assetDir = this.assetPaths.get(assetHash);
    if (!assetDir) {
      throw new Error(`no asset ${assetHash} in the cloud assembly's asset manifests`);
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lambdaHandler: LambdaHandler<any> = require(path.join(assetDir, `${file}.js`))[exported];
    return async (event, context) => resultOf(await deliver(lambdaHandler, event as any, context));
  }

  /** The Lambda context of an invocation: the function's whole timeout. */
  private context(stack: StackState, resource: Json) {
    const handlerFunction = stack.template.Resources[getAttTarget(resource.Properties.ServiceToken)];
    return lambdaContext(Number(handlerFunction?.Properties?.Timeout ?? 300) * 1000);
  }

  private standIn(logicalId: string, type: string, properties: Json): string {
    // AppFabric resources the custom resources work with are made for real in the emulator.
    if (type === 'AWS::AppFabric::AppBundle') {
      return this.appfabric.createAppBundle();
    }
    if (type === 'AWS::AppFabric::Ingestion') {
      // No document states an ingestion's state right after creation: take the less helpful one.
      return this.appfabric.putIngestion({ appBundleArn: properties.AppBundleArn, app: properties.App, tenantId: properties.TenantId, state: 'disabled' }).arn;
    }
    return `${logicalId}-standin`;
  }

  private resolve(stack: StackState, value: unknown): unknown {
    return resolve(value, this.resolveContext(stack));
  }

  private resolveContext(stack: StackState): ResolveContext {
    return {
      region: stack.region,
      account: stack.account,
      stackName: stack.name,
      stackId: stack.stackId,
      ref: (id) => required(stack.physicalIds.get(id), `Ref ${id}`),
      getAtt: (id, attribute) => {
        const type = stack.template.Resources[id]?.Type ?? '';
        if (isCustom(type)) {
          return required(stack.data.get(id)?.[attribute], `Fn::GetAtt ${id}.${attribute}`);
        }
        const physicalId = required(stack.physicalIds.get(id), `Fn::GetAtt ${id}.${attribute}`);
        if ((type === 'AWS::AppFabric::AppBundle' || type === 'AWS::AppFabric::Ingestion') && attribute === 'Arn') {
          return physicalId;
        }
        const service = type.split('::')[1]?.toLowerCase() ?? 'standin';
        return attribute === 'Arn' ? `arn:aws:${service}:${stack.region}:${stack.account}:${physicalId}` : `${physicalId}.${attribute}`;
      },
    };
  }

  private outputs(): Record<string, Record<string, unknown>> {
    const result: Record<string, Record<string, unknown>> = {};
    for (const stack of this.stacks) {
      result[stack.name] = Object.fromEntries(Object.entries<Json>(stack.template.Outputs ?? {})
        .map(([key, output]) => [key, this.resolve(stack, output.Value)]));
    }
    return result;
  }
}

/** `AppFabricExample/AsanaLogs/State/Default` -> `AsanaLogs/State`; undefined without path metadata. */
function constructPath(resource: Json): string | undefined {
  const full: string | undefined = resource.Metadata?.['aws:cdk:path'];
  return full?.split('/').slice(1).join('/').replace(/(\/Resource)?(\/Default)?$/, '') || undefined;
}

function propertyChanges(before: Json, after: Json): PropertyChange[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((property) => property !== 'ServiceToken' && JSON.stringify(before[property]) !== JSON.stringify(after[property]))
    .map((property) => ({ property, before: before[property], after: after[property] }));
}

function isCustom(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

function getAttTarget(value: unknown): string {
  const getAtt = (value as Json)?.['Fn::GetAtt'];
  if (!getAtt) {
    throw new Error(`expected Fn::GetAtt, found ${JSON.stringify(value)}`);
  }
  return getAtt[0];
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`${what} has no value yet`);
  }
  return value;
}

/** Resources in an order CloudFormation could create them: dependencies first. */
export function deploymentOrder(template: Json): string[] {
  const resources: Record<string, Json> = template.Resources;
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (state.get(id) === 'done') {
      return;
    }
    if (state.get(id) === 'visiting') {
      throw new Error(`circular dependency at ${id}`);
    }
    state.set(id, 'visiting');
    const resource = resources[id];
    const dependsOn: string[] = [].concat(resource.DependsOn ?? []);
    for (const dependency of [...dependsOn, ...references(resource.Properties ?? {})]) {
      if (resources[dependency]) {
        visit(dependency);
      }
    }
    state.set(id, 'done');
    order.push(id);
  };
  Object.keys(resources).forEach(visit);
  return order;
}
