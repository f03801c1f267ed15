// `npx cdk-appfabric connect|status`: the OAuth connect step and a status listing, on the
// library's AppFabric core (ARN module, pager, signed client); never on handler code. Argument
// handling, Region and endpoint decisions and output here; main.ts wires the I/O.
import { parseArgs } from 'node:util';
import { APP_AUTHORIZATION_RESOURCE_TYPE } from '../app-authorization/properties';
import { AppFabricApi, AppFabricServiceError, isAppFabricError } from '../internal/appfabric-client';
import { AppFabricArn, ArnError, AppFabricResourceKind, isAppAuthorizationArn, isAwsRegion, parseAppFabricArn } from '../internal/arns';
import { listAllAppAuthorizations } from '../internal/list-app-authorizations';
import { scrub } from '../internal/scrub';

export const USAGE = `Usage:
  cdk-appfabric connect (--arn <authorization ARN> | --stack <stack name> --id <construct id>)
                        --code <code> [--redirect-uri <uri>] [--region <region>]
      Finishes an OAuth authorization: after an administrator opened the AuthUrl output and
      approved, the application redirected with ?code=...; this calls ConnectAppAuthorization
      with that code and prints the resulting status.
      --redirect-uri defaults to the AppFabric console's: https://<region>.console.aws.amazon.com/appfabric/oauth2

  cdk-appfabric status (--bundle <app bundle ARN> | --stack <stack name> --id <construct id>) [--region <region>]
      Lists every authorization of the bundle with its status.

  cdk-appfabric --version | --help

--stack --id finds the authorization among the stack's resources (CloudFormation
ListStackResources): --id is the construct id (or path, or logical id) of the AppAuthorization.
The Region is --region, else the ARN's, else the AWS SDK's (AWS_REGION, then the profile's).
Credentials come from the standard AWS chain (AWS_PROFILE, environment variables, SSO, ...).
Requests go to AWS endpoints only, unless AWS_ENDPOINT_URL_APPFABRIC or AWS_ENDPOINT_URL is set.
Exit codes: 0 done, 1 AppFabric refused or the authorization is not connected, 2 bad arguments.`;

/** Bad arguments or environment: exit 2, with the usage. */
export class UsageError extends Error {}

/** A failure the person running the command can fix (credentials, stack lookup): exit 1, no usage. */
export class CommandError extends Error {}

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** One resource of a CloudFormation stack, as ListStackResources describes it. */
export interface StackResource {
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType?: string;
  readonly ResourceStatus?: string;
}

export interface CommandContext {
  readonly appfabric: AppFabricApi;
  readonly region: string;
  /** Every resource of a stack (CloudFormation ListStackResources, all pages). */
  readonly stackResources: (stackName: string) => Promise<StackResource[]>;
  readonly io: Io;
}

export interface ParsedCommand {
  readonly command: 'connect' | 'status' | 'help' | 'version';
  readonly arn?: string;
  readonly bundle?: string;
  readonly stack?: string;
  readonly id?: string;
  readonly code?: string;
  readonly redirectUri?: string;
  readonly region?: string;
}

export function parseCommand(argv: string[]): ParsedCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'arn': { type: 'string' },
        'bundle': { type: 'string' },
        'stack': { type: 'string' },
        'id': { type: 'string' },
        'code': { type: 'string' },
        'redirect-uri': { type: 'string' },
        'region': { type: 'string' },
        'help': { type: 'boolean', short: 'h' },
        'version': { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.version) {
    return { command: 'version' };
  }
  if (values.help || command === undefined || command === 'help') {
    return { command: 'help' };
  }
  if (command !== 'connect' && command !== 'status') {
    throw new UsageError(`unknown command '${command}': use connect or status`);
  }
  const result: ParsedCommand = {
    command,
    arn: values.arn,
    bundle: values.bundle,
    stack: values.stack,
    id: values.id,
    code: values.code,
    redirectUri: values['redirect-uri'],
    region: values.region,
  };
  if (result.region !== undefined && !isAwsRegion(result.region)) {
    throw new UsageError('--region is not an AWS Region code. Pass one like us-east-1.');
  }
  const arn = result.arn === undefined ? undefined : argumentArn('--arn', result.arn, 'appauthorization');
  const bundle = result.bundle === undefined ? undefined : argumentArn('--bundle', result.bundle, 'appbundle');
  const fromArn = arn ?? bundle;
  if (fromArn && result.region && fromArn.region !== result.region) {
    throw new UsageError(`--region ${result.region} differs from the Region of the ARN (${fromArn.region}); AppFabric answers for a resource ` +
      'only in its own Region. Leave --region out.');
  }
  if (command === 'connect') {
    if (!result.arn && !(result.stack && result.id)) {
      throw new UsageError('connect needs --arn <authorization ARN>, or --stack <stack name> with --id <construct id>');
    }
    if (!result.code) {
      throw new UsageError('connect needs --code <code>: the code parameter of the URL the application redirected to after approval');
    }
  } else if (!result.bundle && !(result.stack && result.id)) {
    throw new UsageError('status needs --bundle <app bundle ARN>, or --stack <stack name> with --id <construct id of an authorization>');
  }
  return result;
}

function argumentArn(option: string, value: string, kind: AppFabricResourceKind): AppFabricArn {
  try {
    return parseAppFabricArn(value, kind);
  } catch (error) {
    if (error instanceof ArnError) {
      throw new UsageError(`${option} '${value}' ${error.problem}. Pass an ARN like ${error.example}.`);
    }
    throw error;
  }
}

/**
 * The Region to call: --region, else the ARN's, else the AWS SDK's standard chain (AWS_REGION,
 * then the profile's region). It must look like a Region code: it becomes part of the endpoint's
 * host name.
 */
export async function resolveRegion(parsed: ParsedCommand, chainRegion: () => Promise<string | undefined>): Promise<string> {
  const fromArgs = parsed.region ?? (parsed.arn ? parseAppFabricArn(parsed.arn, 'appauthorization').region : undefined) ??
    (parsed.bundle ? parseAppFabricArn(parsed.bundle, 'appbundle').region : undefined);
  if (fromArgs) {
    return fromArgs;
  }
  const region = await chainRegion();
  if (region === undefined || region === '') {
    throw new UsageError('no AWS Region: pass --region, set AWS_REGION, or set region in your AWS profile (aws configure set region us-east-1).');
  }
  if (!isAwsRegion(region)) {
    throw new UsageError(BAD_ENVIRONMENT_REGION);
  }
  return region;
}

export const BAD_ENVIRONMENT_REGION = 'the Region from the AWS environment (AWS_REGION or the profile) is not an AWS Region code. ' +
  'Set it to one like us-east-1, or pass --region.';

/** The variables that explicitly point AppFabric calls elsewhere (the SDK's standard names). */
export const ENDPOINT_OVERRIDES = ['AWS_ENDPOINT_URL_APPFABRIC', 'AWS_ENDPOINT_URL'] as const;

/**
 * The AppFabric endpoint for the Region: AWS's own, unless an endpoint-override variable is set.
 * Signed requests carry the caller's access key id and session token, so the host is checked
 * to be AWS's before anything is sent.
 */
export function appFabricEndpoint(region: string, env: Record<string, string | undefined>): string {
  for (const name of ENDPOINT_OVERRIDES) {
    const override = env[name];
    if (override) {
      return override;
    }
  }
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const endpoint = `https://appfabric.${region}.${suffix}`;
  let host: string;
  try {
    host = new URL(endpoint).host;
  } catch {
    host = '';
  }
  if (!isAwsRegion(region) || host !== `appfabric.${region}.${suffix}`) {
    throw new UsageError('the Region does not make an AWS endpoint host; nothing was sent. Pass a Region code like us-east-1 ' +
      `(or set ${ENDPOINT_OVERRIDES[0]} to call a different endpoint on purpose).`);
  }
  return endpoint;
}

/**
 * Finds an authorization among a stack's resources by construct id, path or logical id. CDK names
 * the custom resource of `<scope>/<id>` `<Scope><Id>` plus an 8-character hash; its physical id
 * is the authorization's ARN.
 */
export function findAuthorizationArn(resources: StackResource[], stack: string, id: string): string {
  const authorizations = resources.filter((resource) => resource.ResourceType === APP_AUTHORIZATION_RESOURCE_TYPE &&
    resource.ResourceStatus !== 'DELETE_COMPLETE');
  const wanted = id.replace(/[^A-Za-z0-9]/g, '');
  const humanPart = (logicalId: string) => logicalId.replace(/[0-9A-F]{8}$/, '');
  const exact = authorizations.filter((r) => r.LogicalResourceId === id || humanPart(r.LogicalResourceId ?? '') === wanted);
  const candidates = exact.length > 0 ? exact : authorizations.filter((r) => humanPart(r.LogicalResourceId ?? '').endsWith(wanted));
  const known = authorizations.map((r) => r.LogicalResourceId).join(', ');
  if (candidates.length === 0) {
    throw new CommandError(`stack ${stack} has no AppFabric authorization for construct id '${id}'` +
      (known ? `; its authorizations are (logical ids): ${known}` : ' (it has no AppFabric authorizations)'));
  }
  if (candidates.length > 1) {
    throw new CommandError(`construct id '${id}' matches several authorizations in stack ${stack}: ` +
      `${candidates.map((r) => r.LogicalResourceId).join(', ')}. Pass the logical id (or --arn).`);
  }
  const found = candidates[0];
  if (!isAppAuthorizationArn(found.PhysicalResourceId)) {
    throw new CommandError(`the authorization ${found.LogicalResourceId} in stack ${stack} has no AppFabric ARN as its physical id ` +
      `(status ${found.ResourceStatus ?? 'unknown'}): deploy the stack successfully first.`);
  }
  return found.PhysicalResourceId;
}

export async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  if (parsed.command === 'help') {
    ctx.io.out(USAGE);
    return 0;
  }
  const fromStack = async (stack: string, id: string) => findAuthorizationArn(await ctx.stackResources(stack), stack, id);
  const arn = parsed.arn ?? (parsed.stack && parsed.id ? await fromStack(parsed.stack, parsed.id) : undefined);
  if (parsed.command === 'status') {
    return status(parsed.bundle ?? parseAppFabricArn(arn!, 'appauthorization').appBundleArn, ctx);
  }
  return connect(arn!, parsed.code!, parsed.redirectUri ?? consoleRedirectUri(ctx.region), ctx);
}

export function consoleRedirectUri(region: string): string {
  return `https://${region}.console.aws.amazon.com/appfabric/oauth2`;
}

async function connect(arn: string, code: string, redirectUri: string, ctx: CommandContext): Promise<number> {
  const bundleArn = parseAppFabricArn(arn, 'appauthorization').appBundleArn;
  try {
    const summary = await ctx.appfabric.connectAppAuthorization(bundleArn, arn, { redirectUri, code });
    ctx.io.out(`${summary.app} (tenant ${summary.tenant.tenantIdentifier}): ${summary.status}`);
    return summary.status === 'Connected' ? 0 : 1;
  } catch (error) {
    if (isAppFabricError(error, 'ValidationException')) {
      // A retried attempt may have used the code already: the authorization tells.
      const current = await ctx.appfabric.getAppAuthorization(bundleArn, arn).catch(() => undefined);
      if (current?.status === 'Connected') {
        ctx.io.out(`${current.app} (tenant ${current.tenant.tenantIdentifier}): Connected`);
        return 0;
      }
      ctx.io.err(`AppFabric rejected the code for ${arn}: ${scrub(error.message.replace(/^AppFabric \w+ failed: /, ''))}\n` +
        'OAuth codes are single-use and expire within minutes. Open the AuthUrl again, approve, and run connect with the new ' +
        `code. The redirect URI must be the one registered with the application (sent: ${redirectUri}).`);
      return 1;
    }
    return reportServiceError(error, ctx);
  }
}

async function status(bundleArn: string, ctx: CommandContext): Promise<number> {
  let items;
  try {
    items = await listAllAppAuthorizations(ctx.appfabric, bundleArn);
  } catch (error) {
    return reportServiceError(error, ctx);
  }
  if (items.length === 0) {
    ctx.io.out(`no authorizations in ${bundleArn}`);
    return 0;
  }
  const rows = items.map((item) => [item.app, item.tenant.tenantIdentifier, item.status, item.appAuthorizationArn]);
  ctx.io.out(formatTable([['APP', 'TENANT', 'STATUS', 'ARN'], ...rows]));
  return 0;
}

function reportServiceError(error: unknown, ctx: CommandContext): number {
  if (error instanceof AppFabricServiceError) {
    ctx.io.err(scrub(error.message));
    return 1;
  }
  throw error;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}
