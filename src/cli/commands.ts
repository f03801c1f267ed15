// `npx cdk-appfabric connect|status`: the OAuth connect step and a status listing, on the
// library's own signed AppFabric client. Pure argument handling and output here; main.ts wires I/O.
import { parseArgs } from 'node:util';
import { bundleArnOf, isAppAuthorizationArn } from '../app-authorization/handler/lifecycle';
import { APP_AUTHORIZATION_RESOURCE_TYPE } from '../app-authorization/properties';
import { AppFabricApi, AppFabricServiceError, isAppFabricError } from '../internal/appfabric-client';

export const USAGE = `Usage:
  cdk-appfabric connect (--arn <authorization ARN> | --stack <stack name> --id <construct id>)
                        --code <code> [--redirect-uri <uri>] [--region <region>]
      Finishes an OAuth authorization: after an administrator opened the AuthUrl output and
      approved, the application redirected with ?code=...; this calls ConnectAppAuthorization
      with that code and prints the resulting status.
      --redirect-uri defaults to the AppFabric console's: https://<region>.console.aws.amazon.com/appfabric/oauth2

  cdk-appfabric status (--bundle <app bundle ARN> | --stack <stack name> --id <construct id>) [--region <region>]
      Lists every authorization of the bundle with its status.

Credentials and Region come from the standard AWS environment (AWS_PROFILE, AWS_REGION, ...).
Exit codes: 0 done, 1 AppFabric refused or the authorization is not connected, 2 bad arguments.`;

export class UsageError extends Error {}

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

export interface CommandContext {
  readonly appfabric: AppFabricApi;
  readonly region: string;
  /** Lists a stack's resources (CloudFormation ListStackResources). */
  readonly stackResources: (stackName: string) => Promise<StackResource[]>;
  readonly io: Io;
}

export interface StackResource {
  readonly LogicalResourceId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceType?: string;
}

export interface ParsedCommand {
  readonly command: 'connect' | 'status' | 'help';
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
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
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
  if (command === 'connect') {
    if (!result.arn && !(result.stack && result.id)) {
      throw new UsageError('connect needs --arn <authorization ARN>, or --stack <stack name> with --id <construct id>');
    }
    if (result.arn && !isAppAuthorizationArn(result.arn)) {
      throw new UsageError(`--arn '${result.arn}' is not an AppFabric authorization ARN (arn:aws:appfabric:<region>:<account>:appbundle/<id>/appauthorization/<id>)`);
    }
    if (!result.code) {
      throw new UsageError('connect needs --code <code>: the code parameter of the URL the application redirected to after approval');
    }
  } else if (!result.bundle && !(result.stack && result.id)) {
    throw new UsageError('status needs --bundle <app bundle ARN>, or --stack <stack name> with --id <construct id of an authorization>');
  }
  return result;
}

/**
 * Finds an authorization's ARN among a stack's resources by its construct id: the custom
 * resource's physical id is the ARN, and its logical id is the construct id (after the ids of
 * the constructs above it, if nested) followed by CDK's 8-character hash.
 */
export function findAuthorizationArn(resources: StackResource[], stack: string, id: string): string {
  const authorizations = resources.filter((resource) => resource.ResourceType === APP_AUTHORIZATION_RESOURCE_TYPE && resource.PhysicalResourceId);
  const clean = id.replace(/[^A-Za-z0-9]/g, '');
  const direct = authorizations.filter((resource) => new RegExp(`^${clean}[0-9A-F]{8}$`).test(resource.LogicalResourceId ?? ''));
  const nested = authorizations.filter((resource) => new RegExp(`${clean}[0-9A-F]{8}$`).test(resource.LogicalResourceId ?? ''));
  const found = direct.length === 1 ? direct[0] : (nested.length === 1 ? nested[0] : undefined);
  if (!found) {
    const known = authorizations.map((resource) => resource.LogicalResourceId);
    throw new UsageError(`stack ${stack} has ${nested.length > 1 ? 'several' : 'no'} AppFabric authorization${nested.length > 1 ? 's' : ''} ` +
      `for construct id '${id}'${known.length ? `; it has: ${known.join(', ')}` : ''}. Pass --arn <authorization ARN> instead.`);
  }
  return found.PhysicalResourceId!;
}

export async function run(parsed: ParsedCommand, ctx: CommandContext): Promise<number> {
  if (parsed.command === 'help') {
    ctx.io.out(USAGE);
    return 0;
  }
  const fromStack = async (stack: string, id: string) => findAuthorizationArn(await ctx.stackResources(stack), stack, id);
  const arn = parsed.arn ?? (parsed.stack && parsed.id ? await fromStack(parsed.stack, parsed.id) : undefined);
  if (parsed.command === 'status') {
    return status(parsed.bundle ?? bundleArnOf(arn!), ctx);
  }
  return connect(arn!, parsed.code!, parsed.redirectUri ?? consoleRedirectUri(ctx.region), ctx);
}

export function consoleRedirectUri(region: string): string {
  return `https://${region}.console.aws.amazon.com/appfabric/oauth2`;
}

async function connect(arn: string, code: string, redirectUri: string, ctx: CommandContext): Promise<number> {
  const bundleArn = bundleArnOf(arn);
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
      ctx.io.err(`AppFabric rejected the code for ${arn}: ${error.message.replace(/^AppFabric \w+ failed: /, '')}\n` +
        'OAuth codes are single-use and expire within minutes. Open the AuthUrl again, approve, and run connect with the new ' +
        `code. The redirect URI must be the one registered with the application (sent: ${redirectUri}).`);
      return 1;
    }
    return reportServiceError(error, ctx);
  }
}

async function status(bundleArn: string, ctx: CommandContext): Promise<number> {
  const rows: string[][] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await ctx.appfabric.listAppAuthorizations(bundleArn, nextToken);
      rows.push(...page.items.map((item) => [item.app, item.tenant.tenantIdentifier, item.status, item.appAuthorizationArn]));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    return reportServiceError(error, ctx);
  }
  if (rows.length === 0) {
    ctx.io.out(`no authorizations in ${bundleArn}`);
    return 0;
  }
  ctx.io.out(formatTable([['APP', 'TENANT', 'STATUS', 'ARN'], ...rows]));
  return 0;
}

function reportServiceError(error: unknown, ctx: CommandContext): number {
  if (error instanceof AppFabricServiceError) {
    ctx.io.err(error.message);
    return 1;
  }
  throw error;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

