// Entry of the scheduled status monitor (bundled by projen into assets/).
import { StatusReport, reportStatuses } from './status-monitor';
import { AppFabricClient } from '../../internal/appfabric-client';
import { HandlerContext, deadlineFrom } from '../../internal/cfn-events';

export async function handler(_event: unknown, context?: HandlerContext): Promise<StatusReport> {
  const deadline = deadlineFrom(context, 60_000);
  const appBundleArn = process.env.APP_BUNDLE_ARN;
  if (!appBundleArn) {
    throw new Error('APP_BUNDLE_ARN is not set');
  }
  const appfabric = new AppFabricClient({ deadline: () => deadline, log: (line) => console.log(line) });
  return reportStatuses(appfabric, appBundleArn, (line) => console.log(line));
}
