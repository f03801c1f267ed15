// The library's own Secrets Manager client (awsJson1_1 over the shared signer), against the
// emulator over real HTTP.
import { forgetSecretsForTesting, scrub } from '../../src/internal/scrub';
import { SecretReader } from '../../src/internal/secrets';
import { SecretsManagerEmulator } from '../emulators/secrets-manager-emulator';
import { useEmulatorEnvironment } from '../support/emulator-environment';

let secrets: SecretsManagerEmulator;
let restoreEnvironment: () => void;
beforeEach(async () => {
  secrets = await SecretsManagerEmulator.start();
  restoreEnvironment = useEmulatorEnvironment({ secretsManager: secrets.endpoint });
  forgetSecretsForTesting();
});
afterEach(async () => {
  restoreEnvironment();
  forgetSecretsForTesting();
  await secrets.close();
});

test('GetSecretValue: one signed awsJson1_1 POST; the value and each JSON string field are remembered for scrubbing as they are read', async () => {
  const arn = secrets.putSecret('s', JSON.stringify({ clientId: 'CANARY-client-id-value', clientSecret: 'CANARY-client-secret-value', n: 1 }));
  const reader = new SecretReader();
  expect(scrub('CANARY-client-secret-value')).toBe('CANARY-client-secret-value');
  expect(await reader.readFields(arn, ['clientSecret'], 'test')).toEqual({ clientSecret: 'CANARY-client-secret-value' });
  expect(scrub('a CANARY-client-secret-value b CANARY-client-id-value c')).toBe('a *** b *** c');
  expect(reader.versionIdOf(arn)).toBe(secrets.versionId(arn));
  const [request] = secrets.requests;
  expect(request).toMatchObject({ operation: 'GetSecretValue', method: 'POST', path: '/', status: 200, signedService: 'secretsmanager', requestBody: { SecretId: arn } });
  expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
  // One event reads a secret once.
  await reader.readFields(arn, ['clientId'], 'test');
  expect(secrets.count()).toBe(1);
});

test('AWS_ENDPOINT_URL is the fallback endpoint', async () => {
  delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  process.env.AWS_ENDPOINT_URL = secrets.endpoint;
  const arn = secrets.putSecret('s', JSON.stringify({ k: 'value-1234' }));
  expect(await new SecretReader().readFields(arn, ['k'], 'test')).toEqual({ k: 'value-1234' });
});

test('PutSecretValue: one version even when the response is lost and the call retried (one ClientRequestToken for every attempt)', async () => {
  const arn = secrets.putSecret('tokens', JSON.stringify({ access_token: 'old-access-token' }));
  const before = secrets.versionId(arn);
  secrets.injectFault({ operation: 'PutSecretValue', kind: 'dropResponse' });
  await new SecretReader().putSecretString(arn, JSON.stringify({ access_token: 'CANARY-new-access-token' }));
  expect(secrets.secretString(arn)).toBe(JSON.stringify({ access_token: 'CANARY-new-access-token' }));
  const puts = secrets.requests.filter((r) => r.operation === 'PutSecretValue');
  expect(puts.map((r) => r.status)).toEqual([0, 200]);
  expect(puts[0].requestBody.ClientRequestToken).toBe(puts[1].requestBody.ClientRequestToken);
  expect(secrets.versionId(arn)).not.toBe(before);
  expect(scrub('CANARY-new-access-token')).toBe('***');
});

test('a failed write keeps the service\'s reason with the hint; the value written never appears', async () => {
  const arn = secrets.putSecret('tokens', '{}');
  secrets.setTrouble(arn, 'kmsKeyUnusable');
  const error = await new SecretReader().putSecretString(arn, JSON.stringify({ access_token: 'CANARY-unwritten-token' })).catch((e: Error) => e);
  expect((error as Error).message).toMatch(new RegExp(`^Could not write secret ${arn} \\(the refreshed tokens\\): EncryptionFailure: Secrets Manager can't encrypt`));
  expect((error as Error).message).not.toContain('CANARY');
});
