// The leak suite: canary credentials planted in Secrets Manager (an API key, an OAuth client
// secret, TPP access and refresh tokens, and the pairs TPP issues on refresh), then every handler
// path driven with a hostile service on each operation it calls, in turn: a 400 or a 500 whose
// message echoes the request in each form a service might use (verbatim, 16-character prefixes,
// JSON-escaped, URL-encoded, base64). No trace of any canary may reach a failure reason, Data,
// a physical id, a log line, a thrown error, the cloud assembly or a stack output.
//
// The operations are not listed here: each path is first run without faults and the operations
// it called are the ones made hostile, so the table follows the handlers as they change.
import { readFileSync, readdirSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildExampleApp } from '../examples/example-app';
import { AppFabricEmulator } from './emulators/appfabric-emulator';
import { EchoForm, EmulatorRequest, EmulatorResponse, HttpEmulator, echoMessage } from './emulators/http-emulator';
import { SecretsManagerEmulator } from './emulators/secrets-manager-emulator';
import { TppEmulator } from './emulators/tpp-emulator';
import { Rehearsal } from './rehearsal/rehearse';
import { exampleMutation } from './rehearsal/scenario';
import { Delivery, deliver, lambdaContext } from './support/cloudformation';
import { useEmulatorEnvironment } from './support/emulator-environment';
import { HandlerHarness, cfnEvent, handler as appAuthorization } from './support/handler-harness';
import { TestPki, TppHarness, handler as tppOAuthApplication, makeTestPki, tppEvent } from './support/tpp-harness';
import { handler as appAuthorizationFunction } from '../src/app-authorization/handler/app-authorization.lambda';
import { handler as rotationFunction } from '../src/app-authorization/handler/rotation.lambda';
import { AppAuthorizationProperties } from '../src/app-authorization/properties';
import { forgetSecretsForTesting } from '../src/internal/scrub';
import { handler as tppOAuthApplicationFunction } from '../src/venafi-tpp/handler/tpp-oauth-application.lambda';

// ---------------------------------------------------------------------------------------------
// Canaries and the detector
// ---------------------------------------------------------------------------------------------

/** Random-looking, long, with the characters JSON, URL and base64 encodings each change. */
const API_KEY = 'q7Zt/Xk2+Lm9Vb4=Rw8sNe1pHc6Jd0Ya3Gf5Ui2Ox';
const ROTATED_API_KEY = 'Hb5n+Qe8/Tz1Wk4=Ls7dMa0rFy3Jc6Vg9Pu2Ni5Eo';
const CLIENT_SECRET = 'Wm3~kP9.xQ2_vL7-nR5tY8zB1cF4hJ6gD0sA+e/Tq';
const NEW_CLIENT_SECRET = 'Zr4-dK8.mS1_qW6~pV3xN9bH2gT5yC7fJ0lA/u+Ei';
/** A value with a quote, a backslash and a space: JSON and URL forms differ from it in several places. */
const AWKWARD_API_KEY = 'Xv9/Ka3"Rt7+Lm2=Qz5 Wc8\\Ny4Hd1Bp6Js0Fe3Gu';

const RUN = 12;
const FORMS: EchoForm[] = ['verbatim', 'prefix', 'json', 'url', 'base64'];

/** Every RUN-character window of every form a canary may be quoted in as text. */
function textNeedles(canary: string): string[] {
  const json = JSON.stringify(canary).slice(1, -1);
  const forms = [
    canary,
    json,
    JSON.stringify(json).slice(1, -1),
    encodeURIComponent(canary),
    encodeURIComponent(json),
    new URLSearchParams({ v: canary }).toString().slice(2),
  ];
  return [...new Set(forms.flatMap((form) => windows(form)))];
}

function windows(text: string): string[] {
  return Array.from({ length: Math.max(0, text.length - RUN + 1) }, (_, i) => text.slice(i, i + RUN));
}

/** What every base64-looking run of the text decodes to, at each of the four character alignments, either alphabet. */
function base64Decodings(text: string): string[] {
  const runs = text.match(/[A-Za-z0-9+/_-]{16,}/g) ?? [];
  return runs.flatMap((run) => [0, 1, 2, 3].map((offset) =>
    Buffer.from(run.slice(offset).replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')));
}

/** The canaries of which the text holds a trace, with the trace found. */
function tracesIn(text: string, canaries: Iterable<string>): string[] {
  const decoded = base64Decodings(text).join('\n');
  const found: string[] = [];
  for (const canary of canaries) {
    const needles = textNeedles(canary);
    const plain = needles.find((needle) => text.includes(needle));
    const encoded = plain ? undefined : needles.find((needle) => decoded.includes(needle));
    if (plain || encoded) {
      found.push(`${plain ? 'text' : 'base64'} trace '${plain ?? encoded}' of canary ${canary.slice(0, 4)}…`);
    }
  }
  return found;
}

describe('the detector', () => {
  const body = JSON.stringify({ credential: { apiKeyCredential: { apiKey: AWKWARD_API_KEY } } });

  test.each(FORMS)('sees the %s echo of a request', (form) => {
    expect(tracesIn(echoMessage(form, body), [AWKWARD_API_KEY])).toHaveLength(1);
  });

  test.each([0, 1, 2])('sees base64 whatever the alignment (%d bytes before)', (before) => {
    const encoded = Buffer.from(`${'x'.repeat(before)}${API_KEY}`).toString('base64');
    expect(tracesIn(`id ${encoded.slice(8)} end`, [API_KEY])).toHaveLength(1);
    expect(tracesIn(`id ${encoded.replace(/\+/g, '-').replace(/\//g, '_')}`, [API_KEY])).toHaveLength(1);
  });

  test('an 11-character fragment is not a trace; the mask is not one either', () => {
    expect(tracesIn(`a ${API_KEY.slice(0, 11)} b ${API_KEY.slice(20, 31)} c *** d`, [API_KEY])).toEqual([]);
    expect(tracesIn(`a ${API_KEY.slice(5, 17)} b`, [API_KEY])).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The world a path runs in
// ---------------------------------------------------------------------------------------------

/** What a path left where CloudFormation, CloudWatch Logs or Lambda would see it. */
interface Observed {
  /** Whether the event (or invocation) succeeded. */
  readonly succeeded: boolean;
  /** [where, text] pairs: answers, thrown errors. */
  readonly texts: Array<[string, string]>;
}

interface World {
  readonly emulators: Record<string, HttpEmulator>;
  /** Everything written to the console (CloudWatch Logs in Lambda). */
  readonly logs: string[];
  /** Canaries planted, plus every token issued on the way (added by `canaries()`). */
  canaries(): string[];
  close(): Promise<void>;
}

interface Path {
  readonly name: string;
  /**
   * Whether a request of the step carries a canary in its body: then some hostile echo quotes one
   * (paths such as a tenant rename or a Delete send none, and are run to show nothing else leaks).
   */
  readonly sendsCanary: boolean;
  /** Starts the emulators. */
  readonly start: () => Promise<World & { readonly appfabric?: HandlerHarness; readonly tpp?: TppHarness }>;
  /** Brings the world to the state before the step (no faults), and returns the step. */
  readonly prepare: (world: any) => Promise<() => Promise<Observed>>;
  /** Faults besides the hostile one (e.g. a lost answer before it). */
  readonly extraFaults?: (world: any) => void;
  /** How many requests each hostile fault answers. @default 1 (a retry then succeeds) */
  readonly hostileTimes?: number;
  /** Only these operations are made hostile. @default every operation the step calls */
  readonly operations?: string[];
  /** @default [400, 500] */
  readonly statuses?: ReadonlyArray<400 | 500>;
}

/** Also console.error/warn/info: a handler that wrote there would bypass the scrubbing logger. */
function captureOtherConsole(lines: string[]): jest.SpyInstance[] {
  return (['error', 'warn', 'info', 'debug'] as const).map((level) => jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
    lines.push(`[console.${level}] ${args.map(String).join(' ')}`);
  }));
}

async function appFabricWorld(planted: string[]) {
  const harness = await HandlerHarness.start();
  const spies = captureOtherConsole(harness.logs);
  return {
    appfabric: harness,
    emulators: { AppFabric: harness.appfabric, SecretsManager: harness.secrets } as Record<string, HttpEmulator>,
    logs: harness.logs,
    canaries: () => [...planted, HARNESS_CLIENT_SECRET],
    close: async () => {
      spies.forEach((spy) => spy.mockRestore());
      await harness.close();
    },
  };
}

let pki: TestPki;
beforeAll(async () => { pki = await makeTestPki(); });

async function tppWorld() {
  const harness = await TppHarness.start(pki);
  const spies = captureOtherConsole(harness.logs);
  // Every pair the emulator issues for a token secret is a canary.
  const issued: Array<Record<string, unknown>> = [];
  const tokenSecrets = new Set<string>();
  const tokenSecret = harness.tokenSecret.bind(harness);
  harness.tokenSecret = (...args) => {
    const made = tokenSecret(...args);
    issued.push({ ...made.tokens });
    tokenSecrets.add(made.arn);
    return made;
  };
  return {
    tpp: harness,
    emulators: { TPP: harness.tpp, SecretsManager: harness.secrets } as Record<string, HttpEmulator>,
    logs: harness.logs,
    // Every token that ever was in a token secret, or that the handler tried to write to one.
    canaries: () => {
      const strings = harness.secrets.requests.filter((r) => r.operation === 'PutSecretValue')
        .map((r) => String(r.requestBody?.SecretString ?? ''));
      const tokens = [...issued, ...strings.map((s) => JSON.parse(s))]
        .flatMap((json) => [json.access_token, json.refresh_token]);
      for (const arn of tokenSecrets) {
        const stored = harness.secretJson(arn);
        tokens.push(stored.access_token, stored.refresh_token);
      }
      return [...new Set(tokens.filter((t): t is string => typeof t === 'string'))];
    },
    close: async () => {
      spies.forEach((spy) => spy.mockRestore());
      await harness.close();
    },
  };
}

/** What CloudFormation received for one event: every answer body, whole. */
function answered(delivery: Delivery): Observed {
  return {
    succeeded: delivery.answer?.Status === 'SUCCESS' && delivery.answers.length === 1,
    texts: [
      ...delivery.answers.map((a, i): [string, string] => [`answer ${i + 1} (Reason, PhysicalResourceId, Data)`, JSON.stringify(a.body)]),
      ...(delivery.invocationError ? [['invocation error', delivery.invocationError] as [string, string]] : []),
    ],
  };
}

/** The harness's own default secret holds this; it is a canary too. */
const HARNESS_CLIENT_SECRET = 'CANARY-oauth-secret-7Hq2Wx';

function oauthProps(h: HandlerHarness, clientSecret: string, name = 'appfabric/slack-canary', overrides: Partial<AppAuthorizationProperties> = {}) {
  return h.props({
    CredentialSecretArn: h.secrets.putSecret(name, JSON.stringify({ clientId: 'slack-client-id', clientSecret })),
    ...overrides,
  });
}

/** Runs a Create without faults; its props and physical id. */
async function created(props: AppAuthorizationProperties) {
  const { PhysicalResourceId } = await appAuthorization(cfnEvent('Create', props), lambdaContext());
  return { props, arn: PhysicalResourceId };
}

const runAppAuthorization = (event: Parameters<typeof appAuthorizationFunction>[0], remainingMs?: number) =>
  async () => answered(await deliver(appAuthorizationFunction, event, lambdaContext(remainingMs)));

const runTpp = (event: Parameters<typeof tppOAuthApplicationFunction>[0]) =>
  async () => answered(await deliver(tppOAuthApplicationFunction, event, lambdaContext()));

// ---------------------------------------------------------------------------------------------
// The paths
// ---------------------------------------------------------------------------------------------

const appFabricPaths: Path[] = [
  {
    name: 'Create oauth2',
    sendsCanary: true,
    start: () => appFabricWorld([CLIENT_SECRET]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => runAppAuthorization(cfnEvent('Create', oauthProps(h, CLIENT_SECRET))),
  },
  {
    name: 'Create apiKey + connect',
    sendsCanary: true,
    start: () => appFabricWorld([API_KEY]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => runAppAuthorization(cfnEvent('Create', h.apiKeyProps(API_KEY))),
  },
  {
    name: 'Create apiKey + connect, a key JSON and URL encodings change in several places',
    sendsCanary: true,
    start: () => appFabricWorld([AWKWARD_API_KEY]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => runAppAuthorization(cfnEvent('Create', h.apiKeyProps(AWKWARD_API_KEY))),
  },
  {
    name: 'Create whose answer was lost, retried to the deadline; the cleanup asks again with the credential',
    sendsCanary: true,
    start: () => appFabricWorld([API_KEY]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => runAppAuthorization(cfnEvent('Create', h.apiKeyProps(API_KEY)), 11_500),
    // The first Create is made but its answer lost; the hostile fault then answers every request.
    extraFaults: ({ appfabric: h }: { appfabric: HandlerHarness }) => h.appfabric.injectFault({ operation: 'CreateAppAuthorization', kind: 'dropResponse' }),
    operations: ['CreateAppAuthorization'],
    statuses: [500],
    hostileTimes: Infinity,
  },
  {
    name: 'Update in place: tenant',
    sendsCanary: false,
    start: () => appFabricWorld([CLIENT_SECRET]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const { props, arn } = await created(oauthProps(h, CLIENT_SECRET));
      return runAppAuthorization(cfnEvent('Update', { ...props, TenantDisplayName: 'Renamed' }, { oldProps: props, physicalResourceId: arn }));
    },
  },
  {
    name: 'Update in place: credential (oauth2)',
    sendsCanary: true,
    start: () => appFabricWorld([CLIENT_SECRET, NEW_CLIENT_SECRET]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const { props, arn } = await created(oauthProps(h, CLIENT_SECRET));
      const next = oauthProps(h, NEW_CLIENT_SECRET, 'appfabric/slack-v2');
      return runAppAuthorization(cfnEvent('Update', next, { oldProps: props, physicalResourceId: arn }));
    },
  },
  {
    name: 'Update in place: credential (apiKey, connects again)',
    sendsCanary: true,
    start: () => appFabricWorld([API_KEY, ROTATED_API_KEY]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const { props, arn } = await created(h.apiKeyProps(API_KEY));
      const next = h.apiKeyProps(ROTATED_API_KEY, { CredentialSecretArn: h.secrets.putSecret('appfabric/asana-v2', JSON.stringify({ apiKey: ROTATED_API_KEY })) });
      return runAppAuthorization(cfnEvent('Update', next, { oldProps: props, physicalResourceId: arn }));
    },
  },
  {
    name: 'Replacement (oauth2 → apiKey, same app and tenant: the old one removed first)',
    sendsCanary: true,
    start: () => appFabricWorld([CLIENT_SECRET, API_KEY]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const { props, arn } = await created(oauthProps(h, CLIENT_SECRET));
      const next = h.apiKeyProps(API_KEY, { App: 'SLACK', TenantIdentifier: props.TenantIdentifier });
      return runAppAuthorization(cfnEvent('Update', next, { oldProps: props, physicalResourceId: arn }));
    },
  },
  {
    name: 'Replacement (another app)',
    sendsCanary: true,
    start: () => appFabricWorld([CLIENT_SECRET, NEW_CLIENT_SECRET]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const { props, arn } = await created(oauthProps(h, CLIENT_SECRET));
      const next = oauthProps(h, NEW_CLIENT_SECRET, 'appfabric/zoom', { App: 'ZOOM' });
      return runAppAuthorization(cfnEvent('Update', next, { oldProps: props, physicalResourceId: arn }));
    },
  },
  {
    name: 'Adoption (adoptExisting, apiKey: updated and connected)',
    sendsCanary: true,
    start: () => appFabricWorld([API_KEY]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const props = h.apiKeyProps(API_KEY, { AdoptExisting: 'true', Tags: [{ key: 'managed-by', value: 'cdk' }] });
      h.appfabric.putAuthorization({
        appBundleArn: h.bundleArn,
        app: props.App,
        authType: 'apiKey',
        tenant: { tenantIdentifier: props.TenantIdentifier, tenantDisplayName: 'Made in the console' },
        credential: { apiKeyCredential: { apiKey: 'made-in-the-console' } },
      });
      return runAppAuthorization(cfnEvent('Create', props));
    },
  },
  {
    name: 'Delete',
    sendsCanary: false,
    start: () => appFabricWorld([CLIENT_SECRET]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const { props, arn } = await created(oauthProps(h, CLIENT_SECRET));
      return runAppAuthorization(cfnEvent('Delete', props, { physicalResourceId: arn }));
    },
  },
  {
    name: 'Rotation follower (apiKey)',
    sendsCanary: true,
    start: () => appFabricWorld([API_KEY, ROTATED_API_KEY]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const { props, arn } = await created(h.apiKeyProps(API_KEY));
      h.secrets.putSecret('appfabric/asana', JSON.stringify({ apiKey: ROTATED_API_KEY }));
      return followRotation({ authorization: { ...props, AppAuthorizationArn: arn }, versionId: h.secrets.versionId('appfabric/asana') });
    },
  },
  {
    name: 'Rotation follower (oauth2)',
    sendsCanary: true,
    start: () => appFabricWorld([CLIENT_SECRET, NEW_CLIENT_SECRET]),
    prepare: async ({ appfabric: h }: { appfabric: HandlerHarness }) => {
      const { props, arn } = await created(oauthProps(h, CLIENT_SECRET));
      h.secrets.putSecret('appfabric/slack-canary', JSON.stringify({ clientId: 'slack-client-id', clientSecret: NEW_CLIENT_SECRET }));
      return followRotation({ authorization: { ...props, AppAuthorizationArn: arn }, versionId: h.secrets.versionId('appfabric/slack-canary') });
    },
  },
];

/** The follower is invoked by EventBridge: what Lambda records is its result or its thrown error (message and stack). */
function followRotation(event: Parameters<typeof rotationFunction>[0]) {
  return async (): Promise<Observed> => {
    try {
      const outcome = await rotationFunction(event, lambdaContext());
      return { succeeded: true, texts: [['result', JSON.stringify(outcome)]] };
    } catch (error) {
      return { succeeded: false, texts: [['thrown error', `${(error as Error).message}\n${(error as Error).stack}`]] };
    }
  };
}

const tppPaths: Path[] = [
  {
    name: 'TPP create',
    // The access token travels in a header, which TPP quotes back in the bearer variants.
    sendsCanary: true,
    start: tppWorld,
    prepare: async ({ tpp: h }: { tpp: TppHarness }) => runTpp(tppEvent('Create', h.props())),
  },
  {
    name: 'TPP update',
    // The access token travels in a header, which TPP quotes back in the bearer variants.
    sendsCanary: true,
    start: tppWorld,
    prepare: async ({ tpp: h }: { tpp: TppHarness }) => {
      const props = h.props();
      await tppOAuthApplication(tppEvent('Create', props), lambdaContext());
      return runTpp(tppEvent('Update', { ...props, Description: 'updated' }, { oldProps: props, physicalResourceId: 'cert-bot' }));
    },
  },
  {
    name: 'TPP token refresh (the new pair written back to the secret)',
    sendsCanary: true,
    start: tppWorld,
    prepare: async ({ tpp: h }: { tpp: TppHarness }) => {
      const props = h.props();
      await tppOAuthApplication(tppEvent('Create', props), lambdaContext());
      h.tpp.expireAccessToken(h.secretJson(props.TokenSecretArn).access_token);
      return runTpp(tppEvent('Update', { ...props, Description: 'updated' }, { oldProps: props, physicalResourceId: 'cert-bot' }));
    },
  },
  {
    name: 'TPP delete',
    // The access token travels in a header, which TPP quotes back in the bearer variants.
    sendsCanary: true,
    start: tppWorld,
    prepare: async ({ tpp: h }: { tpp: TppHarness }) => {
      const props = h.props();
      await tppOAuthApplication(tppEvent('Create', props), lambdaContext());
      return runTpp(tppEvent('Delete', props, { physicalResourceId: 'cert-bot' }));
    },
  },
];

// ---------------------------------------------------------------------------------------------
// The table: every path × every echo form × every operation the path calls × 400 and 500
// ---------------------------------------------------------------------------------------------

/** One hostile answer: the emulator's hostile fault, or (TPP) an error quoting the bearer token the request carried. */
interface Hostility {
  readonly emulator: string;
  readonly operation: string;
  readonly status: 400 | 500;
  readonly bearer?: boolean;
  /** bearer: which request for the operation (1 = the first). */
  readonly occurrence?: number;
}

interface Attempt {
  readonly observed: Observed;
  readonly requests: Array<{ emulator: string; operation: string; status: number; rawBody: string; authorization?: string }>;
  readonly leaks: string[];
  readonly canaries: string[];
  /** bearer: whether the quoting answer was given. */
  readonly bearerQuoted?: boolean;
}

async function attempt(p: Path, hostility?: Hostility, echo: EchoForm = 'verbatim'): Promise<Attempt> {
  const world = await p.start();
  try {
    const step = await p.prepare(world);
    const marks = new Map(Object.entries(world.emulators).map(([name, emulator]) => [name, emulator.requests.length]));
    // The step runs in a new Lambda container: it remembers only the secret values it reads itself.
    forgetSecretsForTesting();
    p.extraFaults?.(world);
    let bearerQuoted: { given: boolean } | undefined;
    if (hostility?.bearer) {
      bearerQuoted = quoteBearerOnce(world.emulators[hostility.emulator] as TppEmulator, hostility, echo);
    } else if (hostility) {
      world.emulators[hostility.emulator].injectFault({
        operation: hostility.operation, kind: 'hostile', status: hostility.status, echo, times: p.hostileTimes ?? 1,
      });
    }
    const observed = await step();
    const requests = Object.entries(world.emulators).flatMap(([emulator, e]) => e.requests.slice(marks.get(emulator)).map((r) => ({
      emulator, operation: r.operation, status: r.status, rawBody: r.rawBody, authorization: r.headers.authorization,
    })));
    const canaries = world.canaries();
    const places: Array<[string, string]> = [...observed.texts, ...world.logs.map((line, i): [string, string] => [`log line ${i + 1}`, line])];
    const leaks = places.flatMap(([where, text]) => tracesIn(text, canaries).map((trace) => `${where}: ${trace}`));
    return { observed, requests, leaks, canaries, bearerQuoted: bearerQuoted?.given };
  } finally {
    await world.close();
  }
}

/**
 * TPP answers the next request for the operation with an error quoting the request's own
 * Authorization header (the access token it holds at that moment, refreshed or not) and body.
 */
function quoteBearerOnce(tpp: TppEmulator, hostility: Hostility, echo: EchoForm): { given: boolean } {
  const emulator = tpp as unknown as { dispatch: (operation: string, request: EmulatorRequest) => EmulatorResponse };
  const dispatch = emulator.dispatch.bind(tpp);
  const state = { given: false };
  let seen = 0;
  emulator.dispatch = (operation, request) => {
    if (state.given || operation !== hostility.operation || ++seen < (hostility.occurrence ?? 1)) {
      return dispatch(operation, request);
    }
    state.given = true;
    const quoted = JSON.stringify({ authorization: request.headers.authorization, body: request.rawBody });
    return {
      status: hostility.status,
      headers: { 'content-type': 'application/json' },
      body: { error: hostility.status === 400 ? 'invalid_request' : 'server_error', error_description: echoMessage(echo, quoted) },
    };
  };
  return state;
}

/** Whether a request body carries a canary (as JSON carries it): a hostile echo of it quotes the canary. */
function carriesCanary(rawBody: string, canaries: string[]): boolean {
  return canaries.some((canary) => rawBody.includes(JSON.stringify(canary).slice(1, -1)));
}

/** Counts for the summary (LEAK_SUITE_SUMMARY=1). */
const tally = {
  paths: new Set<string>(), forms: new Set<string>(), operations: new Set<string>(), hostileRuns: 0, echoedCanary: 0, succeededAfter500: 0,
};

function pathCases(paths: Path[]): Array<[string, EchoForm]> {
  return paths.flatMap((p) => FORMS.map((form): [string, EchoForm] => [p.name, form]));
}

async function checkPath(p: Path, echo: EchoForm): Promise<void> {
  // Without faults first: the path succeeds, leaks nothing, and shows which operations it calls.
  const dry = await attempt(p);
  expect(dry.leaks).toEqual([]);
  expect(dry.observed).toMatchObject({ succeeded: true });
  const called = [...new Map(dry.requests.map((r) => [`${r.emulator} ${r.operation}`, r])).values()]
    .filter((r) => !p.operations || p.operations.includes(r.operation));
  const hostilities: Hostility[] = called.flatMap((r) => (p.statuses ?? [400, 500] as const).flatMap((status) => [
    { emulator: r.emulator, operation: r.operation, status },
    // TPP's WebSDK calls carry the access token in a header: TPP quoting it back, on each call
    // (after a refresh, the new token).
    ...(r.emulator === 'TPP' && r.authorization
      ? dry.requests.filter((q) => q.emulator === 'TPP' && q.operation === r.operation)
        .map((_q, i) => ({ emulator: r.emulator, operation: r.operation, status, bearer: true, occurrence: i + 1 }))
      : []),
  ]));
  expect(hostilities.length).toBeGreaterThan(0);

  const problems: string[] = [];
  let echoedCanary = 0;
  for (const hostility of hostilities) {
    const label = `${hostility.emulator} ${hostility.operation} ${hostility.status}` +
      `${hostility.bearer ? ` quoting the bearer token (call ${hostility.occurrence})` : ''}`;
    const run = await attempt(p, hostility, echo);
    const hit = hostility.bearer ? run.bearerQuoted
      : run.requests.find((r) => r.emulator === hostility.emulator && r.operation === hostility.operation && r.status === hostility.status);
    if (!hit) {
      problems.push(`${label}: the hostile answer was never given (${run.requests.map((r) => `${r.operation}:${r.status}`).join(' ')})`);
    } else if (hit === true || carriesCanary(hit.rawBody, run.canaries)) {
      echoedCanary++;
    }
    // A retried 500 followed by success: a deploy that succeeds must not have logged the secret either.
    if (hostility.status === 500 && (p.hostileTimes ?? 1) === 1) {
      if (run.observed.succeeded) {
        tally.succeededAfter500++;
      } else {
        problems.push(`${label}: one hostile 500 and the event did not succeed: ${run.observed.texts.map(([, text]) => text).join(' | ')}`);
      }
    }
    problems.push(...run.leaks.map((leak) => `${label}: ${leak}`));
    tally.hostileRuns++;
    tally.operations.add(`${hostility.emulator} ${hostility.operation}`);
  }
  expect(problems).toEqual([]);
  if (p.sendsCanary) {
    // The table would prove nothing if no hostile answer had a canary to quote.
    expect(echoedCanary).toBeGreaterThan(0);
  }
  tally.echoedCanary += echoedCanary;
  tally.paths.add(p.name);
  tally.forms.add(echo);
}

describe('AppAuthorization handler and rotation follower', () => {
  test.each(pathCases(appFabricPaths))('%s; every operation hostile in turn, echoing %s', async (name, echo) => {
    await checkPath(appFabricPaths.find((p) => p.name === name)!, echo);
  }, 300_000);
});

describe('TppOAuthApplication handler', () => {
  test.each(pathCases(tppPaths))('%s; every operation hostile in turn, echoing %s', async (name, echo) => {
    await checkPath(tppPaths.find((p) => p.name === name)!, echo);
  }, 300_000);
});

afterAll(() => {
  if (process.env.LEAK_SUITE_SUMMARY) {
    process.stderr.write(`leak suite: ${tally.paths.size} paths × ${tally.forms.size} forms; ${tally.hostileRuns} hostile runs over ` +
      `${tally.operations.size} operations; ${tally.echoedCanary} echoed a canary; ${tally.succeededAfter500} deploys succeeded after a hostile 500\n`);
  }
});

// ---------------------------------------------------------------------------------------------
// The example app end to end: cloud assembly, outputs, Data and logs
// ---------------------------------------------------------------------------------------------

describe('the example app deployed, updated and deleted through hostile services', () => {
  // Inside the repository, so the bundled handlers resolve what Lambda's runtime provides.
  const TMP = path.join(__dirname, '.tmp');
  let assemblyDir: string;
  beforeAll(() => {
    mkdirSync(TMP, { recursive: true });
    assemblyDir = mkdtempSync(path.join(TMP, 'leaks-'));
    const app = new App({ outdir: assemblyDir });
    buildExampleApp(app);
    app.synth();
  });
  afterAll(() => rmSync(assemblyDir, { recursive: true, force: true }));

  /** Each of these answers one hostile 500 first (then succeeds). */
  const HOSTILE: Array<[string, string]> = [
    ['appfabric', 'CreateAppAuthorization'], ['appfabric', 'UpdateAppAuthorization'], ['appfabric', 'ConnectAppAuthorization'],
    ['tpp', 'GetApplication'], ['tpp', 'RefreshToken'], ['tpp', 'UpdateApplication'], ['secrets', 'PutSecretValue'],
  ];
  /** The ones whose request carries a canary here (the Update pass renames a tenant: no credential sent). */
  const CARRYING_A_CANARY = ['CreateAppAuthorization', 'PutSecretValue', 'RefreshToken'];

  test.each(FORMS)('echoing %s: the deploy succeeds and no canary is anywhere', async (echo) => {
    const appfabric = await AppFabricEmulator.start();
    const secrets = await SecretsManagerEmulator.start();
    const tpp = await TppEmulator.start({ tls: pki.serverTls });
    const restoreEnvironment = useEmulatorEnvironment({ region: appfabric.region, appfabric: appfabric.endpoint, secretsManager: secrets.endpoint });
    const logs: string[] = [];
    const spies = (['log', 'error', 'warn', 'info', 'debug'] as const).map((level) => jest.spyOn(console, level)
      .mockImplementation((...args: unknown[]) => { logs.push(args.map(String).join(' ')); }));
    try {
      secrets.putSecret('appfabric/slack', JSON.stringify({ clientId: 'example-slack-client', clientSecret: CLIENT_SECRET }));
      secrets.putSecret('appfabric/asana', JSON.stringify({ apiKey: API_KEY }));
      const tokens = tpp.issueToken({ scope: 'admin' });
      secrets.putSecret('tpp/admin-token', JSON.stringify(tokens));
      // The stored access token has expired: the deploy refreshes the pair and writes it back.
      tpp.expireAccessToken(tokens.access_token);
      const emulators: Record<string, HttpEmulator> = { appfabric, tpp, secrets };
      for (const [emulator, operation] of HOSTILE) {
        emulators[emulator].injectFault({ operation, kind: 'hostile', status: 500, echo });
      }

      const rehearsal = Rehearsal.load(assemblyDir, appfabric, (type, properties) => type === 'Custom::VenafiTppOAuthApplication'
        ? { ...properties, ServerUrl: tpp.endpoint, TrustedCaCertificate: pki.caCertificate } : properties);
      const passes = [await rehearsal.create(), await rehearsal.update(exampleMutation), await rehearsal.delete()];
      expect(passes.map((pass) => pass.failure?.error)).toEqual([undefined, undefined, undefined]);
      // Each hostile 500 was given (and retried), a canary in its request.
      const hostile = [appfabric, tpp, secrets].flatMap((e) => e.requests.filter((r) => r.status === 500));
      expect(hostile.map((r) => r.operation).sort()).toEqual(HOSTILE.map(([, operation]) => operation).sort());

      const written = secrets.requests.filter((r) => r.operation === 'PutSecretValue').map((r) => JSON.parse(r.requestBody.SecretString));
      expect(written.length).toBeGreaterThan(0);
      const canaries = [CLIENT_SECRET, API_KEY, tokens.access_token, tokens.refresh_token,
        ...written.flatMap((json) => [json.access_token, json.refresh_token])];
      expect(hostile.filter((r) => carriesCanary(r.rawBody, canaries)).map((r) => r.operation).sort()).toEqual(CARRYING_A_CANARY);

      const places: Array<[string, string]> = [
        ...filesBelow(assemblyDir).map((file): [string, string] => [`cloud assembly ${path.relative(assemblyDir, file)}`, readFileSync(file, 'utf8')]),
        ...passes.map((pass): [string, string] => [`${pass.pass}: outputs, physical ids and Data`, JSON.stringify(pass)]),
        ...logs.map((line, i): [string, string] => [`log line ${i + 1}`, line]),
      ];
      expect(places.flatMap(([where, text]) => tracesIn(text, canaries).map((trace) => `${where}: ${trace}`))).toEqual([]);
      // The outputs are there to be looked at: the Slack AuthUrl.
      expect(Object.keys(passes[0].outputs.AppFabricExample ?? {})).toContain('SlackAuthUrl');
    } finally {
      spies.forEach((spy) => spy.mockRestore());
      restoreEnvironment();
      await Promise.all([appfabric.close(), secrets.close(), tpp.close()]);
    }
  }, 120_000);
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? filesBelow(path.join(dir, entry.name)) : [path.join(dir, entry.name)]);
}
