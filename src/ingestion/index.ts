import { createHash } from 'crypto';
import {
  Annotations, CustomResource, Fn, IResource, Resource, Stack, Tags, Token,
  aws_appfabric as appfabric, aws_kinesisfirehose as firehose, aws_s3 as s3,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { AppAuthorization, IAppAuthorization } from '../app-authorization';
import { AuthType } from '../application';
import { INGESTION_STATE_RESOURCE_TYPE, IngestionStateProperties } from './properties';
import { IngestionStateProvider } from './provider';
import { acknowledgeLibraryFunctions, acknowledgeUnknownResourceType } from '../nag';
import { assertAppFabricRegion, checkSameEnvironment, parseAppFabricArn, validateTagsAtSynth } from '../synth-checks';

/** AppFabric allows this many destinations per ingestion (CreateIngestionDestination quota). */
const MAX_DESTINATIONS = 5;

/** The tag AppFabric's service-linked role requires on a Firehose stream it writes to. */
const APPFABRIC_MANAGED_TAG = 'AWSAppFabricManaged';

/**
 * The schema AppFabric writes audit log events in.
 */
export enum AuditLogSchema {
  /** Open Cybersecurity Schema Framework: events normalized across applications. */
  OCSF = 'ocsf',
  /** The application's own event format, unchanged. */
  RAW = 'raw',
}

/**
 * The file format AppFabric writes audit log events in.
 */
export enum AuditLogFormat {
  /** JSON: offered for every destination and schema. */
  JSON = 'json',
  /** Apache Parquet: offered for S3 destinations with the OCSF schema only. */
  PARQUET = 'parquet',
}

/** How to process a destination's audit logs. */
export interface IngestionDestinationOptions {
  /**
   * The schema of the delivered events.
   *
   * @default AuditLogSchema.OCSF
   */
  readonly schema?: AuditLogSchema;

  /**
   * The file format of the delivered events. `PARQUET` needs `AuditLogSchema.OCSF` and an S3
   * target.
   *
   * @default AuditLogFormat.JSON
   */
  readonly format?: AuditLogFormat;
}

/** A destination of an ingestion: where, and in which schema and format. */
export interface IngestionDestinationConfig extends IngestionDestinationOptions {
  /** Where AppFabric delivers: `IngestionDestinationTarget.s3(...)` or `.firehose(...)`. */
  readonly target: IngestionDestinationTarget;
}

/** Properties of an `IngestionDestination`. */
export interface IngestionDestinationProps extends IngestionDestinationConfig {
  /** The ingestion whose audit logs are delivered. */
  readonly ingestion: IIngestion;
}

/** What a target contributes to a destination; the set of targets is closed (S3, Firehose). */
interface TargetSpec {
  /** For messages, e.g. `S3 bucket Stack/Logs`. */
  readonly description: string;
  /** Identifies the target within an ingestion (the construct id of its destination). */
  readonly key: string;
  /** The construct holding the target's account and Region. */
  readonly resource: IConstruct & { readonly env: { readonly account: string; readonly region: string } };
  /** Whether AppFabric writes Parquet to this kind of target (S3 yes, Firehose no). */
  readonly parquet: boolean;
  /** Target-specific checks and side effects, at bind time. */
  readonly bind: (scope: Construct) => void;
  readonly destination: appfabric.CfnIngestionDestination.DestinationProperty;
}

/**
 * Where an ingestion delivers audit logs: an S3 bucket or a Firehose stream, in the ingestion's
 * account and Region. AppFabric's service-linked role (`AWSServiceRoleForAppFabric`) does the
 * writing; this library grants nothing else.
 */
export class IngestionDestinationTarget {
  /**
   * An S3 bucket. Schemas and formats: raw JSON, OCSF JSON, OCSF Parquet.
   *
   * The bucket must be encrypted with SSE-S3 or the AWS managed key `aws/s3`: the service-linked
   * role has no KMS permissions, so a bucket encrypted with a customer managed key (visible as
   * `bucket.encryptionKey`) is rejected at synth. The role may only put objects under an
   * `AWSAppFabric/` path segment, which is where AppFabric writes; match that segment in
   * lifecycle rules or notifications. A bucket policy that denies other principals blocks
   * delivery.
   *
   * @param bucket the bucket, in the ingestion's account and Region
   * @param prefix a key prefix, 1 to 120 characters. Default: none (objects are written from the bucket's root).
   */
  public static s3(bucket: s3.IBucket, prefix?: string): IngestionDestinationTarget {
    checkLength('IngestionDestinationTarget.s3(bucket)', 'bucket name', bucket.bucketName, 3, 63,
      'Pass a bucket whose name is 3 to 63 characters');
    if (prefix !== undefined) {
      checkLength('IngestionDestinationTarget.s3(bucket, prefix)', 'prefix', prefix, 1, 120,
        'Pass a shorter prefix, or omit prefix to write from the bucket\'s root');
    }
    const description = `S3 bucket ${bucket.node.path}`;
    return new IngestionDestinationTarget({
      description,
      key: `s3|${bucket.node.path}|${prefix ?? ''}`,
      resource: bucket,
      parquet: true,
      bind: (scope) => rejectCustomerManagedKey(scope, bucket, description),
      destination: { s3Bucket: { bucketName: bucket.bucketName, prefix } },
    });
  }

  /**
   * An Amazon Data Firehose stream with the Direct PUT source. Schemas and formats: raw JSON,
   * OCSF JSON (no Parquet).
   *
   * AppFabric's service-linked role may only put records into streams tagged
   * `AWSAppFabricManaged=true`, and AppFabric adds that tag when the destination is created. A
   * stream defined in this app (`firehose.DeliveryStream` or `CfnDeliveryStream`) is tagged in
   * the template as well, so the tag causes no drift, and is rejected at synth when it reads from
   * a Kinesis data stream or another source. An imported stream is not checked: it must be Direct PUT.
   *
   * @param deliveryStream the stream, in the ingestion's account and Region
   */
  public static firehose(deliveryStream: firehose.IDeliveryStreamRef): IngestionDestinationTarget {
    const streamName = deliveryStream.deliveryStreamRef.deliveryStreamName;
    checkLength('IngestionDestinationTarget.firehose(deliveryStream)', 'stream name', streamName, 3, 64,
      'Pass a stream whose name is 3 to 64 characters');
    const description = `Firehose stream ${deliveryStream.node.path}`;
    return new IngestionDestinationTarget({
      description,
      key: `firehose|${deliveryStream.node.path}`,
      resource: deliveryStream,
      parquet: false,
      bind: (scope) => bindDeliveryStream(scope, deliveryStream, description),
      destination: { firehoseStream: { streamName } },
    });
  }

  private constructor(private readonly spec: TargetSpec) {}

  /**
   * Validates the target for one destination and returns its configuration.
   * @internal
   */
  public _bind(scope: Construct, schema: AuditLogSchema, format: AuditLogFormat): appfabric.CfnIngestionDestination.DestinationProperty {
    if (format === AuditLogFormat.PARQUET && schema === AuditLogSchema.RAW) {
      throw new Error(
        `${scope.node.path}: format '${format}' is not offered with schema '${schema}' (${this.spec.description}): AppFabric writes Parquet only in the OCSF schema. ` +
        'Pass schema: AuditLogSchema.OCSF to keep Parquet, or format: AuditLogFormat.JSON to keep raw events.',
      );
    }
    if (format === AuditLogFormat.PARQUET && !this.spec.parquet) {
      throw new Error(
        `${scope.node.path}: format '${format}' is not offered for ${this.spec.description}: AppFabric delivers JSON only to Firehose. ` +
        'Pass format: AuditLogFormat.JSON, or deliver Parquet to IngestionDestinationTarget.s3(bucket).',
      );
    }
    checkSameEnvironment(scope, this.spec.description, this.spec.resource, (what, here) =>
      `AppFabric delivers only within its own account and Region: use a target in ${what} ${here}.`);
    this.spec.bind(scope);
    return this.spec.destination;
  }

  /**
   * Identifies the target (and its prefix) within an ingestion.
   * @internal
   */
  public get _key(): string {
    return this.spec.key;
  }

  /**
   * The target, for messages.
   * @internal
   */
  public get _description(): string {
    return this.spec.description;
  }
}

/**
 * An AppFabric ingestion: collects one application tenant's audit logs.
 */
export interface IIngestion extends IResource {
  /**
   * The ARN of the ingestion.
   * @attribute
   */
  readonly ingestionArn: string;

  /** The ARN of the app bundle the ingestion belongs to. */
  readonly appBundleArn: string;

  /**
   * Delivers the ingestion's audit logs to one more destination (at most 5 per ingestion).
   *
   * @param target where to deliver
   * @param options schema and format
   */
  addDestination(target: IngestionDestinationTarget, options?: IngestionDestinationOptions): IngestionDestination;
}

/** Properties of an `Ingestion`. */
export interface IngestionProps {
  /**
   * The authorization whose audit logs to ingest: it gives the application, the tenant and the
   * bundle, so they cannot disagree.
   *
   * AppFabric creates an ingestion only for a `Connected` authorization. An apiKey
   * `AppAuthorization` is connected during the deploy, before the ingestion is created. An
   * oauth2 one is connected after an administrator approves its AuthUrl, so it needs a first
   * deploy without the ingestion.
   */
  readonly authorization: IAppAuthorization;

  /**
   * Destinations, at most 5 together with those added by `addDestination()`.
   *
   * @default - none; add them with `addDestination()`
   */
  readonly destinations?: IngestionDestinationConfig[];

  /**
   * Whether the ingestion delivers after the deploy. A custom resource reads the ingestion's
   * state and calls StartIngestion or StopIngestion when it differs (no document states the
   * state right after CreateIngestion, so it is read rather than assumed).
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * Tags for the ingestion. `Tags.of(ingestion).add(...)` works as well, and also tags the
   * ingestion's destinations.
   *
   * @default - no tags
   */
  readonly tags?: { [key: string]: string };
}

/** Attributes and behaviour shared by created and imported ingestions. */
abstract class IngestionBase extends Resource implements IIngestion {
  public abstract readonly ingestionArn: string;
  public abstract readonly appBundleArn: string;
  private destinationCount = 0;

  public addDestination(target: IngestionDestinationTarget, options: IngestionDestinationOptions = {}): IngestionDestination {
    const schema = options.schema ?? AuditLogSchema.OCSF;
    const format = options.format ?? AuditLogFormat.JSON;
    // Named after the target, prefix and processing, so reordering destinations replaces nothing.
    const id = `Destination${shortHash(`${target._key}|${schema}|${format}`)}`;
    if (this.node.tryFindChild(id)) {
      throw new Error(
        `${this.node.path}: addDestination: ${target._description} already receives schema '${schema}' format '${format}' from this ingestion. ` +
        'Remove the duplicate destination.',
      );
    }
    return new IngestionDestination(this, id, { ingestion: this, target, schema, format });
  }

  /**
   * Counts a destination of this ingestion against AppFabric's quota.
   * @internal
   */
  public _registerDestination(description: string): void {
    this.destinationCount += 1;
    if (this.destinationCount > MAX_DESTINATIONS) {
      throw new Error(
        `${this.node.path}: destinations: cannot add destination ${this.destinationCount} (${description}); AppFabric allows at most ${MAX_DESTINATIONS} per ingestion. ` +
        `Pass at most ${MAX_DESTINATIONS} in destinations and addDestination() together, or fan out from one Firehose stream.`,
      );
    }
  }
}

/**
 * An AWS AppFabric audit log ingestion (`AWS::AppFabric::Ingestion`) for one authorization,
 * with its destinations (`AWS::AppFabric::IngestionDestination`).
 *
 * @resource AWS::AppFabric::Ingestion
 *
 * @example
 * import { aws_s3 as s3, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
 * import {
 *   AppAuthorization, AppBundle, AppCredential, Application, AuditLogFormat, AuditLogSchema, Ingestion, IngestionDestinationTarget,
 * } from 'cdk-appfabric';
 *
 * // An apiKey authorization is connected during the deploy, so its ingestion deploys with it.
 * const asana = new AppAuthorization(this, 'Asana', {
 *   appBundle: new AppBundle(this, 'Bundle'),
 *   app: Application.ASANA,
 *   tenant: { tenantIdentifier: '1200000000000000', tenantDisplayName: 'Example Corp' },
 *   credential: AppCredential.apiKey(secretsmanager.Secret.fromSecretNameV2(this, 'AsanaKey', 'appfabric/asana')),
 * });
 * const bucket = new s3.Bucket(this, 'AuditLogs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });
 * new Ingestion(this, 'AsanaLogs', {
 *   authorization: asana,
 *   destinations: [{
 *     target: IngestionDestinationTarget.s3(bucket, 'asana'),
 *     schema: AuditLogSchema.OCSF,
 *     format: AuditLogFormat.PARQUET,
 *   }],
 * });
 */
export class Ingestion extends IngestionBase {
  /**
   * Imports an existing ingestion by its ARN, e.g. to add destinations to it.
   *
   * @param ingestionArn e.g. `arn:aws:appfabric:us-east-1:111122223333:appbundle/a1b2c3d4-.../ingestion/e5f6a7b8-...`
   */
  public static fromIngestionArn(scope: Construct, id: string, ingestionArn: string): IIngestion {
    const parsed = parseAppFabricArn(ingestionArn, 'Ingestion.fromIngestionArn(ingestionArn)', 'ingestion');
    // The bundle ARN is the ingestion ARN up to its second `/`; a token is split at deploy.
    const appBundleArn = parsed?.appBundleArn ?? bundleArnAtDeploy(ingestionArn);
    class Imported extends IngestionBase {
      public readonly ingestionArn = ingestionArn;
      public readonly appBundleArn = appBundleArn;
    }
    return new Imported(scope, id, { account: parsed?.account, region: parsed?.region });
  }

  public readonly ingestionArn: string;
  public readonly appBundleArn: string;

  /**
   * The ingestion's state when the deploy finished: `enabled` or `disabled`.
   * @attribute
   */
  public readonly ingestionState: string;

  /** The authorization whose audit logs are ingested. */
  public readonly authorization: IAppAuthorization;

  constructor(scope: Construct, id: string, props: IngestionProps) {
    super(scope, id);
    assertAppFabricRegion(this);

    const authorization = props.authorization;
    this.authorization = authorization;
    this.appBundleArn = authorization.appBundle.appBundleArn;

    const resource = new appfabric.CfnIngestion(this, 'Resource', {
      app: authorization.app.name,
      tenantId: authorization.tenantIdentifier,
      appBundleArn: this.appBundleArn,
      ingestionType: 'auditLog',
    });
    acknowledgeUnknownResourceType(resource);
    // AppFabric rejects CreateIngestion until the authorization is Connected; for an apiKey
    // authorization the custom resource connects it, so being created after it is enough.
    resource.node.addDependency(authorization);
    for (const [key, value] of Object.entries(props.tags ?? {})) {
      Tags.of(this).add(key, value);
    }
    validateTagsAtSynth(this, resource.cdkTagManager);

    this.ingestionArn = resource.attrArn;

    // CfnIngestion has no state property: a custom resource starts or stops it as declared.
    const stateProvider = IngestionStateProvider.of(this);
    acknowledgeLibraryFunctions(stateProvider);
    stateProvider.grantBundle(authorization.appBundle);
    const stateProperties: IngestionStateProperties = {
      AppBundleArn: this.appBundleArn,
      IngestionArn: this.ingestionArn,
      Enabled: String(props.enabled ?? true),
    };
    const state = new CustomResource(this, 'State', {
      serviceToken: stateProvider.serviceToken,
      resourceType: INGESTION_STATE_RESOURCE_TYPE,
      properties: { ...stateProperties },
      serviceTimeout: stateProvider.serviceTimeout,
    });
    this.ingestionState = state.getAttString('State');

    if (authorization instanceof AppAuthorization && authorization.authType === AuthType.OAUTH2) {
      this.warnOAuthNeedsConnecting(authorization);
    }
    for (const destination of props.destinations ?? []) {
      this.addDestination(destination.target, destination);
    }
  }

  private warnOAuthNeedsConnecting(authorization: AppAuthorization): void {
    const stack = Stack.of(authorization);
    Annotations.of(this).addWarningV2('cdk-appfabric:ingestion-needs-connected-oauth',
      `AppFabric creates this ingestion only after the oauth2 authorization ${authorization.node.path} ` +
      `(${authorization.app.name}, tenant ${authorization.tenantIdentifier}) is Connected, which needs an administrator, so a first deploy with both fails. ` +
      'Deploy in two steps: (1) deploy the authorization without this ingestion (or with the ingestion in a second stack); ' +
      `(2) open the authorization's AuthUrl output, approve, and connect (npx cdk-appfabric connect --stack ${stack.stackName} --id ${authorization.node.id} --code <code>); ` +
      '(3) deploy the ingestion. Once connected, acknowledge this warning: ' +
      'Annotations.of(ingestion).acknowledgeWarning(\'cdk-appfabric:ingestion-needs-connected-oauth\').',
    );
  }
}

/**
 * A destination of an ingestion (`AWS::AppFabric::IngestionDestination`). `addDestination()`
 * creates these; construct one directly to choose its id (an S3 prefix change then updates it in
 * place rather than replacing it).
 *
 * Changing the schema or format makes a new destination (AppFabric updates only the target).
 *
 * @resource AWS::AppFabric::IngestionDestination
 */
export class IngestionDestination extends Resource {
  /**
   * The ARN of the destination.
   * @attribute
   */
  public readonly ingestionDestinationArn: string;

  /** The schema of the delivered events. */
  public readonly schema: AuditLogSchema;

  /** The file format of the delivered events. */
  public readonly format: AuditLogFormat;

  constructor(scope: Construct, id: string, props: IngestionDestinationProps) {
    super(scope, id);
    assertAppFabricRegion(this);
    this.schema = props.schema ?? AuditLogSchema.OCSF;
    this.format = props.format ?? AuditLogFormat.JSON;
    const destination = props.target._bind(this, this.schema, this.format);
    if (props.ingestion instanceof IngestionBase) {
      props.ingestion._registerDestination(props.target._description);
    }

    const resource = new appfabric.CfnIngestionDestination(this, 'Resource', {
      appBundleArn: props.ingestion.appBundleArn,
      // A reference to the ingestion: created after it, deleted before it.
      ingestionArn: props.ingestion.ingestionArn,
      processingConfiguration: { auditLog: { schema: this.schema, format: this.format } },
      destinationConfiguration: { auditLog: { destination } },
    });
    acknowledgeUnknownResourceType(resource);
    this.ingestionDestinationArn = resource.attrArn;
  }
}

function rejectCustomerManagedKey(scope: Construct, bucket: s3.IBucket, description: string): void {
  const key = bucket.encryptionKey;
  // An alias for the AWS managed key is fine; any other key the bucket declares is customer managed.
  const aliasName = key && (key as { aliasName?: string }).aliasName;
  if (key && aliasName !== 'alias/aws/s3') {
    throw new Error(
      `${scope.node.path}: ${description} is encrypted with a customer managed KMS key (${key.node.path}); ` +
      'AppFabric\'s service-linked role AWSServiceRoleForAppFabric has no KMS permissions, so it cannot write there. ' +
      'Use a bucket encrypted with SSE-S3 (BucketEncryption.S3_MANAGED, the default) or the AWS managed key aws/s3 (BucketEncryption.KMS_MANAGED).',
    );
  }
}

function bindDeliveryStream(scope: Construct, stream: firehose.IDeliveryStreamRef, description: string): void {
  const cfn = stream instanceof firehose.CfnDeliveryStream ? stream
    : stream.node.defaultChild instanceof firehose.CfnDeliveryStream ? stream.node.defaultChild : undefined;
  if (!cfn) {
    return; // imported: AppFabric tags it when the destination is created
  }
  const type = cfn.deliveryStreamType ?? 'DirectPut';
  const hasSource = cfn.kinesisStreamSourceConfiguration !== undefined || cfn.mskSourceConfiguration !== undefined ||
    cfn.databaseSourceConfiguration !== undefined;
  if ((!Token.isUnresolved(type) && type !== 'DirectPut') || hasSource) {
    throw new Error(
      `${scope.node.path}: ${description} has source deliveryStreamType '${type}'; AppFabric puts records only into Direct PUT streams. ` +
      'Deliver to a stream created without a source (deliveryStreamType DirectPut).',
    );
  }
  // Only the stream resource: Tags.of(the L2) would also tag its service role and key.
  Tags.of(cfn).add(APPFABRIC_MANAGED_TAG, 'true');
}


function checkLength(property: string, what: string, value: string, min: number, max: number, fix: string): void {
  if (!Token.isUnresolved(value) && (value.length < min || value.length > max)) {
    throw new Error(`${property}: ${what} '${value.slice(0, 130)}' is ${value.length} characters; AppFabric accepts ${min} to ${max}. ${fix}.`);
  }
}

/** The bundle ARN of an ingestion ARN known only at deploy: CloudFormation splits it. */
function bundleArnAtDeploy(ingestionArn: string): string {
  const parts = Fn.split('/', ingestionArn);
  return Fn.join('/', [Fn.select(0, parts), Fn.select(1, parts)]);
}

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8).toUpperCase();
}
