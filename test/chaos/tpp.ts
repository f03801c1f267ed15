// The TPP part of a seed: one TppOAuthApplication through creates (with and without adoptExisting,
// over an application that may already exist), renames, application ID changes (replacements),
// failed updates with CloudFormation's rollback, and deletes, each event delivered once or twice,
// under faults drawn on every TPP operation the handler calls (refusals and lost-then-refused
// sequences among them). Invariants after every step. TPP has no client token and no tags, so an
// application is recognised as this resource's by its physical id or by being identical to what
// its create makes; the suite draws redeliveries only without adoptExisting (see deliver()).
import { Random } from './prng';
import { TppOAuthApplicationEvent } from '../../src/venafi-tpp/handler/events';
import { changedFields } from '../../src/venafi-tpp/handler/lifecycle';
import { handler } from '../../src/venafi-tpp/handler/tpp-oauth-application.lambda';
import { TppOAuthApplicationProperties } from '../../src/venafi-tpp/properties';
import type { Fault } from '../emulators/http-emulator';
import type { SecretsManagerEmulator } from '../emulators/secrets-manager-emulator';
import { StoredTppApplication, TppEmulator } from '../emulators/tpp-emulator';
import { asCloudFormation, lambdaContext } from '../support/cloudformation';
import { TestPki, makeTestPki } from '../support/test-pki';

/** An event as CloudFormation sends it (deliver() sets its ResponseURL). */
type TppEvent = TppOAuthApplicationEvent;

const STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/ChaosTpp/00000000-0000-4000-8000-000000000000';
const LOGICAL_ID = 'CertBotApplication';
const IDS = ['cert-bot', 'cert-bot-2', 'legacy-bot'] as const;
/** The application made by hand before the stack (when planted). */
const FOREIGN_ID = 'legacy-bot';
const OPERATIONS = ['GetApplication', 'CreateApplication', 'UpdateApplication', 'DeleteApplication'];
/** Refusals TPP answers with; a 400 on Get or Delete would claim the application is missing, which TPP never lies about. */
const REFUSALS: Array<{ status: number; errorType: string; operations?: string[] }> = [
  { status: 403, errorType: 'insufficient_scope' },
  { status: 401, errorType: 'insufficient_rights' },
  { status: 400, errorType: 'invalid_request', operations: ['CreateApplication', 'UpdateApplication'] },
];

let sharedPki: Promise<TestPki> | undefined;

export interface TppSeedResult {
  readonly violations: string[];
  readonly deliveries: number;
  readonly adoptions: number;
}

interface Believed {
  readonly physicalId: string;
  readonly props: TppOAuthApplicationProperties;
}

/** Runs the TPP lifecycle of a seed; `secrets` is the seed's Secrets Manager emulator (already in the environment). */
export async function runTppLifecycle(random: Random, secrets: SecretsManagerEmulator, note: (line: string) => void): Promise<TppSeedResult> {
  sharedPki ??= makeTestPki();
  const pki = await sharedPki;
  const tpp = await TppEmulator.start({ tls: pki.serverTls, missingApplication: random.chance(0.5) ? 'http400' : 'result' });
  const tokens = tpp.issueToken();
  const tokenSecretArn = secrets.putSecret(`chaos/tpp-token-${random.int(0, 1e9)}`, JSON.stringify(tokens));
  const violations: string[] = [];
  const state = { believed: undefined as Believed | undefined, everBelieved: new Set<string>(), deliveries: 0, adoptions: 0, events: 0 };
  const planted = random.chance(0.5)
    ? tpp.putApplication({ ID: FOREIGN_ID, Name: 'Made by hand', Vendor: 'Someone', Scope: 'certificate', MaximumScope: 'certificate' }) : undefined;
  if (planted) note(`tpp: before the stack: application '${FOREIGN_ID}' made by hand`);
  const base = (): TppOAuthApplicationProperties => ({
    ServerUrl: tpp.endpoint,
    TrustedCaCertificate: pki.caCertificate,
    TokenSecretArn: tokenSecretArn,
    ApplicationId: 'cert-bot',
    Name: 'Bot v1',
    Vendor: 'Example Corp',
    Scope: 'certificate:manage',
    MaximumScope: 'certificate:manage;configuration',
  });

  type Outcome = { ok: boolean; physicalId?: string; reason?: string };
  const deliver = async (event: TppEvent, what: string, faults: boolean): Promise<Outcome> => {
    state.events++;
    // TPP has neither client tokens nor tags: after a redelivered adoption the handler cannot tell
    // what an earlier delivery adopted from what it made, so redeliveries are drawn without the opt-in.
    const replayed = faults && event.ResourceProperties.AdoptExisting !== 'true' && random.chance(0.2);
    let outcome: Outcome = { ok: false };
    for (let delivery = 1; delivery <= (replayed ? 2 : 1); delivery++) {
      const schedule = faults ? drawTppFaults(random) : [];
      for (const fault of schedule) tpp.injectFault(fault);
      const logs: string[] = [];
      outcome = await captured(logs, () => invoke(event));
      tpp.clearFaults();
      state.deliveries++;
      note(`tpp #${state.events} ${what}${replayed ? ` (delivery ${delivery}/2)` : ''} ${describeProps(event)} faults=[${schedule.map(describeFault).join(' ')}] ` +
        `-> ${outcome.ok ? `SUCCESS ${outcome.physicalId}` : `FAILED: ${outcome.reason}`}`);
      if ([outcome.reason ?? '', ...logs].some((line) => line.includes(tokens.access_token) || line.includes(tokens.refresh_token))) {
        violations.push(`tpp ${what}: a token value appears in the failure reason or the log`);
      }
      if (!outcome.ok && (outcome.reason ?? '').trim() === '') violations.push(`tpp ${what}: failed with an empty reason`);
    }
    return outcome;
  };
  const event = (type: 'Create' | 'Update' | 'Delete', props: TppOAuthApplicationProperties, old?: Believed): TppEvent => ({
    RequestType: type,
    RequestId: `tpp-${state.events}-${random.int(0, 1e9)}`,
    StackId: STACK_ID,
    LogicalResourceId: LOGICAL_ID,
    ResourceType: 'Custom::VenafiTppOAuthApplication',
    ResponseURL: '',
    PhysicalResourceId: old?.physicalId,
    ResourceProperties: props,
    OldResourceProperties: old?.props,
  });
  /** CloudFormation's Delete of an id it no longer uses (DESTROY), retried once by the operator. */
  const deleteWithRetry = async (old: Believed, what: string) => {
    let outcome = await deliver(event('Delete', old.props, old), what, true);
    if (!outcome.ok) outcome = await deliver(event('Delete', old.props, old), `${what} (operator retry)`, false);
    if (!outcome.ok) violations.push(`tpp stack stuck: the Delete of '${old.physicalId}' failed even without faults: ${outcome.reason}`);
    return outcome.ok;
  };

  try {
    const steps = random.int(3, 6);
    for (let step = 1; step <= steps && violations.length === 0; step++) {
      const current = state.believed;
      if (!current) {
        const props = { ...base(), ApplicationId: random.pick(IDS), AdoptExisting: random.chance(0.5) ? 'true' : undefined };
        const outcome = await deliver(event('Create', props), 'Create', true);
        if (outcome.ok) state.believed = { physicalId: outcome.physicalId!, props };
      } else if (random.chance(0.2)) {
        if (await deleteWithRetry(current, 'Delete')) state.believed = undefined;
      } else {
        const change = random.weighted({ rename: 3, changeId: 2, badScope: 1 });
        const props = { ...current.props };
        if (change === 'rename') props.Name = `Bot v${step + 1}`;
        if (change === 'changeId') props.ApplicationId = random.pick(IDS.filter((id) => id !== current.props.ApplicationId));
        if (change === 'badScope') props.MaximumScope = 'configuration'; // does not cover Scope: TPP refuses it
        const outcome = await deliver(event('Update', props, current), `Update (${change})`, true);
        if (outcome.ok) {
          state.believed = { physicalId: outcome.physicalId!, props };
          if (outcome.physicalId !== current.physicalId) await deleteWithRetry(current, 'cleanup Delete');
        } else {
          const rollback = () => event('Update', current.props, { physicalId: current.physicalId, props });
          let rolledBack = await deliver(rollback(), 'rollback Update', true);
          if (!rolledBack.ok) rolledBack = await deliver(rollback(), 'rollback Update (ContinueUpdateRollback)', false);
          if (!rolledBack.ok) violations.push(`tpp stack stuck: the rollback failed even without faults: ${rolledBack.reason}`);
          else state.believed = { physicalId: rolledBack.physicalId!, props: current.props };
        }
      }
      if (state.believed) state.everBelieved.add(state.believed.physicalId);
      violations.push(...tppInvariants(tpp, state.believed, planted, state.everBelieved).map((v) => `tpp after step ${step}: ${v}`));
    }
    if (violations.length === 0 && state.believed) {
      if (await deleteWithRetry(state.believed, 'Delete (stack deletion)')) state.believed = undefined;
      violations.push(...tppInvariants(tpp, state.believed, planted, state.everBelieved).map((v) => `tpp after the stack was deleted: ${v}`));
    }
    if (planted && state.everBelieved.has(FOREIGN_ID)) state.adoptions++;
  } finally {
    await tpp.close();
  }
  return { violations, deliveries: state.deliveries, adoptions: state.adoptions };
}

/** What TPP holds agrees with what CloudFormation believes, and nothing the stack does not own changed. */
function tppInvariants(tpp: TppEmulator, believed: Believed | undefined, planted: StoredTppApplication | undefined,
  everBelieved: Set<string>): string[] {
  const violations: string[] = [];
  if (believed) {
    const actual = tpp.application(believed.physicalId);
    if (!actual) {violations.push(`CloudFormation believes '${believed.physicalId}', which does not exist`);} else {
      const differing = changedFields(actual as any, believed.props);
      if (differing.length > 0) violations.push(`'${believed.physicalId}' differs from what CloudFormation believes in ${differing.join(', ')}`);
    }
  }
  const foreignUntouched = planted && !everBelieved.has(FOREIGN_ID);
  for (const id of tpp.applicationIds()) {
    if (id === believed?.physicalId || (foreignUntouched && id === FOREIGN_ID)) continue;
    violations.push(`orphan application '${id}': CloudFormation does not know it`);
  }
  if (foreignUntouched && canonical(tpp.application(FOREIGN_ID)) !== canonical(planted)) {
    violations.push(`'${FOREIGN_ID}', made by hand and never adopted, changed or disappeared: ${JSON.stringify(tpp.application(FOREIGN_ID))}`);
  }
  return violations;
}

function drawTppFaults(random: Random): Fault[] {
  const faults: Fault[] = [];
  const count = Number(random.weighted({ 0: 3, 1: 3, 2: 2, 3: 1 }));
  for (let i = 0; i < count; i++) {
    const operation = random.pick(OPERATIONS);
    const kind = random.weighted({ throttle: 3, internal: 2, reset: 2, delay: 1, dropResponse: 2, reject: 2, lostThenRefused: 3 });
    const refusal = () => random.pick(REFUSALS.filter((r) => !r.operations || r.operations.includes(operation)));
    if (kind === 'lostThenRefused') {
      faults.push({ operation, kind: random.chance(0.7) ? 'dropResponse' : 'reset' });
      if (random.chance(0.3)) faults.push({ operation, kind: 'internal' });
      faults.push({ operation, kind: 'reject', ...pickStatus(refusal()) });
    } else if (kind === 'reject') {
      faults.push({ operation, kind, ...pickStatus(refusal()) });
    } else if (kind === 'delay') {
      faults.push({ operation, kind, delayMs: random.int(20, 200) });
    } else {
      faults.push({ operation, kind, retryAfterSeconds: kind === 'throttle' ? 0 : undefined });
    }
  }
  return faults;
}

function pickStatus(refusal: { status: number; errorType: string }): { status: number; errorType: string } {
  return { status: refusal.status, errorType: refusal.errorType };
}

/** One delivery as CloudFormation makes it: the answer read from the ResponseURL. */
async function invoke(event: TppEvent): Promise<{ ok: boolean; physicalId?: string; reason?: string }> {
  try {
    const response = await asCloudFormation<TppEvent>(handler)(event, lambdaContext());
    return { ok: true, physicalId: response.PhysicalResourceId };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

async function captured<T>(lines: string[], action: () => Promise<T>): Promise<T> {
  const saved = console.log;
  console.log = (...args: unknown[]) => { lines.push(args.map(String).join(' ')); };
  try {
    return await action();
  } finally {
    console.log = saved;
  }
}

function describeProps(event: TppEvent): string {
  const p = event.ResourceProperties;
  return `[${p.ApplicationId} '${p.Name}'${p.AdoptExisting ? ' adoptExisting' : ''}${event.PhysicalResourceId ? ` physical=${event.PhysicalResourceId}` : ''}]`;
}

function describeFault(fault: Fault): string {
  return `${fault.kind}${fault.status ? `(${fault.status} ${fault.errorType})` : ''}@${fault.operation}`;
}

/** JSON with sorted keys and without undefined fields: TPP's field order is not part of an application. */
function canonical(application: StoredTppApplication | undefined): string {
  return application === undefined ? 'missing' : JSON.stringify(Object.keys(application).sort()
    .filter((key) => (application as any)[key] !== undefined).map((key) => [key, (application as any)[key]]));
}
