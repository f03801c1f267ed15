import { X509Certificate } from 'node:crypto';
import {
  CustomResource, Duration, IResource, RemovalPolicy, Resource, Stack, Token, aws_ec2 as ec2, aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { TPP_OAUTH_APPLICATION_RESOURCE_TYPE, TppOAuthApplicationProperties } from './properties';
import { TppOAuthApplicationProvider } from './provider';
import { scopeSyntaxProblem, uncoveredScopes } from './scope';
import { acknowledgeLibraryFunctions } from '../nag';
import { checkSecretReference } from '../synth-checks';

/**
 * A Venafi TPP OAuth application (API integration).
 */
export interface ITppOAuthApplication extends IResource {
  /**
   * The application's ID, its OAuth `client_id`.
   * @attribute
   */
  readonly applicationId: string;
}

/**
 * Properties of a `TppOAuthApplication`.
 */
export interface TppOAuthApplicationProps {
  /**
   * The TPP server's base URL, e.g. `https://tpp.example.com`. https only: the handler sends a
   * bearer token to it.
   */
  readonly serverUrl: string;

  /**
   * The secret holding the TPP token the handler calls TPP with, as JSON:
   * `{"access_token": "...", "refresh_token": "...", "client_id": "..."}` (the output of
   * `POST /vedauth/authorize/oauth` with the `admin` scope). `refresh_token` and `client_id` are
   * optional; with them an expired access token is refreshed and the new pair stored back in the
   * secret (a new version; other JSON fields are kept).
   */
  readonly tokenSecret: secretsmanager.ISecret;

  /**
   * The application's ID, which is its OAuth `client_id`: unique and case-sensitive in TPP.
   * Changing it replaces the application.
   */
  readonly applicationId: string;

  /** The application's display name. */
  readonly applicationName: string;

  /** The application's vendor. */
  readonly vendor: string;

  /**
   * A description.
   *
   * @default - empty for a new application; an existing application keeps its description
   */
  readonly description?: string;

  /**
   * The application's URL.
   *
   * @default - empty for a new application; an existing application keeps its URL
   */
  readonly url?: string;

  /**
   * The scope tokens for the application get by default: scopes separated by `;`, each
   * optionally followed by `:` and comma-separated restrictions, e.g.
   * `certificate:manage,revoke;configuration`.
   */
  readonly scope: string;

  /**
   * The most a token for the application may be granted, in the same grammar. It must cover
   * `scope`: every scope in `scope` appears here with at least the same restrictions.
   *
   * @default - the value of `scope`
   */
  readonly maximumScope?: string;

  /**
   * How long an access token for the application is valid (TPP `AccessValidity`, whole seconds).
   *
   * @default - TPP's default (90 days) for a new application; an existing application keeps its value
   */
  readonly accessValidity?: Duration;

  /**
   * How long a grant for the application is valid (TPP `GrantValidity`, whole seconds).
   *
   * @default - TPP's default (1 year) for a new application; an existing application keeps its value
   */
  readonly grantValidity?: Duration;

  /**
   * Whether tokens for the application can be refreshed (TPP `Renewable`).
   *
   * @default - TPP's default for a new application; an existing application keeps its setting
   */
  readonly renewable?: boolean;

  /**
   * What happens to the application when it leaves the stack or is replaced: `RETAIN` keeps it
   * in TPP, `DESTROY` deletes it. This applies to an adopted application too (see `adoptExisting`).
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Take over an application that already exists in TPP with the same `applicationId` instead of
   * failing: the deploy lays the declared fields over it (undeclared ones are kept). From then on
   * it is managed like one the stack created: `removalPolicy` decides what happens when it leaves
   * the stack, so with `DESTROY` a stack deletion deletes the adopted application.
   *
   * @default false - a Create that finds the application ID taken fails, naming it
   */
  readonly adoptExisting?: boolean;

  /**
   * The VPC to run the handler in, for a TPP server on a private network. The handler also
   * needs to reach Secrets Manager (a NAT gateway or an interface VPC endpoint).
   *
   * @default - the handler runs outside any VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of `vpc` for the handler.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups for the handler in `vpc`; they must allow HTTPS out to TPP and Secrets Manager.
   *
   * @default - a new security group that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * The certificate (PEM) of the internal CA that issued TPP's TLS certificate; several PEM
   * blocks may be concatenated. Trusted in addition to the public root CAs. A CA certificate is
   * public, so it is passed to the handler as a property.
   *
   * @default - only the public root CAs are trusted
   */
  readonly trustedCaCertificate?: string;
}

/**
 * A Venafi Trust Protection Platform OAuth application (API integration), managed by a custom
 * resource (`Custom::VenafiTppOAuthApplication`) that calls the TPP WebSDK with a token read from
 * Secrets Manager at deploy time. An existing application with the same ID is adopted only with
 * `adoptExisting`; updates send back the complete application as TPP holds it, so fields not
 * declared here are kept.
 *
 * @example
 * import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
 * import { TppOAuthApplication } from 'cdk-appfabric';
 *
 * new TppOAuthApplication(this, 'CertBot', {
 *   serverUrl: 'https://tpp.corp.example.com',
 *   tokenSecret: secretsmanager.Secret.fromSecretNameV2(this, 'TppToken', 'tpp/admin-token'),
 *   applicationId: 'cert-bot',
 *   applicationName: 'Certificate bot',
 *   vendor: 'Example Corp',
 *   scope: 'certificate:manage,revoke',
 * });
 */
export class TppOAuthApplication extends Resource implements ITppOAuthApplication {
  /**
   * The application's ID (resolves after the deploy has created or adopted it).
   * @attribute
   */
  public readonly applicationId: string;

  /**
   * The application's name in TPP.
   * @attribute
   */
  public readonly applicationName: string;

  /** The TPP server's base URL. */
  public readonly serverUrl: string;

  constructor(scope: Construct, id: string, props: TppOAuthApplicationProps) {
    super(scope, id);
    validateProps(this, props);
    refuseDuplicate(this, props);
    this.serverUrl = props.serverUrl;

    const provider = TppOAuthApplicationProvider.of(this, { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: props.securityGroups });
    acknowledgeLibraryFunctions(provider);
    provider.grantTokenSecret(props.tokenSecret);

    const properties: TppOAuthApplicationProperties = {
      ServerUrl: props.serverUrl,
      TokenSecretArn: props.tokenSecret.secretArn,
      TrustedCaCertificate: props.trustedCaCertificate,
      ApplicationId: props.applicationId,
      Name: props.applicationName,
      Vendor: props.vendor,
      Description: props.description,
      Url: props.url,
      Scope: props.scope,
      MaximumScope: props.maximumScope ?? props.scope,
      AccessValidity: props.accessValidity ? String(props.accessValidity.toSeconds()) : undefined,
      GrantValidity: props.grantValidity ? String(props.grantValidity.toSeconds()) : undefined,
      Renewable: props.renewable === undefined ? undefined : String(props.renewable),
      AdoptExisting: props.adoptExisting ? 'true' : undefined,
    };
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: TPP_OAUTH_APPLICATION_RESOURCE_TYPE,
      properties: { ...properties },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      serviceTimeout: provider.serviceTimeout,
    });
    deployAfterPreviousUserOf(props.tokenSecret, resource);

    this.applicationId = resource.getAttString('ApplicationId');
    this.applicationName = resource.getAttString('Name');
  }
}

/**
 * Applications that share a token secret deploy one after another. A refresh token works once:
 * two handlers refreshing the same expired token at the same time would leave one of them with
 * a spent token and a failed deploy.
 */
function deployAfterPreviousUserOf(secret: secretsmanager.ISecret, resource: CustomResource): void {
  const stack = Stack.of(resource);
  const users = lastUserOfSecret.get(stack) ?? new Map<string, CustomResource>();
  lastUserOfSecret.set(stack, users);
  // Keyed by the ARN as the template renders it, so two imports of one secret count as one.
  const key = JSON.stringify(stack.resolve(secret.secretArn));
  const previous = users.get(key);
  if (previous) {
    resource.node.addDependency(previous);
  }
  users.set(key, resource);
}

const lastUserOfSecret = new WeakMap<Stack, Map<string, CustomResource>>();

/** The applications declared in each app, by server and application ID (unique in a TPP server). */
const declaredApplications = new WeakMap<IConstruct, Map<string, string>>();

/** Two constructs for one application ID on one server would both manage (and delete) it. */
function refuseDuplicate(scope: Construct, props: TppOAuthApplicationProps): void {
  if (Token.isUnresolved(props.serverUrl) || Token.isUnresolved(props.applicationId)) {
    return;
  }
  const root = scope.node.root;
  const declared = declaredApplications.get(root) ?? new Map<string, string>();
  declaredApplications.set(root, declared);
  const key = JSON.stringify([serverKey(props.serverUrl), props.applicationId]);
  const first = declared.get(key);
  if (first) {
    throw new Error(
      `${scope.node.path}: applicationId '${props.applicationId}' on ${props.serverUrl} is already declared by ${first}. ` +
      'An application ID is unique on a TPP server, and two constructs would both manage (and delete) it. ' +
      'Keep one construct and pass it where the other is used, or give this one another applicationId.',
    );
  }
  declared.set(key, scope.node.path);
}

/** A server's URL compared without case in the host and without a trailing slash. */
function serverKey(serverUrl: string): string {
  try {
    const url = new URL(serverUrl);
    return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return serverUrl;
  }
}

function validateProps(scope: Construct, props: TppOAuthApplicationProps): void {
  const fail = (message: string) => {
    throw new Error(`${scope.node.path}: ${message}`);
  };
  checkServerUrl(props.serverUrl, fail);
  checkSecretReference(scope, 'tokenSecret', props.tokenSecret);
  for (const [property, value] of [['applicationId', props.applicationId], ['applicationName', props.applicationName], ['vendor', props.vendor]] as const) {
    if (!Token.isUnresolved(value) && value.trim() === '') {
      fail(`${property} is empty. Pass a non-empty ${property === 'applicationId' ? 'application ID (the OAuth client_id)' : property}.`);
    }
  }
  if (!Token.isUnresolved(props.applicationId) && props.applicationId !== props.applicationId.trim()) {
    fail(`applicationId '${props.applicationId}' starts or ends with whitespace; TPP IDs are exact (case- and space-sensitive). Remove the whitespace.`);
  }
  checkScope('scope', props.scope, fail);
  if (props.maximumScope !== undefined) {
    checkScope('maximumScope', props.maximumScope, fail);
    if (!Token.isUnresolved(props.scope) && !Token.isUnresolved(props.maximumScope)) {
      const uncovered = uncoveredScopes(props.scope, props.maximumScope);
      if (uncovered.length > 0) {
        fail(`maximumScope '${props.maximumScope}' does not cover ${uncovered.map((item) => `'${item}'`).join(', ')} of scope '${props.scope}'. ` +
          'Every scope in scope must appear in maximumScope with at least the same restrictions: widen maximumScope, narrow scope, or leave maximumScope out (it defaults to scope).');
      }
    }
  }
  checkSeconds('accessValidity', props.accessValidity, fail);
  checkSeconds('grantValidity', props.grantValidity, fail);
  checkCaCertificate(props.trustedCaCertificate, fail);
  if (!props.vpc && (props.vpcSubnets || (props.securityGroups && props.securityGroups.length > 0))) {
    fail(`${props.vpcSubnets ? 'vpcSubnets' : 'securityGroups'} is set without vpc. Pass vpc as well, or leave ${props.vpcSubnets ? 'vpcSubnets' : 'securityGroups'} out.`);
  }
}

/**
 * The server's base URL. Messages never repeat the value: a URL pasted with a password or an API
 * key in its query would land in the synth output. They name the part that is wrong instead.
 */
function checkServerUrl(serverUrl: string, fail: (message: string) => never): void {
  if (Token.isUnresolved(serverUrl)) {
    return;
  }
  const example = 'e.g. \'https://tpp.example.com\'';
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return fail(`serverUrl is not a URL. Pass the TPP server's base URL, ${example}.`);
  }
  if (url.username || url.password) {
    fail('serverUrl has credentials (user:password@ before the host). Remove them from the URL and rotate that password: ' +
      `pass only the server's base URL, ${example}; the handler authenticates with the token in tokenSecret.`);
  }
  if (url.search) {
    fail(`serverUrl has a query string (?…). Pass only the server's base URL, ${example}; the handler authenticates with the token in tokenSecret.`);
  }
  if (url.hash) {
    fail(`serverUrl has a fragment (#…). Pass only the server's base URL, ${example}.`);
  }
  if (url.protocol !== 'https:') {
    fail(`serverUrl uses ${url.protocol.replace(/:$/, '')}, not https. The handler sends a bearer token to it: pass an https:// URL, ${example}.`);
  }
  if (/\/(vedsdk|vedauth)(\/|$)/i.test(url.pathname)) {
    fail(`serverUrl includes an API path. Pass the server's base URL (e.g. 'https://${url.host}'); the handler adds /vedsdk and /vedauth itself.`);
  }
}

function checkScope(property: string, value: string, fail: (message: string) => never): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  const problem = scopeSyntaxProblem(value);
  if (problem) {
    fail(`${property} '${value}' is not a TPP scope string: ${problem}. ` +
      'Write scopes separated by \';\', each optionally followed by \':\' and comma-separated restrictions, e.g. \'certificate:manage,revoke;configuration\'.');
  }
}

function checkSeconds(property: string, value: Duration | undefined, fail: (message: string) => never): void {
  if (!value || value.isUnresolved()) {
    return;
  }
  const millis = value.toMilliseconds();
  if (millis <= 0 || millis % 1000 !== 0) {
    fail(`${property} ${value.toHumanString()} is not a positive whole number of seconds (TPP takes seconds). Pass e.g. Duration.days(30) or Duration.seconds(3600).`);
  }
}

/**
 * Each PEM block must be an X.509 certificate. Nothing of the value is quoted: whatever was pasted
 * here by mistake (a token, a key) must not reach the synth output.
 */
function checkCaCertificate(pem: string | undefined, fail: (message: string) => never): void {
  if (pem === undefined || Token.isUnresolved(pem)) {
    return;
  }
  const fix = 'Pass the CA certificate as PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE----- ' +
    '(e.g. fs.readFileSync(\'internal-ca.pem\', \'utf8\')).';
  if (/PRIVATE KEY/.test(pem)) {
    fail('trustedCaCertificate contains a private key. Pass only the CA\'s certificate (-----BEGIN CERTIFICATE----- …), keep the key out of the template, and replace that key: it has been in your source.');
  }
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    fail(`trustedCaCertificate is not a PEM certificate (${pem.length} characters, no BEGIN/END CERTIFICATE block). ${fix}`);
  }
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch {
      fail(`trustedCaCertificate: PEM block ${index + 1} of ${blocks.length} is not an X.509 certificate (its content does not decode as one). ${fix}`);
    }
  });
}
