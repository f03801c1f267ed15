import {
  Duration, aws_cloudwatch as cloudwatch, aws_cloudwatch_actions as actions, aws_events as events,
  aws_events_targets as targets, aws_lambda as lambda, aws_sns as sns,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StatusMonitorFunction } from './handler/status-monitor-function';
import { CONNECTED_METRIC, METRIC_NAMESPACE, NOT_CONNECTED_METRIC, StatusMonitorEnvironment } from './properties';
import { IAppAuthorization } from '../app-authorization';
import { IAppBundle } from '../app-bundle';
import { handlerFunction } from '../handler-function';
import { acknowledgeLibraryFunctions, acknowledgeScheduledFunction } from '../nag';

/**
 * Properties of an `AppFabricMonitor`.
 */
export interface AppFabricMonitorProps {
  /** The bundle whose authorizations are watched (all of them, including ones made elsewhere). */
  readonly appBundle: IAppBundle;

  /**
   * How often the statuses are read.
   * @default Duration.minutes(5)
   */
  readonly interval?: Duration;

  /**
   * How long an authorization may be other than `Connected` before its alarm fires. A new OAuth
   * authorization waits for an administrator's approval, so leave room for that.
   * @default Duration.hours(1)
   */
  readonly notConnectedFor?: Duration;

  /**
   * Authorizations to alarm on one by one (each gets its own alarm, named after its app and
   * tenant). The bundle-wide alarm covers every authorization either way.
   * @default - the bundle-wide alarm only
   */
  readonly authorizations?: IAppAuthorization[];

  /**
   * A topic the alarms notify (alarm and OK).
   * @default - no notifications
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * Whether to create a CloudWatch dashboard.
   * @default true
   */
  readonly dashboard?: boolean;
}

/**
 * Watches the status of every authorization in an AppFabric bundle: a scheduled function
 * publishes `CdkAppFabric` metrics per app and tenant, and alarms fire when an authorization is
 * not `Connected` for longer than a threshold (e.g. `TokenAutoRotationFailed`, or an OAuth
 * authorization waiting for a new approval after a credential change).
 *
 * AppFabric's own `AWS/AppFabric` metrics are keyed by ingestion destination and their names are
 * not documented, so they cannot replace these; use them alongside.
 *
 * @example
 * import { Duration, aws_sns as sns } from 'aws-cdk-lib';
 * import { AppBundle, AppFabricMonitor } from 'cdk-appfabric';
 *
 * new AppFabricMonitor(this, 'Monitor', {
 *   appBundle: AppBundle.fromAppBundleArn(this, 'Bundle',
 *     'arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111'),
 *   notConnectedFor: Duration.hours(2),
 *   alarmTopic: new sns.Topic(this, 'Alarms'),
 * });
 */
export class AppFabricMonitor extends Construct {
  /** The bundle-wide alarm: some authorization has not been Connected for `notConnectedFor`. */
  public readonly notConnectedAlarm: cloudwatch.Alarm;

  /** Per-authorization alarms, in the order of `authorizations`. */
  public readonly authorizationAlarms: cloudwatch.Alarm[] = [];

  /** The function that reads the statuses. */
  public readonly monitorFunction: lambda.IFunction;

  private readonly appBundleId: string;
  private readonly interval: Duration;
  private readonly evaluationPeriods: number;
  private readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: AppFabricMonitorProps) {
    super(scope, id);
    acknowledgeLibraryFunctions(this);
    this.interval = props.interval ?? Duration.minutes(5);
    const notConnectedFor = props.notConnectedFor ?? Duration.hours(1);
    validateDurations(this, this.interval, notConnectedFor);
    this.evaluationPeriods = Math.max(1, Math.ceil(notConnectedFor.toSeconds() / this.interval.toSeconds()));
    this.appBundleId = props.appBundle.appBundleId;
    this.alarmTopic = props.alarmTopic;

    const environment: StatusMonitorEnvironment = { APP_BUNDLE_ARN: props.appBundle.appBundleArn };
    const { fn, role } = handlerFunction(this, 'Function', StatusMonitorFunction, {
      description: 'cdk-appfabric: publishes the status of AppFabric authorizations as metrics',
      environment: { ...environment },
      timeout: Duration.minutes(1),
    });
    props.appBundle.grantListAuthorizations(role);
    this.monitorFunction = fn;
    const schedule = new events.Rule(this, 'Schedule', {
      description: 'Reads AppFabric authorization statuses',
      schedule: events.Schedule.rate(this.interval),
      targets: [new targets.LambdaFunction(this.monitorFunction, { retryAttempts: 0 })],
    });
    acknowledgeScheduledFunction(fn, schedule);

    this.notConnectedAlarm = this.alarm('NotConnectedAlarm', this.notConnectedMetric(), {
      alarmDescription: `Some AppFabric authorization in bundle ${this.appBundleId} has not been Connected for ${notConnectedFor.toHumanString()}`,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      threshold: 1,
      // No data means the monitor itself is not running: report it.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    for (const authorization of props.authorizations ?? []) {
      this.addAuthorization(authorization);
    }
    if (props.dashboard ?? true) {
      this.addDashboard();
    }
  }

  /** Adds an alarm for one authorization. */
  public addAuthorization(authorization: IAppAuthorization): cloudwatch.Alarm {
    const alarm = this.alarm(`Alarm${authorization.node.id}`, this.connectedMetric(authorization), {
      alarmDescription: `AppFabric authorization ${authorization.app.name} for tenant ${authorization.tenantIdentifier} has not been Connected ` +
        `for ${this.evaluationPeriods} checks`,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      threshold: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.authorizationAlarms.push(alarm);
    return alarm;
  }

  /** 1 while the authorization is Connected, 0 otherwise (minimum over the interval). */
  public connectedMetric(authorization: IAppAuthorization): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: CONNECTED_METRIC,
      statistic: 'Minimum',
      period: this.interval,
      dimensionsMap: { AppBundleId: this.appBundleId, App: authorization.app.name, Tenant: authorization.tenantIdentifier },
    });
  }

  /** How many authorizations of the bundle are not Connected (maximum over the interval). */
  public notConnectedMetric(): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: NOT_CONNECTED_METRIC,
      statistic: 'Maximum',
      period: this.interval,
      dimensionsMap: { AppBundleId: this.appBundleId },
    });
  }

  private alarm(id: string, metric: cloudwatch.Metric, options: Omit<cloudwatch.CreateAlarmOptions, 'evaluationPeriods'>): cloudwatch.Alarm {
    const alarm = metric.createAlarm(this, id, { ...options, evaluationPeriods: this.evaluationPeriods });
    if (this.alarmTopic) {
      alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
      alarm.addOkAction(new actions.SnsAction(this.alarmTopic));
    }
    return alarm;
  }

  private addDashboard(): void {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard');
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'AppFabric authorizations', alarms: [this.notConnectedAlarm, ...this.authorizationAlarms], width: 8 }),
      new cloudwatch.GraphWidget({ title: 'Authorizations not Connected', left: [this.notConnectedMetric()], width: 16 }),
    );
  }
}

function validateDurations(scope: Construct, interval: Duration, notConnectedFor: Duration): void {
  const minutes = interval.toMinutes({ integral: false });
  if (minutes < 1 || !Number.isInteger(minutes)) {
    throw new Error(`${scope.node.path}: interval ${interval.toHumanString()} must be a whole number of minutes, at least 1. Pass e.g. Duration.minutes(5).`);
  }
  if (notConnectedFor.toSeconds() < interval.toSeconds()) {
    throw new Error(`${scope.node.path}: notConnectedFor ${notConnectedFor.toHumanString()} is shorter than interval ${interval.toHumanString()}. Pass at least the interval.`);
  }
}
