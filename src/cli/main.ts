// Entry of the `cdk-appfabric` command (bundled with its dependencies into assets/cli/).
import {
  BAD_ENVIRONMENT_REGION, CommandContext, CommandError, StackResource, USAGE, UsageError, appFabricEndpoint, parseCommand, resolveRegion, run,
} from './commands';
import { AppFabricClient } from '../internal/appfabric-client';
import { CredentialProvider, defaultCredentials } from '../internal/aws-signing';
import { rememberSecret, scrub } from '../internal/scrub';

type CloudFormationSdk = typeof import('@aws-sdk/client-cloudformation');

// Loaded on first use: --help, --version and argument errors need no SDK.
function cloudFormationSdk(): CloudFormationSdk {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@aws-sdk/client-cloudformation') as CloudFormationSdk;
}

/** The Region of the AWS SDK's standard chain (AWS_REGION, then the profile), if any. */
export async function sdkRegion(): Promise<string | undefined> {
  const cfn = cloudFormationSdk();
  try {
    return await new cfn.CloudFormationClient({}).config.region();
  } catch (error) {
    // The SDK refuses a Region that is not a host name label; none at all is "Region is missing".
    if (/region is missing/i.test(String((error as Error)?.message))) {
      return undefined;
    }
    throw new UsageError(BAD_ENVIRONMENT_REGION);
  }
}

const NO_CREDENTIALS = 'no AWS credentials found. Provide them the standard AWS way: AWS_PROFILE with a profile from ' +
  '`aws configure` (or `aws sso login --profile <name>` for IAM Identity Center), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
  '(and AWS_SESSION_TOKEN for temporary credentials). Nothing was sent.';

/** The standard chain, failing with how to provide credentials when it finds none. */
function credentialsOrHowTo(chain: CredentialProvider): CredentialProvider {
  return async () => {
    try {
      return await chain();
    } catch (error) {
      if (isMissingCredentials(error)) {
        throw new CommandError(NO_CREDENTIALS);
      }
      throw error;
    }
  };
}

function isMissingCredentials(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'CredentialsProviderError' || /could not load credentials/i.test(String((error as Error)?.message));
}

async function stackResources(stackName: string, region: string): Promise<StackResource[]> {
  const cfn = cloudFormationSdk();
  const client = new cfn.CloudFormationClient({ region });
  const resources: StackResource[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = await client.send(new cfn.ListStackResourcesCommand({ StackName: stackName, NextToken: nextToken }));
      resources.push(...(page.StackResourceSummaries ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
  } catch (error) {
    if (isMissingCredentials(error)) {
      throw new CommandError(NO_CREDENTIALS);
    }
    throw new CommandError(`could not list the resources of stack ${stackName} in ${region}: ${(error as Error).message}`);
  }
  return resources;
}

export function version(): string {
  // esbuild inlines the package's version into the bundled command.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(scrub(line)) };
  try {
    const parsed = parseCommand(argv);
    if (parsed.command === 'version') {
      io.out(version());
      return 0;
    }
    // The OAuth code is a credential for one exchange: never echoed back.
    rememberSecret(parsed.code);
    const region = parsed.command === 'help' ? 'us-east-1' : await resolveRegion(parsed, sdkRegion);
    const endpoint = appFabricEndpoint(region, process.env);
    const ctx: CommandContext = {
      appfabric: new AppFabricClient({
        region, endpoint, credentials: credentialsOrHowTo(defaultCredentials()), deadline: () => Date.now() + 60_000,
      }),
      region,
      stackResources: (name) => stackResources(name, region),
      io,
    };
    return await run(parsed, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`cdk-appfabric: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`cdk-appfabric: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
