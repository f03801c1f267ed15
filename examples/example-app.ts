// The example app: a platform stack that owns the account's AppFabric bundle and connects two
// SaaS applications. `app.ts` synthesizes it (`npm run example`); test/example.integ.ts keeps
// its integration snapshot.
//
// Before a real deploy, store the credentials in Secrets Manager:
//   aws secretsmanager create-secret --name appfabric/slack --secret-string '{"clientId":"...","clientSecret":"..."}'
//   aws secretsmanager create-secret --name appfabric/asana --secret-string '{"apiKey":"..."}'
import { App, Duration, Stack, aws_kms as kms, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { AppAuthorization, AppBundle, AppCredential, Application } from '../src';

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
  new AppAuthorization(stack, 'Slack', {
    appBundle: bundle,
    app: Application.SLACK,
    tenant: { tenantIdentifier: 'examplecorp', tenantDisplayName: 'Example Corp' },
    credential: AppCredential.oauth2(secretsmanager.Secret.fromSecretNameV2(stack, 'SlackClient', 'appfabric/slack')),
  });

  // API key: connected and verified during the deploy; a rejected key fails the deploy.
  new AppAuthorization(stack, 'Asana', {
    appBundle: bundle,
    app: Application.ASANA,
    tenant: { tenantIdentifier: '1200000000000000', tenantDisplayName: 'Example Corp Asana' },
    credential: AppCredential.apiKey(secretsmanager.Secret.fromSecretNameV2(stack, 'AsanaKey', 'appfabric/asana')),
    connectTimeout: Duration.minutes(3),
  });

  return [stack];
}
