// Bad input, one table: every case says where it is rejected (synth, a synth warning, the custom
// resource's failure reason, the CLI) and checks that the message names the property, shows the
// value when the value is safe to show, never shows a secret, and says what to do instead.
import { App, Duration, Stack, Tags, aws_ec2 as ec2, aws_s3 as s3, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import {
  AppAuthorization, AppAuthorizationProps, AppBundle, AppCredential, Application, AuthType, Ingestion, IngestionDestinationTarget,
  TppOAuthApplication, TppOAuthApplicationProps,
} from '../src';
import { useEmulatorEnvironment } from './support/emulator-environment';
import { HandlerHarness, cfnEvent, failureReason, handler, lambdaContext } from './support/handler-harness';
import { TEST_ENV } from './support/stacks';
import { FIXTURE_CA_CERTIFICATE } from './support/test-pki';
import { main } from '../src/cli/main';

type Layer = 'synth' | 'synth warning' | 'custom resource' | 'cli';

interface BadInput {
  readonly layer: Layer;
  readonly name: string;
  /** Produces the message the person sees. */
  readonly message: () => string | Promise<string>;
  /** The property (or option) the message must name. */
  readonly property: string;
  /** The offending value, when it is safe to show (ARNs, names, lengths). */
  readonly value?: string;
  /** What to do instead. */
  readonly fix: string | RegExp;
  /** A secret the input carried: neither it nor any 12-character part of it may appear. */
  readonly secret?: string;
}

const BUNDLE_ARN = 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-111111111111';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:appfabric/slack-AbCdEf';

function newStack(env = TEST_ENV): Stack {
  return new Stack(new App(), 'TestStack', { env });
}

/** The error synthesizing `build`'s stack throws (constructor checks, then validations after aspects). */
function synthError(build: (stack: Stack) => void): string {
  const stack = newStack();
  try {
    build(stack);
    (stack.node.root as App).synth();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected synth to fail, but it succeeded');
}

function synthWarning(build: (stack: Stack) => void): string {
  const stack = newStack();
  build(stack);
  const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
  return warnings.join('\n');
}

function slackProps(stack: Stack, overrides: Partial<AppAuthorizationProps> = {}): AppAuthorizationProps {
  return {
    appBundle: AppBundle.fromAppBundleArn(stack, 'Bundle', BUNDLE_ARN),
    app: Application.SLACK,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret', SECRET_ARN)),
    ...overrides,
  };
}

function asanaProps(stack: Stack, overrides: Partial<AppAuthorizationProps> = {}): AppAuthorizationProps {
  return slackProps(stack, {
    app: Application.ASANA,
    credential: AppCredential.apiKey(secretsmanager.Secret.fromSecretCompleteArn(stack, 'Key', SECRET_ARN.replace('slack', 'asana'))),
    ...overrides,
  });
}

function slackWith(overrides: (stack: Stack) => Partial<AppAuthorizationProps>): () => string {
  return () => synthError((stack) => new AppAuthorization(stack, 'Slack', slackProps(stack, overrides(stack))));
}

function tppProps(stack: Stack, overrides: Partial<TppOAuthApplicationProps> = {}): TppOAuthApplicationProps {
  return {
    serverUrl: 'https://tpp.example.com',
    tokenSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Token', 'tpp/admin-token'),
    applicationId: 'cert-bot',
    applicationName: 'Certificate bot',
    vendor: 'Example Corp',
    scope: 'certificate:manage',
    trustedCaCertificate: FIXTURE_CA_CERTIFICATE,
    ...overrides,
  };
}

function tppWith(overrides: (stack: Stack) => Partial<TppOAuthApplicationProps>): () => string {
  return () => synthError((stack) => new TppOAuthApplication(stack, 'CertBot', tppProps(stack, overrides(stack))));
}

function thrown(fn: () => unknown): () => string {
  return () => {
    try {
      fn();
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('expected an error');
  };
}

/** Runs the CLI and returns what it printed to stderr; the exit code must be `exitCode`. */
function cli(argv: string[], exitCode: number, env: Record<string, string | undefined> = {}): () => Promise<string> {
  return async () => {
    const lines: string[] = [];
    const errSpy = jest.spyOn(console, 'error').mockImplementation((line) => { lines.push(String(line)); });
    const outSpy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    // Nothing listens on port 9: a case that got as far as a request would fail differently.
    const restoreEnvironment = useEmulatorEnvironment({ appfabric: 'http://127.0.0.1:9' });
    try {
      for (const [name, value] of Object.entries(env)) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
      expect(await main(argv)).toBe(exitCode);
      return lines.join('\n');
    } finally {
      errSpy.mockRestore();
      outSpy.mockRestore();
      restoreEnvironment();
    }
  };
}

let harness: HandlerHarness;
beforeAll(async () => { harness = await HandlerHarness.start(); });
afterAll(async () => { await harness.close(); });

function customResource(props: () => Parameters<typeof cfnEvent>[1]): () => Promise<string> {
  return () => failureReason(handler(cfnEvent('Create', props()), lambdaContext()));
}

const CASES: BadInput[] = [
  // Imports and ARNs: no wildcard ever reaches a grant.
  {
    layer: 'synth',
    name: 'bundle ARN ending in *',
    property: 'AppBundle.fromAppBundleArn(appBundleArn)',
    value: 'appbundle/*',
    fix: 'Pass an ARN like arn:aws:appfabric:',
    message: thrown(() => AppBundle.fromAppBundleArn(newStack(), 'B', 'arn:aws:appfabric:us-east-1:111122223333:appbundle/*')),
  },
  {
    layer: 'synth',
    name: 'bundle ARN with wildcard Region and account',
    property: 'AppBundle.fromAppBundleArn(appBundleArn)',
    value: 'arn:aws:appfabric:*:*:appbundle/*',
    fix: /is a pattern, not an AppFabric appbundle ARN.*Pass an ARN like/,
    message: thrown(() => AppBundle.fromAppBundleArn(newStack(), 'B', 'arn:aws:appfabric:*:*:appbundle/*')),
  },
  {
    layer: 'synth',
    name: 'bundle id with ?',
    property: 'AppBundle.fromAppBundleArn(appBundleArn)',
    value: 'appbundle/a1b2????',
    fix: 'Pass an ARN like',
    message: thrown(() => AppBundle.fromAppBundleArn(newStack(), 'B', 'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2????')),
  },
  {
    layer: 'synth',
    name: 'not an ARN',
    property: 'AppBundle.fromAppBundleArn(appBundleArn)',
    value: 'my-bundle',
    fix: 'Pass an ARN like',
    message: thrown(() => AppBundle.fromAppBundleArn(newStack(), 'B', 'my-bundle')),
  },
  {
    layer: 'synth',
    name: 'bundle ARN with a Region that is no Region code',
    property: 'AppBundle.fromAppBundleArn(appBundleArn)',
    value: 'US_EAST_1',
    fix: 'its Region is not an AWS Region code',
    message: thrown(() => AppBundle.fromAppBundleArn(newStack(), 'B', BUNDLE_ARN.replace('us-east-1', 'US_EAST_1'))),
  },
  {
    layer: 'synth',
    name: 'bundle in another Region than the stack',
    property: 'AppBundle.fromAppBundleArn(appBundleArn)',
    value: 'Region eu-west-1',
    fix: 'import the bundle of Region us-east-1',
    message: thrown(() => AppBundle.fromAppBundleArn(newStack(), 'B', BUNDLE_ARN.replace('us-east-1', 'eu-west-1'))),
  },
  {
    layer: 'synth',
    name: 'bundle in another account than the stack',
    property: 'AppBundle.fromAppBundleArn(appBundleArn)',
    value: 'account 444455556666',
    fix: 'import the bundle of account 111122223333',
    message: thrown(() => AppBundle.fromAppBundleArn(newStack(), 'B', BUNDLE_ARN.replace('111122223333', '444455556666'))),
  },
  {
    layer: 'synth',
    name: 'an authorization ARN where a bundle ARN belongs',
    property: 'AppBundle.fromAppBundleArn(appBundleArn)',
    value: '/appauthorization/c1',
    fix: 'Pass an ARN like',
    message: thrown(() => AppBundle.fromAppBundleArn(newStack(), 'B', `${BUNDLE_ARN}/appauthorization/c1`)),
  },
  {
    layer: 'synth',
    name: 'ingestion ARN with a wildcard',
    property: 'Ingestion.fromIngestionArn(ingestionArn)',
    value: '/ingestion/*',
    fix: 'Pass an ARN like',
    message: thrown(() => Ingestion.fromIngestionArn(newStack(), 'I', `${BUNDLE_ARN}/ingestion/*`)),
  },
  {
    layer: 'synth',
    name: 'bad SSM parameter name',
    property: 'AppBundle.fromAppBundleParameter(parameterName)',
    value: 'my param!',
    fix: "e.g. '/appfabric/app-bundle-arn'",
    message: thrown(() => AppBundle.fromAppBundleParameter(newStack(), 'B', 'my param!')),
  },
  {
    layer: 'synth',
    name: 'a bundle of a stack in another Region',
    property: 'appBundle Dublin/Bundle',
    value: 'Region eu-west-1',
    fix: 'use the bundle of Region us-east-1',
    message: () => synthError((stack) => {
      const dublin = new Stack(stack.node.root as App, 'Dublin', { env: { ...TEST_ENV, region: 'eu-west-1' } });
      new AppAuthorization(stack, 'Slack', slackProps(stack, { appBundle: new AppBundle(dublin, 'Bundle') }));
    }),
  },

  // Secrets: no pattern, same account and Region.
  {
    layer: 'synth',
    name: "secret imported by the name 'appfabric/*'",
    property: 'credential.secret',
    fix: 'Import the one secret by its exact name',
    message: slackWith((stack) => ({ credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'appfabric/*')) })),
  },
  {
    layer: 'synth',
    name: "secret imported by the partial ARN 'secret:*'",
    property: 'credential.secret',
    fix: 'Secret.fromSecretCompleteArn',
    message: slackWith((stack) => ({ credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretPartialArn(stack, 'S', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:*')) })),
  },
  {
    layer: 'synth',
    name: 'secret name with ?',
    property: 'credential.secret',
    fix: 'by its exact name',
    message: slackWith((stack) => ({ credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'appfabric/slack-??????')) })),
  },
  {
    layer: 'synth',
    name: 'secret in another Region',
    property: 'credential.secret',
    value: 'Region eu-west-1',
    fix: 'replicate the secret to us-east-1',
    message: slackWith((stack) => ({ credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', SECRET_ARN.replace('us-east-1', 'eu-west-1'))) })),
  },
  {
    layer: 'synth',
    name: 'secret in another account',
    property: 'credential.secret',
    value: 'account 444455556666',
    fix: 'store the secret in account 111122223333',
    message: slackWith((stack) => ({ credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', SECRET_ARN.replace('111122223333', '444455556666'))) })),
  },
  {
    layer: 'synth',
    name: 'TPP token secret imported by a pattern',
    property: 'tokenSecret',
    fix: 'Import the one secret',
    message: tppWith((stack) => ({ tokenSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'T', 'tpp/*') })),
  },
  {
    layer: 'synth',
    name: 'TPP token secret in another Region',
    property: 'tokenSecret',
    value: 'Region ap-northeast-1',
    fix: 'replicate the secret',
    message: tppWith((stack) => ({ tokenSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'T', SECRET_ARN.replace('us-east-1', 'ap-northeast-1')) })),
  },
  {
    layer: 'synth',
    name: 'blank JSON field name',
    property: 'AppCredential field',
    fix: "e.g. 'apiKey'",
    message: thrown(() => AppCredential.apiKey(secretsmanager.Secret.fromSecretNameV2(newStack(), 'S', 'x'), { field: '  ' })),
  },
  {
    layer: 'synth',
    name: 'oauth2 credential for an apiKey application',
    property: 'credential',
    value: 'ASANA uses apiKey',
    fix: 'Pass AppCredential.apiKey(secret)',
    message: () => synthError((stack) => new AppAuthorization(stack, 'Asana', asanaProps(stack, { credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', SECRET_ARN)) }))),
  },

  // Tenants and application names.
  {
    layer: 'synth',
    name: 'whitespace-only tenant',
    property: 'tenant.tenantIdentifier',
    value: 'is only whitespace',
    fix: "Pass the application's identifier for the tenant",
    message: slackWith(() => ({ tenant: { tenantIdentifier: '   ', tenantDisplayName: 'T' } })),
  },
  {
    layer: 'synth',
    name: 'tenant with a control character',
    property: 'tenant.tenantIdentifier',
    value: 'U+0007',
    fix: 'exactly as the application shows it',
    message: slackWith(() => ({ tenant: { tenantIdentifier: 'acme\u0007', tenantDisplayName: 'T' } })),
  },
  {
    layer: 'synth',
    name: 'tenant with a newline',
    property: 'tenant.tenantIdentifier',
    value: 'U+000A',
    fix: 'exactly as the application shows it',
    message: slackWith(() => ({ tenant: { tenantIdentifier: 'acme\n', tenantDisplayName: 'T' } })),
  },
  {
    layer: 'synth',
    name: 'empty tenant',
    property: 'tenant.tenantIdentifier',
    value: 'is empty',
    fix: 'Pass the application',
    message: slackWith(() => ({ tenant: { tenantIdentifier: '', tenantDisplayName: 'T' } })),
  },
  {
    layer: 'synth',
    name: 'tenant of 1025 characters',
    property: 'tenant.tenantIdentifier',
    value: '1025 characters',
    fix: 'AppFabric accepts 1 to 1024',
    message: slackWith(() => ({ tenant: { tenantIdentifier: 'x'.repeat(1025), tenantDisplayName: 'T' } })),
  },
  {
    layer: 'synth',
    name: 'display name of 2049 characters',
    property: 'tenant.tenantDisplayName',
    value: '2049 characters',
    fix: 'Pass a readable name for the tenant',
    message: slackWith(() => ({ tenant: { tenantIdentifier: 't', tenantDisplayName: 'x'.repeat(2049) } })),
  },
  {
    layer: 'synth',
    name: 'blank display name',
    property: 'tenant.tenantDisplayName',
    value: 'is only whitespace',
    fix: 'Pass a readable name',
    message: slackWith(() => ({ tenant: { tenantIdentifier: 't', tenantDisplayName: '\t' } })),
  },
  {
    layer: 'synth',
    name: "Application.of('slack')",
    property: 'Application.of(name)',
    value: "'slack'",
    fix: 'Use Application.SLACK',
    message: thrown(() => Application.of('slack')),
  },
  {
    layer: 'synth',
    name: "Application.of(' SLACK\\n')",
    property: 'Application.of(name)',
    value: 'U+000A',
    fix: 'Pass the application\'s AppFabric name exactly',
    message: thrown(() => Application.of(' SLACK\n')),
  },
  {
    layer: 'synth',
    name: "Application.of(' SLACK')",
    property: 'Application.of(name)',
    value: 'starts or ends with whitespace',
    fix: 'such as Application.SLACK',
    message: thrown(() => Application.of(' SLACK')),
  },
  {
    layer: 'synth',
    name: "Application.of('m365auditlogs', AuthType.OAUTH2)",
    property: 'Application.of(name)',
    value: "'m365auditlogs'",
    fix: 'Use Application.M365_AUDIT_LOGS',
    message: thrown(() => Application.of('m365auditlogs', AuthType.OAUTH2)),
  },
  {
    layer: 'synth',
    name: 'empty application name',
    property: 'Application.of(name)',
    value: 'is empty',
    fix: "Application.of('NEWAPP')",
    message: thrown(() => Application.of('')),
  },
  {
    layer: 'synth',
    name: 'application name of 256 characters',
    property: 'Application.of(name)',
    value: '256 characters',
    fix: '1 to 255 characters',
    message: thrown(() => Application.of('A'.repeat(256))),
  },

  // Durations.
  {
    layer: 'synth',
    name: 'connectTimeout of 1500 ms',
    property: 'connectTimeout',
    value: '1 second 500 millis',
    fix: 'e.g. Duration.seconds(90)',
    message: () => synthError((stack) => new AppAuthorization(stack, 'Asana', asanaProps(stack, { connectTimeout: Duration.millis(1500) }))),
  },
  {
    layer: 'synth',
    name: 'connectTimeout of 5 minutes',
    property: 'connectTimeout',
    value: '5 minutes',
    fix: 'between 1 second and 4 minutes',
    message: () => synthError((stack) => new AppAuthorization(stack, 'Asana', asanaProps(stack, { connectTimeout: Duration.minutes(5) }))),
  },
  {
    layer: 'synth warning',
    name: 'connectTimeout on an OAuth application',
    property: 'connectTimeout',
    value: 'SLACK',
    fix: 'Remove connectTimeout',
    message: () => synthWarning((stack) => new AppAuthorization(stack, 'Slack', slackProps(stack, { connectTimeout: Duration.minutes(1) }))),
  },
  {
    layer: 'synth',
    name: 'TPP accessValidity of 1500 ms',
    property: 'accessValidity',
    value: '1 second 500 millis',
    fix: 'Duration.seconds(3600)',
    message: tppWith(() => ({ accessValidity: Duration.millis(1500) })),
  },

  // Tags, counted after aspects.
  {
    layer: 'synth',
    name: '60 tags through Tags.of(stack)',
    property: 'tags',
    value: '60 tags',
    fix: 'excludeResourceTypes',
    message: () => synthError((stack) => {
      new AppAuthorization(stack, 'Slack', slackProps(stack));
      for (let i = 0; i < 60; i++) {
        Tags.of(stack).add(`team-${i}`, 'x');
      }
    }),
  },
  {
    layer: 'synth',
    name: '48 tags on an authorization (the library adds 3 of its own)',
    property: 'tags',
    value: '48 tags',
    fix: 'excludeResourceTypes',
    message: slackWith(() => ({ tags: Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`team-${i}`, 'x'])) })),
  },
  {
    layer: 'synth',
    name: 'tag key of 300 characters',
    property: 'tags',
    value: '300 characters',
    fix: 'Shorten it',
    message: slackWith(() => ({ tags: { ['k'.repeat(300)]: 'v' } })),
  },
  {
    layer: 'synth',
    name: 'tag value of 10,000 characters (not quoted)',
    property: 'tags',
    value: "the value of 'note' is 10000 characters",
    fix: 'Shorten it',
    secret: `CANARY-${'v'.repeat(9993)}`,
    message: slackWith(() => ({ tags: { note: `CANARY-${'v'.repeat(9993)}` } })),
  },
  {
    layer: 'synth',
    name: "'aws:' tag key on an authorization",
    property: 'tags',
    value: "'aws:owner'",
    fix: 'Rename it',
    message: slackWith(() => ({ tags: { 'aws:owner': 'me' } })),
  },
  {
    layer: 'synth',
    name: "'aws:' tag key on a bundle through Tags.of()",
    property: 'tags',
    value: "'aws:cost'",
    fix: 'Rename it',
    message: () => synthError((stack) => Tags.of(new AppBundle(stack, 'Bundle')).add('aws:cost', 'x')),
  },
  {
    layer: 'synth',
    name: '51 tags on a bundle',
    property: 'tags',
    value: '51 tags',
    fix: 'at most 50',
    message: () => synthError((stack) => new AppBundle(stack, 'Bundle', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) })),
  },
  {
    layer: 'synth',
    name: "'aws:' tag key on an ingestion",
    property: 'tags',
    value: "'aws:x'",
    fix: 'Rename it',
    message: () => synthError((stack) => new Ingestion(stack, 'Logs', { authorization: new AppAuthorization(stack, 'Asana', asanaProps(stack)), tags: { 'aws:x': 'y' } })),
  },
  {
    layer: 'synth',
    name: 'S3 destination in another Region',
    property: 'S3 bucket TestStack/Bucket',
    value: 'Region eu-west-1',
    fix: 'use a target in Region us-east-1',
    message: () => synthError((stack) => new Ingestion(stack, 'Logs', { authorization: new AppAuthorization(stack, 'Asana', asanaProps(stack)) })
      .addDestination(IngestionDestinationTarget.s3(s3.Bucket.fromBucketAttributes(stack, 'Bucket', { bucketName: 'example-logs', region: 'eu-west-1' })))),
  },
  {
    layer: 'synth',
    name: 'a stack in a Region without AppFabric',
    property: 'AWS AppFabric is not available',
    value: "'eu-central-1'",
    fix: 'Deploy this stack to one of',
    message: thrown(() => new AppBundle(newStack({ ...TEST_ENV, region: 'eu-central-1' }), 'Bundle')),
  },

  // Venafi TPP: nothing pasted into serverUrl or trustedCaCertificate is repeated.
  {
    layer: 'synth',
    name: 'serverUrl with user:password',
    property: 'serverUrl',
    fix: 'Remove them from the URL and rotate that password',
    secret: 'CANARY-tpp-password',
    message: tppWith(() => ({ serverUrl: 'https://admin:CANARY-tpp-password@tpp.example.com' })),
  },
  {
    layer: 'synth',
    name: 'serverUrl with an API key in the query',
    property: 'serverUrl',
    fix: "Pass only the server's base URL",
    secret: 'CANARY-tpp-api-key',
    message: tppWith(() => ({ serverUrl: 'https://tpp.example.com/?apikey=CANARY-tpp-api-key' })),
  },
  {
    layer: 'synth',
    name: 'serverUrl with a token in the fragment',
    property: 'serverUrl',
    fix: "Pass only the server's base URL",
    secret: 'CANARY-tpp-fragment-token',
    message: tppWith(() => ({ serverUrl: 'https://tpp.example.com/#access_token=CANARY-tpp-fragment-token' })),
  },
  {
    layer: 'synth',
    name: 'serverUrl over http',
    property: 'serverUrl',
    value: 'uses http',
    fix: 'pass an https:// URL',
    message: tppWith(() => ({ serverUrl: 'http://tpp.example.com' })),
  },
  {
    layer: 'synth',
    name: 'serverUrl that is not a URL',
    property: 'serverUrl',
    fix: "Pass the TPP server's base URL",
    secret: 'CANARY-not-a-url-secret',
    message: tppWith(() => ({ serverUrl: 'CANARY-not-a-url-secret' })),
  },
  {
    layer: 'synth',
    name: 'serverUrl with the API path',
    property: 'serverUrl',
    value: "'https://tpp.example.com'",
    fix: 'the handler adds /vedsdk',
    message: tppWith(() => ({ serverUrl: 'https://tpp.example.com/vedsdk/' })),
  },
  {
    layer: 'synth',
    name: 'PEM armor around garbage',
    property: 'trustedCaCertificate',
    value: 'PEM block 1 of 1',
    fix: 'Pass the CA certificate as PEM text',
    secret: 'CANARY-token-inside-armor-0123456789',
    message: tppWith(() => ({ trustedCaCertificate: '-----BEGIN CERTIFICATE-----\nCANARY-token-inside-armor-0123456789\n-----END CERTIFICATE-----\n' })),
  },
  {
    layer: 'synth',
    name: 'a token pasted as the CA certificate',
    property: 'trustedCaCertificate',
    value: 'no BEGIN/END CERTIFICATE block',
    fix: 'Pass the CA certificate as PEM text',
    secret: 'CANARY-eyJhbGciOiJIUzI1NiJ9-access-token',
    message: tppWith(() => ({ trustedCaCertificate: 'CANARY-eyJhbGciOiJIUzI1NiJ9-access-token' })),
  },
  {
    layer: 'synth',
    name: 'a second PEM block that is garbage',
    property: 'trustedCaCertificate',
    value: 'PEM block 2 of 2',
    fix: 'Pass the CA certificate',
    message: tppWith(() => ({ trustedCaCertificate: `${FIXTURE_CA_CERTIFICATE}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n` })),
  },
  {
    layer: 'synth',
    name: 'a private key as the CA certificate',
    property: 'trustedCaCertificate',
    value: 'contains a private key',
    fix: 'keep the key out of the template',
    secret: 'CANARY-private-key-body',
    message: tppWith(() => ({ trustedCaCertificate: '-----BEGIN PRIVATE KEY-----\nCANARY-private-key-body\n-----END PRIVATE KEY-----' })),
  },
  {
    layer: 'synth',
    name: 'applicationId with surrounding whitespace',
    property: 'applicationId',
    value: "' cert-bot'",
    fix: 'Remove the whitespace',
    message: tppWith(() => ({ applicationId: ' cert-bot' })),
  },
  {
    layer: 'synth',
    name: 'scope separated by commas',
    property: 'scope',
    value: "'certificate,configuration'",
    fix: "separated by ';'",
    message: tppWith(() => ({ scope: 'certificate,configuration' })),
  },
  {
    layer: 'synth',
    name: 'maximumScope narrower than scope',
    property: 'maximumScope',
    value: "'configuration'",
    fix: 'widen maximumScope',
    message: tppWith(() => ({ scope: 'certificate:manage;configuration', maximumScope: 'certificate:manage' })),
  },
  {
    layer: 'synth',
    name: 'vpcSubnets without vpc',
    property: 'vpcSubnets',
    fix: 'Pass vpc as well',
    message: tppWith(() => ({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })),
  },

  // The custom resource: what only the deploy can know, as the failure reason.
  {
    layer: 'custom resource',
    name: 'secret without the declared field',
    property: "field 'clientSecret'",
    fix: "Add 'clientSecret' to the secret's JSON",
    secret: 'CANARY-misnamed-client-secret',
    message: customResource(() => harness.props({
      CredentialSecretArn: harness.secrets.putSecret('bad/partial', JSON.stringify({ clientId: 'id', secret: 'CANARY-misnamed-client-secret' })),
    })),
  },
  {
    layer: 'custom resource',
    name: 'secret that is not JSON',
    property: 'is not a JSON object',
    fix: 'Store a JSON object like',
    secret: 'CANARY-plain-text-api-key',
    message: customResource(() => harness.apiKeyProps('x', { CredentialSecretArn: harness.secrets.putSecret('bad/plain', 'CANARY-plain-text-api-key') })),
  },
  {
    layer: 'custom resource',
    name: 'secret that does not exist',
    property: 'Could not read secret',
    value: 'appfabric/missing-AbCdEf',
    fix: 'point the credential at the right secret',
    message: customResource(() => harness.props({ CredentialSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:appfabric/missing-AbCdEf' })),
  },

  // The CLI: refused before anything is sent.
  {
    layer: 'cli',
    name: '--bundle with a wildcard',
    property: '--bundle',
    value: 'appbundle/*',
    fix: 'Pass an ARN like',
    message: cli(['status', '--bundle', 'arn:aws:appfabric:us-east-1:111122223333:appbundle/*'], 2),
  },
  {
    layer: 'cli',
    name: '--bundle with a host in the Region field',
    property: '--bundle',
    value: 'evil.example',
    fix: 'Pass an ARN like',
    message: cli(['status', '--bundle', 'arn:aws:appfabric:evil.example/x#:111122223333:appbundle/abc'], 2),
  },
  {
    layer: 'cli',
    name: '--arn of another service',
    property: '--arn',
    value: 'arn:aws:s3:::bucket',
    fix: 'Pass an ARN like',
    message: cli(['connect', '--arn', 'arn:aws:s3:::bucket', '--code', 'c'], 2),
  },
  {
    layer: 'cli',
    name: '--region that is a host',
    property: '--region',
    fix: 'Pass one like us-east-1',
    message: cli(['status', '--bundle', BUNDLE_ARN, '--region', 'x@evil.example/#'], 2),
  },
  {
    layer: 'cli',
    name: '--region against the ARN\'s Region',
    property: '--region',
    value: 'eu-west-1',
    fix: 'Leave --region out',
    message: cli(['status', '--bundle', BUNDLE_ARN, '--region', 'eu-west-1'], 2),
  },
  {
    layer: 'cli',
    name: 'AWS_REGION that is a host',
    property: 'AWS_REGION',
    fix: 'Set it to one like us-east-1',
    message: cli(['connect', '--stack', 'App', '--id', 'Slack', '--code', 'c'], 2, { AWS_REGION: 'x@evil.example/#' }),
  },
  {
    layer: 'cli',
    name: 'no credentials',
    property: 'no AWS credentials found',
    fix: 'AWS_PROFILE',
    message: cli(['status', '--bundle', BUNDLE_ARN], 1, {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
    }),
  },
  {
    layer: 'cli',
    name: 'connect without --code',
    property: '--code',
    fix: 'the code parameter of the URL',
    message: cli(['connect', '--arn', `${BUNDLE_ARN}/appauthorization/c1`], 2),
  },
];

test.each(CASES.map((c) => [c.layer, c.name, c] as const))('%s rejects %s', async (_layer, _name, c) => {
  const message = await c.message();
  expect(message).toContain(c.property);
  if (c.value !== undefined) {
    expect(message).toContain(c.value);
  }
  if (typeof c.fix === 'string') {
    expect(message).toContain(c.fix);
  } else {
    expect(message).toMatch(c.fix);
  }
  if (c.secret !== undefined) {
    for (let i = 0; i + 12 <= c.secret.length; i += 6) {
      expect(message).not.toContain(c.secret.slice(i, i + 12));
    }
  }
});

test('the table covers every layer with at least 50 cases', () => {
  const byLayer = CASES.reduce<Record<string, number>>((counts, c) => ({ ...counts, [c.layer]: (counts[c.layer] ?? 0) + 1 }), {});
  expect(CASES.length).toBeGreaterThanOrEqual(50);
  expect(Object.keys(byLayer).sort()).toEqual(['cli', 'custom resource', 'synth', 'synth warning']);
});
