// What the handler may meet in Secrets Manager, through the emulators over real HTTP: each failure
// keeps Secrets Manager's own error type and message (none can carry the value: it was never
// returned) and says what to do.
import { HandlerHarness, cfnEvent, failureReason, handler, lambdaContext } from '../support/handler-harness';

let harness: HandlerHarness;
beforeEach(async () => { harness = await HandlerHarness.start(); });
afterEach(async () => { await harness.close(); });

const PURPOSE = "the API key of the ASANA authorization for tenant '1200000000000000'";

async function createFails(secretArn: string): Promise<string> {
  const reason = await failureReason(handler(cfnEvent('Create', harness.apiKeyProps('x', { CredentialSecretArn: secretArn })), lambdaContext()));
  // Nothing is sent; the failed Create only checks that no earlier delivery of it left anything.
  expect(harness.appfabric.requests.map((r) => r.operation)).toEqual(['ListAppAuthorizations']);
  expect([...harness.logs, reason].join('\n')).not.toContain('CANARY');
  return reason;
}

test('a secret scheduled for deletion: Secrets Manager\'s reason, and how to restore it', async () => {
  const arn = harness.secrets.putSecret('appfabric/deleted', JSON.stringify({ apiKey: 'CANARY-deleted-key' }));
  harness.secrets.setTrouble(arn, 'scheduledForDeletion');
  expect(await createFails(arn)).toBe(`Could not read secret ${arn} (${PURPOSE}): InvalidRequestException: ` +
    'You can\'t perform this operation on the secret because it was marked for deletion. ' +
    `The secret is scheduled for deletion: restore it (aws secretsmanager restore-secret --secret-id ${arn}) or point the credential at another secret.`);
});

test('a binary secret: says it holds SecretBinary and what to store instead', async () => {
  const arn = harness.secrets.putBinarySecret('appfabric/binary', Buffer.from('CANARY-binary-key'));
  expect(await createFails(arn)).toBe(`Secret ${arn} (${PURPOSE}) holds binary data (SecretBinary), not a JSON string. ` +
    'Store a JSON object like {"apiKey": "..."} as the secret\'s string value.');
});

test('a KMS key that cannot decrypt: DecryptionFailure with the key policy to check', async () => {
  const arn = harness.secrets.putSecret('appfabric/kms', JSON.stringify({ apiKey: 'CANARY-kms-key' }));
  harness.secrets.setTrouble(arn, 'kmsKeyUnusable');
  const reason = await createFails(arn);
  expect(reason).toContain(`Could not read secret ${arn} (${PURPOSE}): DecryptionFailure: Secrets Manager can't decrypt the protected secret text using the provided KMS key. `);
  expect(reason).toContain('kms:Decrypt with kms:ViaService secretsmanager.us-east-1.amazonaws.com');
});

test('access denied: AWS\'s message naming the action, and the grant to check', async () => {
  const arn = harness.secrets.putSecret('appfabric/denied', JSON.stringify({ apiKey: 'CANARY-denied-key' }));
  harness.secrets.setTrouble(arn, 'accessDenied');
  const reason = await createFails(arn);
  expect(reason).toContain(`Could not read secret ${arn} (${PURPOSE}): AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/`);
  expect(reason).toContain('is not authorized to perform: secretsmanager:GetSecretValue');
  expect(reason).toContain('The handler\'s role needs secretsmanager:GetSecretValue on the secret');
});

test('throttling and server errors are retried; the value read is sent once to AppFabric', async () => {
  harness.secrets.injectFault({ operation: 'GetSecretValue', kind: 'throttle', retryAfterSeconds: 0 });
  harness.secrets.injectFault({ operation: 'GetSecretValue', kind: 'internal' });
  harness.secrets.injectFault({ operation: 'GetSecretValue', kind: 'reset' });
  const response = await handler(cfnEvent('Create', harness.props()), lambdaContext());
  expect(response.PhysicalResourceId).toMatch(/^arn:aws:appfabric:/);
  expect(harness.secrets.requests.map((r) => r.status)).toEqual([400, 500, 0, 200]);
  expect(harness.secrets.requests.every((r) => r.signedService === 'secretsmanager' && r.headers['x-amz-target'] === 'secretsmanager.GetSecretValue')).toBe(true);
  expect(harness.appfabric.count('CreateAppAuthorization')).toBe(1);
});
