// The example app: one stack that owns the account's AppFabric bundle, the way a platform team
// would set it up. Synthesize it with `npm run synth:example`.
import { App, Stack, aws_kms as kms } from 'aws-cdk-lib';
import { AppBundle } from '../src';

const env = { account: '111122223333', region: 'us-east-1' };
const app = new App();

const stack = new Stack(app, 'AppFabricExample', { env });
const key = new kms.Key(stack, 'BundleKey', {
  description: 'Encrypts the AppFabric app bundle',
  enableKeyRotation: true,
});
new AppBundle(stack, 'Bundle', { encryptionKey: key, tags: { owner: 'security-platform' } });

app.synth();
