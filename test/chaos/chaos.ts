// The chaos suite's library: one seed draws a lifecycle of CloudFormation events for a few
// authorizations and a fault schedule for every delivery, runs the real handler through the
// emulators, advances a model of what CloudFormation believes, and checks the invariants after
// every step. `run.ts` is its command line; `chaos.test.ts` runs a fixed set of seeds under jest.
import { CloudFormationModel, StepReport, describeProps } from './cloudformation';
import { actualMatchesBelieved, atMostOnePerAppAndTenant, deliveryWasClean, nothingForeignChanged, nothingLeftAfterDelete } from './invariants';
import { Random } from './prng';
import { FaultProfile, LifecycleShape, drawDeliveryPlan, drawLifecycleShape, drawStepIntent } from './scenario';
import { runTppLifecycle } from './tpp';
import { ChaosWorld } from './world';
import { OWNER_LOGICAL_ID_TAG, OWNER_STACK_TAG } from '../../src/app-authorization/properties';
import type { StoredAppAuthorization } from '../emulators/appfabric-emulator';

export interface SeedResult {
  readonly seed: number;
  readonly ok: boolean;
  /** What broke, each naming the seed. Empty when ok. */
  readonly violations: string[];
  /** The events, their faults and outcomes, for reading a failure. */
  readonly transcript: string[];
  readonly events: number;
  readonly elapsedMs: number;
  /** How often each kind of chaos happened in the seed. */
  readonly counts: Record<string, number>;
}

export interface ChaosOptions {
  /** @default all faults, slow ones included */
  readonly profile?: FaultProfile;
}

export const FULL_PROFILE: FaultProfile = { slowFaults: true, slowConnects: true };
/** For the jest run: no fault, and no slow connect, that costs whole seconds. */
export const QUICK_PROFILE: FaultProfile = { slowFaults: false, slowConnects: false };

export async function runSeed(seed: number, options: ChaosOptions = {}): Promise<SeedResult> {
  const profile = options.profile ?? FULL_PROFILE;
  const started = Date.now();
  const master = new Random(seed);
  const shape = drawLifecycleShape(master.derive());
  const connectPendingReads = profile.slowConnects ? shape.connectPendingReads : 0;
  const world = await ChaosWorld.start({ seed, connectPendingReads });
  const transcript: string[] = [`seed ${seed}: ${shape.logicalIds.length} authorization(s), ${shape.steps} steps, connectPendingReads=${connectPendingReads}`];
  const foreign = plantForeign(world, shape);
  for (const planted of foreign.planted) {
    transcript.push(`before the stack: ${planted.app}/${planted.authType} ${planted.tenant.tenantIdentifier} ${planted.status} ` +
      `${planted.tags.some((tag) => tag.key === OWNER_STACK_TAG) ? 'owned by another stack' : 'made in the console'} (${planted.appAuthorizationArn.slice(-36, -28)})`);
  }
  let planRandom = master.derive();
  const model = new CloudFormationModel({
    stackId: `arn:aws:cloudformation:us-east-1:111122223333:stack/Chaos${seed}/00000000-0000-4000-8000-${String(seed).padStart(12, '0')}`,
    deliver: (event, plan, label) => world.deliver(event, plan, label),
    planFor: (event) => drawDeliveryPlan(planRandom, event, profile),
    note: (line) => transcript.push(line),
  });
  const violations: string[] = [];
  let tppCounts: Record<string, number> = {};
  try {
    for (let step = 1; step <= shape.steps && violations.length === 0; step++) {
      const stepRandom = master.derive();
      planRandom = stepRandom.derive();
      const logicalId = stepRandom.pick(shape.logicalIds);
      const believedProps = model.believed.get(logicalId)?.props;
      const intent = drawStepIntent(stepRandom.derive(), logicalId, believedProps, world.bundleArn, (spec) => world.plantSecret(spec));
      transcript.push(`step ${step}: ${intent.kind} ${logicalId}${intent.kind === 'delete' ? '' : ` -> ${describeProps(intent.props)}` +
        `${intent.kind === 'update' ? ` (${intent.change})` : ''}${intent.expectFailure ? ' [meant to fail]' : ''}`}`);
      const report = await model.apply(intent);
      violations.push(...checkStep(world, model, report, `after step ${step}`, foreign));
    }
    if (violations.length === 0) {
      planRandom = master.derive();
      transcript.push('end of lifecycle: the stack is deleted');
      const report = await model.deleteStack();
      violations.push(...checkStep(world, model, report, 'after the stack was deleted', foreign));
      const remaining = world.appfabric.authorizations(world.bundleArn)
        .filter((a) => !foreign.planted.some((p) => p.appAuthorizationArn === a.appAuthorizationArn) ||
          foreign.everBelieved.has(a.appAuthorizationArn));
      if (remaining.length > 0 && violations.length === 0) {
        violations.push('authorizations remain after the stack was deleted');
      }
    }
    if (violations.length === 0) {
      // The seed's TPP application, through the same Secrets Manager emulator.
      const tppResult = await runTppLifecycle(master.derive(), world.secrets, (line) => transcript.push(line));
      violations.push(...tppResult.violations);
      tppCounts = { 'TPP deliveries': tppResult.deliveries, 'TPP adoptions': tppResult.adoptions };
    }
  } catch (error) {
    violations.push(`the suite itself failed: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    await world.close();
  }
  if (violations.length > 0) transcript.push(...handlerLogsOfLastEvents(world));
  return {
    seed,
    ok: violations.length === 0,
    violations: violations.map((violation) => `seed ${seed}: ${violation}`),
    transcript,
    events: world.deliveries.length,
    elapsedMs: Date.now() - started,
    counts: { ...countsOf(world, model), ...tppCounts },
  };
}

function countsOf(world: ChaosWorld, model: CloudFormationModel): Record<string, number> {
  const deliveries = world.deliveries;
  return {
    'deliveries': deliveries.length,
    'failed answers': deliveries.filter((d) => !d.ok && !d.killedAfter).length,
    'killed invocations': deliveries.filter((d) => d.killedAfter).length,
    'replayed or redelivered events': deliveries.filter((d) => / \(delivery 2\/2\)$/.test(d.label)).length,
    'short Lambda contexts': deliveries.filter((d) => d.remainingMs < 60_000).length,
    'AppFabric faults scheduled': deliveries.reduce((sum, d) => sum + d.schedule.appfabric.length, 0),
    'Secrets Manager faults scheduled': deliveries.reduce((sum, d) => sum + d.schedule.secrets.length, 0),
    'responses held past the Lambda time': world.link.heldCount,
    'failed Creates': model.counts.failedCreates,
    'replacements': model.counts.replacements,
    'rollbacks': model.counts.rollbacks,
    'rollbacks to a new physical id': model.counts.rollbacksToNewPhysicalId,
    'operator retries': model.counts.operatorRetries,
  };
}

/** Authorizations planted before the stack, and those of them CloudFormation ever believed in (adopted). */
interface Foreign {
  readonly planted: StoredAppAuthorization[];
  readonly everBelieved: Set<string>;
}

function plantForeign(world: ChaosWorld, shape: LifecycleShape): Foreign {
  const planted = shape.foreign.map((f, i) => world.appfabric.putAuthorization({
    appBundleArn: world.bundleArn,
    app: f.app,
    authType: f.authType,
    tenant: { tenantIdentifier: f.tenantIdentifier, tenantDisplayName: `Made elsewhere ${i + 1}` },
    credential: f.authType === 'apiKey' ? { apiKeyCredential: { apiKey: `foreign-key-${i}` } } : { oauth2Credential: { clientId: `foreign-${i}`, clientSecret: `foreign-secret-${i}` } },
    status: f.status,
    tags: f.ownerStackId ? [{ key: OWNER_STACK_TAG, value: f.ownerStackId }, { key: OWNER_LOGICAL_ID_TAG, value: `Theirs${i}` }] : [{ key: 'team', value: 'it' }],
  }));
  return { planted, everBelieved: new Set() };
}

/** Every invariant, after one step; the deliveries checked are those made since the last check. */
function checkStep(world: ChaosWorld, model: CloudFormationModel, report: StepReport, when: string, foreign: Foreign): string[] {
  const actual = world.appfabric.authorizations(world.bundleArn);
  for (const believed of model.believed.values()) foreign.everBelieved.add(believed.physicalId);
  const foreignIds = new Set(foreign.planted.filter((p) => !foreign.everBelieved.has(p.appAuthorizationArn)).map((p) => p.appAuthorizationArn));
  const found = [
    ...world.deliveriesSinceLastLook().flatMap(deliveryWasClean),
    ...report.stuck.map((stuck) => `stack stuck: ${stuck}`),
    ...atMostOnePerAppAndTenant(actual),
    ...nothingLeftAfterDelete(actual, report.completedDeletes, model.believed),
    ...actualMatchesBelieved(actual, model.believed, (arn) => world.secretJson(arn), foreignIds),
    ...nothingForeignChanged(actual, foreign.planted, foreign.everBelieved),
  ];
  return found.map((violation) => `${when}${report.rolledBack ? ' (a rollback)' : ''}: ${violation}`);
}

function handlerLogsOfLastEvents(world: ChaosWorld): string[] {
  return ['handler output of the last deliveries:', ...world.deliveries.slice(-4).flatMap((delivery) => [
    `  ${delivery.label} (${delivery.elapsedMs} ms${delivery.killedAfter ? `, killed after ${delivery.killedAfter}` : ''}):`,
    ...delivery.logs.map((line) => `    | ${line}`),
  ])];
}

export interface RunSummary {
  readonly results: SeedResult[];
  readonly failed: SeedResult[];
  readonly elapsedMs: number;
}

/** Runs seeds one after the other (each starts its own emulators); `onResult` reports progress. */
export async function runSeeds(seeds: number[], options: ChaosOptions & { onResult?: (result: SeedResult) => void } = {}): Promise<RunSummary> {
  const started = Date.now();
  const results: SeedResult[] = [];
  for (const seed of seeds) {
    const result = await runSeed(seed, options);
    results.push(result);
    options.onResult?.(result);
  }
  return { results, failed: results.filter((result) => !result.ok), elapsedMs: Date.now() - started };
}

/** A failed seed as a reader needs it: what broke, then the transcript. */
export function formatFailure(result: SeedResult): string {
  return [`FAILED seed ${result.seed} (replay: --seeds 1 --from ${result.seed})`, ...result.violations.map((v) => `  ${v}`),
    '  transcript:', ...result.transcript.map((line) => `    ${line}`)].join('\n');
}
