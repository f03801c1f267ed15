// End-to-end: the example app synthesized, its custom resources run from the cloud assembly
// (handler assets as shipped) against the emulators, as CloudFormation would run them.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { MAX_WIDTH } from './report';
import { rehearseExample } from './scenario';
import { buildExampleApp } from '../../examples/example-app';

// Inside the repository, so the assets resolve @aws-sdk/* from node_modules as Lambda's runtime would provide it.
const TMP = path.join(__dirname, '..', '.tmp');
let assemblyDir: string;

beforeAll(() => {
  mkdirSync(TMP, { recursive: true });
  assemblyDir = mkdtempSync(path.join(TMP, 'rehearsal-'));
  // Construct paths in the template metadata, as the aws-cdk CLI's synth writes them (the output names resources by them).
  const app = new App({ outdir: assemblyDir, context: { 'aws:cdk:enable-path-metadata': true } });
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

test('the output fits a terminal, explains stand-ins once and shows what each pass changed', async () => {
  const lines: string[] = [];
  await rehearseExample({ assemblyDir, print: (line) => lines.push(line) });
  const failedLines: string[] = [];
  await rehearseExample({ assemblyDir, asanaApiKey: 'invalid-example-key', print: (line) => failedLines.push(line) });
  expect([...lines, ...failedLines].filter((line) => line.length > MAX_WIDTH)).toEqual([]);

  const output = lines.join('\n');
  expect(lines.filter((line) => /^\s*Stand-in:/.test(line))).toHaveLength(1);
  expect(output.match(/the library's handlers, run from the bundled code/g)).toHaveLength(1);
  expect(lines.filter((line) => line.startsWith('== '))).toEqual([
    expect.stringMatching(/^== 1\/3 Create: /), expect.stringMatching(/^== 2\/3 Update: /), expect.stringMatching(/^== 3\/3 Delete: /), '== Summary ==',
  ]);
  // No ARN in a table: the IDs are their last segment.
  expect(lines.filter((line) => /^\S+\s+(Custom|AWS)::\S+\s+arn:/.test(line))).toEqual([]);
  // Update: each tenant's display name, read from the emulator before and after; the TPP description.
  const section = (from: RegExp, to: RegExp) => lines.slice(lines.findIndex((l) => from.test(l)), lines.findIndex((l) => to.test(l)));
  const update = section(/^== 2\/3/, /^== 3\/3/);
  expect(update).toEqual(expect.arrayContaining([
    expect.stringMatching(/^\s+Slack\s+SLACK\s+examplecorp\s+Example Corp\s+Example Corp \(renamed\)$/),
    expect.stringMatching(/^\s+Asana\s+ASANA\s+1200000000000000\s+Example Corp Asana\s+Example Corp Asana \(renamed\)$/),
    '  CertBot.Description: "Renews TLS certificates for the platform" -> "Renews TLS certificates for the platform (updated)"',
  ]));
  // Delete: what was removed, what was kept, what is left.
  const remove = section(/^== 3\/3/, /^== Summary/);
  expect(remove).toEqual(expect.arrayContaining([
    expect.stringMatching(/^Slack\s+Custom::AppFabricAppAuthorization\s+\S+\s+handler\s+deleted$/),
    expect.stringMatching(/^CertBot\s+Custom::VenafiTppOAuthApplication\s+cert-bot\s+-\s+retained: no Delete sent$/),
    'Left in the emulators: AppFabric: no authorization; Venafi TPP: application cert-bot.',
  ]));
  const summary = section(/^== Summary/, /^Rehearsal passed/);
  expect(summary).toEqual(expect.arrayContaining([
    expect.stringMatching(/^Created\s+7 listed \(4 by handlers, 3 by the stand-in\)/),
    expect.stringMatching(/^Changed\s+3 in place, 0 replaced: Slack \(TenantDisplayName\), Asana \(TenantDisplayName\), CertBot \(Description\)$/),
    expect.stringMatching(/^Requests\s+AppFabric: \d+, all SigV4-signed/),
  ]));
  expect(lines[lines.length - 1]).toMatch(/^Rehearsal passed/);
  expect(failedLines[failedLines.length - 1]).toMatch(/^\s+\| /);
  expect(failedLines).toEqual(expect.arrayContaining([expect.stringMatching(/^Failed\s+the Create pass, at Asana; rolled back: /)]));
});
