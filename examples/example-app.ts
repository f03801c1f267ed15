// The example app: a platform stack that owns the account's AppFabric bundle and connects two
// SaaS applications. `app.ts` synthesizes it (`npm run example`); test/example.integ.ts keeps
// its integration snapshot.
//
// Before a real deploy, store the credentials in Secrets Manager:
//   aws secretsmanager create-secret --name appfabric/slack --secret-string '{"clientId":"...","clientSecret":"..."}'
//   aws secretsmanager create-secret --name appfabric/asana --secret-string '{"apiKey":"..."}'
//   aws secretsmanager create-secret --name tpp/admin-token \
//     --secret-string '{"access_token":"...","refresh_token":"...","client_id":"..."}'
import { App, Duration, Stack, aws_kms as kms, aws_s3 as s3, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import {
  AppAuthorization, AppBundle, AppCredential, AppFabricMonitor, Application, AuditLogFormat, AuditLogSchema, Ingestion,
  IngestionDestinationTarget, TppOAuthApplication,
} from '../src';

/** The account and Region of the example (an AppFabric Region). */
export const EXAMPLE_ENV = { account: '111122223333', region: 'us-east-1' };

export function buildExampleApp(app: App): Stack[] {
  const stack = new Stack(app, 'AppFabricExample', { env: EXAMPLE_ENV });
  const key = new kms.Key(stack, 'BundleKey', {
    description: 'Encrypts the AppFabric app bundle',
    enableKeyRotation: true,
  });
  const bundle = new AppBundle(stack, 'Bundle', { encryptionKey: key, tags: { owner: 'security-platform' } });

  // OAuth: after the deploy, an administrator opens the SlackAuthUrl output and approves, then
  // `npx cdk-appfabric connect --stack AppFabricExample --id Slack --code <code>`.
  const slack = new AppAuthorization(stack, 'Slack', {
    appBundle: bundle,
    app: Application.SLACK,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, 'SlackClient', 'appfabric/slack')),
  });

  // API key: connected and verified during the deploy; a rejected key fails the deploy.
  const asana = new AppAuthorization(stack, 'Asana', {
    appBundle: bundle,
    app: Application.ASANA,
    tenant: { tenantIdentifier: '1200000000000000', tenantDisplayName: 'Example Corp Asana' },
    credential: AppCredential.apiKey(secretsmanager.Secret.fromSecretNameV2(stack, 'AsanaKey', 'appfabric/asana')),
    connectTimeout: Duration.minutes(3),
    followSecretRotation: true,
  });

  // Audit logs: the apiKey authorization is connected during the deploy, so its ingestion can
  // deploy with it. (An OAuth one needs a second deploy after the approval; see the README.)
  const auditLogs = new s3.Bucket(stack, 'AuditLogs', {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  new Ingestion(stack, 'AsanaLogs', {
    authorization: asana,
    destinations: [{
      target: IngestionDestinationTarget.s3(auditLogs, 'asana'),
      schema: AuditLogSchema.OCSF,
      format: AuditLogFormat.PARQUET,
    }],
  });

  // Day two: an alarm when an authorization stays other than Connected.
  new AppFabricMonitor(stack, 'Monitor', { appBundle: bundle, authorizations: [slack, asana] });

  // Venafi TPP: the certificate bot's API integration, declared as code. Updates keep whatever
  // this declaration leaves out; the application is retained when it leaves the stack.
  new TppOAuthApplication(stack, 'CertBot', {
    serverUrl: 'https://tpp.example.com',
    tokenSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'TppToken', 'tpp/admin-token'),
    applicationId: 'cert-bot',
    applicationName: 'Certificate bot',
    vendor: 'Example Corp',
    description: 'Renews TLS certificates for the platform',
    scope: 'certificate:manage,revoke',
    maximumScope: 'certificate:manage,revoke;configuration',
    accessValidity: Duration.hours(1),
  });

  return [stack];
}
