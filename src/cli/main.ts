// Entry of the `cdk-appfabric` command (bundled with its dependencies into assets/cli/).
import { CommandContext, USAGE, UsageError, parseCommand, run } from './commands';
import { AppFabricClient } from '../internal/appfabric-client';

async function stackResources(stackName: string, region: string) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cfn = require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation');
  const client = new cfn.CloudFormationClient({ region });
  const resources = [];
  for await (const page of cfn.paginateListStackResources({ client }, { StackName: stackName })) {
    resources.push(...(page.StackResourceSummaries ?? []));
  }
  return resources;
}

export async function main(argv: string[]): Promise<number> {
  const io = { out: (line: string) => console.log(line), err: (line: string) => console.error(line) };
  try {
    const parsed = parseCommand(argv);
    const region = parsed.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ??
      regionOf(parsed.arn ?? parsed.bundle) ?? 'us-east-1';
    const ctx: CommandContext = {
      appfabric: new AppFabricClient({ region, deadline: () => Date.now() + 60_000 }),
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

function regionOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[3] || undefined;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
