// The metrics the status monitor publishes (CloudWatch embedded metric format in its log) and
// the alarms read: named once, here.
import { parseAppFabricArn } from '../internal/arns';

export const METRIC_NAMESPACE = 'CdkAppFabric';
/** Per authorization: 1 when Connected, 0 otherwise. Dimensions: AppBundleId, App, Tenant. */
export const CONNECTED_METRIC = 'AuthorizationConnected';
/** Per bundle: how many authorizations are not Connected. Dimension: AppBundleId. */
export const NOT_CONNECTED_METRIC = 'AuthorizationsNotConnected';

/** The monitor function's environment. */
export interface StatusMonitorEnvironment {
  readonly APP_BUNDLE_ARN: string;
}

/** The bundle id used as a metric dimension. */
export function appBundleIdOf(appBundleArn: string): string {
  return parseAppFabricArn(appBundleArn, 'appbundle').appBundleId;
}
