// Runs the TppOAuthApplication handler as CloudFormation does (the answer PUT to a local
// ResponseURL), against the local TPP emulator over HTTPS (a test CA made here) and the Secrets
// Manager emulator.
import { asCloudFormation } from './cloudformation';
import { useEmulatorEnvironment } from './emulator-environment';
import { EventOptions, captureHandlerLogs, customResourceEvent } from './handler-harness';
import { TestPki } from './test-pki';
import { forgetSecretsForTesting } from '../../src/internal/scrub';
import { TppOAuthApplicationEvent } from '../../src/venafi-tpp/handler/events';
import { handler as tppOAuthApplicationFunction } from '../../src/venafi-tpp/handler/tpp-oauth-application.lambda';
import { TppOAuthApplicationData, TppOAuthApplicationProperties } from '../../src/venafi-tpp/properties';
import { SecretsManagerEmulator } from '../emulators/secrets-manager-emulator';
import { IssueTokenOptions, IssuedTokens, TppEmulator, TppEmulatorOptions } from '../emulators/tpp-emulator';

export { failureReason, lambdaContext } from './handler-harness';
export { makeTestPki } from './test-pki';
export type { TestPki } from './test-pki';

/** The TppOAuthApplication function, invoked as CloudFormation does. */
export const handler = asCloudFormation<TppOAuthApplicationEvent, TppOAuthApplicationData>(tppOAuthApplicationFunction);

export const TPP_STACK_ID = 'arn:aws:cloudformation:us-east-1:111122223333:stack/TppTest/5f3c2a10-0000-4000-8000-000000000002';

/** A test CA, a server certificate it issued for 127.0.0.1, and one from another CA. */
export class TppHarness {
  public static async start(pki: TestPki, options: Partial<TppEmulatorOptions> = {}): Promise<TppHarness> {
    // A new harness is a new Lambda container: it remembers no secret value of an earlier test.
    forgetSecretsForTesting();
    const tpp = await TppEmulator.start({ tls: pki.serverTls, ...options });
    const secrets = await SecretsManagerEmulator.start();
    return new TppHarness(pki, tpp, secrets);
  }

  /** Everything the handler printed (CloudWatch Logs, in Lambda). */
  public readonly logs: string[] = [];
  private readonly restoreEnvironment: () => void;
  private readonly logSpy: jest.SpyInstance;

  private constructor(public readonly pki: TestPki, public readonly tpp: TppEmulator, public readonly secrets: SecretsManagerEmulator) {
    this.restoreEnvironment = useEmulatorEnvironment({ secretsManager: secrets.endpoint });
    this.logSpy = captureHandlerLogs(this.logs);
  }

  public async close(): Promise<void> {
    this.logSpy.mockRestore();
    this.restoreEnvironment();
    await Promise.all([this.tpp.close(), this.secrets.close()]);
  }

  /** Issues a token in the emulator and stores it in a secret; returns both. */
  public tokenSecret(options: IssueTokenOptions = {}, name = 'tpp/admin-token', extraFields: Record<string, unknown> = {}): { arn: string; tokens: IssuedTokens } {
    const tokens = this.tpp.issueToken(options);
    const arn = this.secrets.putSecret(name, JSON.stringify({ ...extraFields, ...tokens }));
    return { arn, tokens };
  }

  /** The secret's current JSON. */
  public secretJson(arn: string): Record<string, any> {
    return JSON.parse(this.secrets.secretString(arn)!);
  }

  /** Properties of an application on this harness's TPP, trusting the test CA; a fresh admin token secret unless given. */
  public props(overrides: Partial<TppOAuthApplicationProperties> = {}): TppOAuthApplicationProperties {
    return {
      ServerUrl: this.tpp.endpoint,
      TrustedCaCertificate: this.pki.caCertificate,
      TokenSecretArn: overrides.TokenSecretArn ?? this.tokenSecret().arn,
      ApplicationId: 'cert-bot',
      Name: 'Certificate bot',
      Vendor: 'Example Corp',
      Scope: 'certificate:manage,revoke',
      MaximumScope: 'certificate:manage,revoke;configuration',
      ...overrides,
    };
  }
}

export type TppEventOptions = EventOptions<TppOAuthApplicationProperties>;

export function tppEvent(requestType: 'Create' | 'Update' | 'Delete', props: TppOAuthApplicationProperties, options: TppEventOptions = {}): TppOAuthApplicationEvent {
  return customResourceEvent({ type: 'Custom::VenafiTppOAuthApplication', stackId: TPP_STACK_ID, logicalResourceId: 'CertBotApplication1A2B3C4D' },
    requestType, props, options);
}
