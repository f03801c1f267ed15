// End-to-end: the example app synthesized, its custom resources run from the cloud assembly
// (handler assets as shipped) against the emulators, as CloudFormation would run them.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { rehearseExample } from './scenario';
import { buildExampleApp } from '../../examples/example-app';

// Inside the repository, so the assets resolve @aws-sdk/* from node_modules as Lambda's runtime would provide it.
const TMP = path.join(__dirname, '..', '.tmp');
let assemblyDir: string;

beforeAll(() => {
  mkdirSync(TMP, { recursive: true });
  assemblyDir = mkdtempSync(path.join(TMP, 'rehearsal-'));
  const app = new App({ outdir: assemblyDir });
  buildExampleApp(app);
  app.synth();
});
afterAll(() => rmSync(assemblyDir, { recursive: true, force: true }));

test('the example deploys, updates in place and deletes; outputs carry the AuthUrl; nothing is left', async () => {
  const result = await rehearseExample({ assemblyDir });
  expect(result.failed).toBeUndefined();
  const [create, update, remove] = result.passes;
  const created = create.outcomes.filter((o) => o.type === 'Custom::AppFabricAppAuthorization');
  expect(created.map((o) => [o.logicalId.replace(/[0-9A-F]{8}$/, ''), o.status])).toEqual([['Slack', 'PendingConnect'], ['Asana', 'Connected']]);
  // Native resources get stand-ins, in dependency order: the ingestion after its authorization.
  const position = (type: string, prefix: string) => create.outcomes.findIndex((o) => o.type === type && o.logicalId.startsWith(prefix));
  const asana = position('Custom::AppFabricAppAuthorization', 'Asana');
  const ingestion = position('AWS::AppFabric::Ingestion', 'AsanaLogs');
  const destination = position('AWS::AppFabric::IngestionDestination', 'AsanaLogs');
  expect([asana >= 0, ingestion > asana, destination > ingestion]).toEqual([true, true, true]);
  // The ingestion is delivering after the deploy: its state resource started it.
  expect(create.outcomes.find((o) => o.type === 'Custom::AppFabricIngestionState')?.status).toBe('created');
  expect(result.appfabric.ingestionState(create.outcomes[ingestion].physicalId)?.state).toBe('enabled');
  const outputs = create.outputs.AppFabricExample;
  expect(outputs.SlackAuthUrl).toMatch(/^https:\/\/slack\.example\.com\/oauth\/authorize\?client_id=example-slack-client/);
  // One output per OAuth authorization, none for apiKey ones.
  expect(Object.keys(outputs)).toEqual(['SlackAuthUrl']);
  const updatedAuthorizations = update.outcomes.filter((o) => o.type === 'Custom::AppFabricAppAuthorization');
  expect(updatedAuthorizations.map((o) => o.status)).toEqual(['PendingConnect', 'Connected']);
  expect(updatedAuthorizations.every((o) => o.physicalId === created.find((c) => c.logicalId === o.logicalId)?.physicalId)).toBe(true);
  expect(remove.outcomes.filter((o) => o.type.startsWith('Custom::')).map((o) => [o.type, o.status])).toEqual([
    ['Custom::VenafiTppOAuthApplication', 'retained'],
    ['Custom::AppFabricIngestionState', 'deleted'],
    ['Custom::AppFabricAppAuthorization', 'deleted'],
    ['Custom::AppFabricAppAuthorization', 'deleted'],
  ]);
  expect(result.leftBehind).toBe(0);
  // The TPP application is declared with the default removal policy, RETAIN.
  expect(result.tppApplications).toEqual(['cert-bot']);
  expect(update.outcomes.find((o) => o.type === 'Custom::VenafiTppOAuthApplication')?.physicalId).toBe('cert-bot');
  expect(result.handlerLogs.join('\n')).not.toContain('rehearsal-oauth-secret-Zp4K');
});

test('no secret value reaches the cloud assembly, Data, outputs or handler logs', async () => {
  // Canary values planted in Secrets Manager (the emulator) only: the library must never copy them.
  const canary = 'CANARY-asana-api-key-7f3e';
  const result = await rehearseExample({ assemblyDir, asanaApiKey: canary });
  const assemblyText = filesBelow(assemblyDir).map((file) => readFileSync(file, 'utf8')).join('\n');
  for (const [where, text] of [
    ['the cloud assembly', assemblyText],
    ['Data and outputs', JSON.stringify(result.passes)],
    ['handler logs', result.handlerLogs.join('\n')],
  ]) {
    expect({ where, leaked: text.includes(canary) || text.includes('rehearsal-oauth-secret-Zp4K') }).toEqual({ where, leaked: false });
  }
  // The assembly does name the secrets, by reference.
  expect(assemblyText).toContain('secret:appfabric/asana');
});

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? filesBelow(path.join(dir, entry.name)) : [path.join(dir, entry.name)]);
}

test('a rejected API key fails the rehearsal with the clear reason, and the rollback leaves nothing', async () => {
  const result = await rehearseExample({ assemblyDir, asanaApiKey: 'invalid-example-key' });
  expect(result.failed?.pass).toBe('Create');
  expect(result.failed?.failure?.logicalId).toMatch(/^Asana/);
  expect(result.failed?.failure?.error).toMatch(
    /the ASANA authorization for tenant '1200000000000000' could not connect: AppFabric reports ConnectionValidationFailed. .*secret arn:aws:secretsmanager:us-east-1:111122223333:secret:appfabric\/asana.*field 'apiKey'/);
  expect(result.failed?.rollback.map((o) => o.logicalId.replace(/[0-9A-F]{8}$/, '')).filter((id) => id === 'Slack')).toEqual(['Slack']);
  expect(result.leftBehind).toBe(0);
  expect(result.handlerLogs.join('\n')).not.toContain('invalid-example-key');
});
