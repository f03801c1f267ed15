// Reads the status of every authorization in a bundle and reports it as CloudWatch metrics in
// embedded metric format: log lines CloudWatch Logs turns into metrics, no PutMetricData call.
import { AppFabricApi } from '../../internal/appfabric-client';
import { listAllAppAuthorizations } from '../../internal/list-app-authorizations';
import { CONNECTED_METRIC, METRIC_NAMESPACE, NOT_CONNECTED_METRIC, appBundleIdOf } from '../properties';

export interface StatusReport {
  readonly total: number;
  readonly notConnected: Array<{ app: string; tenant: string; status: string }>;
}

export async function reportStatuses(appfabric: AppFabricApi, appBundleArn: string, emit: (line: string) => void,
  now = Date.now()): Promise<StatusReport> {
  const items = await listAllAppAuthorizations(appfabric, appBundleArn);

  const AppBundleId = appBundleIdOf(appBundleArn);
  for (const item of items) {
    emit(JSON.stringify(metricRecord(now, [['AppBundleId', 'App', 'Tenant']], CONNECTED_METRIC, {
      AppBundleId,
      App: item.app,
      Tenant: item.tenant.tenantIdentifier,
      Status: item.status,
      [CONNECTED_METRIC]: item.status === 'Connected' ? 1 : 0,
    })));
  }
  const notConnected = items.filter((item) => item.status !== 'Connected')
    .map((item) => ({ app: item.app, tenant: item.tenant.tenantIdentifier, status: item.status }));
  emit(JSON.stringify(metricRecord(now, [['AppBundleId']], NOT_CONNECTED_METRIC, { AppBundleId, [NOT_CONNECTED_METRIC]: notConnected.length })));
  return { total: items.length, notConnected };
}

function metricRecord(timestamp: number, dimensions: string[][], metric: string, fields: Record<string, unknown>) {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: METRIC_NAMESPACE, Dimensions: dimensions, Metrics: [{ Name: metric, Unit: 'Count' }] }],
    },
    ...fields,
  };
}
