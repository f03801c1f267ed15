// Entry of the scheduled status monitor (bundled by projen into assets/).
import { StatusReport, reportStatuses } from './status-monitor';
import { AppFabricClient } from '../../internal/appfabric-client';
import { LambdaContext, deadlinesFrom, log } from '../../internal/custom-resource';

export async function handler(_event: unknown, context: LambdaContext): Promise<StatusReport> {
  const { deadline } = deadlinesFrom(context);
  const appBundleArn = process.env.APP_BUNDLE_ARN;
  if (!appBundleArn) {
    throw new Error('APP_BUNDLE_ARN is not set');
  }
  // Metric records (embedded metric format) are log lines as well.
  return reportStatuses(new AppFabricClient({ deadline: () => deadline, log }), appBundleArn, log);
}
