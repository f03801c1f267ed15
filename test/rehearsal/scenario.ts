// The example app's rehearsal: emulators, the secrets the example expects, the three passes.
import { PassReport, Rehearsal, ResourceOutcome } from './rehearse';
import { formatTable } from '../../src/cli/commands';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';
import { SecretsManagerEmulator } from '../emulators/secrets-manager-emulator';
import { TppEmulator } from '../emulators/tpp-emulator';
import { makeTestPki } from '../support/test-pki';

export interface ScenarioOptions {
  /** The synthesized cloud assembly (cdk.out). */
  readonly assemblyDir: string;
  /** The API key stored for the Asana authorization: one starting with `invalid` is rejected. */
  readonly asanaApiKey?: string;
  readonly print?: (line: string) => void;
}

export interface ScenarioResult {
  readonly passes: PassReport[];
  readonly appfabric: AppFabricEmulator;
  /** The failed pass, if any. */
  readonly failed?: PassReport;
  /** What the handlers logged (CloudWatch Logs, in AWS). */
  readonly handlerLogs: string[];
  /** Authorizations still in the emulator after the last pass. */
  readonly leftBehind: number;
  /** The TPP emulator's applications after the last pass (the example retains its application). */
  readonly tppApplications: string[];
}

/** Renames tenants (authorizations) and descriptions (TPP applications): an in-place update each. */
export function exampleMutation(type: string, properties: Record<string, any>): Record<string, any> | undefined {
  switch (type) {
    case 'Custom::AppFabricAppAuthorization':
      return { ...properties, TenantDisplayName: `${properties.TenantDisplayName} (renamed)` };
    case 'Custom::VenafiTppOAuthApplication':
      return { ...properties, Description: `${properties.Description ?? ''} (updated)`.trim() };
    default:
      return undefined;
  }
}

export async function rehearseExample(options: ScenarioOptions): Promise<ScenarioResult> {
  const print = options.print ?? (() => undefined);
  const appfabric = await AppFabricEmulator.start();
  const secrets = await SecretsManagerEmulator.start();
  const pki = await makeTestPki();
  const tpp = await TppEmulator.start({ tls: pki.serverTls });
  // The example's TPP server is reached at the emulator, trusting the test CA.
  const localize = (type: string, properties: Record<string, any>) => type === 'Custom::VenafiTppOAuthApplication'
    ? { ...properties, ServerUrl: tpp.endpoint, TrustedCaCertificate: pki.caCertificate } : properties;
  const savedEnv = { ...process.env };
  Object.assign(process.env, {
    AWS_REGION: appfabric.region,
    AWS_ACCESS_KEY_ID: 'AKIDREHEARSAL',
    AWS_SECRET_ACCESS_KEY: 'rehearsal',
    AWS_ENDPOINT_URL_APPFABRIC: appfabric.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  // The handlers log with console.log; keep their lines apart from the rehearsal's table.
  const handlerLogs: string[] = [];
  const consoleLog = console.log;
  console.log = (...args: unknown[]) => { handlerLogs.push(args.map(String).join(' ')); };
  const done = (passes: PassReport[], failed?: PassReport): ScenarioResult =>
    ({ passes, appfabric, failed, handlerLogs, leftBehind: appfabric.authorizations().length, tppApplications: tpp.applicationIds() });
  try {
    secrets.putSecret('appfabric/slack', JSON.stringify({ clientId: 'example-slack-client', clientSecret: 'rehearsal-oauth-secret-Zp4K' }));
    secrets.putSecret('appfabric/asana', JSON.stringify({ apiKey: options.asanaApiKey ?? 'example-asana-key' }));
    secrets.putSecret('tpp/admin-token', JSON.stringify(tpp.issueToken({ scope: 'admin' })));

    const rehearsal = Rehearsal.load(options.assemblyDir, appfabric, localize);
    const passes: PassReport[] = [];
    for (const run of [() => rehearsal.create(), () => rehearsal.update(exampleMutation), () => rehearsal.delete()]) {
      const report = await run();
      passes.push(report);
      printPass(report, print);
      if (report.failure) {
        return done(passes, report);
      }
    }
    return done(passes);
  } finally {
    console.log = consoleLog;
    process.env = savedEnv;
    await Promise.all([appfabric.close(), secrets.close(), tpp.close()]);
  }
}

function printPass(report: PassReport, print: (line: string) => void): void {
  print(`\n== ${report.pass} ==`);
  const rows = report.outcomes.filter((outcome) => /^(Custom|AWS::AppFabric)::/.test(outcome.type)).map(row);
  if (report.failure) {
    rows.push(row(report.failure));
  }
  print(rows.length ? formatTable([['STACK', 'RESOURCE', 'TYPE', 'PHYSICAL ID', 'STATUS'], ...rows]) : '(no custom resources)');
  for (const [stack, outputs] of Object.entries(report.outputs)) {
    for (const [key, value] of Object.entries(outputs)) {
      print(`  output ${stack}.${key} = ${String(value)}`);
    }
  }
  if (report.failure) {
    print(`\nFAILED ${report.failure.stack}/${report.failure.logicalId} (${report.failure.type}): ${report.failure.error}`);
    if (report.rollback.length) {
      print(formatTable([['STACK', 'RESOURCE', 'TYPE', 'PHYSICAL ID', 'ROLLBACK'], ...report.rollback.map(row)]));
    }
  }
}

function row(outcome: ResourceOutcome): string[] {
  return [outcome.stack, outcome.logicalId, outcome.type, outcome.physicalId, outcome.status];
}
