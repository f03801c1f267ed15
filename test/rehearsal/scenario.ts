// The example app's rehearsal: emulators, the secrets the example expects, the three passes.
import * as path from 'node:path';
import { PassReport, Rehearsal } from './rehearse';
import { PassExtras, ServiceRequests, TenantView, introduction, passLines, summaryLines } from './report';
import { AppFabricEmulator } from '../emulators/appfabric-emulator';
import { HttpEmulator } from '../emulators/http-emulator';
import { SecretsManagerEmulator } from '../emulators/secrets-manager-emulator';
import { TppEmulator } from '../emulators/tpp-emulator';
import { useEmulatorEnvironment } from '../support/emulator-environment';
import { makeTestPki } from '../support/test-pki';

export interface ScenarioOptions {
  /** The synthesized cloud assembly (cdk.out). */
  readonly assemblyDir: string;
  /** The API key stored for the Asana authorization: one starting with `invalid` is rejected. */
  readonly asanaApiKey?: string;
  /** Receives every line the rehearsal prints (none is wider than report.MAX_WIDTH). */
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
  const restoreEnvironment = useEmulatorEnvironment({ region: appfabric.region, appfabric: appfabric.endpoint, secretsManager: secrets.endpoint });
  // The handlers log with console.log; keep their lines apart from the rehearsal's table.
  const handlerLogs: string[] = [];
  const consoleLog = console.log;
  console.log = (...args: unknown[]) => { handlerLogs.push(args.map(String).join(' ')); };
  const services: Array<[string, HttpEmulator, string | undefined]> = [
    ['AppFabric', appfabric, 'appfabric'], ['Secrets Manager', secrets, 'secretsmanager'], ['Venafi TPP', tpp, undefined],
  ];
  const done = (passes: PassReport[], failed?: PassReport): ScenarioResult => {
    const result = { passes, appfabric, failed, handlerLogs, leftBehind: appfabric.authorizations().length, tppApplications: tpp.applicationIds() };
    summaryLines({ ...result, requests: services.map(([name, emulator, signingName]) => requestsOf(name, emulator, signingName)) }).forEach(print);
    return result;
  };
  const tenants = (rehearsal: Rehearsal): TenantView[] => appfabric.authorizations().map((a) => ({
    resource: rehearsal.pathOf(a.appAuthorizationArn) ?? a.appAuthorizationArn,
    app: a.app,
    tenantIdentifier: a.tenant.tenantIdentifier,
    displayName: a.tenant.tenantDisplayName,
  }));
  try {
    secrets.putSecret('appfabric/slack', JSON.stringify({ clientId: 'example-slack-client', clientSecret: 'rehearsal-oauth-secret-Zp4K' }));
    secrets.putSecret('appfabric/asana', JSON.stringify({ apiKey: options.asanaApiKey ?? 'example-asana-key' }));
    secrets.putSecret('tpp/admin-token', JSON.stringify(tpp.issueToken({ scope: 'admin' })));

    const rehearsal = Rehearsal.load(options.assemblyDir, appfabric, localize);
    introduction(path.relative(process.cwd(), options.assemblyDir) || '.', rehearsal.stackEnvironments()).forEach(print);
    const passes: PassReport[] = [];
    const steps: Array<() => Promise<[PassReport, PassExtras]>> = [
      async () => [await rehearsal.create(), {}],
      async () => {
        const tenantsBefore = tenants(rehearsal);
        const report = await rehearsal.update(exampleMutation);
        return [report, { tenantsBefore, tenantsAfter: tenants(rehearsal), previousOutputs: passes[0].outputs }];
      },
      async () => {
        const report = await rehearsal.delete();
        const applications = tpp.applicationIds();
        const authorizations = appfabric.authorizations().length;
        return [report, {
          leftAfter: [
            `AppFabric: ${authorizations ? `${authorizations} authorization(s)` : 'no authorization'}`,
            `Venafi TPP: ${applications.length ? `application ${applications.join(', ')}` : 'no application'}`,
          ],
        }];
      },
    ];
    for (const step of steps) {
      const [report, extras] = await step();
      passes.push(report);
      passLines(report, extras).forEach(print);
      if (report.failure) {
        return done(passes, report);
      }
    }
    return done(passes);
  } finally {
    console.log = consoleLog;
    restoreEnvironment();
    await Promise.all([appfabric.close(), secrets.close(), tpp.close()]);
  }
}

function requestsOf(service: string, emulator: HttpEmulator, signingName: string | undefined): ServiceRequests {
  const operations: Record<string, number> = {};
  emulator.requests.forEach((request) => { operations[request.operation] = (operations[request.operation] ?? 0) + 1; });
  return {
    service,
    operations,
    signed: signingName === undefined ? undefined : emulator.requests.filter((request) => request.signedService === signingName).length,
    errors: emulator.requests.filter((request) => request.status >= 400 || request.status === 0)
      .map((request) => `${request.operation} ${request.status || 'no answer'}`),
  };
}
